//! `report`, `replay`, `capture`, `test` and `demo` driven as a user would, in a throw-away
//! project with its own empty config and data directories.

use super::install_fixture_run;
use budget_tests::TempProject;
use std::process::Output;

const BUDGET: &str = r#"version = 1
[read]
allow = ["**"]
deny = [".env"]
[edit]
allow = ["billing/**"]
ask = ["Cargo.toml"]
default = "deny"
[[stop]]
edit = ["migrations/**"]
reason = "The fix needs a schema change. Stop and ask for a new approval."
"#;

fn cli(project: &TempProject, args: &[&str]) -> Output {
    project
        .command("claude-budget")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("claude-budget {args:?}: {e}"))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A project with the budget above and the invoice-export run recorded in its data dir.
fn project_with_run() -> (TempProject, std::path::PathBuf) {
    let project = TempProject::new().budget(BUDGET);
    // Where the hooks record this project's runs, so `latest` finds it.
    let session = project
        .data
        .join("claude-budget/runs")
        .join(budget_policy::store::project_key(&project.root))
        .join("5feb3bdf-d90f-4ab2-8e76-8e570379bf8b");
    install_fixture_run("invoice-export", &project.root, &session);
    (project, session)
}

#[test]
fn report_prints_the_latest_run_of_this_project_as_markdown_and_json() {
    let (project, _) = project_with_run();
    let out = cli(&project, &["report"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let markdown = String::from_utf8_lossy(&out.stdout);
    assert!(markdown.contains("# Review packet"), "{markdown}");
    assert!(
        markdown.contains("git push --force origin main"),
        "{markdown}"
    );
    let out = cli(
        &project,
        &[
            "report",
            "5feb3bdf-d90f-4ab2-8e76-8e570379bf8b",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    assert_eq!(json["denied"][0]["what"], ".env");
}

#[test]
fn report_without_any_run_says_so_and_exits_2() {
    let project = TempProject::new().budget(BUDGET);
    let out = cli(&project, &["report"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("no recorded run"), "{}", text(&out));
}

#[test]
fn captured_cases_pass_then_fail_once_the_budget_is_loosened() {
    let (project, _) = project_with_run();
    let out = cli(&project, &["capture", "latest", "--name", "invoice"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let cases =
        std::fs::read_to_string(project.root.join(".claude/budget-tests/invoice.toml")).unwrap();
    assert!(
        cases.contains("file_path = \".env\""),
        "paths are project-relative:\n{cases}"
    );
    assert!(
        !cases.contains(&*project.root.to_string_lossy()),
        "absolute path kept:\n{cases}"
    );

    let out = cli(&project, &["test"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    project.write(
        ".claude/budget.toml",
        &BUDGET.replace("deny = [\".env\"]", "deny = []"),
    );
    let out = cli(&project, &["test"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("expected deny, got allow"),
        "{}",
        text(&out)
    );
    let out = cli(&project, &["test", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["failed"], 1);
}

#[test]
fn replay_shows_what_changed_and_fails_when_a_denied_call_would_get_through() {
    let (project, session) = project_with_run();
    let run = session.to_string_lossy().into_owned();
    project.write(
        ".claude/budget.toml",
        &BUDGET.replace("deny = [\".env\"]", "deny = []"),
    );
    let out = cli(&project, &["replay", &run]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains(".env") && shown.contains("deny → allow"),
        "{shown}"
    );
    let out = cli(&project, &["replay", &run, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["loosened"].as_u64().is_some_and(|n| n >= 1), "{json}");
}

#[test]
fn demo_runs_from_an_empty_directory_with_no_setup() {
    let project = TempProject::new();
    let empty = project.dir.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = project
        .command("claude-budget")
        .arg("demo")
        .current_dir(&empty)
        .env_remove("CLAUDE_PROJECT_DIR")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let shown = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "DENY",
        "stop-rule",
        "retry-limit",
        "# Review packet",
        "## Reviewer decision",
    ] {
        assert!(
            shown.contains(expected),
            "demo output lacks {expected}:\n{shown}"
        );
    }
    assert!(
        shown.contains("mcp__github__get_issue") && !shown.contains("mcp__github__get_issue mcp__"),
        "an MCP call is named once:\n{shown}"
    );
    let denied = shown
        .split("## Sensitive actions denied")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap_or("");
    for line in denied.lines().filter(|l| l.starts_with("- ")) {
        let origin = line
            .split(" — ")
            .nth(1)
            .and_then(|codes| codes.split(", ").nth(1))
            .unwrap_or_else(|| panic!("no `code, origin` in {line}"));
        assert_eq!(
            line.matches(origin).count(),
            1,
            "the rule is named once: {line}"
        );
        assert!(
            !line.contains("claude-budget refused"),
            "the agent's message is condensed: {line}"
        );
        assert!(line.len() < 400, "one short line: {line}");
    }
    assert!(denied.contains("- "), "the demo denies something:\n{shown}");
    let left: Vec<_> = std::fs::read_dir(&empty)
        .map(|d| d.count())
        .into_iter()
        .collect();
    assert_eq!(left, [0], "the demo wrote into the current directory");
}

#[test]
fn touchmap_shows_what_the_agent_may_read_write_and_run() {
    let project = TempProject::new().budget(BUDGET);
    let out = cli(&project, &["touchmap"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    let row = |area: &str| {
        table
            .lines()
            .find(|l| l.starts_with(&format!("| {area} |")))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(row("Read").contains("`.env`"), "{table}");
    assert!(
        row("Write").contains("`billing/**`") && row("Write").contains("default: deny"),
        "{table}"
    );
    assert!(
        table.contains("schema change"),
        "stop rules listed:\n{table}"
    );
}

#[test]
fn explain_names_file_effects_in_words() {
    let project = TempProject::new().budget(BUDGET);
    let out = cli(
        &project,
        &["explain", "rm -rf build && rm old.log && echo x > out.txt"],
    );
    let shown = text(&out);
    for expected in ["delete (recursive): ", "delete: ", "write: "] {
        assert!(shown.contains(expected), "lacks `{expected}`:\n{shown}");
    }
    assert!(
        !shown.contains("Delete {"),
        "no Rust debug output:\n{shown}"
    );
}
