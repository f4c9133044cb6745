//! Small fail-closed edges of the pre-tool-use hook (issue 12, class 10), through the real
//! executable: a `tool_input` that is not an object is refused with exit 2; `/proc/self/cwd`
//! means the call's directory, not the hook's; malformed MCP names are decided by `[mcp]
//! default`; NotebookRead and the LSP tool reading `.env` are decided by `[read]`.

use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};
use std::io::Write;
use std::process::Stdio;

const PRE: &str = "claude-budget-pre-tool-use";

const BUDGET: &str = r#"
version = 1
[read]
allow = ["**"]
deny = [".env"]
[mcp]
default = "deny"
"#;

fn input(project: &TempProject, tool: &str, tool_input: Value) -> Value {
    let mut input = project.pre_tool_use(tool, Value::Null);
    input["tool_input"] = tool_input;
    input
}

/// Runs the hook from `/` (not the project), as a hook spawned elsewhere would run.
fn run_from_root_dir(project: &TempProject, input: &Value) -> std::process::Output {
    let mut child = project
        .command(PRE)
        .current_dir("/")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut pipe) = child.stdin.take() {
        let _ = pipe.write_all(input.to_string().as_bytes());
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
}

fn decision(out: &std::process::Output) -> String {
    stdout_json(out).map_or_else(
        || "none".to_owned(),
        |r| {
            r["hookSpecificOutput"]["permissionDecision"]
                .as_str()
                .unwrap_or("none")
                .to_owned()
        },
    )
}

#[test]
fn a_tool_input_that_is_not_an_object_is_refused_with_exit_2() {
    let project = TempProject::new().budget(BUDGET);
    for tool_input in [json!("rm -rf /"), json!(["rm", "-rf", "/"]), Value::Null] {
        let out = project.run_hook(PRE, &input(&project, "Bash", tool_input.clone()));
        assert_eq!(out.status.code(), Some(2), "{tool_input}");
    }
    let mut missing = input(&project, "Read", Value::Null);
    missing
        .as_object_mut()
        .map(|o| o.remove("tool_input"))
        .unwrap_or_default();
    let out = project.run_hook(PRE, &missing);
    assert_eq!(out.status.code(), Some(2), "missing tool_input");
}

#[test]
fn proc_self_cwd_is_the_calls_directory_not_the_hooks() {
    let project = TempProject::new().budget(BUDGET);
    project.write(".env", "TOKEN=x\n");
    let read = input(
        &project,
        "Read",
        json!({"file_path": "/proc/self/cwd/.env"}),
    );
    assert_eq!(decision(&run_from_root_dir(&project, &read)), "deny");
    let bash = input(
        &project,
        "Bash",
        json!({"command": "cat /proc/self/cwd/.env"}),
    );
    assert_eq!(decision(&run_from_root_dir(&project, &bash)), "deny");
    // The honest twin: another file through the same link is read.
    let other = input(
        &project,
        "Read",
        json!({"file_path": "/proc/self/cwd/README.md"}),
    );
    assert_ne!(decision(&run_from_root_dir(&project, &other)), "deny");
}

#[test]
fn malformed_mcp_names_are_decided_by_the_mcp_default() {
    let project = TempProject::new().budget(BUDGET);
    for tool in [
        "mcp____x",
        "mcp__github",
        "MCP__github__get_issue",
        "mcp__github__",
    ] {
        let out = project.run_hook(PRE, &input(&project, tool, json!({})));
        assert_eq!(decision(&out), "deny", "{tool}");
    }
}

#[test]
fn notebook_read_and_lsp_reading_env_are_decided_by_read_rules() {
    let project = TempProject::new().budget(BUDGET);
    let env = project.root.join(".env");
    let cases = [
        ("NotebookRead", json!({"notebook_path": env})),
        (
            "LSP",
            json!({"operation": "hover", "filePath": env, "line": 1, "character": 1}),
        ),
    ];
    for (tool, tool_input) in cases {
        let out = project.run_hook(PRE, &input(&project, tool, tool_input));
        assert_eq!(decision(&out), "deny", "{tool}");
    }
    let lib = project.root.join("src/lib.rs");
    let out = project.run_hook(
        PRE,
        &input(
            &project,
            "LSP",
            json!({"operation": "hover", "filePath": lib}),
        ),
    );
    assert_ne!(decision(&out), "deny", "another file is read");
}
