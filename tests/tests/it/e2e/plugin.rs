//! The Claude Code plugin (`settings-templates/plugin`, listed by the repository's
//! `.claude-plugin/marketplace.json`) under the real CLI: it validates with `--strict`, it
//! installs from the repository as a local marketplace, and once installed its hooks decide
//! — the budget's deny with the executables on PATH, the install hint without them.

use super::harness::{
    SYSTEM_PATH, claude_cli, claude_or_skip, outside_dir, path_with_our_bins, repo_root,
    run_claude_env,
};
use budget_tests::TempProject;
use budget_tests::fake_api::{FakeApi, Script, ToolCall, tool_result_text};
use std::process::Output;

const BYPASS: [&str; 2] = ["--permission-mode", "bypassPermissions"];

fn said(out: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn the_plugin_and_its_marketplace_pass_strict_validation_by_the_real_cli() {
    let Some(claude) =
        claude_or_skip("the_plugin_and_its_marketplace_pass_strict_validation_by_the_real_cli")
    else {
        return;
    };
    let project = TempProject::new();
    for dir in [repo_root().join("settings-templates/plugin"), repo_root()] {
        let dir = dir.display().to_string();
        let out = claude_cli(&claude, &project, &["plugin", "validate", "--strict", &dir]);
        let text = said(&out);
        assert_eq!(out.status.code(), Some(0), "{dir}: {text}");
        assert!(text.contains("Validation passed"), "{dir}: {text}");
    }
}

#[test]
fn the_plugin_installed_from_the_repository_marketplace_denies_as_the_budget_says() {
    let Some(claude) = claude_or_skip(
        "the_plugin_installed_from_the_repository_marketplace_denies_as_the_budget_says",
    ) else {
        return;
    };
    let project = TempProject::new().budget("version = 1\nextends = [\"destructive\"]\n");
    let repo = repo_root().display().to_string();
    let add = claude_cli(&claude, &project, &["plugin", "marketplace", "add", &repo]);
    assert_eq!(add.status.code(), Some(0), "{}", said(&add));
    let install = claude_cli(
        &claude,
        &project,
        &["plugin", "install", "budget-gate@budget-gate"],
    );
    assert_eq!(install.status.code(), Some(0), "{}", said(&install));
    assert!(
        !project.root.join(".claude/settings.json").exists(),
        "the plugin needs no project settings"
    );

    let victim = outside_dir(&project).join("victim");
    std::fs::create_dir_all(&victim).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(victim.join("precious.txt"), "keep").unwrap_or_else(|e| panic!("{e}"));
    let command = format!("rm -rf {}", victim.display());
    let with_bins = path_with_our_bins();
    // (machine, PATH, what the model must be told)
    let rows = [
        (
            "executables installed",
            with_bins.as_str(),
            "pack:destructive/",
        ),
        (
            "executables missing",
            SYSTEM_PATH,
            "claude-budget is not installed on this machine: cargo install --locked",
        ),
    ];
    for (machine, path, told) in rows {
        let api = FakeApi::start(Script::new(vec![vec![ToolCall::bash(&command)]]));
        let run = run_claude_env(
            &claude,
            &project,
            &api,
            "clean up",
            &BYPASS,
            &[("PATH", path)],
        );
        assert!(
            victim.join("precious.txt").exists(),
            "{machine}: rm -rf ran\n{}",
            run.describe()
        );
        let results = api.tool_results();
        assert_eq!(
            results.len(),
            1,
            "{machine}: {results:#?}\n{}",
            run.describe()
        );
        let text = tool_result_text(&results[0]);
        assert!(text.contains(told), "{machine}: {text}");
    }
}
