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

/// What `cargo test` prints when 3 tests pass.
const PASSING_OUTPUT: &str = "running 3 tests\ntest a ... ok\n\ntest result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n";

fn post(project: &TempProject, id: &str, tool: &str, input: Value) {
    post_with(
        project,
        id,
        tool,
        input,
        json!({"stdout": PASSING_OUTPUT, "stderr": "", "interrupted": false}),
    );
}

/// A PreToolUse the hook allows (the call starts now).
fn pre(project: &TempProject, id: &str, tool: &str, input: Value) {
    let mut event = project.pre_tool_use(tool, input);
    event["session_id"] = json!("s1");
    event["tool_use_id"] = json!(id);
    let out = project.run_hook("claude-budget-pre-tool-use", &event);
    assert_eq!(
        out.status.code(),
        Some(0),
        "pre: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn post_with(project: &TempProject, id: &str, tool: &str, input: Value, response: Value) {
    let event = json!({
        "session_id": "s1", "cwd": project.root, "hook_event_name": "PostToolUse",
        "permission_mode": "default", "tool_name": tool, "tool_input": input,
        "tool_use_id": id, "transcript_path": project.root.join("none.jsonl"),
        "tool_response": response,
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

/// An edit, then a Bash call running `command` that exited 0 printing a passing summary.
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

/// A project with one edit made.
fn edited() -> TempProject {
    let project = TempProject::new().budget(BUDGET);
    project.write("src/lib.rs", "fn main() {}\n");
    let src = project.root.join("src/lib.rs");
    post(
        &project,
        "e1",
        "Edit",
        json!({"file_path": src, "old_string": "a", "new_string": "b"}),
    );
    project
}

#[test]
fn a_run_that_ran_no_test_does_not_open_the_gate() {
    let listing = "tests::a: test\n\n1 test, 0 benchmarks\n";
    let built = "    Finished `test` profile\n  Executable unittests src/lib.rs\n";
    let none = "running 0 tests\n\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 4 filtered out; finished in 0.00s\n";
    for (command, stdout) in [
        ("cargo test --no-run", built),
        ("cargo test --help", "Usage: cargo test [OPTIONS]\n"),
        ("cargo test -- --list", listing),
        ("cargo test no_such_test", none),
        ("cargo test", ""),
    ] {
        let project = edited();
        post_with(
            &project,
            "b1",
            "Bash",
            json!({ "command": command }),
            json!({"stdout": stdout, "stderr": "", "interrupted": false}),
        );
        let reason = stop_blocks(&project)
            .unwrap_or_else(|| panic!("`{command}` ran no test and must not open the gate"));
        assert!(reason.contains("is not evidence"), "{command}: {reason}");
    }
}

#[test]
fn a_run_elsewhere_or_faked_does_not_open_the_gate() {
    for command in [
        "cd /tmp && cargo test",
        "cargo test --manifest-path /tmp/other/Cargo.toml",
        "cargo() { echo 'test result: ok. 3 passed; 0 failed;'; }; cargo test",
        "trap 'exit 0' EXIT; cargo test",
        "echo 'test result: ok. 3 passed; 0 failed; 0 ignored'; cargo test --no-run",
    ] {
        let project = edit_then_run(command);
        assert!(
            stop_blocks(&project).is_some(),
            "`{command}` with a passing summary in its output must not open the gate"
        );
    }
}

#[test]
fn an_interrupted_run_does_not_open_the_gate() {
    let project = edited();
    post_with(
        &project,
        "b1",
        "Bash",
        json!({"command": "cargo test"}),
        json!({"stdout": PASSING_OUTPUT, "stderr": "", "interrupted": true}),
    );
    assert!(stop_blocks(&project).is_some());
}

#[test]
fn a_run_whose_output_shows_a_failure_does_not_open_the_gate() {
    let project = edited();
    let failing = "test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\ntest result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n";
    post_with(
        &project,
        "b1",
        "Bash",
        json!({"command": "cargo test"}),
        json!({"stdout": failing, "stderr": "", "interrupted": false}),
    );
    let reason = stop_blocks(&project).unwrap_or_default();
    assert!(reason.contains("failed"), "{reason}");
}

#[test]
fn a_background_run_counts_only_when_its_completion_is_seen() {
    let project = edited();
    let input = json!({"command": "cargo test", "run_in_background": true});
    pre(&project, "b1", "Bash", input.clone());
    post_with(
        &project,
        "b1",
        "Bash",
        input,
        json!({"stdout": "", "stderr": "", "interrupted": false, "backgroundTaskId": "bg42"}),
    );
    let reason = stop_blocks(&project).unwrap_or_else(|| panic!("a started run is no evidence"));
    assert!(reason.contains("background"), "{reason}");
    // The honest twin: the agent reads the finished task's output.
    post_with(
        &project,
        "t1",
        "TaskOutput",
        json!({"task_id": "bg42", "block": true}),
        json!({"retrieval_status": "success", "task": {"task_id": "bg42", "task_type": "local_bash", "status": "completed", "exitCode": 0, "output": PASSING_OUTPUT}}),
    );
    assert_eq!(stop_blocks(&project), None);
}

#[test]
fn a_run_covers_only_edits_made_before_it_started() {
    let project = TempProject::new().budget(BUDGET);
    project.write("src/lib.rs", "fn main() {}\n");
    let src = project.root.join("src/lib.rs");
    let edit = json!({"file_path": src, "old_string": "a", "new_string": "b"});
    let test = json!({"command": "cargo test"});
    pre(&project, "b1", "Bash", test.clone());
    // Edited while the tests were already running (a parallel call).
    pre(&project, "e1", "Edit", edit.clone());
    post(&project, "e1", "Edit", edit);
    post(&project, "b1", "Bash", test);
    assert!(
        stop_blocks(&project).is_some(),
        "tests that started before the edit are not evidence for it"
    );
    // The honest twin: a run started after the edit.
    pre(&project, "b2", "Bash", json!({"command": "cargo test"}));
    post(&project, "b2", "Bash", json!({"command": "cargo test"}));
    assert_eq!(stop_blocks(&project), None);
}

#[test]
fn an_unknown_runner_counts_on_its_exit_status_and_the_record_says_so() {
    let budget = BUDGET
        .replace("tests = [\"cargo test\"]", "tests = [\"make test\"]")
        .replace("allow = [\"cargo\"]", "allow = [\"cargo\", \"make\"]");
    let project = TempProject::new().budget(&budget);
    project.write("src/lib.rs", "fn main() {}\n");
    let src = project.root.join("src/lib.rs");
    post(
        &project,
        "e1",
        "Edit",
        json!({"file_path": src, "old_string": "a", "new_string": "b"}),
    );
    post_with(
        &project,
        "b1",
        "Bash",
        json!({"command": "make test"}),
        json!({"stdout": "all good\n", "stderr": "", "interrupted": false}),
    );
    assert_eq!(stop_blocks(&project), None);
    let events = record::read(&project.session_dir("s1")).unwrap_or_else(|e| panic!("{e}"));
    let bash = events
        .iter()
        .find(|e| e.tool.as_deref() == Some("Bash"))
        .unwrap_or_else(|| panic!("no Bash event"));
    assert!(
        bash.test_note
            .as_deref()
            .is_some_and(|n| n.contains("exit status alone")),
        "{bash:?}"
    );
}
