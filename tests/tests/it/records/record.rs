//! The run record: what is written, that it is redacted, and that parallel appends and torn
//! lines never lose or corrupt events.

use budget_policy::protocol::HookInput;
use budget_policy::redact::Redactor;
use budget_policy::store::record::{self, Event};
use serde_json::json;

fn hook_input(value: serde_json::Value) -> HookInput {
    serde_json::from_value(value).expect("hook input")
}

#[test]
fn a_recorded_call_keeps_its_command_decision_and_rule_but_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let input = hook_input(json!({
        "session_id": "s1", "cwd": "/p", "permission_mode": "default",
        "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_use_id": "toolu_1",
        "tool_input": {"command": "GITHUB_TOKEN=abc123 git push --force origin main"},
    }));
    let mut event = Event::from_input(&input);
    event.decision = Some("deny".into());
    event.code = Some("command-denied".into());
    event.rule = Some(".claude/budget.toml:12:9".into());
    event.reason = Some("`git push` is denied".into());
    record::append(dir.path(), &event, &Redactor::new(&[])).unwrap();

    let raw = std::fs::read_to_string(dir.path().join("events.jsonl")).unwrap();
    assert!(
        !raw.contains("abc123"),
        "secret written to the record: {raw}"
    );
    assert_eq!(raw.lines().count(), 1);
    let events = record::read(dir.path()).unwrap();
    let got = &events[0];
    assert_eq!(got.event, "PreToolUse");
    assert_eq!(
        got.summary.as_deref(),
        Some("GITHUB_TOKEN=[REDACTED:assignment] git push --force origin main")
    );
    assert_eq!(
        got.input.as_ref().map(|i| i["command"].clone()),
        Some(json!(
            "GITHUB_TOKEN=[REDACTED:assignment] git push --force origin main"
        ))
    );
    assert_eq!(got.rule.as_deref(), Some(".claude/budget.toml:12:9"));
    assert!(
        got.ts.ends_with('Z') && got.ts.len() == 24,
        "timestamp {}",
        got.ts
    );
}

#[test]
fn a_failed_command_records_its_exit_code_and_first_error_line() {
    let input = hook_input(json!({
        "hook_event_name": "PostToolUseFailure", "tool_name": "Bash",
        "tool_input": {"command": "cargo test"},
        "error": "Exit code 101\nerror: test failed, to rerun pass `--lib`\n...",
    }));
    let event = Event::from_input(&input);
    assert_eq!(event.outcome.as_deref(), Some("failed"));
    assert_eq!(
        event.error.as_deref(),
        Some("Exit code 101: error: test failed, to rerun pass `--lib`")
    );
}

#[test]
fn parallel_appends_of_long_lines_never_tear_or_lose_events() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(20_000); // far beyond PIPE_BUF
    std::thread::scope(|scope| {
        for thread in 0..8 {
            let (dir, long) = (dir.path(), &long);
            scope.spawn(move || {
                let redactor = Redactor::new(&[]);
                for n in 0..50 {
                    let event = Event {
                        ts: record::rfc3339_now(),
                        event: "PreToolUse".into(),
                        seq: Some(thread * 1000 + n),
                        summary: Some(long.clone()),
                        ..Event::default()
                    };
                    record::append(dir, &event, &redactor).unwrap();
                }
            });
        }
    });
    let raw = std::fs::read_to_string(dir.path().join("events.jsonl")).unwrap();
    assert_eq!(raw.lines().count(), 400);
    let events = record::read(dir.path()).unwrap();
    assert_eq!(events.len(), 400, "some lines were torn");
    let mut seqs: Vec<_> = events.iter().filter_map(|e| e.seq).collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 400);
}

#[test]
fn a_torn_last_line_is_skipped_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let event = Event {
        ts: record::rfc3339_now(),
        event: "Stop".into(),
        ..Event::default()
    };
    record::append(dir.path(), &event, &Redactor::new(&[])).unwrap();
    let path = dir.path().join("events.jsonl");
    let mut raw = std::fs::read(&path).unwrap();
    raw.extend_from_slice(br#"{"ts":"2026-01-01T00:00:00.000Z","event":"PreTo"#);
    std::fs::write(&path, raw).unwrap();
    let events = record::read(dir.path()).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event, "Stop");
}

#[test]
fn appending_creates_the_session_directory() {
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("runs/key/session-1");
    let event = Event {
        ts: record::rfc3339_now(),
        event: "SessionStart".into(),
        ..Event::default()
    };
    record::append(&session, &event, &Redactor::new(&[])).unwrap();
    assert_eq!(
        record::sessions_under(&[dir.path().join("runs")]),
        vec![session]
    );
}
