//! Issue 9, classes 10 and 11 through the real executables: a brush-parser panic in one
//! part of a command is caught without a word on stderr, and the parts that parse still
//! decide (`rm -rf ~; 2222222227<i` is denied, not asked).

use budget_tests::{TempProject, stdout_json};
use serde_json::json;

const BUDGET: &str = r#"
version = 1
extends = ["destructive"]
[run]
allow = ["rm", "echo", "cat"]
"#;

const PANICS_IN_BRUSH: &str = "rm -rf ~; 2222222227<i";

#[test]
fn a_parser_panic_is_quiet_and_the_parts_that_parse_still_decide() {
    let p = TempProject::new().budget(BUDGET);
    let out = p
        .command("claude-budget")
        .args(["explain", "--format", "json", PANICS_IN_BRUSH])
        .output()
        .unwrap_or_else(|e| panic!("explain: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "explain printed the parser's panic: {stderr}"
    );
    let explained: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("explain json: {e}"));
    assert_eq!(explained["decision"], "deny", "{explained}");

    let out = p.run_hook(
        "claude-budget-pre-tool-use",
        &p.pre_tool_use("Bash", json!({ "command": PANICS_IN_BRUSH })),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "the hook printed the parser's panic: {stderr}"
    );
    let decision = stdout_json(&out)
        .map(|r| r["hookSpecificOutput"]["permissionDecision"].clone())
        .unwrap_or_default();
    assert_eq!(decision, "deny", "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn a_part_that_parses_alone_is_not_hidden_by_a_syntax_error_elsewhere() {
    let p = TempProject::new().budget(BUDGET);
    for command in ["cat x; rm -rf ~; echo $(", "rm -rf ~ && echo 'unclosed"] {
        let out = p
            .command("claude-budget")
            .args(["explain", "--format", "json", command])
            .output()
            .unwrap_or_else(|e| panic!("explain: {e}"));
        let explained: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("explain json: {e}"));
        assert_eq!(explained["decision"], "deny", "{command}: {explained}");
    }
}
