//! The stop gate's answer survives a large record: the review packet is written before the
//! reply, so folding must fit the hook's deadline. A record past the in-hook cap gets the
//! short packet naming `claude-budget report`, and the block still reaches the agent.

use budget_policy::store::{record, review};
use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};

const BUDGET: &str =
    "version = 1\n[edit]\nallow = [\"src/**\"]\n[evidence]\ntests_after_edit = true\n";

fn hook_input(project: &TempProject, event: &str, extra: Value) -> Value {
    let mut input = json!({
        "session_id": "s1", "cwd": project.root, "hook_event_name": event,
        "permission_mode": "default", "transcript_path": project.root.join("none.jsonl"),
    });
    if let (Value::Object(base), Value::Object(extra)) = (&mut input, extra) {
        base.extend(extra);
    }
    input
}

#[test]
fn a_large_record_does_not_cost_the_stop_gate_its_block() {
    let project = TempProject::new().budget(BUDGET);
    project.write("src/lib.rs", "pub fn f() {}\n");
    let edit = json!({
        "tool_name": "Edit", "tool_use_id": "toolu_1",
        "tool_input": {"file_path": project.root.join("src/lib.rs"), "old_string": "a", "new_string": "b"},
    });
    let out = project.run_hook(
        "claude-budget-post-tool-use",
        &hook_input(&project, "PostToolUse", edit),
    );
    assert_eq!(out.status.code(), Some(0));
    // Pad the record to 6 MiB of ordinary events: past the in-hook cap, far below the
    // 20 MiB the hook once folded (which took longer than this deadline in a debug build).
    let dir = project.session_dir("s1");
    let line = format!(
        "{}\n",
        json!({"ts": "2026-01-01T00:00:00.000Z", "event": "PostToolUse", "tool": "Bash",
               "summary": "cargo build -p x", "input": {"command": "cargo build -p x"}, "outcome": "ok"})
    );
    let padding = line.repeat(6 * 1024 * 1024 / line.len());
    let events = dir.join(record::EVENTS_FILE);
    let mut body = std::fs::read_to_string(&events).unwrap();
    body.push_str(&padding);
    std::fs::write(&events, body).unwrap();
    assert!(
        std::fs::metadata(&events).map_or(0, |m| m.len()) > review::MAX_RECORD_BYTES_IN_HOOK,
        "the record is past the in-hook cap"
    );

    let out = project.run_hook_raw(
        "claude-budget-stop",
        hook_input(&project, "Stop", json!({"stop_hook_active": false}))
            .to_string()
            .as_bytes(),
        &[("CLAUDE_BUDGET_DEADLINE_MS", "300")],
    );
    let reply = stdout_json(&out);
    assert_eq!(
        reply.as_ref().map(|r| r["decision"].clone()),
        Some(json!("block")),
        "tests did not run after the edit; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let markdown = std::fs::read_to_string(dir.join(review::REVIEW_MD)).unwrap();
    assert!(markdown.contains("claude-budget report s1"), "{markdown}");
}
