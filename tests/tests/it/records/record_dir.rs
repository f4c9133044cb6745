//! `[record] dir` may redirect records into the repository, but never into a folder that
//! holds the budget file: the record dir is protected from the agent, so `dir = "."` would
//! turn every edit into a self-protection denial. `check` rejects it with a hint.

use budget_tests::TempProject;

#[test]
fn a_record_dir_holding_the_budget_file_is_rejected_by_check() {
    // (dir as written, rejected)
    let rows = [
        (".", true),
        ("./", true),
        (".claude", true),
        ("./.claude/", true),
        (".claude/runs", false),
        ("records", false),
    ];
    for (dir, rejected) in rows {
        let project =
            TempProject::new().budget(&format!("version = 1\n\n[record]\ndir = \"{dir}\"\n"));
        let out = project
            .command("claude-budget")
            .arg("check")
            .output()
            .unwrap();
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if rejected {
            assert_eq!(out.status.code(), Some(1), "dir = {dir:?}:\n{shown}");
            assert!(
                shown.contains("budget.toml:4:7"),
                "file:line:col for {dir:?}:\n{shown}"
            );
            assert!(
                shown.contains("would hold the budget file"),
                "{dir:?}:\n{shown}"
            );
            assert!(
                shown.contains(".claude/runs"),
                "the hint names a good folder:\n{shown}"
            );
        } else {
            assert_eq!(out.status.code(), Some(0), "dir = {dir:?}:\n{shown}");
        }
    }
}

#[test]
fn the_pre_tool_use_hook_denies_with_the_same_reason() {
    let project = TempProject::new().budget("version = 1\n[record]\ndir = \".\"\n");
    let input = project.pre_tool_use("Bash", serde_json::json!({"command": "ls"}));
    let out = project.run_hook("claude-budget-pre-tool-use", &input);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "an invalid budget fails closed:\n{text}"
    );
    assert!(text.contains("would hold the budget file"), "{text}");
}
