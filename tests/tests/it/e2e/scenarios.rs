//! Our hook executables under the real Claude Code, as a user meets them: the budget's
//! decision is enforced, its reason reaches the model in the next request, and a repository
//! without a budget sees no difference at all.

use super::harness::{
    Run, claude_or_skip, files_under, install_our_hooks, outside_dir, run_claude,
};
use budget_tests::TempProject;
use budget_tests::fake_api::{FakeApi, Script, ToolCall, tool_result_text};
use serde_json::{Value, json};
use std::path::PathBuf;

const BYPASS: [&str; 2] = ["--permission-mode", "bypassPermissions"];
const ACCEPT_EDITS: [&str; 2] = ["--permission-mode", "acceptEdits"];

/// A victim directory outside the project, with a file in it.
fn make_victim(project: &TempProject) -> PathBuf {
    let victim = outside_dir(project).join("victim");
    std::fs::create_dir_all(&victim).expect("mkdir victim");
    std::fs::write(victim.join("precious.txt"), "keep me").expect("write");
    victim
}

/// The one `tool_result` the CLI sent back for the scripted call, with the run for context.
fn only_tool_result(api: &FakeApi, run: &Run) -> Value {
    let results = api.tool_results();
    assert_eq!(
        results.len(),
        1,
        "expected one tool_result, got {results:#?}\n{}",
        run.describe()
    );
    results[0].clone()
}

#[test]
fn destructive_pack_stops_rm_rf_outside_the_project_even_in_bypass_mode() {
    let Some(claude) =
        claude_or_skip("destructive_pack_stops_rm_rf_outside_the_project_even_in_bypass_mode")
    else {
        return;
    };
    let project = TempProject::new().budget("version = 1\nextends = [\"destructive\"]\n");
    install_our_hooks(&project);
    let victim = make_victim(&project);
    let command = format!("rm -rf {}", victim.display());
    let api = FakeApi::start(Script::new(vec![vec![ToolCall::bash(&command)]]));

    let run = run_claude(&claude, &project, &api, "clean up the victim dir", &BYPASS);

    assert!(
        victim.join("precious.txt").exists(),
        "rm -rf ran despite the budget\n{}",
        run.describe()
    );
    let result = only_tool_result(&api, &run);
    let text = tool_result_text(&result);
    assert_eq!(result["is_error"], true, "{result:#}");
    assert!(
        text.contains("claude-budget refused"),
        "reason missing from the tool_result: {text}"
    );
    assert!(
        text.contains("pack:destructive/"),
        "rule origin missing from the tool_result: {text}"
    );
    let denials = run.permission_denials();
    assert_eq!(denials.len(), 1, "{}", run.describe());
    assert_eq!(denials[0]["tool_name"], "Bash", "{denials:#?}");
    assert_eq!(
        denials[0]["tool_input"]["command"],
        command.as_str(),
        "{denials:#?}"
    );
}

#[test]
fn edit_deny_rule_keeps_migrations_unchanged_while_allowed_edits_land() {
    let Some(claude) =
        claude_or_skip("edit_deny_rule_keeps_migrations_unchanged_while_allowed_edits_land")
    else {
        return;
    };
    let budget = "version = 1\n[edit]\nallow = [\"src/**\"]\ndeny = [\"migrations/**\"]\n";
    // (what the row checks, file, tool calls given the absolute path, edit lands?)
    type Calls = fn(&str) -> Vec<Vec<ToolCall>>;
    let read_then_edit: Calls = |path| {
        vec![
            vec![ToolCall::tool("Read", json!({ "file_path": path }))],
            vec![ToolCall::tool(
                "Edit",
                json!({ "file_path": path, "old_string": "original", "new_string": "changed", "replace_all": false }),
            )],
        ]
    };
    let overwrite: Calls = |path| {
        vec![vec![ToolCall::tool(
            "Write",
            json!({ "file_path": path, "content": "changed by Write\n" }),
        )]]
    };
    let rows: [(&str, &str, Calls, bool); 4] = [
        (
            "Edit of a denied migration",
            "migrations/001_init.sql",
            read_then_edit,
            false,
        ),
        (
            "Write over a denied migration",
            "migrations/001_init.sql",
            overwrite,
            false,
        ),
        (
            "Edit of an allowed source file",
            "src/lib.rs",
            read_then_edit,
            true,
        ),
        (
            "Write over an allowed source file",
            "src/lib.rs",
            overwrite,
            true,
        ),
    ];
    for (row, rel, calls, lands) in rows {
        let project = TempProject::new().budget(budget);
        install_our_hooks(&project);
        project.write(rel, "original\n");
        let path = project.root.join(rel);
        let api = FakeApi::start(Script::new(calls(&path.display().to_string())));

        let run = run_claude(&claude, &project, &api, "update the file", &ACCEPT_EDITS);

        let now =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{row}: read back: {e}"));
        assert_eq!(
            now != "original\n",
            lands,
            "{row}: file is now {now:?}\n{}",
            run.describe()
        );
        let edit_result = api
            .tool_results()
            .pop()
            .unwrap_or_else(|| panic!("{row}: no tool_result"));
        let text = tool_result_text(&edit_result);
        if lands {
            assert_ne!(edit_result["is_error"], true, "{row}: {edit_result:#}");
            assert!(
                run.permission_denials().is_empty(),
                "{row}: {}",
                run.describe()
            );
        } else {
            assert_eq!(edit_result["is_error"], true, "{row}: {edit_result:#}");
            assert!(
                text.contains("claude-budget refused"),
                "{row}: reason missing: {text}"
            );
            assert!(
                text.contains("migrations"),
                "{row}: refused path missing: {text}"
            );
            assert!(
                text.contains(".claude/budget.toml:"),
                "{row}: rule origin missing: {text}"
            );
            assert_eq!(
                run.permission_denials().len(),
                1,
                "{row}: {}",
                run.describe()
            );
        }
    }
}

