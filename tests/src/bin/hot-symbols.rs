//! `hot-symbols EXECUTABLE PROFILE...`: the functions a hook really runs, for the linker's
//! `--symbol-ordering-file` (written to `hooks/hot-symbols.txt` by `scripts/hot-symbols`).
//!
//! Why: a hook process is short, so most of its page faults are first touches of its code,
//! and the kernel maps code 64 KiB at a time around each fault. Left where the linker puts
//! them, the ~1 MB of functions a call runs were spread over 4.6 MB of `.text` (40 code
//! faults per call); placed together, they take ~14. Each fault costs ~1 µs on the VMs we
//! measured, and mapped pages cost again when the process ends.
//!
//! The profiles are callgrind's with `--dump-instr=yes --compress-pos=no` (as `scripts/bench`
//! writes them under `BENCH_CALLGRIND_DIR`): every executed instruction's address. Each is
//! mapped to the function symbol that contains it (from `nm -n`), so functions callgrind
//! names oddly (`(below main)`, aliases) still come out under a name the linker knows.
//! glibc picks its string functions per CPU (`__memchr_evex`, `__memchr_avx2`, …) and
//! valgrind's CPU is not the user's: every variant of a string function that ran is listed.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::process::Command;

/// A function symbol of the executable: start address and name.
struct Symbol {
    start: u64,
    name: String,
}

/// Text symbols (`t`, `T`, `W`, `w`, `i`) of `exe`, sorted by address.
fn text_symbols(exe: &str) -> Vec<Symbol> {
    let out = Command::new("nm")
        .args(["-n", "--defined-only", exe])
        .output()
        .unwrap_or_else(|e| panic!("nm {exe}: {e}"));
    assert!(out.status.success(), "nm {exe} failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let (addr, kind, name) = (parts.next()?, parts.next()?, parts.next()?);
            if !matches!(kind, "t" | "T" | "W" | "w" | "i") {
                return None;
            }
            Some(Symbol {
                start: u64::from_str_radix(addr, 16).ok()?,
                name: name.to_string(),
            })
        })
        .collect()
}

/// The symbol containing `addr`: the last one starting at or before it.
fn containing(symbols: &[Symbol], addr: u64) -> Option<&str> {
    let after = symbols.partition_point(|s| s.start <= addr);
    after
        .checked_sub(1)
        .and_then(|i| symbols.get(i))
        .map(|s| s.name.as_str())
}

/// Adds to `hot`, in first-seen order, the functions whose instructions `profile` counted in
/// the object named like `exe` (callgrind also counts valgrind's own preload objects).
fn add_profile(profile: &str, exe_name: &str, symbols: &[Symbol], hot: &mut Vec<String>) {
    let file = std::fs::File::open(profile).unwrap_or_else(|e| panic!("{profile}: {e}"));
    let mut seen: HashSet<String> = hot.iter().cloned().collect();
    let mut objects: std::collections::HashMap<String, String> = Default::default();
    let mut in_exe = false;
    for line in BufReader::new(file).lines().map_while(Result::ok) {
        // A called object (`cob=`) can be the first to name an id.
        if let Some((id, path)) = line.strip_prefix("cob=").and_then(|r| r.split_once(' ')) {
            objects.insert(id.to_string(), path.to_string());
            continue;
        }
        if let Some(rest) = line.strip_prefix("ob=") {
            // `ob=(3) /path` names object 3 the first time, `ob=(3)` later.
            let (id, path) = match rest.split_once(' ') {
                Some((id, path)) => (id.to_string(), path.to_string()),
                None => (rest.to_string(), String::new()),
            };
            let path = if path.is_empty() {
                objects.get(&id).cloned().unwrap_or(id)
            } else {
                objects.insert(id, path.clone());
                path
            };
            in_exe = path.ends_with(exe_name);
            continue;
        }
        let Some(hex) = line.strip_prefix("0x") else {
            continue;
        };
        let Some(addr) = hex
            .split_whitespace()
            .next()
            .and_then(|h| u64::from_str_radix(h, 16).ok())
        else {
            continue;
        };
        if let Some(name) = in_exe.then(|| containing(symbols, addr)).flatten()
            && seen.insert(name.to_string())
        {
            hot.push(name.to_string());
        }
    }
}

/// The CPU-specific variants of the glibc string functions in `hot` (`__memchr_` of
/// `__memchr_avx2`), from every symbol of the executable.
fn string_variants(hot: &[String], symbols: &[Symbol]) -> Vec<String> {
    const CPU_SUFFIXES: [&str; 6] = ["avx", "evex", "sse", "erms", "ssse", "unaligned"];
    let families: HashSet<&str> = hot
        .iter()
        .filter(|n| n.starts_with("__"))
        .filter_map(|n| {
            let (family, suffix) = n[2..].split_once('_')?;
            CPU_SUFFIXES
                .iter()
                .any(|s| suffix.starts_with(s))
                .then_some(family)
        })
        .collect();
    let listed: HashSet<&str> = hot.iter().map(String::as_str).collect();
    let mut variants: Vec<String> = symbols
        .iter()
        .filter(|s| {
            s.name.starts_with("__")
                && s.name[2..]
                    .split_once('_')
                    .is_some_and(|(family, _)| families.contains(family))
                && !listed.contains(s.name.as_str())
        })
        .map(|s| s.name.clone())
        .collect();
    variants.sort();
    variants.dedup();
    variants
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((exe, profiles)) = args.split_first() else {
        eprintln!("usage: hot-symbols EXECUTABLE CALLGRIND_PROFILE...");
        std::process::exit(2);
    };
    let exe_name = std::path::Path::new(exe)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let symbols = text_symbols(exe);
    let mut hot = Vec::new();
    for profile in profiles {
        add_profile(profile, &exe_name, &symbols, &mut hot);
    }
    assert!(
        !hot.is_empty(),
        "no instruction of {exe_name} in the profiles (callgrind needs --dump-instr=yes \
         --compress-pos=no)"
    );
    let variants = string_variants(&hot, &symbols);
    let mut out = std::io::stdout().lock();
    for name in hot.iter().chain(&variants) {
        let _ = writeln!(out, "{name}");
    }
}
