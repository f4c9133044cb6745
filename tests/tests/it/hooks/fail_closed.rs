//! Every internal failure of the pre-tool-use hook is a deny with exit 2 and a reason that
//! names the fix (SPEC §2); the other hooks never block and never crash.

use budget_tests::{TempProject, stdout_json};
use serde_json::json;

pub(super) const PRE: &str = "claude-budget-pre-tool-use";

pub(super) fn echo_input(p: &TempProject) -> Vec<u8> {
    p.pre_tool_use("Bash", json!({"command": "echo hi"}))
        .to_string()
        .into_bytes()
}

/// Asserts the fail-closed outcome and returns the reason on stderr.
pub(super) fn assert_denied(out: &std::process::Output) -> String {
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

pub(super) const OK_BUDGET: &str = "version = 1\n[run]\nallow = [\"echo\"]\n";

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