#[test]
fn allowed_commands_run_and_their_output_reaches_the_model() {
    let Some(claude) = claude_or_skip("allowed_commands_run_and_their_output_reaches_the_model")
    else {
        return;
    };
    // `touch` is a command Claude Code itself would refuse in `-p` default mode (it would
    // prompt); it only runs because the budget answers `allow`.
    let budget = "version = 1\n[run]\nallow = [\"echo\", \"touch\"]\n[edit]\nallow = [\"*.txt\"]\n";
    let rows = [
        ("echo", "echo hi-from-the-budget", "hi-from-the-budget"),
        ("touch", "touch made-by-agent.txt", ""),
    ];
    for (row, command, output) in rows {
        let project = TempProject::new().budget(budget);
        install_our_hooks(&project);
        let api = FakeApi::start(Script::new(vec![vec![ToolCall::bash(command)]]));

        let run = run_claude(&claude, &project, &api, "run the command", &[]);

        let result = only_tool_result(&api, &run);
        assert_eq!(
            result["is_error"],
            false,
            "{row}: {result:#}\n{}",
            run.describe()
        );
        assert!(
            tool_result_text(&result).contains(output),
            "{row}: {result:#}"
        );
        assert!(
            run.permission_denials().is_empty(),
            "{row}: {}",
            run.describe()
        );
        if row == "touch" {
            assert!(
                project.root.join("made-by-agent.txt").exists(),
                "{row}: touch did not run"
            );
        }
    }
}

#[test]
fn without_a_budget_file_our_hooks_change_nothing_and_record_nothing() {
    let Some(claude) =
        claude_or_skip("without_a_budget_file_our_hooks_change_nothing_and_record_nothing")
    else {
        return;
    };
    let project = TempProject::new();
    install_our_hooks(&project);
    let victim = make_victim(&project);
    let steps = vec![
        vec![ToolCall::bash("echo hi-without-budget")],
        vec![ToolCall::bash(&format!("rm -rf {}", victim.display()))],
    ];
    let api = FakeApi::start(Script::new(steps));

    let run = run_claude(&claude, &project, &api, "say hi, then clean up", &BYPASS);

    let results = api.tool_results();
    assert_eq!(results.len(), 2, "{results:#?}\n{}", run.describe());
    assert!(
        tool_result_text(&results[0]).contains("hi-without-budget"),
        "{results:#?}"
    );
    assert!(
        results.iter().all(|r| r["is_error"] == false),
        "{results:#?}"
    );
    assert!(
        !victim.exists(),
        "with no budget the hooks have no opinion, as without hooks"
    );
    assert!(run.permission_denials().is_empty(), "{}", run.describe());
    assert_eq!(
        files_under(&project.data),
        Vec::<PathBuf>::new(),
        "a repo without a budget got records"
    );
}

#[test]
fn stop_gate_sends_the_agent_back_to_run_tests_after_an_edit() {
    let Some(claude) = claude_or_skip("stop_gate_sends_the_agent_back_to_run_tests_after_an_edit")
    else {
        return;
    };
    let budget = "version = 1\n[edit]\nallow = [\"src/**\"]\n[run]\ntests = [\"cargo test\"]\n[evidence]\ntests_after_edit = true\n";
    let project = TempProject::new().budget(budget);
    install_our_hooks(&project);
    let path = project.root.join("src/lib.rs");
    let write = ToolCall::tool(
        "Write",
        json!({ "file_path": path, "content": "pub fn f() {}\n" }),
    );
    let api = FakeApi::start(Script::new(vec![vec![write]]));

    let run = run_claude(&claude, &project, &api, "add f", &ACCEPT_EDITS);

    assert!(path.exists(), "the edit should land\n{}", run.describe());
    let requests = api.message_requests();
    assert!(
        requests.len() >= 3,
        "the stop hook should have sent the agent back\n{}",
        run.describe()
    );
    let after_stop = requests[2]["messages"].to_string();
    assert!(
        after_stop.contains("cargo test"),
        "the block reason should ask for the tests: {after_stop}"
    );
}
