//! Spend that cannot be read is not zero (SPEC §6.2), through the real hooks: with a spend
//! limit set and a transcript that cannot be read, the hook says so (stderr,
//! `hook-errors.log`), lets a few calls through (a transcript being rewritten is no reason to
//! stop), then applies `on_exceed`; the review packet names the gap.

use budget_policy::store::review;
use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};
use std::path::Path;

const BUDGET: &str = r#"
version = 1
[run]
allow = ["ls"]
[spend]
max_usd = 1.0
"#;

fn pre(project: &TempProject, id: &str, transcript: &Path) -> (String, String) {
    let mut input = project.pre_tool_use("Bash", json!({"command": "ls"}));
    input["session_id"] = json!("spend");
    input["tool_use_id"] = json!(id);
    input["transcript_path"] = json!(transcript);
    let out = project.run_hook("claude-budget-pre-tool-use", &input);
    let reply: Value = stdout_json(&out).unwrap_or_default();
    (
        reply["hookSpecificOutput"]["permissionDecision"]
            .as_str()
            .unwrap_or("none")
            .to_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_unreadable_transcript_is_reported_and_then_the_spend_limit_applies() {
    let project = TempProject::new().budget(BUDGET);
    // A directory where the transcript should be: it exists but cannot be read as a file
    // (a file with mode 200 would do too, except for root).
    let transcript = project.root.join("transcript.jsonl");
    std::fs::create_dir_all(&transcript).unwrap_or_else(|e| panic!("{e}"));
    let (first, stderr) = pre(&project, "c1", &transcript);
    assert_eq!(first, "allow", "within the grace");
    assert!(stderr.contains("spend is not counted"), "{stderr}");
    let decisions: Vec<String> = (2..=6)
        .map(|i| pre(&project, &format!("c{i}"), &transcript).0)
        .collect();
    assert_eq!(decisions, ["allow", "allow", "deny", "deny", "deny"]);
    let dir = project.session_dir("spend");
    let errors = std::fs::read_to_string(dir.join("hook-errors.log")).unwrap_or_default();
    assert!(errors.contains("spend unknown"), "{errors}");
    let stop = json!({"session_id": "spend", "cwd": project.root, "hook_event_name": "Stop",
        "stop_hook_active": false, "transcript_path": transcript});
    let out = project.run_hook("claude-budget-stop", &stop);
    assert_eq!(out.status.code(), Some(0));
    let markdown = std::fs::read_to_string(dir.join(review::REVIEW_MD)).unwrap_or_default();
    assert!(markdown.contains("spend unknown"), "{markdown}");
}

#[test]
fn a_missing_transcript_is_not_a_reason_to_refuse() {
    let project = TempProject::new().budget(BUDGET);
    let transcript = project.root.join("not-yet.jsonl");
    let decisions: Vec<String> = (1..=6)
        .map(|i| pre(&project, &format!("c{i}"), &transcript).0)
        .collect();
    assert!(decisions.iter().all(|d| d == "allow"), "{decisions:?}");
}
