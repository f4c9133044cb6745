//! Test evidence that a Bash call's exit status cannot fake (SPEC §6.6): through the real
//! post-tool-use and stop executables, a test run counts as passed only when its own exit
//! status is the call's. `cargo test || true` exits 0 whatever the tests did; `cargo fmt &&
//! cargo test` exits 0 only when the tests passed.

use budget_policy::store::{record, review};
use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};

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
stop_blocks = 5
[evidence]
tests_after_edit = true
"#;

fn post(project: &TempProject, id: &str, tool: &str, input: Value) {
    let event = json!({
        "session_id": "s1", "cwd": project.root, "hook_event_name": "PostToolUse",
        "permission_mode": "default", "tool_name": tool, "tool_input": input,
        "tool_use_id": id, "transcript_path": project.root.join("none.jsonl"),
    });
    let out = project.run_hook(POST, &event);
    assert_eq!(
        out.status.code(),
        Some(0),
        "post: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The stop hook's answer: `Some(reason)` when it blocks.
fn stop_blocks(project: &TempProject) -> Option<String> {
    let input = json!({"session_id": "s1", "cwd": project.root, "hook_event_name": "Stop", "stop_hook_active": false});
    let out = project.run_hook(STOP, &input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stop: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply = stdout_json(&out)?;
    (reply["decision"] == json!("block")).then(|| reply["reason"].as_str().unwrap_or("").to_owned())
}

/// An edit, then a Bash call running `command` that exited 0.
fn edit_then_run(command: &str) -> TempProject {
    let project = TempProject::new().budget(BUDGET);
    project.write("src/lib.rs", "fn main() {}\n");
    let src = project.root.join("src/lib.rs");
    post(
        &project,
        "e1",
        "Edit",
        json!({"file_path": src, "old_string": "a", "new_string": "b"}),
    );
    post(&project, "b1", "Bash", json!({ "command": command }));
    project
}

#[test]
fn a_test_run_whose_status_is_swallowed_does_not_satisfy_the_stop_gate() {
    for command in [
        "cargo test || true",
        "cargo test | tail -20",
        "cargo test; echo done",
        "! cargo test",
    ] {
        let project = edit_then_run(command);
        let blocked = stop_blocks(&project);
        assert!(
            blocked.is_some(),
            "`{command}` exiting 0 must not count as passing tests"
        );
    }
}

#[test]
fn a_test_run_whose_status_decides_satisfies_the_stop_gate() {
    for command in [
        "cargo test",
        "cargo fmt && cargo test",
        "set -o pipefail; cargo test 2>&1 | tail -20",
    ] {
        let project = edit_then_run(command);
        assert_eq!(
            stop_blocks(&project),
            None,
            "`{command}` exiting 0 proves the tests passed"
        );
    }
}

/// The session's record and review packet after the stop: (test_status of the Bash call,
/// review.md).
fn recorded_test_status_and_packet(project: &TempProject) -> (Value, String) {
    let dir = project.session_dir("s1");
    let events = record::read(&dir).unwrap();
    let bash = events
        .iter()
        .find(|e| e.tool.as_deref() == Some("Bash"))
        .unwrap_or_else(|| panic!("no Bash event in {events:?}"));
    let markdown = std::fs::read_to_string(dir.join(review::REVIEW_MD)).expect("no review.md");
    (json!(bash.test_status), markdown)
}

#[test]
fn a_hidden_status_run_is_recorded_and_reported_as_not_evidence() {
    let rows = [
        ("cargo test || true", Some("undecided"), true),
        ("cargo test | tail -20", Some("undecided"), true),
        ("cargo test", Some("passed"), false),
    ];
    for (command, status, hidden) in rows {
        let project = edit_then_run(command);
        let blocked = stop_blocks(&project);
        let (recorded, markdown) = recorded_test_status_and_packet(&project);
        assert_eq!(recorded, json!(status), "{command}");
        let line = format!("- `{command}` — status hidden (`|| true`, a pipe…): not evidence");
        assert_eq!(markdown.contains(&line), hidden, "{command}:\n{markdown}");
        if hidden {
            let reason = blocked.unwrap_or_else(|| panic!("`{command}` must block"));
            assert!(
                reason.contains("hid its exit status")
                    && reason.contains("Run `cargo test` on its own"),
                "{command}: {reason}"
            );
            assert!(markdown.contains("src/lib.rs"), "{markdown}");
        }
    }
}
