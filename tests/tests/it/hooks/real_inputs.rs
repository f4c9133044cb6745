//! The real hook inputs captured from Claude Code 2.1.329, re-pointed at a temp project,
//! through the built `claude-budget-pre-tool-use`: exit codes and the exact envelopes.

use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};

const PRE: &str = "claude-budget-pre-tool-use";

/// A captured input with `/home/dev/proj` and `/home/dev` moved into the temp project.
fn fixture(project: &TempProject, name: &str) -> Value {
    let path = format!("{}/fixtures/hook-input/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let text = text
        .replace("/home/dev/proj", &project.root.display().to_string())
        .replace("/home/dev", &project.home.display().to_string());
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn envelope(out: &std::process::Output) -> (String, String) {
    let reply = stdout_json(out)
        .unwrap_or_else(|| panic!("no reply; stderr: {}", String::from_utf8_lossy(&out.stderr)));
    let hso = &reply["hookSpecificOutput"];
    assert_eq!(hso["hookEventName"], "PreToolUse", "envelope: {reply}");
    (
        hso["permissionDecision"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        hso["permissionDecisionReason"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

const BUDGET: &str = r#"
version = 1
[run]
allow = ["echo"]
deny = ["rm"]
[edit]
allow = ["src/**"]
deny = ["notes.txt"]
[read]
allow = ["**"]
deny = [".env"]
"#;

#[test]
fn an_allowed_bash_command_gets_the_allow_envelope() {
    let p = TempProject::new().budget(BUDGET);
    let out = p.run_hook(PRE, &fixture(&p, "PreToolUse_Bash_echo.json"));
    assert_eq!(out.status.code(), Some(0));
    let (decision, reason) = envelope(&out);
    assert_eq!(decision, "allow");
    assert!(reason.contains("`echo`"), "{reason}");
}

#[test]
fn an_edit_of_a_denied_file_is_refused_with_the_rule_and_its_line() {
    let p = TempProject::new().budget(BUDGET);
    let out = p.run_hook(PRE, &fixture(&p, "PreToolUse_Edit.json"));
    assert_eq!(out.status.code(), Some(0));
    let (decision, reason) = envelope(&out);
    assert_eq!(decision, "deny");
    assert!(reason.contains("notes.txt"), "names the path: {reason}");
    assert!(
        reason.contains(".claude/budget.toml:8:"),
        "names the rule's line: {reason}"
    );
    assert!(
        reason.contains("[path-denied]"),
        "carries the code: {reason}"
    );
}

#[test]
fn a_write_outside_the_allowed_folders_gets_no_opinion_when_edit_has_no_default() {
    let p = TempProject::new().budget(BUDGET);
    let mut input = fixture(&p, "PreToolUse_Write.json");
    input["tool_input"]["file_path"] = json!(p.root.join("README.md"));
    let out = p.run_hook(PRE, &input);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout_json(&out),
        None,
        "abstains: Claude Code's own rules apply"
    );
}

#[test]
fn a_read_of_an_allowed_file_is_allowed() {
    let p = TempProject::new().budget(BUDGET);
    let out = p.run_hook(PRE, &fixture(&p, "PreToolUse_Read.json"));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(envelope(&out).0, "allow");
}

#[test]
fn a_denied_command_is_refused_in_bypass_mode() {
    let p = TempProject::new().budget(BUDGET);
    let out = p.run_hook(
        PRE,
        &fixture(&p, "PreToolUse_Bash_deny_bypassPermissions.json"),
    );
    let (decision, reason) = envelope(&out);
    assert_eq!(decision, "deny");
    assert!(reason.contains("rm -rf"), "{reason}");
}

#[test]
fn ask_becomes_deny_when_nobody_can_answer_the_prompt() {
    let p = TempProject::new().budget("version = 1\n[run]\nask = [\"rm\"]\n");
    for (mode, want) in [
        ("default", "ask"),
        ("acceptEdits", "ask"),
        ("bypassPermissions", "deny"),
        ("dontAsk", "deny"),
    ] {
        let mut input = fixture(&p, "PreToolUse_Bash_deny_default-mode.json");
        input["permission_mode"] = json!(mode);
        let (decision, reason) = envelope(&p.run_hook(PRE, &input));
        assert_eq!(decision, want, "mode {mode}: {reason}");
        if want == "deny" {
            assert!(reason.contains("approval-needed"), "{reason}");
        }
    }
}

#[test]
fn without_any_budget_every_hook_is_silent() {
    let p = TempProject::new();
    for name in [
        "PreToolUse_Bash_echo.json",
        "PreToolUse_Edit.json",
        "PostToolUse_Bash_echo.json",
        "PostToolUseFailure_Bash_exit2.json",
        "Stop.json",
        "SessionStart.json",
        "SessionEnd.json",
        "UserPromptSubmit.json",
    ] {
        let input = fixture(&p, name);
        let hook = match input["hook_event_name"].as_str().unwrap_or_default() {
            "PreToolUse" => PRE,
            "PostToolUse" | "PostToolUseFailure" => "claude-budget-post-tool-use",
            "Stop" | "SubagentStop" => "claude-budget-stop",
            _ => "claude-budget-session",
        };
        let out = p.run_hook(hook, &input);
        assert_eq!(out.status.code(), Some(0), "{name}");
        assert!(
            out.stdout.is_empty(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let recorded = std::fs::read_dir(&p.data).map(|d| d.count()).unwrap_or(0);
    assert_eq!(recorded, 0, "nothing recorded without a budget");
}
