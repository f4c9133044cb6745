//! Every internal failure of the pre-tool-use hook is a deny with exit 2 and a reason that
//! names the fix (SPEC §2); the other hooks never block and never crash.

use budget_tests::{TempProject, stdout_json};
use serde_json::json;

const PRE: &str = "claude-budget-pre-tool-use";

fn echo_input(p: &TempProject) -> Vec<u8> {
    p.pre_tool_use("Bash", json!({"command": "echo hi"}))
        .to_string()
        .into_bytes()
}

/// Asserts the fail-closed outcome and returns the reason on stderr.
fn assert_denied(out: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit 2 expected; stderr: {stderr}"
    );
    if let Some(reply) = stdout_json(out) {
        assert_eq!(reply["hookSpecificOutput"]["permissionDecision"], "deny");
    }
    assert!(!stderr.trim().is_empty(), "a reason on stderr");
    stderr
}

const OK_BUDGET: &str = "version = 1\n[run]\nallow = [\"echo\"]\n";

#[test]
fn malformed_empty_oversize_and_non_utf8_input_are_denied() {
    let p = TempProject::new().budget(OK_BUDGET);
    let oversize = vec![b' '; 32 * 1024 * 1024 + 10];
    let cases: [(&str, &[u8]); 4] = [
        ("not json", b"{\"hook_event_name\": \"PreToolUse\", "),
        ("empty", b""),
        ("oversize", &oversize),
        (
            "not utf-8",
            b"{\"tool_name\": \"Bash\", \"x\": \"\xff\xfe\"}",
        ),
    ];
    for (what, stdin) in cases {
        let stderr = assert_denied(&p.run_hook_raw(PRE, stdin, &[]));
        assert!(
            stderr.contains("hook input") || stderr.contains("stdin"),
            "{what}: {stderr}"
        );
    }
}

