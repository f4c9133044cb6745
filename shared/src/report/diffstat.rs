//! Lines added and removed per changed file, for the packet's "Files changed" (SPEC §7): from
//! `git diff --numstat HEAD` when the project is a git repository (a new, untracked file counts
//! all its lines as added), nothing otherwise — the record keeps no file contents to diff.
//!
//! Git runs once per packet, with a deadline, optional locks off and no pager, external diff
//! or textconv, and no fsmonitor (a repository's config must not run programs on the
//! reviewer's behalf).

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Added and removed lines; `None` for a binary file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Lines {
    pub(super) added: u64,
    pub(super) removed: u64,
}

/// How long git may take before the packet goes without a diffstat.
const GIT_DEADLINE: Duration = Duration::from_secs(2);
/// Most files diffed (the packet shows fewer).
const MAX_FILES: usize = 200;
/// An untracked file larger than this is not counted line by line.
const MAX_NEW_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Project-relative path → lines, for the `changed` paths that git knows or that are new.
pub(super) fn diffstat(root: &Path, changed: &[String]) -> HashMap<String, Lines> {
    let mut out = HashMap::new();
    let inside: Vec<&String> = changed
        .iter()
        .filter(|p| !p.starts_with(['/', '~']))
        .take(MAX_FILES)
        .collect();
    if inside.is_empty() || !root.join(".git").exists() {
        return out;
    }
    let Some(numstat) = git_numstat(root, &inside) else {
        return out;
    };
    for line in numstat.lines() {
        let mut parts = line.splitn(3, '\t');
        let (Some(added), Some(removed), Some(path)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if let (Ok(added), Ok(removed)) = (added.parse(), removed.parse()) {
            out.insert(path.to_owned(), Lines { added, removed });
        }
    }
    for path in inside {
        if out.contains_key(path.as_str()) {
            continue;
        }
        let file = root.join(path);
        let small = file
            .metadata()
            .is_ok_and(|m| m.is_file() && m.len() <= MAX_NEW_FILE_BYTES);
        if small
            && !tracked(root, path)
            && let Ok(bytes) = std::fs::read(&file)
        {
            let added = bytecount_lines(&bytes);
            out.insert(path.clone(), Lines { added, removed: 0 });
        }
    }
    out
}

fn bytecount_lines(bytes: &[u8]) -> u64 {
    let newlines = bytes.iter().filter(|b| **b == b'\n').count() as u64;
    newlines + u64::from(!bytes.is_empty() && !bytes.ends_with(b"\n"))
}

fn git(root: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.arg("-C")
        .arg(root)
        .args([
            "-c",
            "core.pager=cat",
            "-c",
            "core.fsmonitor=false",
            "--no-optional-locks",
        ])
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env_remove("GIT_EXTERNAL_DIFF")
        .stdin(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn tracked(root: &Path, path: &str) -> bool {
    git(root)
        .args(["ls-files", "--error-unmatch", "--", path])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `git diff --numstat HEAD -- paths`, or `None` (no git, no HEAD, too slow).
fn git_numstat(root: &Path, paths: &[&String]) -> Option<String> {
    let mut child = git(root)
        .args([
            "diff",
            "--numstat",
            "--no-ext-diff",
            "--no-textconv",
            "--no-renames",
            "HEAD",
            "--",
        ])
        .args(paths.iter().map(|p| p.as_str()))
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    // Read on a thread so a full pipe can never stall git while we wait for it.
    let mut stdout = child.stdout.take()?;
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text).ok()
    });
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => break,
            Ok(Some(_)) | Err(_) => return None,
            Ok(None) if started.elapsed() > GIT_DEADLINE => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
        }
    }
    reader.join().ok().flatten()
}
