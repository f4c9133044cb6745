//! What the missing-binary guard of a committed `.claude/settings.json` costs per tool call
//! (issue 13, SPEC §2 "Rollout cannot fail open"), measured as Claude Code runs hook entries:
//! a shell-form entry as `/bin/sh -c COMMAND`, an exec-form entry (`args` present) as the
//! program itself, and every handler matching an event at the same time (spawned together,
//! the event waits for the last). Each call gets the hook input on stdin.
//!
//! Options, interleaved round by round so machine load hits them alike:
//! * `exec`      — the hook alone in exec form: the floor, and what fails open when missing;
//! * `sh-guard`  — one shell-form entry: `command -v HOOK || deny; exec HOOK`;
//! * `parallel`  — the hook in exec form plus a separate shell-form guard entry that only
//!   checks presence, both running at once;
//! * `true`      — `/bin/true` spawned the same way, the machine's spawn floor.
//!
//! `cargo run --release -p budget-tests --bin bench-guard -- [RUNS]`; p50/p99 per option.

use budget_tests::TempProject;
use serde_json::json;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PRE: &str = "claude-budget-pre-tool-use";

/// The presence check, as `install --scope project` writes it (kept in step by hand: the
/// installer's copy is the product, this one is the measurement).
const GUARD: &str = "command -v claude-budget-pre-tool-use >/dev/null 2>&1 || { echo 'claude-budget is not installed on this machine' >&2; exit 2; }";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or_default()
}

/// Spawns one handler with the input on stdin, as Claude Code does.
fn spawn(mut cmd: Command, project: &TempProject, stdin: &[u8]) -> Option<Child> {
    let path = format!(
        "{}:/usr/local/bin:/usr/bin:/bin",
        budget_tests::bin_dir().display()
    );
    cmd.current_dir(&project.root)
        .env("PATH", path)
        .env("CLAUDE_PROJECT_DIR", &project.root)
        .env("CLAUDE_BUDGET_CONFIG_DIR", &project.config)
        .env("CLAUDE_BUDGET_DATA_DIR", &project.data)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().ok()?;
    if let Some(mut pipe) = child.stdin.take() {
        // A guard that never reads its stdin may close it first: that is fine.
        let _ = pipe.write_all(stdin);
    }
    Some(child)
}

fn shell(command: &str) -> Command {
    let mut c = Command::new("/bin/sh");
    c.arg("-c").arg(command);
    c
}

/// One event: every handler spawned, then all waited for; the wall time of the whole.
fn event(handlers: Vec<Command>, project: &TempProject, stdin: &[u8]) -> Duration {
    let started = Instant::now();
    let children: Vec<Child> = handlers
        .into_iter()
        .filter_map(|h| spawn(h, project, stdin))
        .collect();
    for mut child in children {
        let _ = child.wait();
    }
    started.elapsed()
}

fn report(name: &str, times: &mut [Duration], floor: Duration) {
    times.sort();
    let p50 = percentile(times, 0.5);
    let p99 = percentile(times, 0.99);
    println!(
        "{name:<10} p50 {:>7.3} ms  p99 {:>7.3} ms  (p50 over exec form: {:+.3} ms, n={})",
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
    let input = project
        .pre_tool_use(
            "Bash",
            json!({"command": "cargo test -p billing && git status"}),
        )
        .to_string()
        .into_bytes();
    let hook = budget_tests::bin(PRE);
    assert!(Path::new(&hook).is_file(), "build the hooks first");

    let sh_guard = format!("{GUARD}; exec {PRE}");
    type Make<'a> = Box<dyn Fn() -> Vec<Command> + 'a>;
    let options: Vec<(&str, Make)> = vec![
        ("true", Box::new(|| vec![Command::new("/bin/true")])),
        ("exec", Box::new(|| vec![Command::new(PRE)])),
        ("sh-guard", Box::new(|| vec![shell(&sh_guard)])),
        (
            "parallel",
            Box::new(|| vec![Command::new(PRE), shell(GUARD)]),
        ),
    ];
    // Warm the page cache and the compiled-budget cache.
    for (_, make) in &options {
        for _ in 0..5 {
            event(make(), &project, &input);
        }
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::with_capacity(runs); options.len()];
    for round in 0..runs {
        // Rotate the order so no option always follows the same one.
        for k in 0..options.len() {
            let i = (round + k) % options.len();
            times[i].push(event((options[i].1)(), &project, &input));
        }
    }
    println!(
        "missing-binary guard cost, {runs} interleaved rounds, hook input on stdin, {} build",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let exec_p50 = {
        let mut exec = times[1].clone();
        exec.sort();
        percentile(&exec, 0.5)
    };
    for ((name, _), t) in options.iter().zip(times.iter_mut()) {
        report(name, t, exec_p50);
    }
}
