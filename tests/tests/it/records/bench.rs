//! Cost of redaction + append per event, measured (not asserted): run with
//! `cargo test --release -p budget-tests --test it records::bench -- --ignored --nocapture`.

use budget_policy::redact::Redactor;
use budget_policy::store::record::{self, Event};
use serde_json::json;
use std::time::Instant;

fn event(command: &str) -> Event {
    Event {
        ts: record::rfc3339_now(),
        event: "PreToolUse".into(),
        session_id: Some("39d6be26-b9ef-44dd-bf6f-07cc3105fabf".into()),
        tool: Some("Bash".into()),
        tool_use_id: Some("toolu_9d07fb82041c4417b1c87722".into()),
        summary: Some(command.into()),
        input: Some(json!({"command": command, "description": "run the export tests"})),
        decision: Some("allow".into()),
        code: Some("allowed".into()),
        rule: Some(".claude/budget.toml:14:11".into()),
        permission_mode: Some("default".into()),
        cwd: Some("/home/dev/proj".into()),
        ..Event::default()
    }
}

#[test]
#[ignore = "measurement: run explicitly with --ignored --nocapture"]
fn measure_redaction_and_append_cost_per_event() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "plain command",
            "RUST_LOG=debug cargo test -p billing-export -- --nocapture",
        ),
        (
            "command with a token",
            "GITHUB_TOKEN=ghp_R2d2C3poL0rEmIpSuMd0L0rS1tAmEt0001 gh pr list --state open",
        ),
    ];
    for (what, command) in cases {
        let redactor = Redactor::new(&[]);
        let cold = Instant::now();
        let first = redactor.text(command).into_owned();
        let cold_us = cold.elapsed().as_secs_f64() * 1e6;
        let n = 10_000u32;
        let start = Instant::now();
        for _ in 0..n {
            std::hint::black_box(redactor.text(std::hint::black_box(command)));
        }
        let redact_us = start.elapsed().as_secs_f64() * 1e6 / f64::from(n);
        let ev = event(command);
        let start = Instant::now();
        for _ in 0..n {
            record::append(dir.path(), &ev, &redactor).unwrap();
        }
        let append_us = start.elapsed().as_secs_f64() * 1e6 / f64::from(n);
        eprintln!(
            "{what}: first redaction {cold_us:.1} µs (includes regex compile), then {redact_us:.2} µs; \
             redact+append {append_us:.2} µs/event  [{first}]"
        );
    }
    let lines = std::fs::read_to_string(dir.path().join("events.jsonl")).map(|t| t.lines().count());
    assert_eq!(lines.ok(), Some(20_000));
}
