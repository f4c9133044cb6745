//! Checks of the harness itself, independent of our hooks: without a hook the scripted
//! `rm -rf` really deletes under `bypassPermissions` (so a surviving victim elsewhere means
//! something), and a throw-away exit-2 hook's reason reaches the model.

use super::harness::{
    Isolation, claude_or_skip, files_under, isolation, outside_dir, run_claude, write_settings,
};
use budget_tests::TempProject;
use budget_tests::fake_api::{FakeApi, Script, ToolCall, Usage, tool_result_text};
use std::path::PathBuf;

const BYPASS: [&str; 2] = ["--permission-mode", "bypassPermissions"];

/// A victim directory outside the project, with a file in it.
fn make_victim(project: &TempProject) -> PathBuf {
    let victim = outside_dir(project).join("victim");
    std::fs::create_dir_all(&victim).expect("mkdir victim");
    std::fs::write(victim.join("precious.txt"), "keep me").expect("write");
    victim
}

#[test]
fn without_hooks_a_bypass_run_really_deletes_outside_the_project() {
    let Some(claude) =
        claude_or_skip("without_hooks_a_bypass_run_really_deletes_outside_the_project")
    else {
        return;
    };
    let project = TempProject::new();
    let victim = make_victim(&project);
    let api = FakeApi::start(Script::new(vec![vec![ToolCall::bash(&format!(
        "rm -rf {}",
        victim.display()
    ))]]));
    let run = run_claude(&claude, &project, &api, "delete the victim dir", &BYPASS);
    assert_eq!(run.exit_code, Some(0), "{}", run.describe());
    assert!(
        !victim.exists(),
        "the control run should delete the victim\n{}",
        run.describe()
    );
    assert_eq!(
        api.message_requests().len(),
        2,
        "one tool turn and the final turn"
    );
    assert!(run.permission_denials().is_empty(), "{}", run.describe());
    // In a network namespace the fake is reachable only through its unix socket.
    let expected_transport = match isolation() {
        Isolation::NetworkNamespace => "unix",
        Isolation::EnvironmentOnly => "tcp",
    };
    let requests = api.requests();
    assert!(
        requests.iter().all(|r| r.transport == expected_transport),
        "{requests:?}"
    );
}

#[test]
fn a_throwaway_exit_2_hook_blocks_and_its_reason_reaches_the_model() {
    let Some(claude) =
        claude_or_skip("a_throwaway_exit_2_hook_blocks_and_its_reason_reaches_the_model")
    else {
        return;
    };
    let project = TempProject::new();
    let victim = make_victim(&project);
    let hook_log = outside_dir(&project).join("hook-input.json");
    let hook = outside_dir(&project).join("deny.sh");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\ncat > '{}'\necho 'denied by the throwaway hook' >&2\nexit 2\n",
            hook_log.display()
        ),
    )
    .expect("write hook");
    let chmod = std::process::Command::new("chmod")
        .arg("+x")
        .arg(&hook)
        .status();
    assert!(chmod.is_ok_and(|s| s.success()));
    write_settings(&project, &[("PreToolUse", hook.clone())]);

    let api = FakeApi::start(Script::new(vec![vec![ToolCall::bash(&format!(
        "rm -rf {}",
        victim.display()
    ))]]));
    let run = run_claude(&claude, &project, &api, "delete the victim dir", &BYPASS);

    assert!(
        victim.join("precious.txt").exists(),
        "the hook should have blocked rm\n{}",
        run.describe()
    );
    assert!(hook_log.exists(), "the hook never ran\n{}", run.describe());
    let results = api.tool_results();
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["is_error"], true, "{results:?}");
    assert!(
        tool_result_text(&results[0]).contains("denied by the throwaway hook"),
        "{results:?}"
    );
    assert_eq!(run.permission_denials().len(), 1, "{}", run.describe());
}

#[test]
fn without_hooks_default_mode_refuses_touch_so_an_allow_is_what_lets_it_run() {
    let Some(claude) =
        claude_or_skip("without_hooks_default_mode_refuses_touch_so_an_allow_is_what_lets_it_run")
    else {
        return;
    };
    let project = TempProject::new();
    let api = FakeApi::start(Script::new(vec![vec![ToolCall::bash(
        "touch made-by-agent.txt",
    )]]));
    let run = run_claude(&claude, &project, &api, "make a file", &[]);
    assert!(
        !project.root.join("made-by-agent.txt").exists(),
        "{}",
        run.describe()
    );
    assert_eq!(run.permission_denials().len(), 1, "{}", run.describe());
}

