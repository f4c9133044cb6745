//! Retry limits keyed on what runs, not how it is spelled (SPEC §6.3), through the real
//! post-tool-use and pre-tool-use hooks: after three `cargo build` failures its respellings
//! are refused too, while a different command still runs; failing Edits of one file are
//! refused at the limit, and `same_file_edits` counts a symlink alias as the file.

use budget_tests::TempProject;
use serde_json::{Value, json};

const PRE: &str = "claude-budget-pre-tool-use";
const POST: &str = "claude-budget-post-tool-use";

const BUDGET: &str = r#"
version = 1
[run]
allow = ["cargo", "env", "command", "timeout", "cd"]
[edit]
allow = ["**"]
[retry]
same_command_failures = 3
same_file_edits = 2
"#;

fn input(project: &TempProject, event: &str, id: &str, tool: &str, tool_input: Value) -> Value {
    json!({
        "session_id": "retry", "cwd": project.root, "permission_mode": "default",
        "hook_event_name": event, "tool_name": tool, "tool_input": tool_input,
        "tool_use_id": id, "transcript_path": project.root.join("none.jsonl"),
        "error": "Exit code 101\nerror: could not compile `x`",
    })
}

fn fail(project: &TempProject, id: &str, tool: &str, tool_input: Value) {
    let out = project.run_hook(
        POST,
        &input(project, "PostToolUseFailure", id, tool, tool_input),
    );
    assert_eq!(out.status.code(), Some(0));
}

fn succeed(project: &TempProject, id: &str, tool: &str, tool_input: Value) {
    let out = project.run_hook(POST, &input(project, "PostToolUse", id, tool, tool_input));
    assert_eq!(out.status.code(), Some(0));
}

/// The pre-tool-use decision and reason.
fn decide(project: &TempProject, tool: &str, tool_input: Value) -> (String, String) {
    let out = project.run_hook(PRE, &input(project, "PreToolUse", "next", tool, tool_input));
    budget_tests::decision_and_reason(&out)
}

#[test]
fn respelling_a_failing_command_does_not_reset_its_retry_count() {
    let project = TempProject::new().budget(BUDGET);
    for i in 0..3 {
        fail(
            &project,
            &format!("b{i}"),
            "Bash",
            json!({"command": "cargo build"}),
        );
    }
    for spelling in [
        "cargo build;",
        "cargo build 2>&1",
        "env X=1 cargo build",
        "command cargo build",
        "'cargo' build",
        "/usr/bin/cargo build",
        "timeout 600 cargo build",
        "cd . && cargo build",
        "cargo build --color=never",
        "cargo build # once more",
    ] {
        let (decision, reason) = decide(&project, "Bash", json!({ "command": spelling }));
        assert_eq!(decision, "deny", "`{spelling}`: {reason}");
        assert!(reason.contains("failed 3 times"), "`{spelling}`: {reason}");
    }
    // The honest twin: a different command is not refused.
    let (decision, reason) = decide(
        &project,
        "Bash",
        json!({"command": "cargo build --release"}),
    );
    assert_eq!(decision, "allow", "{reason}");
}

#[test]
fn an_edit_failing_again_and_again_is_refused_at_the_limit() {
    let project = TempProject::new().budget(BUDGET);
    project.write("src/lib.rs", "fn main() {}\n");
    let file = project.root.join("src/lib.rs");
    let edit = json!({"file_path": file, "old_string": "missing", "new_string": "x"});
    for i in 0..3 {
        fail(&project, &format!("e{i}"), "Edit", edit.clone());
    }
    let (decision, reason) = decide(&project, "Edit", edit);
    assert_eq!(decision, "deny", "{reason}");
    assert!(reason.contains("already failed 3 times"), "{reason}");
    let other = project.root.join("src/other.rs");
    let (decision, _) = decide(
        &project,
        "Edit",
        json!({"file_path": other, "old_string": "a", "new_string": "b"}),
    );
    assert_eq!(decision, "allow", "another file is a fresh start");
}

#[cfg(unix)]
#[test]
fn same_file_edits_counts_a_symlink_alias_as_the_file() {
    let project = TempProject::new().budget(BUDGET);
    project.write("src/lib.rs", "fn main() {}\n");
    let file = project.root.join("src/lib.rs");
    let alias = project.root.join("alias.rs");
    std::os::unix::fs::symlink(&file, &alias).unwrap_or_else(|e| panic!("{e}"));
    for i in 0..2 {
        succeed(
            &project,
            &format!("e{i}"),
            "Edit",
            json!({"file_path": file, "old_string": "a", "new_string": "b"}),
        );
    }
    let (decision, reason) = decide(
        &project,
        "Edit",
        json!({"file_path": alias, "old_string": "a", "new_string": "b"}),
    );
    assert_eq!(decision, "deny", "{reason}");
    assert!(reason.contains("same_file_edits"), "{reason}");
}
