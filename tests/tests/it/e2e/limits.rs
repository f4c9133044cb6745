//! Limits and halts under the real Claude Code, each a case that was unit-tested only: the
//! retry limit, a `[[stop]]` halt, a spend limit priced from the real transcript, a denied
//! MCP tool of a real (fake) MCP server, and the outcome line `report --check` prints for CI.

use super::harness::{Run, claude_or_skip, install_our_hooks, run_claude};
use budget_tests::TempProject;
use budget_tests::fake_api::{FakeApi, Script, ToolCall, Usage, tool_result_text};
use serde_json::{Value, json};
use std::process::Output;

const BYPASS: [&str; 2] = ["--permission-mode", "bypassPermissions"];

/// `claude-budget report --check` in the project after the run.
fn report_check(project: &TempProject) -> Output {
    project
        .command("claude-budget")
        .args(["report", "--check"])
        .output()
        .unwrap_or_else(|e| panic!("report --check: {e}"))
}

fn texts(api: &FakeApi) -> Vec<(bool, String)> {
    api.tool_results()
        .iter()
        .map(|r| (r["is_error"] == true, tool_result_text(r)))
        .collect()
}

/// `report --check` exits `code` and prints `line` first; returns what it printed.
fn check_says(project: &TempProject, code: i32, line: &str, run: &Run) -> String {
    let out = report_check(project);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{said}{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        run.describe()
    );
    assert!(said.starts_with(line), "{said}");
    said
}

/// A halt (`continue: false`) ends the run at once: Claude Code sends no further request,
/// lists the call as denied, and reports `terminal_reason: hook_stopped` — yet `subtype:
/// success`, which is why CI needs `report --check`.
fn assert_halted_at_first_call(api: &FakeApi, run: &Run, command: &str) {
    assert_eq!(
        run.result["terminal_reason"],
        "hook_stopped",
        "{}",
        run.describe()
    );
    let denials = run.permission_denials();
    assert_eq!(denials.len(), 1, "{}", run.describe());
    assert_eq!(denials[0]["tool_input"]["command"], command);
    assert_eq!(api.message_requests().len(), 1, "no turn after the halt");
    assert!(texts(api).is_empty(), "nothing ran: {:#?}", texts(api));
}

#[test]
fn the_same_failing_command_is_refused_after_the_retry_limit_with_its_last_error() {
    let Some(claude) = claude_or_skip(
        "the_same_failing_command_is_refused_after_the_retry_limit_with_its_last_error",
    ) else {
        return;
    };
    let budget = "version = 1\n[run]\nallow = [\"ls\"]\n[retry]\nsame_command_failures = 2\n";
    let project = TempProject::new().budget(budget);
    install_our_hooks(&project);
    let ls = ToolCall::bash("ls no-such-file-here");
    let api = FakeApi::start(Script::new(vec![
        vec![ls.clone()],
        vec![ls.clone()],
        vec![ls],
    ]));

    let run = run_claude(&claude, &project, &api, "list it", &BYPASS);

    let results = texts(&api);
    assert_eq!(results.len(), 3, "{results:#?}\n{}", run.describe());
    assert!(results[0].1.contains("No such file"), "{results:#?}");
    assert!(!results[1].1.contains("claude-budget"), "{results:#?}");
    let (is_error, third) = &results[2];
    assert!(*is_error, "{third}");
    assert!(third.contains("retry-limit"), "{third}");
    assert!(
        third.contains(".claude/budget.toml:5:"),
        "the origin is the line of `same_command_failures`, not `[retry]`: {third}"
    );
    assert!(
        third.contains("No such file"),
        "the last error is repeated: {third}"
    );
}

#[test]
fn a_stop_rule_halts_the_run_and_report_check_fails_the_ci_job() {
    let Some(claude) =
        claude_or_skip("a_stop_rule_halts_the_run_and_report_check_fails_the_ci_job")
    else {
        return;
    };
    let budget = "version = 1\n[run]\nallow = [\"echo\"]\n[[stop]]\nrun = [\"terraform apply\"]\nreason = \"Deploying is outside this budget.\"\n";
    let project = TempProject::new().budget(budget);
    install_our_hooks(&project);
    let api = FakeApi::start(Script::new(vec![
        vec![ToolCall::bash("terraform apply -auto-approve")],
        vec![ToolCall::bash("echo still-going")],
    ]));

    let run = run_claude(&claude, &project, &api, "deploy it", &BYPASS);

    assert_halted_at_first_call(&api, &run, "terraform apply -auto-approve");
    let said = check_says(&project, 1, "outcome: halted", &run);
    assert!(said.contains("Deploying is outside this budget."), "{said}");
}

