//! The packet's first line, one row per outcome: what CI and a reviewer read first.

use budget_policy::env::Env;
use budget_policy::fsview::RealFs;
use budget_policy::report::{Packet, Place};
use budget_policy::store::record::Event;
use serde_json::json;
use std::path::Path;

/// The packet's place: a project root that does not exist, no git identity to find.
fn place() -> Place<'static> {
    static ENV: std::sync::OnceLock<Env> = std::sync::OnceLock::new();
    Place::new(Path::new("/proj"), ENV.get_or_init(Env::default), &RealFs)
}

fn ev(event: &str) -> Event {
    Event {
        ts: "2026-03-01T12:00:00.000Z".into(),
        event: event.into(),
        ..Event::default()
    }
}

fn edit_ok() -> Vec<Event> {
    let mut pre = ev("PreToolUse");
    pre.tool = Some("Edit".into());
    pre.tool_use_id = Some("e1".into());
    pre.decision = Some("allow".into());
    pre.input = Some(json!({"file_path": "/proj/src/a.rs"}));
    let mut post = pre.clone();
    post.event = "PostToolUse".into();
    post.decision = None;
    post.outcome = Some("ok".into());
    vec![pre, post]
}

fn tests_passed() -> Vec<Event> {
    let mut post = ev("PostToolUse");
    post.tool = Some("Bash".into());
    post.summary = Some("cargo test".into());
    post.input = Some(json!({"command": "cargo test"}));
    post.outcome = Some("ok".into());
    post.test = Some(true);
    post.test_status = Some("passed".into());
    vec![post]
}

fn halt(code: &str, reason: &str) -> Event {
    let mut pre = ev("PreToolUse");
    pre.tool = Some("Bash".into());
    pre.summary = Some("terraform apply".into());
    pre.decision = Some("deny".into());
    pre.code = Some(code.into());
    pre.reason = Some(reason.into());
    pre.stop_reason = Some(reason.into());
    pre
}

fn line(events: &[Event]) -> String {
    let packet = Packet::build(events, None, None, &place());
    let markdown = packet.markdown();
    let first = markdown
        .lines()
        .find(|l| l.starts_with("**Outcome"))
        .unwrap_or_default()
        .to_owned();
    assert!(
        markdown.find("**Outcome").unwrap_or(usize::MAX) < markdown.find("## ").unwrap_or(0),
        "the outcome opens the packet:\n{markdown}"
    );
    first
}

macro_rules! outcome {
    ($name:ident, $events:expr => $want:expr) => {
        #[test]
        fn $name() {
            let got = line(&$events);
            assert!(got.starts_with(&format!("**Outcome: {}", $want)), "{got}");
        }
    };
}

outcome!(a_change_followed_by_passing_tests_completed_with_evidence,
    [edit_ok(), tests_passed()].concat() => "completed with evidence");
outcome!(a_read_only_run_completed_with_evidence, Vec::<Event>::new() => "completed with evidence");
outcome!(a_change_without_tests_completed_with_gaps,
    edit_ok() => "completed with gaps: no passing test run after the last change of `src/a.rs`");
outcome!(the_stop_gate_used_up_completed_with_gaps, {
    let mut stop = ev("Stop");
    stop.missing_evidence = vec!["tests not run after the last edit".into()];
    [edit_ok(), vec![stop]].concat()
} => "completed with gaps: tests not run after the last edit");
outcome!(a_stop_rule_halted_the_run,
    [halt("stop-rule", "Deploying is outside this budget.")] => "halted — stop rule: Deploying is outside this budget.");
outcome!(a_spend_halt_halted_the_run,
    [halt("spend-exceeded", "[spend] max_usd = 5 is reached")] => "halted — spend limit: [spend] max_usd = 5 is reached");
outcome!(a_tamper_halt_outranks_everything, {
    let mut post = ev("PostToolUse");
    post.code = Some("tamper-detected".into());
    post.summary = Some("python3 fix.py".into());
    post.stop_reason = Some("`.claude/budget.toml` changed and was restored".into());
    [vec![halt("stop-rule", "x")], edit_ok(), vec![post]].concat()
} => "halted — tamper detected: `.claude/budget.toml` changed and was restored (call: python3 fix.py)");
outcome!(a_secret_exposure_halted_the_run, {
    let mut post = ev("PostToolUse");
    post.code = Some("secret-exposed".into());
    post.summary = Some("node print-env.js".into());
    post.stop_reason = Some("a secret from `.env` reached the agent".into());
    vec![post]
} => "halted — secret exposed: a secret from `.env` reached the agent");
outcome!(a_call_without_the_pre_hook_is_gate_off, {
    let mut post = ev("PostToolUse");
    post.code = Some("gate-off".into());
    post.summary = Some("rm -rf build".into());
    [tests_passed(), vec![post]].concat()
} => "gate off");

#[test]
fn a_spend_halt_is_listed_under_stops_once_not_only_under_denials() {
    let later = {
        let mut e = halt("spend-exceeded", "[spend] max_usd = 5 is reached");
        e.summary = Some("ls".into());
        e
    };
    let events = [
        halt("spend-exceeded", "[spend] max_usd = 5 is reached"),
        later,
    ];
    let packet = Packet::build(&events, None, None, &place());
    assert_eq!(packet.stops.len(), 1, "{:#?}", packet.stops);
    assert!(packet.denied.is_empty(), "{:#?}", packet.denied);
    assert!(
        packet
            .markdown()
            .contains("## Stop rules hit\n\n- Bash `terraform apply`")
    );
}
