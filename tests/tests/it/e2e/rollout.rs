//! A team rollout under the real Claude Code (issue 13, SPEC §2 "Rollout cannot fail open"):
//! the settings `claude-budget install --scope project` commits, on a teammate's machine
//! that has the repository but not the executables, and on one that has them on PATH.

use super::harness::{
    Run, SYSTEM_PATH, claude_or_skip, outside_dir, path_with_our_bins, run_claude_env,
};
use budget_tests::TempProject;
use budget_tests::fake_api::{FakeApi, Script, ToolCall, tool_result_text};
use serde_json::Value;
use std::path::PathBuf;

const BYPASS: [&str; 2] = ["--permission-mode", "bypassPermissions"];

fn make_victim(project: &TempProject) -> PathBuf {
    let victim = outside_dir(project).join("victim");
    std::fs::create_dir_all(&victim).unwrap_or_else(|e| panic!("mkdir victim: {e}"));
    std::fs::write(victim.join("precious.txt"), "keep me").unwrap_or_else(|e| panic!("write: {e}"));
    victim
}

/// Runs the real `claude-budget install --scope project` and returns the settings text.
pub(super) fn install_project_scope(project: &TempProject) -> String {
    let out = project
        .command("claude-budget")
        .args(["install", "--scope", "project"])
        .output()
        .unwrap_or_else(|e| panic!("install: {e}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(project.root.join(".claude/settings.json"))
        .unwrap_or_else(|e| panic!("settings: {e}"))
}

fn one_result(api: &FakeApi, run: &Run) -> Value {
    let results = api.tool_results();
    assert_eq!(results.len(), 1, "{results:#?}\n{}", run.describe());
    results[0].clone()
}

#[test]
fn a_teammate_without_the_executables_gets_a_deny_that_says_how_to_install_even_in_bypass_mode() {
    let Some(claude) = claude_or_skip(
        "a_teammate_without_the_executables_gets_a_deny_that_says_how_to_install_even_in_bypass_mode",
    ) else {
        return;
    };
    let project = TempProject::new().budget("version = 1\nextends = [\"destructive\"]\n");
    let settings = install_project_scope(&project);
    let bins = budget_tests::bin_dir().display().to_string();
    assert!(
        !settings.contains(&bins),
        "the committed settings name a path of this machine:\n{settings}"
    );
    let victim = make_victim(&project);
    let command = format!("rm -rf {}", victim.display());
    let api = FakeApi::start(Script::new(vec![vec![ToolCall::bash(&command)]]));

    // PATH without our executables: the teammate pulled the repo and installed nothing.
    let run = run_claude_env(
        &claude,
        &project,
        &api,
        "clean up the victim dir",
        &BYPASS,
        &[("PATH", SYSTEM_PATH)],
    );

    assert!(
        victim.join("precious.txt").exists(),
        "the missing hook let rm -rf through\n{}",
        run.describe()
    );
    let result = one_result(&api, &run);
    let text = tool_result_text(&result);
    assert_eq!(result["is_error"], true, "{result:#}");
    assert!(
        text.contains("claude-budget is not installed on this machine: cargo install --locked"),
        "the model is not told how to install: {text}"
    );
    assert!(
        text.contains("this repository's .claude/settings.json requires it"),
        "{text}"
    );
    assert_eq!(run.permission_denials().len(), 1, "{}", run.describe());
}

#[test]
fn the_same_committed_settings_enforce_the_budget_once_the_executables_are_on_path() {
    let Some(claude) = claude_or_skip(
        "the_same_committed_settings_enforce_the_budget_once_the_executables_are_on_path",
    ) else {
        return;
    };
    let project = TempProject::new()
        .budget("version = 1\nextends = [\"destructive\"]\n[run]\nallow = [\"echo\"]\n");
    install_project_scope(&project);
    let victim = make_victim(&project);
    let steps = vec![
        vec![ToolCall::bash("echo the-guard-stays-quiet")],
        vec![ToolCall::bash(&format!("rm -rf {}", victim.display()))],
    ];
    let api = FakeApi::start(Script::new(steps));
    let path = path_with_our_bins();

    let run = run_claude_env(
        &claude,
        &project,
        &api,
        "say hi then clean up",
        &BYPASS,
        &[("PATH", &path)],
    );

    let results = api.tool_results();
    assert_eq!(results.len(), 2, "{results:#?}\n{}", run.describe());
    assert_eq!(results[0]["is_error"], false, "{:#}", results[0]);
    assert!(
        tool_result_text(&results[0]).contains("the-guard-stays-quiet"),
        "{results:#?}"
    );
    let denied = tool_result_text(&results[1]);
    assert!(
        denied.contains("pack:destructive/"),
        "the real hook decided: {denied}"
    );
    assert!(!denied.contains("not installed"), "{denied}");
    assert!(victim.join("precious.txt").exists(), "{}", run.describe());
}