#[test]
fn a_spend_limit_priced_from_the_real_transcript_halts_the_run() {
    let Some(claude) =
        claude_or_skip("a_spend_limit_priced_from_the_real_transcript_halts_the_run")
    else {
        return;
    };
    let budget =
        "version = 1\n[run]\nallow = [\"echo\"]\n[spend]\nmax_usd = 0.5\non_exceed = \"halt\"\n";
    let project = TempProject::new().budget(budget);
    install_our_hooks(&project);
    let mut script = Script::new(vec![
        vec![ToolCall::bash("echo first")],
        vec![ToolCall::bash("echo second")],
    ]);
    // 300k input tokens: over a dollar at any current model's price, past the $0.50 limit,
    // yet well inside the context window (2M made Claude Code compact instead).
    script.steps[0].usage = Usage {
        input_tokens: 300_000,
        ..Usage::default()
    };
    let api = FakeApi::start(script);

    let run = run_claude(&claude, &project, &api, "echo twice", &BYPASS);

    // The first turn's usage reaches the transcript asynchronously: the halt comes at the
    // first call or, when the transcript lags, at the second — never later.
    assert_eq!(
        run.result["terminal_reason"],
        "hook_stopped",
        "{}",
        run.describe()
    );
    let denials = run.permission_denials();
    assert_eq!(denials.len(), 1, "{}", run.describe());
    let results = texts(&api);
    assert!(
        !results.iter().any(|(e, t)| !e && t.contains("second")),
        "a call ran over the limit: {results:#?}"
    );
    let said = check_says(&project, 1, "outcome: halted", &run);
    assert!(said.contains("spend"), "{said}");
}

#[test]
fn a_denied_mcp_tool_never_reaches_the_server_while_a_read_only_one_does() {
    let Some(claude) =
        claude_or_skip("a_denied_mcp_tool_never_reaches_the_server_while_a_read_only_one_does")
    else {
        return;
    };
    let budget = "version = 1\n[mcp]\ndefault = \"deny\"\n[mcp.servers.fake]\nread_only = [\"list_repos\"]\nunlisted = \"deny\"\n";
    let project = TempProject::new().budget(budget);
    install_our_hooks(&project);
    let log = project
        .root
        .parent()
        .map_or_else(|| project.root.join("mcp.log"), |p| p.join("mcp-calls.log"));
    let config = json!({"mcpServers": {"fake": {
        "command": env!("CARGO_BIN_EXE_fake-mcp"), "args": [],
        "env": {"FAKE_MCP_LOG": log}}}});
    let config_path = project.home.join("mcp.json");
    std::fs::write(&config_path, config.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let api = FakeApi::start(Script::new(vec![
        vec![ToolCall::tool("mcp__fake__list_repos", json!({}))],
        vec![ToolCall::tool(
            "mcp__fake__delete_repo",
            json!({"name": "billing"}),
        )],
    ]));
    let config_arg = config_path.display().to_string();
    let args = [BYPASS[0], BYPASS[1], "--mcp-config", config_arg.as_str()];

    let run = run_claude(&claude, &project, &api, "tidy the repos", &args);

    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        calls.contains("list_repos"),
        "the allowed tool should reach the server (calls: {calls:?})\n{}",
        run.describe()
    );
    assert!(!calls.contains("delete_repo"), "calls: {calls:?}");
    let results = texts(&api);
    assert_eq!(results.len(), 2, "{results:#?}\n{}", run.describe());
    let (is_error, denied) = &results[1];
    assert!(*is_error, "{denied}");
    assert!(denied.contains("claude-budget refused"), "{denied}");
    assert!(denied.contains("delete_repo"), "{denied}");
    let denials: Vec<Value> = run.permission_denials();
    assert_eq!(denials.len(), 1, "{}", run.describe());
    assert_eq!(denials[0]["tool_name"], "mcp__fake__delete_repo");
}

#[test]
fn a_clean_run_passes_report_check_with_the_completed_outcome_line() {
    let Some(claude) =
        claude_or_skip("a_clean_run_passes_report_check_with_the_completed_outcome_line")
    else {
        return;
    };
    let project = TempProject::new().budget("version = 1\n[run]\nallow = [\"echo\"]\n");
    install_our_hooks(&project);
    let api = FakeApi::start(Script::new(vec![vec![ToolCall::bash("echo fine")]]));

    let run = run_claude(&claude, &project, &api, "say fine", &BYPASS);

    check_says(&project, 0, "outcome: completed with evidence", &run);
}
