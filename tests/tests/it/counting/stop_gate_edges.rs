//! The stop gate does not fail open (SPEC §6.6), through the real hooks: with the state lock
//! held by another process it decides on the last saved state; a Stop input or an Edit's
//! PostToolUse with a lone UTF-16 surrogate is decoded lossily, not dropped; a Stop it could
//! not check is recorded and shows in the packet. Subagents: a SubagentStop never resets the
//! main agent's block chain, and a read-only subagent is not blocked by the parent's edits.

use budget_policy::store::{record, review};
use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};
use std::fs::OpenOptions;

const POST: &str = "claude-budget-post-tool-use";
const STOP: &str = "claude-budget-stop";

const BUDGET: &str = r#"
version = 1
[run]
allow = ["cargo"]
tests = ["cargo test"]
[edit]
allow = ["src/**"]
[retry]
stop_blocks = 3
[evidence]
tests_after_edit = true
"#;

fn edit_input(project: &TempProject, id: &str, agent: Option<&str>) -> Value {
    let src = project.root.join("src/lib.rs");
    let mut input = json!({
        "session_id": "s1", "cwd": project.root, "hook_event_name": "PostToolUse",
        "permission_mode": "default", "tool_name": "Edit", "tool_use_id": id,
        "tool_input": {"file_path": src, "old_string": "a", "new_string": "b"},
        "tool_response": {"filePath": src, "originalFile": "fn main() {}\n"},
    });
    if let Some(agent) = agent {
        input["agent_id"] = json!(agent);
        input["agent_type"] = json!("general-purpose");
    }
    input
}

fn edited(agent: Option<&str>) -> TempProject {
    let project = TempProject::new().budget(BUDGET);
    project.write("src/lib.rs", "fn main() {}\n");
    let out = project.run_hook(POST, &edit_input(&project, "e1", agent));
    assert_eq!(out.status.code(), Some(0));
    project
}

fn stop_raw(project: &TempProject, stdin: &[u8]) -> Option<String> {
    let out = project.run_hook_raw(STOP, stdin, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply = stdout_json(&out)?;
    (reply["decision"] == json!("block")).then(|| reply["reason"].as_str().unwrap_or("").to_owned())
}

fn stop_event(project: &TempProject, event: &str, active: bool, agent: Option<&str>) -> Value {
    let mut input = json!({"session_id": "s1", "cwd": project.root, "hook_event_name": event, "stop_hook_active": active});
    if let Some(agent) = agent {
        input["agent_id"] = json!(agent);
    }
    input
}

fn stop(project: &TempProject, event: &str, active: bool, agent: Option<&str>) -> Option<String> {
    stop_raw(
        project,
        stop_event(project, event, active, agent)
            .to_string()
            .as_bytes(),
    )
}

#[test]
fn with_the_state_lock_held_the_gate_still_decides() {
    let project = edited(None);
    let lock = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(project.session_dir("s1").join("state.lock"))
        .unwrap_or_else(|e| panic!("{e}"));
    lock.lock().unwrap_or_else(|e| panic!("{e}"));
    let blocked = stop(&project, "Stop", false, None);
    drop(lock);
    let reason =
        blocked.unwrap_or_else(|| panic!("a held lock must not let an untested edit stop"));
    assert!(
        reason.contains("no test run since the last edit"),
        "{reason}"
    );
}

#[test]
fn a_stop_input_with_a_lone_surrogate_is_still_checked() {
    let project = edited(None);
    let stdin = format!(
        r#"{{"session_id":"s1","cwd":{},"hook_event_name":"Stop","stop_hook_active":false,"last_assistant_message":"done \ud83d"}}"#,
        json!(project.root)
    );
    assert!(stop_raw(&project, stdin.as_bytes()).is_some());
}

#[test]
fn an_edit_whose_post_input_has_a_lone_surrogate_is_still_counted() {
    let project = TempProject::new().budget(BUDGET);
    project.write("src/lib.rs", "fn main() {}\n");
    let text = edit_input(&project, "e1", None)
        .to_string()
        .replace("fn main() {}\\n", "fn main() {} // \\udc00\\n");
    assert!(text.contains("\\udc00"), "{text}");
    let out = project.run_hook_raw(POST, text.as_bytes(), &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stop(&project, "Stop", false, None).is_some(),
        "the edit must have been counted"
    );
}

#[test]
fn a_stop_the_gate_could_not_check_is_recorded_and_in_the_packet() {
    let project = edited(None);
    std::fs::write(
        project.session_dir("s1").join("state.msgpack"),
        b"\x81\xa3seq",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let _ = stop(&project, "Stop", false, None);
    let dir = project.session_dir("s1");
    let events = record::read(&dir).unwrap_or_else(|e| panic!("{e}"));
    let last = events.last().unwrap_or_else(|| panic!("no events"));
    assert_eq!(last.decision.as_deref(), Some("unchecked"), "{last:?}");
    let markdown = std::fs::read_to_string(dir.join(review::REVIEW_MD)).unwrap_or_default();
    assert!(markdown.contains("gate could not check"), "{markdown}");
    let errors = std::fs::read_to_string(dir.join("hook-errors.log")).unwrap_or_default();
    assert!(errors.contains("stop"), "{errors}");
}

#[test]
fn a_subagent_stop_does_not_reset_the_main_agents_block_chain() {
    let project = edited(None);
    let mut blocks = 0;
    // The main agent is sent back; between its attempts, a subagent stops on its own.
    for attempt in 0..8 {
        let _ = stop(&project, "SubagentStop", false, Some("sub1"));
        if stop(&project, "Stop", attempt > 0, None).is_some() {
            blocks += 1;
        }
    }
    assert_eq!(blocks, 3, "stop_blocks = 3 for the main chain");
}

#[test]
fn a_read_only_subagent_is_not_blocked_by_the_parents_untested_edit() {
    let project = edited(None);
    assert_eq!(stop(&project, "SubagentStop", false, Some("reader")), None);
    // Its honest twin: a subagent that edited must test its own edit.
    let out = project.run_hook(POST, &edit_input(&project, "e2", Some("writer")));
    assert_eq!(out.status.code(), Some(0));
    let reason = stop(&project, "SubagentStop", false, Some("writer"))
        .unwrap_or_else(|| panic!("a subagent with an untested edit must be sent back"));
    assert!(reason.contains("this subagent edited"), "{reason}");
    // And the main agent is still held to every edit.
    assert!(stop(&project, "Stop", false, None).is_some());
}