#[test]
fn malformed_input_without_any_budget_stays_out_of_the_way() {
    let p = TempProject::new();
    let out = p.run_hook_raw(PRE, b"garbage", &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn an_invalid_budget_denies_every_call_naming_the_file_line_and_fix() {
    let cases = [
        (
            "syntax error",
            "version = 1\n[run\nallow = []\n",
            ".claude/budget.toml:2:",
        ),
        (
            "unknown key",
            "version = 1\n[run]\nalow = [\"echo\"]\n",
            ".claude/budget.toml:3:1",
        ),
        (
            "bad glob",
            "version = 1\n[edit]\nallow = [\"src/[z-a]\"]\n",
            ".claude/budget.toml:3:",
        ),
        (
            "bad regex",
            "version = 1\n[run]\ndeny = [\"re:(unclosed\"]\n",
            ".claude/budget.toml:3:",
        ),
    ];
    for (what, budget, location) in cases {
        let p = TempProject::new().budget(budget);
        let stderr = assert_denied(&p.run_hook_raw(PRE, &echo_input(&p), &[]));
        assert!(stderr.contains(location), "{what}: {stderr}");
        assert!(stderr.contains("budget-invalid"), "{what}: {stderr}");
    }
}

#[test]
fn an_unknown_task_denies_every_call() {
    let p = TempProject::new().budget(OK_BUDGET);
    let stderr =
        assert_denied(&p.run_hook_raw(PRE, &echo_input(&p), &[("CLAUDE_BUDGET_TASK", "nope")]));
    assert!(stderr.contains("nope"), "{stderr}");
}

#[test]
fn an_unwritable_data_dir_denies() {
    let p = TempProject::new().budget(OK_BUDGET);
    let blocker = p.dir.path().join("a-file");
    std::fs::write(&blocker, "not a directory").unwrap();
    let data = blocker.join("data");
    let stderr = assert_denied(&p.run_hook_raw(
        PRE,
        &echo_input(&p),
        &[("CLAUDE_BUDGET_DATA_DIR", data.to_str().unwrap_or_default())],
    ));
    assert!(
        stderr.contains("CLAUDE_BUDGET_DATA_DIR"),
        "names the fix: {stderr}"
    );
}

#[test]
fn a_panic_inside_the_hook_is_a_deny_not_exit_101() {
    let p = TempProject::new().budget(OK_BUDGET);
    let stderr =
        assert_denied(&p.run_hook_raw(PRE, &echo_input(&p), &[("CLAUDE_BUDGET_FAULT", "panic")]));
    assert!(stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_hook_past_its_deadline_denies_instead_of_timing_out() {
    let p = TempProject::new().budget(OK_BUDGET);
    let started = std::time::Instant::now();
    let out = p.run_hook_raw(
        PRE,
        &echo_input(&p),
        &[
            ("CLAUDE_BUDGET_FAULT", "hang"),
            ("CLAUDE_BUDGET_DEADLINE_MS", "200"),
        ],
    );
    let stderr = assert_denied(&out);
    assert!(stderr.contains("deadline"), "{stderr}");
    // Not a timing assert on speed: only proof that the deadline, not a test timeout, ended it.
    assert!(started.elapsed().as_secs() < 30);
}

/// The pre-tool-use hook run by `wrapper` (a program that starts it as `"$0"`/last argument
/// after changing what the process inherits), hanging past a 300 ms deadline.
fn hang_under(p: &TempProject, wrapper: &[&str]) -> std::process::Output {
    let hook = p.command(PRE);
    let mut cmd = std::process::Command::new(wrapper[0]);
    cmd.args(&wrapper[1..]).arg(hook.get_program()).env_clear();
    for (k, v) in hook.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    if let Some(dir) = hook.get_current_dir() {
        cmd.current_dir(dir);
    }
    cmd.env("CLAUDE_BUDGET_FAULT", "hang")
        .env("CLAUDE_BUDGET_DEADLINE_MS", "300")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn the wrapper");
    if let Some(mut pipe) = child.stdin.take() {
        use std::io::Write;
        let _ = pipe.write_all(&echo_input(p));
    }
    // A hook whose deadline never fires would hang forever: fail instead.
    let started = std::time::Instant::now();
    while child.try_wait().expect("poll the hook").is_none() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the hook was still running 30 s after its 300 ms deadline");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("wait for the hook")
}

#[test]
fn a_hook_started_with_its_alarm_signal_ignored_still_denies_at_its_deadline() {
    // An ignored signal is inherited across exec: the hook must install its own action.
    let p = TempProject::new().budget(OK_BUDGET);
    let out = hang_under(&p, &["sh", "-c", "trap '' ALRM; exec \"$0\""]);
    let stderr = assert_denied(&out);
    assert!(stderr.contains("deadline"), "{stderr}");
}

#[test]
fn a_hook_started_with_its_alarm_signal_blocked_still_denies_at_its_deadline() {
    // A blocked signal mask is inherited across exec too: the hook must unblock it.
    let perl = std::process::Command::new("perl").arg("-v").output();
    if !perl.is_ok_and(|o| o.status.success()) {
        println!("SKIP: perl is not installed (it blocks SIGALRM before starting the hook)");
        return;
    }
    let p = TempProject::new().budget(OK_BUDGET);
    let block = "use POSIX; sigprocmask(SIG_BLOCK, POSIX::SigSet->new(SIGALRM)) or die; exec @ARGV";
    let out = hang_under(&p, &["perl", "-e", block]);
    let stderr = assert_denied(&out);
    assert!(stderr.contains("deadline"), "{stderr}");
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
fn the_other_hooks_never_block_or_crash_on_garbage() {
    let p = TempProject::new().budget(OK_BUDGET);
    for hook in [
        "claude-budget-post-tool-use",
        "claude-budget-stop",
        "claude-budget-session",
    ] {
        for stdin in [
            &b""[..],
            b"{",
            b"\xff\xff",
            b"[1,2,3]",
            b"{\"hook_event_name\": 7}",
        ] {
            let out = p.run_hook_raw(hook, stdin, &[]);
            assert_eq!(out.status.code(), Some(0), "{hook} on {stdin:?}");
        }
        let out = p.run_hook_raw(hook, b"{}", &[("CLAUDE_BUDGET_FAULT", "panic")]);
        assert_eq!(out.status.code(), Some(0), "{hook} with a panic");
    }
}
