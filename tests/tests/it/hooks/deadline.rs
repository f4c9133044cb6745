//! The hooks' own deadline (SPEC §2): past it the pre-tool-use hook denies (exit 2, with a
//! reason) and the other hooks exit 0, whatever the process inherited (SIGALRM ignored or
//! blocked) and where no deadline timer can be had (RLIMIT_SIGPENDING used up).

use super::fail_closed::{OK_BUDGET, PRE, assert_denied, echo_input};
use budget_tests::{TempProject, stdout_json};
use serde_json::json;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const DEADLINE_MS: u64 = 300;

/// Runs `hook` (through `wrapper`, a program that starts it as its last argument after
/// changing what the process inherits; none when empty) with `stdin`, the fault and
/// deadline of `env`. Fails instead of hanging when nothing ends the hook within 30 s;
/// returns its output and how long it ran.
fn run_bounded(
    p: &TempProject,
    hook: &str,
    wrapper: &[&str],
    stdin: &[u8],
    env: &[(&str, &str)],
) -> (Output, Duration) {
    let template = p.command(hook);
    let mut cmd = match wrapper.split_first() {
        Some((program, args)) => {
            let mut cmd = Command::new(program);
            cmd.args(args).arg(template.get_program());
            cmd
        }
        None => Command::new(template.get_program()),
    };
    cmd.env_clear();
    for (k, v) in template.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    if let Some(dir) = template.get_current_dir() {
        cmd.current_dir(dir);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn the hook");
    if let Some(mut pipe) = child.stdin.take() {
        use std::io::Write;
        let _ = pipe.write_all(stdin);
    }
    while child.try_wait().expect("poll the hook").is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("{hook} was still running 30 s after its {DEADLINE_MS} ms deadline");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("wait for the hook");
    (out, started.elapsed())
}

/// The pre-tool-use hook stuck once its budget is found, under `wrapper`.
fn hanging_pre(p: &TempProject, wrapper: &[&str]) -> (Output, Duration) {
    let ms = DEADLINE_MS.to_string();
    run_bounded(
        p,
        PRE,
        wrapper,
        &echo_input(p),
        &[
            ("CLAUDE_BUDGET_FAULT", "hang"),
            ("CLAUDE_BUDGET_DEADLINE_MS", &ms),
        ],
    )
}

/// The deadline, not anything earlier, ended the call, with the reason that says so.
fn assert_deadline_deny(out: &Output, took: Duration) {
    let stderr = assert_denied(out);
    assert!(
        stderr.contains(&format!("{DEADLINE_MS} ms deadline")),
        "the deadline is the reason: {stderr}"
    );
    assert!(
        took >= Duration::from_millis(DEADLINE_MS),
        "ended after {took:?}, before its deadline: {stderr}"
    );
}

#[test]
fn a_hook_past_its_deadline_denies_instead_of_timing_out() {
    let p = TempProject::new().budget(OK_BUDGET);
    let (out, took) = hanging_pre(&p, &[]);
    assert_deadline_deny(&out, took);
    assert!(
        out.stdout.is_empty(),
        "the timer ends the process before any reply: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_hook_started_with_its_alarm_signal_ignored_still_denies_at_its_deadline() {
    // An ignored signal is inherited across exec: the hook must install its own action.
    let p = TempProject::new().budget(OK_BUDGET);
    let (out, took) = hanging_pre(&p, &["sh", "-c", "trap '' ALRM; exec \"$0\""]);
    assert_deadline_deny(&out, took);
}

/// Whether `program` runs here; prints why a test is skipped when it does not.
fn have(program: &str, args: &[&str], needed_for: &str) -> bool {
    let ran = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ran {
        println!("SKIP: {program} is not installed ({needed_for})");
    }
    ran
}

#[test]
fn a_hook_started_with_its_alarm_signal_blocked_and_pending_still_denies_at_its_deadline() {
    // A blocked signal mask is inherited across exec, and so is a pending signal: the hook
    // must unblock SIGALRM, and an alarm sent before it started must not end it early.
    if !have(
        "perl",
        &["-v"],
        "it blocks SIGALRM before starting the hook",
    ) {
        return;
    }
    let p = TempProject::new().budget(OK_BUDGET);
    let block = "use POSIX; sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGALRM)) or die; \
                 kill 'ALRM', $$; exec @ARGV";
    let (out, took) = hanging_pre(&p, &["perl", "-e", block]);
    assert_deadline_deny(&out, took);
}

#[test]
fn the_deadline_reason_is_only_written_where_a_budget_is_in_force() {
    let without = TempProject::new();
    let out = without.run_hook_raw(PRE, &echo_input(&without), &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "nothing on stderr without a budget: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let with = TempProject::new().budget(OK_BUDGET);
    let out = with.run_hook_raw(PRE, &echo_input(&with), &[]);
    let reply = stdout_json(&out).expect("a reply");
    assert_eq!(reply["hookSpecificOutput"]["permissionDecision"], "allow");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("CLAUDE_BUDGET_DEADLINE_MS") && stderr.contains("2000 ms"),
        "the deadline's reason is written ahead of time: {stderr}"
    );
}

#[test]
fn a_large_input_past_a_tight_deadline_is_denied_with_the_deadline_as_reason() {
    // Reading and parsing 24 MiB takes ~80 ms in a release build, the deadline is 20 ms: the
    // reason must be on stderr before the input is read. (Not 1 ms: a loaded CI machine can
    // hold the process that long before it has looked for its budget.)
    let p = TempProject::new().budget(OK_BUDGET);
    let mut input = p.pre_tool_use("Write", json!({"file_path": p.root.join("big.txt")}));
    input["tool_input"]["content"] = json!("x".repeat(24 * 1024 * 1024));
    let (out, _) = run_bounded(
        &p,
        PRE,
        &[],
        input.to_string().as_bytes(),
        &[("CLAUDE_BUDGET_DEADLINE_MS", "20")],
    );
    let stderr = assert_denied(&out);
    assert!(stderr.contains("20 ms deadline"), "{stderr}");
}

#[test]
fn the_other_hooks_end_at_their_deadline_without_blocking() {
    let p = TempProject::new().budget(OK_BUDGET);
    let ms = DEADLINE_MS.to_string();
    for hook in [
        "claude-budget-post-tool-use",
        "claude-budget-stop",
        "claude-budget-session",
    ] {
        let (out, took) = run_bounded(
            &p,
            hook,
            &[],
            b"{}",
            &[
                ("CLAUDE_BUDGET_FAULT", "hang"),
                ("CLAUDE_BUDGET_DEADLINE_MS", &ms),
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{hook} never blocks");
        assert!(
            took >= Duration::from_millis(DEADLINE_MS),
            "{hook} ended after {took:?}"
        );
    }
}

#[test]
fn without_a_deadline_timer_the_hooks_still_check_count_and_meet_their_deadline() {
    // No pending signal allowed, so no POSIX timer: a watchdog thread keeps the deadline.
    if !have(
        "prlimit",
        &["--version"],
        "it takes the hook's RLIMIT_SIGPENDING away",
    ) {
        return;
    }
    let no_timer = ["prlimit", "--sigpending=0"];
    let p = TempProject::new().budget(OK_BUDGET);
    let (out, _) = run_bounded(&p, PRE, &no_timer, &echo_input(&p), &[]);
    let reply = stdout_json(&out).expect("a reply");
    assert_eq!(
        reply["hookSpecificOutput"]["permissionDecision"],
        "allow",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut post = p.pre_tool_use("Bash", json!({"command": "echo hi"}));
    post["hook_event_name"] = json!("PostToolUse");
    post["tool_response"] = json!({"stdout": "hi", "stderr": "", "interrupted": false});
    let (out, _) = run_bounded(
        &p,
        "claude-budget-post-tool-use",
        &no_timer,
        post.to_string().as_bytes(),
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    let events = std::fs::read_to_string(
        p.session_dir("test-session")
            .join(budget_policy::store::record::EVENTS_FILE),
    )
    .unwrap_or_default();
    assert!(
        events.contains("\"PostToolUse\""),
        "the post hook still recorded the call: {events}"
    );
    let (out, took) = hanging_pre(&p, &no_timer);
    assert_deadline_deny(&out, took);
    let reply = stdout_json(&out).expect("the watchdog's deny envelope");
    assert_eq!(reply["hookSpecificOutput"]["permissionDecision"], "deny");
}
