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
