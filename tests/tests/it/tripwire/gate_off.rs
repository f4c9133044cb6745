//! A PostToolUse with no PreToolUse: the pre hook did not run (removed, renamed, disabled,
//! crashed). The call is recorded as `gate-off`, and the packet and `status` say so.

use super::{decision, post_bash, pre_bash, project};
use budget_tests::TempProject;

fn cli(project: &TempProject, args: &[&str]) -> (Option<i32>, String) {
    let out = project
        .command("claude-budget")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_call_that_ran_without_the_pre_hook_is_gate_off_in_record_packet_and_status() {
    let project = project();
    assert_eq!(decision(&pre_bash(&project, "seen", "ls")), "allow");
    let _ = post_bash(&project, "seen", "ls", "");
    // No PreToolUse for this one.
    let _ = post_bash(&project, "unseen", "cargo build", "");
    let gate_off = super::post_events_with(&project, "gate-off");
    assert_eq!(gate_off.len(), 1, "{gate_off:?}");
    assert_eq!(gate_off[0]["tool_use_id"], "unseen");
    let (_, packet) = cli(&project, &["report"]);
    assert!(packet.to_lowercase().contains("gate off"), "{packet}");
    assert!(packet.contains("cargo build"), "{packet}");
    let (_, status) = cli(&project, &["status"]);
    assert!(status.to_lowercase().contains("gate off"), "{status}");
    let (_, json) = cli(&project, &["status", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    assert_eq!(json["tripwires"]["outcome"], "gate off", "{json}");
}

/// The SessionStart message with `.claude/settings.json` wiring PreToolUse to `command`.
fn start_message(project: &TempProject, command: Option<&str>) -> String {
    let hooks = match command {
        Some(c) => serde_json::json!({"PreToolUse": [{"matcher": "*", "hooks": [
            {"type": "command", "command": c, "args": []}]}]}),
        None => serde_json::json!({}),
    };
    project.write(
        ".claude/settings.json",
        &serde_json::json!({ "hooks": hooks }).to_string(),
    );
    let out = project.run_hook(
        super::SESSION,
        &serde_json::json!({"session_id": "s9", "cwd": project.root,
                            "hook_event_name": "SessionStart", "source": "startup"}),
    );
    let reply = budget_tests::stdout_json(&out).unwrap_or_default();
    reply["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn session_start_claims_enforcement_only_when_the_pre_hook_resolves() {
    let project = project();
    let unwired = start_message(&project, None);
    assert!(unwired.contains("gate is OFF"), "{unwired}");
    assert!(!unwired.contains("enforces"), "{unwired}");
    let deleted = start_message(&project, Some("/gone/claude-budget-pre-tool-use"));
    assert!(deleted.contains("does not resolve"), "{deleted}");
    let real = budget_tests::bin("claude-budget-pre-tool-use");
    let wired = start_message(&project, Some(&real.display().to_string()));
    assert!(wired.contains("is in force"), "{wired}");
    assert!(!wired.contains("OFF"), "{wired}");
}
