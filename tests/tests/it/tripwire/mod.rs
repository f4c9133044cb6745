//! Tripwires through the real hook processes (SPEC §3): between an allowed PreToolUse and its
//! PostToolUse the test itself does what a missed command would have done, and checks that
//! the file is back byte for byte, the run halted, and every later call refused.

mod concurrency;
mod gate_off;
mod protected;
mod secrets;

use budget_policy::store::record;
use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};
use std::path::PathBuf;

pub(crate) const SESSION: &str = "claude-budget-session";
pub(crate) const PRE: &str = "claude-budget-pre-tool-use";
pub(crate) const POST: &str = "claude-budget-post-tool-use";

pub(crate) const BUDGET: &str = r#"version = 1
extends = ["secrets", "destructive"]
[run]
allow = ["cargo build", "cargo test", "cat", "ls", "git"]
[edit]
allow = ["src/**"]
"#;

/// A project with a budget, Claude Code settings, a git hook and config, and a `~/.bashrc`,
/// and a session already started (the copies are taken then).
pub(crate) fn project() -> TempProject {
    let project = TempProject::new().budget(BUDGET);
    project.write(
        ".claude/settings.json",
        "{\n  \"hooks\": {\"PreToolUse\": []}\n}\n",
    );
    project.write(".git/hooks/pre-commit", "#!/bin/sh\ncargo fmt --check\n");
    project.write(".claude/budget-tests/cases.toml", "# cases\n");
    project.write(
        ".git/config",
        "[core]\n\trepositoryformatversion = 0\n\tbare = false\n",
    );
    std::fs::write(project.home.join(".bashrc"), "alias ll='ls -l'\n")
        .unwrap_or_else(|e| panic!("{e}"));
    start(&project);
    project
}

pub(crate) fn input(project: &TempProject, event: &str, id: &str, extra: Value) -> Value {
    let mut input = json!({
        "session_id": "s1", "cwd": project.root, "hook_event_name": event,
        "permission_mode": "default", "tool_use_id": id,
    });
    if let (Value::Object(base), Value::Object(extra)) = (&mut input, extra) {
        base.extend(extra);
    }
    input
}

pub(crate) fn start(project: &TempProject) {
    let out = project.run_hook(
        SESSION,
        &json!({"session_id": "s1", "cwd": project.root, "hook_event_name": "SessionStart",
                "source": "startup"}),
    );
    assert_eq!(out.status.code(), Some(0));
}

/// PreToolUse of a Bash command; returns the reply.
pub(crate) fn pre_bash(project: &TempProject, id: &str, command: &str) -> Value {
    let input = input(
        project,
        "PreToolUse",
        id,
        json!({"tool_name": "Bash", "tool_input": {"command": command}}),
    );
    stdout_json(&project.run_hook(PRE, &input)).unwrap_or(Value::Null)
}

/// PostToolUse of a Bash command with `stdout`; returns the reply (`Null` when silent).
pub(crate) fn post_bash(project: &TempProject, id: &str, command: &str, stdout: &str) -> Value {
    let input = input(
        project,
        "PostToolUse",
        id,
        json!({"tool_name": "Bash", "tool_input": {"command": command},
               "tool_response": {"stdout": stdout, "stderr": "", "interrupted": false}}),
    );
    let out = project.run_hook(POST, &input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out).unwrap_or(Value::Null)
}

pub(crate) fn decision(reply: &Value) -> &str {
    reply["hookSpecificOutput"]["permissionDecision"]
        .as_str()
        .unwrap_or("none")
}

/// True when a reply halts Claude Code (`continue: false`).
pub(crate) fn halts(reply: &Value) -> bool {
    reply["continue"] == json!(false)
}

/// Asserts the run is halted for good: a harmless call is refused with `code`.
pub(crate) fn assert_later_calls_refused(project: &TempProject, code: &str) {
    let reply = pre_bash(project, "later", "ls");
    assert_eq!(decision(&reply), "deny", "{reply}");
    let reason = reply["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap_or_default();
    assert!(reason.contains(&format!("[{code}]")), "{reason}");
    assert!(halts(&reply), "{reply}");
}

pub(crate) fn session_dir(project: &TempProject) -> PathBuf {
    project.session_dir("s1")
}

pub(crate) fn events(project: &TempProject) -> Vec<Value> {
    let text = std::fs::read_to_string(session_dir(project).join(record::EVENTS_FILE))
        .unwrap_or_else(|e| panic!("no record: {e}"));
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The recorded post events whose code is `code`.
pub(crate) fn post_events_with(project: &TempProject, code: &str) -> Vec<Value> {
    events(project)
        .into_iter()
        .filter(|e| e["event"] == "PostToolUse" && e["code"] == code)
        .collect()
}

/// The review packet (`claude-budget report`) of the latest run, as markdown.
pub(crate) fn packet(project: &TempProject) -> String {
    let out = project
        .command("claude-budget")
        .arg("report")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn read(path: &std::path::Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}
