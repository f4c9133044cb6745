//! The review packet's spend under the real Claude Code: equal to `claude-budget status`
//! (the state after the last hook), including the final answer's tokens.

use super::harness::{claude_or_skip, install_our_hooks, run_claude};
use budget_tests::TempProject;
use budget_tests::fake_api::{FakeApi, Script, ToolCall, Usage};
use serde_json::Value;
use std::io::Write;

fn session_dir(project: &TempProject) -> std::path::PathBuf {
    let runs = budget_policy::store::RunsLayout::under(&project.data)
        .project_dir(&project.root, None)
        .unwrap_or_else(|e| panic!("{e}"));
    budget_policy::store::latest_session(&runs).unwrap_or_else(|| panic!("no session recorded"))
}

#[test]
fn the_packet_spend_equals_status_and_includes_the_final_answer() {
    let Some(claude) =
        claude_or_skip("the_packet_spend_equals_status_and_includes_the_final_answer")
    else {
        return;
    };
    let project = TempProject::new().budget("[run]\ndefault = \"allow\"\n");
    install_our_hooks(&project);
    let mut script = Script::new(vec![vec![ToolCall::bash("true")]]);
    script.steps[0].usage = Usage {
        input_tokens: 1_000,
        output_tokens: 100,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
    };
    script.final_usage = Usage {
        input_tokens: 50_000,
        output_tokens: 5_000,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
    };
    let api = FakeApi::start(script);
    let run = run_claude(&claude, &project, &api, "run true", &[]);
    let dir = session_dir(&project);
    let events = std::fs::read_to_string(dir.join("events.jsonl")).unwrap_or_default();
    let stop: Vec<Value> = events
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["event"] == "Stop")
        .collect();
    let status = project
        .command("claude-budget")
        .args(["status", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let status: Value = serde_json::from_slice(&status.stdout).unwrap_or(Value::Null);
    let review: Value =
        serde_json::from_slice(&std::fs::read(dir.join("review.json")).unwrap_or_default())
            .unwrap_or(Value::Null);
    let _ = writeln!(
        std::io::stderr(),
        "spend: at Stop {:?} tokens {:?}; status {}; packet {}; claude total_cost_usd {}",
        stop.last().map(|s| s["spend_usd"].clone()),
        stop.last().map(|s| s["spend_tokens"].clone()),
        status["spend"]["usd"],
        review["spend"]["usd"],
        run.result["total_cost_usd"],
    );
    let status_usd = status["spend"]["usd"].as_f64().unwrap_or(-1.0);
    let packet_usd = review["spend"]["usd"].as_f64().unwrap_or(-2.0);
    assert!(
        (status_usd - packet_usd).abs() < 1e-6,
        "packet {packet_usd} vs status {status_usd}\n{}",
        run.describe()
    );
    assert!(
        review["spend"]["tokens"].as_u64().unwrap_or(0) >= 56_100,
        "the final answer's tokens are counted: {review:#}"
    );
    let models: Vec<&String> = run.result["modelUsage"]
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        review["agent"]["model"].as_str(),
        models.first().map(|m| m.as_str()),
        "the model the transcript names"
    );
    let markdown = std::fs::read_to_string(dir.join("review.md")).unwrap_or_default();
    assert!(
        markdown.contains("**Outcome: completed with evidence**"),
        "{markdown}"
    );
    assert!(!markdown.contains("model unknown"), "{markdown}");
}
