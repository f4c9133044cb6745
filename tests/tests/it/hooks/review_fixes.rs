//! Review findings on the decision layer, checked through the real hook processes: what the
//! agent sees for inputs the table tests cannot build (raw tool inputs, the stop gate).

use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};

const PRE: &str = "claude-budget-pre-tool-use";

/// The decision and reason of a PreToolUse reply (`None` for no opinion).
fn decision(out: &std::process::Output) -> Option<(String, String)> {
    let reply = stdout_json(out)?;
    let hso = &reply["hookSpecificOutput"];
    Some((
        hso["permissionDecision"]
            .as_str()
            .unwrap_or_default()
            .into(),
        hso["permissionDecisionReason"]
            .as_str()
            .unwrap_or_default()
            .into(),
    ))
}

#[test]
fn a_bash_call_without_a_usable_command_asks_instead_of_passing_silently() {
    let p = TempProject::new().budget("version = 1\n[run]\nallow = [\"ls\"]\n");
    let inputs: Vec<(&str, Value)> = vec![
        ("input is a string", json!("rm -rf /")),
        ("empty object", json!({})),
        ("empty command", json!({"command": ""})),
        ("command is a number", json!({"command": 5})),
    ];
    for (name, tool_input) in inputs {
        let out = p.run_hook(PRE, &p.pre_tool_use("Bash", tool_input));
        assert_eq!(out.status.code(), Some(0), "{name}");
        let (verdict, reason) = decision(&out).unwrap_or_else(|| {
            panic!(
                "{name}: no opinion; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert_eq!(verdict, "ask", "{name}: {reason}");
        assert!(
            reason.contains("had no command") && reason.contains("[unparsed-command]"),
            "{name}: {reason}"
        );
    }
}