#[test]
fn scripted_usage_is_what_the_client_reports() {
    let Some(claude) = claude_or_skip("scripted_usage_is_what_the_client_reports") else {
        return;
    };
    let project = TempProject::new();
    let mut script = Script::new(vec![vec![ToolCall::bash("echo one")]]);
    script.steps[0].usage = Usage {
        input_tokens: 1234,
        output_tokens: 56,
        cache_creation_input_tokens: 700,
        cache_read_input_tokens: 8000,
    };
    script.final_usage = Usage {
        input_tokens: 10,
        output_tokens: 4,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 90,
    };
    let api = FakeApi::start(script);
    let run = run_claude(&claude, &project, &api, "say one", &[]);
    let usage = &run.result["usage"];
    assert_eq!(usage["input_tokens"], 1244, "{}", run.describe());
    assert_eq!(usage["output_tokens"], 60, "{}", run.describe());
    assert_eq!(
        usage["cache_creation_input_tokens"],
        700,
        "{}",
        run.describe()
    );
    assert_eq!(usage["cache_read_input_tokens"], 8090, "{}", run.describe());
    // The transcript under HOME carries the same numbers, per assistant message: what spend
    // accounting reads.
    let transcripts: Vec<_> = files_under(&project.home.join(".claude/projects"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    assert_eq!(transcripts.len(), 1, "{transcripts:?}");
    let text = std::fs::read_to_string(&transcripts[0]).expect("read transcript");
    let usages: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["type"] == "assistant")
        .map(|v| v["message"]["usage"].clone())
        .collect();
    assert!(
        usages
            .iter()
            .any(|u| u["input_tokens"] == 1234 && u["cache_creation_input_tokens"] == 700),
        "{usages:#?}"
    );
    assert!(
        usages
            .iter()
            .any(|u| u["input_tokens"] == 10 && u["cache_read_input_tokens"] == 90),
        "{usages:#?}"
    );
}

#[test]
fn the_client_fires_hook_events_in_the_order_our_hooks_rely_on() {
    let Some(claude) =
        claude_or_skip("the_client_fires_hook_events_in_the_order_our_hooks_rely_on")
    else {
        return;
    };
    let project = TempProject::new();
    let event_log = outside_dir(&project).join("events.log");
    let hook = outside_dir(&project).join("log-event.sh");
    // Appends the event name of each input; exits 0 and prints nothing, so it decides nothing.
    let script = format!(
        "#!/bin/sh\nsed -n 's/.*\"hook_event_name\":\"\\([A-Za-z]*\\)\".*/\\1/p' >> '{}'\n",
        event_log.display()
    );
    std::fs::write(&hook, script).expect("write hook");
    let chmod = std::process::Command::new("chmod")
        .arg("+x")
        .arg(&hook)
        .status();
    assert!(chmod.is_ok_and(|s| s.success()));
    let events = [
        "SessionStart",
        "UserPromptSubmit",
        "PreToolUse",
        "PostToolUse",
        "PostToolUseFailure",
        "Stop",
        "SessionEnd",
    ];
    let hooks: Vec<(&str, PathBuf)> = events.iter().map(|e| (*e, hook.clone())).collect();
    write_settings(&project, &hooks);
    let api = FakeApi::start(Script::new(vec![
        vec![ToolCall::bash("echo ok")],
        vec![ToolCall::bash("ls does-not-exist")],
    ]));

    let run = run_claude(&claude, &project, &api, "succeed, then fail", &BYPASS);

    let log = std::fs::read_to_string(&event_log).unwrap_or_default();
    let seen: Vec<&str> = log.lines().collect();
    let expected = [
        "SessionStart",
        "UserPromptSubmit",
        "PreToolUse",
        "PostToolUse",
        "PreToolUse",
        "PostToolUseFailure",
        "Stop",
        "SessionEnd",
    ];
    assert_eq!(seen, expected, "{}", run.describe());
}
