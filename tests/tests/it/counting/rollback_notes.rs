//! Rollback notes that say something (SPEC §6.5), through the real pre-tool-use hook: an edit
//! of a high-risk path is refused while the note is a fence of headings, placeholders, or a
//! symlink to a file outside the project; a filled-in note lets it through.

use budget_tests::TempProject;
use serde_json::json;

const BUDGET: &str = r#"
version = 1
[edit]
allow = ["**"]
[evidence]
high_risk = ["migrations/**"]
rollback_fields = ["Change", "Undo path", "Owner"]
"#;

const COMPLETE: &str =
    "## Change\nAdd an index.\n## Undo path\n```\ndrop index x;\n```\n## Owner\n@ops\n";

fn edit_decision(project: &TempProject) -> (String, String) {
    let path = project.root.join("migrations/001.sql");
    let input = project.pre_tool_use(
        "Write",
        json!({"file_path": path, "content": "create index x on t(a);"}),
    );
    let out = project.run_hook("claude-budget-pre-tool-use", &input);
    budget_tests::decision_and_reason(&out)
}

#[test]
fn a_note_that_says_nothing_does_not_open_a_high_risk_edit() {
    for (what, note) in [
        (
            "headings in a code fence",
            "```\n## Change\nx\n## Undo path\ny\n## Owner\nz\n```\n",
        ),
        (
            "placeholders",
            "## Change\nTODO\n## Undo path\nTBD\n## Owner\n-\n",
        ),
    ] {
        let project = TempProject::new().budget(BUDGET);
        project.write(".claude/rollback.md", note);
        let (decision, reason) = edit_decision(&project);
        assert_eq!(decision, "deny", "{what}: {reason}");
        assert!(reason.contains("rollback"), "{what}: {reason}");
    }
}

#[cfg(unix)]
#[test]
fn a_note_that_is_a_symlink_outside_the_project_does_not_count() {
    let project = TempProject::new().budget(BUDGET);
    let outside = project.dir.path().join("elsewhere.md");
    std::fs::write(&outside, COMPLETE).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink(&outside, project.root.join(".claude/rollback.md"))
        .unwrap_or_else(|e| panic!("{e}"));
    let (decision, reason) = edit_decision(&project);
    assert_eq!(decision, "deny", "{reason}");
}

#[test]
fn a_filled_in_note_opens_the_high_risk_edit() {
    let project = TempProject::new().budget(BUDGET);
    project.write(".claude/rollback.md", COMPLETE);
    let (decision, reason) = edit_decision(&project);
    assert_eq!(decision, "allow", "{reason}");
}
