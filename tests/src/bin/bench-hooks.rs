//! Process-level benchmark of the hooks (DESIGN §3): spawn → parse → decide → record →
//! exit, measured against spawning `/bin/true` on the same machine. Run it with
//! `cargo run --release -p budget-tests --bin bench-hooks -- [RUNS]` (or `scripts/bench`).
//!
//! It prints p50/p99 wall time per call for a Bash and an Edit PreToolUse on a realistic
//! budget (~100 rules, every pack), and peak RSS from `/usr/bin/time` when present.

use budget_tests::TempProject;
use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or_default()
}

/// Runs `cmd` `runs` times feeding `stdin`, returning sorted wall times.
fn time_runs(make: &dyn Fn() -> Command, stdin: &[u8], runs: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let mut cmd = make();
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let started = Instant::now();
        let Ok(mut child) = cmd.spawn() else { continue };
        if let Some(mut pipe) = child.stdin.take() {
            let _ = pipe.write_all(stdin);
        }
        let _ = child.wait();
        times.push(started.elapsed());
    }
    times.sort();
    times
}

/// Peak RSS in KiB of one run, via GNU time, when it is installed.
fn peak_rss_kib(project: &TempProject, hook: &Path, stdin: &[u8]) -> Option<u64> {
    if !Path::new("/usr/bin/time").exists() {
        return None;
    }
    let template = project.command("claude-budget-pre-tool-use");
    let mut time = Command::new("/usr/bin/time");
    time.arg("-f")
        .arg("%M")
        .arg(hook)
        .env_clear()
        .current_dir(&project.root);
    for (k, v) in template.get_envs() {
        if let Some(v) = v {
            time.env(k, v);
        }
    }
    let mut child = time
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    if let Some(mut pipe) = child.stdin.take() {
        let _ = pipe.write_all(stdin);
    }
    let out = child.wait_with_output().ok()?;
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()
}

fn report(name: &str, times: &[Duration], floor: Duration) {
    let p50 = percentile(times, 0.5);
    let p99 = percentile(times, 0.99);
    println!(
        "{name:<34} p50 {:>7.3} ms  p99 {:>7.3} ms  (p50 over /bin/true: {:+.3} ms, n={})",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        (p50.as_secs_f64() - floor.as_secs_f64()) * 1e3,
        times.len()
    );
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(300);
    let budget = include_str!("../../fixtures/bench/realistic-budget.toml");
    let project = TempProject::new().budget(budget);
    project.write("src/lib.rs", "pub fn f() {}\n");
    let hook = budget_tests::bin("claude-budget-pre-tool-use");
    let bash = project.pre_tool_use(
        "Bash",
        json!({"command": "cargo test -p billing && git status"}),
    );
    let edit = project.pre_tool_use(
        "Edit",
        json!({"file_path": project.root.join("src/lib.rs"), "old_string": "f", "new_string": "g"}),
    );
    let floor = time_runs(&|| Command::new("/bin/true"), b"", runs);
    let floor_p50 = percentile(&floor, 0.5);
    println!("claude-budget hook benchmark, {runs} runs each");
    report("/bin/true (spawn floor)", &floor, floor_p50);
    for (name, input) in [
        ("pre-tool-use Bash (allow)", &bash),
        ("pre-tool-use Edit (allow)", &edit),
    ] {
        let bytes = input.to_string().into_bytes();
        let times = time_runs(
            &|| project.command("claude-budget-pre-tool-use"),
            &bytes,
            runs,
        );
        report(name, &times, floor_p50);
        match peak_rss_kib(&project, &hook, &bytes) {
            Some(kib) => println!("{:<34} peak RSS {:.1} MiB", "", kib as f64 / 1024.0),
            None => println!("{:<34} peak RSS: /usr/bin/time not installed", ""),
        }
    }
}
