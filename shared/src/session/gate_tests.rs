//! Stop-gate tests.

use super::*;
use crate::session::PostEvent;

fn gate(active: bool, rollback: Option<RollbackNote>) -> GateInput {
    GateInput {
        tests_after_edit: true,
        test_commands: vec!["cargo test".into()],
        rollback,
        rollback_note_path: ".claude/rollback.md".into(),
        stop_blocks: 3,
        stop_hook_active: active,
        limit_reached: None,
    }
}

fn edited() -> SessionState {
    let mut s = SessionState::default();
    let edit = PostEvent {
        tool_use_id: Some("e".into()),
        edited: vec!["/p/a.rs".into()],
        ..PostEvent::default()
    };
    s.note_post_tool_use(&edit, 1);
    s
}

#[test]
fn the_gate_blocks_until_tests_pass_after_the_last_edit() {
    let mut s = edited();
    let first = stop_gate(&mut s, &gate(false, None));
    assert!(
        matches!(&first, Gate::Block { reason, .. } if reason.contains("cargo test") && reason.contains("/p/a.rs")),
        "{first:?}"
    );
    let test = PostEvent {
        tool_use_id: Some("t".into()),
        test_command: Some("cargo test".into()),
        ..PostEvent::default()
    };
    s.note_post_tool_use(&test, 2);
    assert_eq!(stop_gate(&mut s, &gate(true, None)), Gate::Pass);
}

#[test]
fn the_gate_gives_up_after_stop_blocks_in_a_row() {
    let mut s = edited();
    let outcomes: Vec<bool> = (0..5)
        .map(|i| matches!(stop_gate(&mut s, &gate(i > 0, None)), Gate::Block { .. }))
        .collect();
    assert_eq!(outcomes, [true, true, true, false, false]);
    assert_eq!(s.stop_blocks, 3);
    assert!(!s.missing_evidence.is_empty());
    // The agent stopped; the user asked for more: a new chain gets its own blocks.
    assert!(matches!(
        stop_gate(&mut s, &gate(false, None)),
        Gate::Block { .. }
    ));
}

#[test]
fn a_missing_or_incomplete_rollback_note_blocks() {
    let mut s = SessionState::default();
    let missing = stop_gate(&mut s, &gate(false, Some(RollbackNote::Missing)));
    assert!(matches!(&missing, Gate::Block { reason, .. } if reason.contains("does not exist")));
    let partial = stop_gate(
        &mut s,
        &gate(false, Some(RollbackNote::Incomplete(vec!["Owner".into()]))),
    );
    assert!(matches!(&partial, Gate::Block { reason, .. } if reason.contains("`Owner`")));
    assert_eq!(
        stop_gate(&mut s, &gate(false, Some(RollbackNote::Complete))),
        Gate::Pass
    );
}

#[test]
fn a_run_ended_by_a_stop_rule_is_never_sent_back() {
    let mut s = edited();
    s.stopped = Some(crate::session::state::Stopped {
        reason: "schema change".into(),
        origin: "x".into(),
    });
    assert_eq!(stop_gate(&mut s, &gate(false, None)), Gate::Pass);
    assert!(!s.missing_evidence.is_empty());
}

#[test]
fn a_run_past_a_limit_may_stop_with_the_gap_recorded() {
    let mut s = edited();
    let input = GateInput {
        limit_reached: Some("[spend] max_usd (.claude/budget.toml:9:1)".into()),
        ..gate(false, Some(RollbackNote::Missing))
    };
    let answer = stop_gate(&mut s, &input);
    assert!(
        matches!(&answer, Gate::LimitReached { limit, missing }
            if limit.contains("max_usd") && missing.len() == 2),
        "{answer:?}"
    );
    assert_eq!(s.stop_blocks, 0, "not counted as a block");
    assert_eq!(s.missing_evidence.len(), 2, "the gap is recorded");
}

#[test]
fn a_hidden_status_test_run_is_named_as_such_until_a_deciding_run_passes() {
    let mut s = edited();
    let hidden = PostEvent {
        tool_use_id: Some("t".into()),
        test_command: Some("cargo test || true".into()),
        test_undecided: true,
        ..PostEvent::default()
    };
    s.note_post_tool_use(&hidden, 2);
    let gate_after_hidden = stop_gate(&mut s, &gate(false, None));
    assert!(
        matches!(&gate_after_hidden, Gate::Block { reason, .. }
            if reason.contains("hid its exit status")
                && reason.contains("`cargo test || true`")
                && reason.contains("Run `cargo test` on its own")),
        "{gate_after_hidden:?}"
    );
    let deciding = PostEvent {
        tool_use_id: Some("d".into()),
        test_command: Some("cargo test".into()),
        ..PostEvent::default()
    };
    s.note_post_tool_use(&deciding, 3);
    assert_eq!(stop_gate(&mut s, &gate(true, None)), Gate::Pass);
}

#[test]
fn a_hidden_status_run_before_the_last_edit_is_not_named() {
    let mut s = SessionState::default();
    let hidden = PostEvent {
        tool_use_id: Some("t".into()),
        test_command: Some("cargo test | tail".into()),
        test_undecided: true,
        ..PostEvent::default()
    };
    s.note_post_tool_use(&hidden, 1);
    let edit = PostEvent {
        tool_use_id: Some("e".into()),
        edited: vec!["/p/a.rs".into()],
        ..PostEvent::default()
    };
    s.note_post_tool_use(&edit, 2);
    let answer = stop_gate(&mut s, &gate(false, None));
    assert!(
        matches!(&answer, Gate::Block { reason, .. }
            if reason.contains("no test run since the last edit") && !reason.contains("hid")),
        "{answer:?}"
    );
}
