//! A test run started with `run_in_background` under the real Claude Code CLI (SPEC §6.6):
//! its PostToolUse arrives before the tests ran, so it is no evidence and the stop gate sends
//! the agent back; it counts once Claude Code's task notification says it finished. The same
//! run in the foreground opens the gate at once.

use super::harness::{claude_or_skip, install_our_hooks, run_claude};
use budget_policy::report::event::Event;
use budget_policy::store::record;
use budget_tests::TempProject;
use budget_tests::fake_api::{FakeApi, Script, ToolCall};
use serde_json::json;

const BUDGET: &str = r#"
version = 1
[run]
allow = ["sh"]
tests = ["sh run-tests.sh"]
[edit]
allow = ["**"]
[retry]
stop_blocks = 1
[evidence]
tests_after_edit = true
"#;

/// Runs the scripted session (an edit, then the tests, in the background or not) and
/// returns every recorded event of it.
fn session(claude: &std::path::Path, background: bool) -> (Vec<Event>, String) {
    let project = TempProject::new().budget(BUDGET);
    project.write("run-tests.sh", "sleep 1; echo 'all 3 checks passed'\n");
    install_our_hooks(&project);
    let file = project.root.join("notes.txt");
    let api = FakeApi::start(Script::new(vec![
        vec![ToolCall::tool(
            "Write",
            json!({"file_path": file, "content": "changed\n"}),
        )],
        vec![ToolCall::tool(
            "Bash",
            json!({"command": "sh run-tests.sh", "description": "tests", "run_in_background": background}),
        )],
    ]));
    let run = run_claude(
        claude,
        &project,
        &api,
        "change the notes, then run the tests",
        &["--permission-mode", "bypassPermissions"],
    );
    let runs = project.data.join("claude-budget/runs");
    let mut events = Vec::new();
    for project_dir in std::fs::read_dir(&runs).into_iter().flatten().flatten() {
        for session in std::fs::read_dir(project_dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            events.extend(record::read(&session.path()).unwrap_or_default());
        }
    }
    (events, run.describe())
}

fn stop_blocks(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| e.event == "Stop" && e.decision.as_deref() == Some("block"))
        .count()
}

#[test]
fn a_background_test_run_is_not_evidence_until_its_completion_is_seen() {
    let Some(claude) =
        claude_or_skip("a_background_test_run_is_not_evidence_until_its_completion_is_seen")
    else {
        return;
    };
    let (events, described) = session(&claude, true);
    let bash = events
        .iter()
        .find(|e| e.event == "PostToolUse" && e.tool.as_deref() == Some("Bash"))
        .unwrap_or_else(|| panic!("no Bash PostToolUse recorded\n{described}"));
    assert!(
        bash.test_note
            .as_deref()
            .is_some_and(|n| n.contains("background")),
        "{bash:?}\n{described}"
    );
    // Sent back once while the run had only started. Claude Code then announces the
    // finished task in a new turn (a `<task-notification>` prompt): the run counts from
    // there, and that turn's Stop is let through.
    assert_eq!(stop_blocks(&events), 1, "{described}");
    let last_stop = events
        .iter()
        .rev()
        .find(|e| e.event == "Stop")
        .unwrap_or_else(|| panic!("no Stop\n{described}"));
    assert_eq!(last_stop.decision, None, "{last_stop:?}\n{described}");

    // The honest twin: the same tests in the foreground open the gate.
    let (events, described) = session(&claude, false);
    assert_eq!(stop_blocks(&events), 0, "{described}");
    assert!(
        events
            .iter()
            .any(|e| e.test_status.as_deref() == Some("passed")),
        "{described}"
    );
}
