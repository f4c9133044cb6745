//! The product's own tools are off limits to the agent (SPEC §3): through the real
//! pre-tool-use hook, running a hook executable or a state-changing CLI command is refused
//! even when `[run]` allows everything; read-only CLI commands stay allowed.

use budget_tests::TempProject;
use serde_json::json;

/// A permissive budget: every program is allowed by `[run]`.
const PERMISSIVE: &str = r#"
version = 1
[run]
default = "allow"
allow = ["claude-budget", "claude-budget-post-tool-use", "bash", "env", "cat"]
"#;

/// The decision and reason for a Bash call running `command`.
fn decided(project: &TempProject, command: &str) -> (String, String) {
    let reply = project.pre_tool_use("Bash", json!({ "command": command }));
    let out = project.run_hook("claude-budget-pre-tool-use", &reply);
    let stdout = budget_tests::stdout_json(&out).unwrap_or_default();
    let output = &stdout["hookSpecificOutput"];
    (
        output["permissionDecision"]
            .as_str()
            .unwrap_or("")
            .to_owned(),
        output["permissionDecisionReason"]
            .as_str()
            .unwrap_or("")
            .to_owned(),
    )
}

#[test]
fn running_the_products_own_hooks_or_changing_its_setup_is_refused() {
    let project = TempProject::new().budget(PERMISSIVE);
    for command in [
        "claude-budget-post-tool-use < /tmp/forged.json",
        "cat forged.json | /usr/local/bin/claude-budget-post-tool-use",
        "env claude-budget-stop",
        "bash -c 'claude-budget uninstall'",
        "claude-budget uninstall --scope project",
        "claude-budget install --scope user",
        "claude-budget capture s1",
        "claude-budget prune",
        "claude-budget init --force",
        "'claude-budget' uninstall",
    ] {
        let (decision, reason) = decided(&project, command);
        assert_eq!(decision, "deny", "`{command}` must be refused: {reason}");
        assert!(
            reason.contains("self-protection") && reason.contains("read-only"),
            "`{command}`: {reason}"
        );
    }
}

#[test]
fn read_only_cli_commands_stay_allowed() {
    let project = TempProject::new().budget(PERMISSIVE);
    for command in [
        "claude-budget explain 'rm -rf /'",
        "claude-budget status",
        "claude-budget report --format json",
        "claude-budget check",
        "claude-budget test",
        "claude-budget touchmap",
    ] {
        let (decision, reason) = decided(&project, command);
        assert_eq!(decision, "allow", "`{command}`: {reason}");
    }
}
