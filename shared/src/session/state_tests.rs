//! Unit tests of [`SessionState`] transitions, on hand-built events.

use super::*;

fn bash_failure(id: &str, command: &str, error: &str) -> PostEvent {
    PostEvent {
        tool_use_id: Some(id.into()),
        tool_name: "Bash".into(),
        failed: true,
        fingerprint: crate::session::fingerprint(command),
        error_line: last_error_line(error),
        ..PostEvent::default()
    }
}

fn edit(id: &str, path: &str) -> PostEvent {
    PostEvent {
        tool_use_id: Some(id.into()),
        tool_name: "Edit".into(),
        fingerprint: format!("Edit {path}"),
        edited: vec![path.into()],
        ..PostEvent::default()
    }
}

fn test_run(id: &str, passed: bool) -> PostEvent {
    PostEvent {
        tool_use_id: Some(id.into()),
        tool_name: "Bash".into(),
        failed: !passed,
        fingerprint: "cargo test".into(),
        test_command: Some("cargo test".into()),
        ..PostEvent::default()
    }
}

#[test]
fn a_call_seen_by_pre_and_post_counts_once() {
    let mut s = SessionState::default();
    s.note_pre_tool_use(Some("t1"), "Bash", Some(Verdict::Allow), None, 1);
    s.note_post_tool_use(&test_run("t1", true), 2);
    s.note_post_tool_use(&test_run("t1", true), 3);
    s.note_pre_tool_use(Some("t1"), "Bash", Some(Verdict::Allow), None, 4);
    assert_eq!(s.tool_calls, 1);
    assert_eq!(s.tests.runs, 1);
}

#[test]
fn a_call_seen_only_by_post_still_counts() {
    let mut s = SessionState::default();
    s.note_post_tool_use(&edit("t1", "/p/a.rs"), 1);
    assert_eq!(s.tool_calls, 1);
    assert_eq!(s.edits.get("/p/a.rs").map(|e| e.count), Some(1));
}

#[test]
fn denied_calls_are_not_tool_calls() {
    let mut s = SessionState::default();
    s.note_pre_tool_use(Some("t1"), "Bash", Some(Verdict::Deny), None, 1);
    assert_eq!((s.tool_calls, s.denied_calls), (0, 1));
}

#[test]
fn failures_count_per_fingerprint_and_keep_the_last_error_line() {
    let mut s = SessionState::default();
    s.note_post_tool_use(
        &bash_failure("a", "cargo  build", "Exit code 101\nerror: x\n"),
        1,
    );
    s.note_post_tool_use(
        &bash_failure("b", "cargo build", "Exit code 101\nerror: y"),
        2,
    );
    s.note_post_tool_use(&bash_failure("c", "ls nothing", "Exit code 2\nls: no"), 3);
    let facts = s.facts_at(3);
    assert_eq!(facts.total_failures, 3);
    let build = facts
        .failures
        .get("cargo build")
        .map(|f| (f.count, f.last_error_line.clone()));
    assert_eq!(build, Some((2, "error: y".into())));
}

#[test]
fn asks_followed_by_a_run_are_approvals() {
    let mut s = SessionState::default();
    s.note_pre_tool_use(Some("a"), "Bash", Some(Verdict::Ask), None, 1);
    s.note_pre_tool_use(Some("b"), "Bash", Some(Verdict::Ask), None, 1);
    s.note_post_tool_use(&test_run("a", true), 2);
    assert_eq!((s.asks.requested, s.asks.granted), (2, 1));
    assert!(s.pending_asks.contains_key("b"));
}

