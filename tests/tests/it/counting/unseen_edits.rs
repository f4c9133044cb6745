//! Edits the gate used not to see (SPEC §6.6), through the real hooks: a formatter or fixer
//! run after the tests is an edit (`cargo fmt`), an Edit allowed at PreToolUse is an edit
//! even when its PostToolUse never arrives, and `cargo clippy --fix` under a budget with
//! `high_risk` paths needs the rollback note like any high-risk edit.

use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};

const BUDGET: &str = r#"
version = 1
[run]
allow = ["cargo"]
tests = ["cargo test"]
[edit]
allow = ["**"]
[evidence]
tests_after_edit = true
"#;

const PASSING: &str = "test result: ok. 4 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n";

fn event(project: &TempProject, name: &str, id: &str, tool: &str, input: Value) -> Value {
    json!({
        "session_id": "unseen", "cwd": project.root, "hook_event_name": name,
        "permission_mode": "default", "tool_name": tool, "tool_input": input,
        "tool_use_id": id, "transcript_path": project.root.join("none.jsonl"),
        "tool_response": {"stdout": PASSING, "stderr": "", "interrupted": false},
    })
}

/// PreToolUse then PostToolUse of one call; returns the pre decision.
fn call(project: &TempProject, id: &str, tool: &str, input: Value) -> String {
    let out = project.run_hook(
        "claude-budget-pre-tool-use",
        &event(project, "PreToolUse", id, tool, input.clone()),
    );
    let decision =
        stdout_json(&out).unwrap_or_default()["hookSpecificOutput"]["permissionDecision"]
            .as_str()
            .unwrap_or("none")
            .to_owned();
    let out = project.run_hook(
        "claude-budget-post-tool-use",
        &event(project, "PostToolUse", id, tool, input),
    );
    assert_eq!(out.status.code(), Some(0));
    decision
}

fn stop_blocks(project: &TempProject) -> bool {
    let input = json!({"session_id": "unseen", "cwd": project.root, "hook_event_name": "Stop", "stop_hook_active": false});
    let out = project.run_hook("claude-budget-stop", &input);
    stdout_json(&out).is_some_and(|r| r["decision"] == json!("block"))
}

fn edit_input(project: &TempProject) -> Value {
    json!({"file_path": project.root.join("src/lib.rs"), "old_string": "a", "new_string": "b"})
}

#[test]
fn a_formatter_after_the_tests_is_an_edit() {
    let project = TempProject::new().budget(BUDGET);
    project.write("src/lib.rs", "fn main() {}\n");
    call(&project, "e1", "Edit", edit_input(&project));
    call(&project, "t1", "Bash", json!({"command": "cargo test"}));
    assert!(!stop_blocks(&project), "tested after the edit");
    call(
        &project,
        "f1",
        "Bash",
        json!({"command": "cargo fmt --all"}),
    );
    assert!(
        stop_blocks(&project),
        "`cargo fmt` rewrote files after the tests"
    );
    // The honest twin: a check-only formatter run edits nothing.
    call(&project, "t2", "Bash", json!({"command": "cargo test"}));
    call(
        &project,
        "f2",
        "Bash",
        json!({"command": "cargo fmt --all -- --check"}),
    );
    assert!(!stop_blocks(&project));
}

#[test]
fn an_allowed_edit_counts_even_when_its_post_tool_use_never_arrives() {
    let project = TempProject::new().budget(BUDGET);
    project.write("src/lib.rs", "fn main() {}\n");
    call(&project, "t1", "Bash", json!({"command": "cargo test"}));
    let out = project.run_hook(
        "claude-budget-pre-tool-use",
        &event(&project, "PreToolUse", "e1", "Edit", edit_input(&project)),
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(stop_blocks(&project), "an allowed Edit is an edit");
    // Its PostToolUse arrives late: still one edit, and tests after it open the gate.
    let out = project.run_hook(
        "claude-budget-post-tool-use",
        &event(&project, "PostToolUse", "e1", "Edit", edit_input(&project)),
    );
    assert_eq!(out.status.code(), Some(0));
    call(&project, "t2", "Bash", json!({"command": "cargo test"}));
    assert!(!stop_blocks(&project));
}

#[test]
fn clippy_fix_under_high_risk_paths_needs_the_rollback_note() {
    let budget = format!(
        "{BUDGET}high_risk = [\"migrations/**\"]\nrollback_fields = [\"Change\", \"Undo path\"]\n"
    );
    let project = TempProject::new().budget(&budget);
    let fix = json!({"command": "cargo clippy --fix --allow-dirty"});
    assert_eq!(call(&project, "c1", "Bash", fix.clone()), "deny");
    project.write(
        ".claude/rollback.md",
        "## Change\nClippy fixes.\n## Undo path\ngit checkout -- .\n",
    );
    assert_eq!(call(&project, "c2", "Bash", fix), "allow");
    // A plain clippy run rewrites nothing and needs no note.
    let project = TempProject::new().budget(&budget);
    assert_eq!(
        call(
            &project,
            "c3",
            "Bash",
            json!({"command": "cargo clippy -- -D warnings"})
        ),
        "allow"
    );
}
