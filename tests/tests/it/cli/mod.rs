//! Integration tests: the CLI decides exactly as the hook does.

use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};

const BUDGET: &str = r#"
version = 1
[run]
allow = ["rm", "echo", "git"]
[edit]
allow = ["**"]
[record]
dir = ".claude/runs"
"#;

/// `claude-budget explain --format json` for one command, in the project.
fn explain(p: &TempProject, command: &str) -> Value {
    let out = p
        .command("claude-budget")
        .args(["explain", "--format", "json", command])
        .output()
        .expect("explain");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("explain json")
}

#[test]
fn explain_and_the_hook_agree_on_every_decision_and_code() {
    let p = TempProject::new().budget(BUDGET);
    p.write("src/lib.rs", "");
    for command in [
        "rm -r .claude/runs",
        "rm -rf .git",
        "echo hi > src/lib.rs",
        "echo ok",
        "rm src/lib.rs",
        "bash -c \"$X\"",
    ] {
        let explained = explain(&p, command);
        let out = p.run_hook(
            "claude-budget-pre-tool-use",
            &p.pre_tool_use("Bash", json!({"command": command})),
        );
        let hook = stdout_json(&out)
            .map(|r| {
                r["hookSpecificOutput"]["permissionDecision"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .unwrap_or_else(|| "no-opinion".into());
        assert_eq!(
            explained["decision"],
            hook.as_str(),
            "{command}: {explained}"
        );
    }
    let runs = explain(&p, "rm -r .claude/runs");
    assert_eq!(
        runs["code"], "self-protection",
        "the record dir in the repo is protected: {runs}"
    );
}
