//! Checks of the harness itself, independent of our hooks: without a hook the scripted
//! `rm -rf` really deletes under `bypassPermissions` (so a surviving victim elsewhere means
//! something), and a throw-away exit-2 hook's reason reaches the model.

use super::harness::{claude_or_skip, outside_dir, run_claude, write_settings};
use budget_tests::TempProject;
use budget_tests::fake_api::{FakeApi, Script, ToolCall, tool_result_text};
use std::path::PathBuf;

const BYPASS: [&str; 2] = ["--permission-mode", "bypassPermissions"];

/// A victim directory outside the project, with a file in it.
fn make_victim(project: &TempProject) -> PathBuf {
    let victim = outside_dir(project).join("victim");
    std::fs::create_dir_all(&victim).unwrap_or_else(|e| panic!("mkdir victim: {e}"));
    std::fs::write(victim.join("precious.txt"), "keep me").unwrap_or_else(|e| panic!("write: {e}"));
    victim
}

#[test]
fn without_hooks_a_bypass_run_really_deletes_outside_the_project() {
    let Some(claude) = claude_or_skip("without_hooks_a_bypass_run_really_deletes_outside_the_project") else {
        return;
    };
    let project = TempProject::new();
    let victim = make_victim(&project);
    let api = FakeApi::start(Script::new(vec![vec![ToolCall::bash(&format!("rm -rf {}", victim.display()))]]));
    let run = run_claude(&claude, &project, &api, "delete the victim dir", &BYPASS);
    assert_eq!(run.exit_code, Some(0), "{}", run.describe());
    assert!(!victim.exists(), "the control run should delete the victim\n{}", run.describe());
    assert_eq!(api.message_requests().len(), 2, "one tool turn and the final turn");
    assert!(run.permission_denials().is_empty(), "{}", run.describe());
}

#[test]
fn a_throwaway_exit_2_hook_blocks_and_its_reason_reaches_the_model() {
    let Some(claude) = claude_or_skip("a_throwaway_exit_2_hook_blocks_and_its_reason_reaches_the_model") else {
        return;
    };
    let project = TempProject::new();
    let victim = make_victim(&project);
    let hook_log = outside_dir(&project).join("hook-input.json");
    let hook = outside_dir(&project).join("deny.sh");
    std::fs::write(
        &hook,
        format!("#!/bin/sh\ncat > '{}'\necho 'denied by the throwaway hook' >&2\nexit 2\n", hook_log.display()),
    )
    .unwrap_or_else(|e| panic!("write hook: {e}"));
    let chmod = std::process::Command::new("chmod").arg("+x").arg(&hook).status();
    assert!(chmod.is_ok_and(|s| s.success()));
    write_settings(&project, &[("PreToolUse", hook.clone())]);

    let api = FakeApi::start(Script::new(vec![vec![ToolCall::bash(&format!("rm -rf {}", victim.display()))]]));
    let run = run_claude(&claude, &project, &api, "delete the victim dir", &BYPASS);

    assert!(victim.join("precious.txt").exists(), "the hook should have blocked rm\n{}", run.describe());
    assert!(hook_log.exists(), "the hook never ran\n{}", run.describe());
    let results = api.tool_results();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["is_error"], true, "{results:?}");
    assert!(tool_result_text(&results[0]).contains("denied by the throwaway hook"), "{results:?}");
    assert_eq!(run.permission_denials().len(), 1, "{}", run.describe());
}
