//! Rows for the limits checked on every call: `[retry]` failures and edits, `[spend]`
//! dollars, tokens, calls and minutes, the `warn_at` note and halting.

use super::*;

#[test]
fn retries_spend_and_limits_deny_with_what_happened() {
    let repo = r#"
version = 1
[run]
allow = ["cargo test"]
[retry]
same_command_failures = 3
same_file_edits = 2
[spend]
max_usd = 5.0
warn_at = 0.5
[edit]
allow = ["**"]
"#;
    let f = fixture(repo);
    let mut facts = SessionFacts::default();
    facts.failures.insert(
        fingerprint("cargo  test"),
        FailureFact {
            count: 3,
            last_error_line: "test parse_invoice ... FAILED".into(),
            ..FailureFact::default()
        },
    );
    let d = f.decide_with(bash("cargo test"), &facts, false);
    assert_eq!(d.code, Code::RetryLimit);
    assert!(
        d.reason.contains("3 times") && d.reason.contains("parse_invoice"),
        "{}",
        d.reason
    );

    facts.edits.insert(
        f.path("src/a.rs"),
        crate::session::state::EditCount {
            count: 2,
            last_seq: 1,
        },
    );
    assert_eq!(
        f.decide_with(f.edit("src/a.rs"), &facts, false).code,
        Code::RetryLimit
    );

    let warn = SessionFacts {
        spend_usd: 3.0,
        ..SessionFacts::default()
    };
    let d = f.decide_with(bash("cargo test"), &warn, false);
    assert_eq!(d.verdict, Some(Verdict::Allow));
    assert!(
        d.note.as_deref().is_some_and(|n| n.contains("60%")),
        "{:?}",
        d.note
    );
    let over = SessionFacts {
        spend_usd: 5.5,
        ..SessionFacts::default()
    };
    let d = f.decide_with(bash("cargo test"), &over, false);
    assert_eq!(
        (d.verdict, d.code),
        (Some(Verdict::Deny), Code::SpendExceeded)
    );
}

#[test]
fn spend_limits_trip_when_reached_and_say_which() {
    let f = fixture("version = 1\n[spend]\nmax_usd = 10.0\nmax_tool_calls = 600\n");
    let rows: &[(f64, u64, Option<&str>)] = &[
        (9.99, 599, None),
        (10.0, 0, Some("max_usd")),
        (0.0, 600, Some("max_tool_calls")),
        (12.0, 700, Some("max_usd")),
    ];
    for (usd, calls, expected) in rows {
        let facts = SessionFacts {
            spend_usd: *usd,
            tool_calls: *calls,
            ..SessionFacts::default()
        };
        let hit = limit_reached(&f.budget, &facts);
        assert_eq!(
            hit.as_ref().map(|h| h.rule.as_str()),
            *expected,
            "{usd} {calls}"
        );
    }
}

#[test]
fn a_halting_spend_limit_stops_the_run() {
    let f = fixture("version = 1\n[spend]\nmax_tokens = 10\non_exceed = \"halt\"\n");
    let facts = SessionFacts {
        spend_tokens: 10,
        ..SessionFacts::default()
    };
    assert_eq!(
        limit_reached(&f.budget, &facts).map(|h| h.rule),
        Some("max_tokens".into())
    );
    let d = f.decide_with(bash("ls"), &facts, false);
    assert_eq!(d.code, Code::SpendExceeded);
    assert!(d.stop_reason.is_some(), "halt stops the run: {}", d.reason);
}

#[test]
fn the_spend_warning_comes_once_past_warn_at() {
    let f =
        fixture("version = 1\n[spend]\nmax_usd = 10.0\nwarn_at = 0.8\n[run]\nallow = [\"ls\"]\n");
    let note = |usd: f64, warned: bool| {
        let facts = SessionFacts {
            spend_usd: usd,
            warned,
            ..SessionFacts::default()
        };
        f.decide_with(bash("ls"), &facts, false).note
    };
    assert_eq!(note(7.9, false), None);
    assert!(note(8.0, false).is_some_and(|n| n.contains("80%")));
    assert_eq!(note(9.0, true), None);
}