#[test]
fn tests_after_edit_needs_a_later_passing_run() {
    type Steps = &'static [(&'static str, bool)];
    let rows: &[(&str, Steps, bool)] = &[
        ("no edits", &[], true),
        ("edit, no test", &[("edit", true)], false),
        (
            "edit, failing test",
            &[("edit", true), ("test", false)],
            false,
        ),
        (
            "edit, passing test",
            &[("edit", true), ("test", true)],
            true,
        ),
        (
            "passing test, then edit",
            &[("test", true), ("edit", true)],
            false,
        ),
        (
            "edit, pass, then fail",
            &[("edit", true), ("test", true), ("test", false)],
            false,
        ),
        (
            "edit, fail, then pass",
            &[("edit", true), ("test", false), ("test", true)],
            true,
        ),
    ];
    for (name, steps, expected) in rows {
        let mut s = SessionState::default();
        for (i, (kind, ok)) in steps.iter().enumerate() {
            let id = format!("t{i}");
            let event = if *kind == "edit" {
                edit(&id, "/p/a.rs")
            } else {
                test_run(&id, *ok)
            };
            s.note_post_tool_use(&event, 1);
        }
        assert_eq!(s.tested_since_last_edit(), *expected, "{name}");
    }
}

#[test]
fn a_stop_is_kept_once_recorded() {
    let mut s = SessionState::default();
    let first = StopFact {
        reason: "schema change".into(),
        origin: "budget.toml:3".into(),
    };
    s.note_pre_tool_use(
        Some("a"),
        "Edit",
        Some(Verdict::Deny),
        Some(first.clone()),
        1,
    );
    let second = StopFact {
        reason: "other".into(),
        origin: "x".into(),
    };
    s.note_pre_tool_use(Some("b"), "Edit", Some(Verdict::Deny), Some(second), 2);
    assert_eq!(s.facts_at(2).stopped, Some(first));
}

#[test]
fn the_first_prompt_is_the_task_request() {
    let mut s = SessionState::default();
    s.note_prompt("fix the invoice export", Some("default"), 1);
    s.note_prompt("also the tests", None, 2);
    assert_eq!(s.task_request.as_deref(), Some("fix the invoice export"));
    assert_eq!(s.prompts, 2);
}

#[test]
fn minutes_run_from_the_first_event() {
    let mut s = SessionState::default();
    s.note_prompt("x", None, 1_000);
    assert_eq!(s.facts_at(1_000 + 5 * 60_000 + 59_000).minutes, 5);
}

#[test]
fn state_size_stays_bounded_over_a_long_session() {
    let mut s = SessionState::default();
    for i in 0..10_000 {
        let id = format!("toolu_{i:08}");
        s.note_pre_tool_use(Some(&id), "Edit", Some(Verdict::Ask), None, i);
        s.note_post_tool_use(&edit(&id, &format!("/p/f{}.rs", i % 20)), i);
    }
    assert_eq!(s.tool_calls, 10_000);
    assert!(s.recent_calls.len() <= RECENT_CALLS);
    let size = serde_json::to_vec(&s)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    assert!(size < 64 * 1024, "state grew to {size} bytes");
}

#[test]
fn untested_edits_are_files_changed_after_the_last_passing_run() {
    let mut s = SessionState::default();
    s.note_post_tool_use(&edit("a", "/p/a.rs"), 1);
    s.note_post_tool_use(&test_run("b", true), 2);
    s.note_post_tool_use(&edit("c", "/p/b.rs"), 3);
    assert_eq!(s.untested_edits(), vec!["/p/b.rs".to_string()]);
}

#[test]
fn a_test_run_whose_status_does_not_show_is_neither_a_pass_nor_a_failure() {
    let mut s = SessionState::default();
    s.note_post_tool_use(&edit("t1", "/p/a.rs"), 1);
    let undecided = PostEvent {
        test_undecided: true,
        ..test_run("t2", true)
    };
    s.note_post_tool_use(&undecided, 2);
    assert_eq!((s.tests.runs, s.tests.undecided), (1, 1));
    assert_eq!((s.tests.passed, s.tests.failed), (0, 0));
    assert!(!s.tested_since_last_edit());
    s.note_post_tool_use(&test_run("t3", true), 3);
    assert!(s.tested_since_last_edit());
}
