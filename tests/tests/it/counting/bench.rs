//! Measurements, not assertions (DESIGN §3: no timing asserts in tests). Run with
//! `cargo test --release -p budget-tests counting::bench -- --ignored --nocapture`.
//!
//! * one locked state update (read, change, temp write, rename) after 10 and after 10,000
//!   events;
//! * one transcript refresh (a few appended lines) after the first read of a 1 MB and of a
//!   100 MB transcript.

use budget_policy::session::{PostEvent, SessionState};
use budget_policy::store::{Session, transcript};
use budget_policy::verdict::Verdict;
use std::io::Write;
use std::time::{Duration, Instant};

fn event(i: u64) -> PostEvent {
    PostEvent {
        tool_use_id: Some(format!("toolu_{i:012}")),
        tool_name: "Edit".into(),
        fingerprint: format!("Edit /p/src/file{}.rs", i % 40),
        edited: vec![format!("/p/src/file{}.rs", i % 40)],
        failed: i.is_multiple_of(7),
        ..PostEvent::default()
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn update_cost(events: u64) -> (Duration, usize) {
    let tmp = tempfile::tempdir().unwrap();
    let session = Session::open(tmp.path().join("s")).unwrap();
    let mut state = SessionState::default();
    for i in 0..events {
        state.note_pre_tool_use(
            Some(&format!("toolu_{i:012}")),
            "Edit",
            Some(Verdict::Allow),
            None,
            i,
        );
        state.note_post_tool_use(&event(i), i);
    }
    session
        .update(Duration::from_secs(1), |s| *s = state)
        .unwrap();
    let size = std::fs::metadata(session.state_path())
        .map(|m| m.len() as usize)
        .unwrap_or(0);
    let samples = (0..200)
        .map(|k| {
            let start = Instant::now();
            session
                .update(Duration::from_secs(1), |s| {
                    s.note_post_tool_use(&event(events + k), events + k)
                })
                .unwrap();
            start.elapsed()
        })
        .collect();
    (median(samples), size)
}

fn assistant_line(i: u64) -> String {
    format!(
        "{{\"type\":\"assistant\",\"requestId\":\"req_{i}\",\"message\":{{\"id\":\"msg_{i}\",\"model\":\"claude-sonnet-4-5\",\"content\":[{{\"type\":\"text\",\"text\":\"{}\"}}],\"usage\":{{\"input_tokens\":10,\"output_tokens\":5,\"cache_creation_input_tokens\":100,\"cache_read_input_tokens\":1000}}}}}}\n",
        "x".repeat(300)
    )
}

fn user_line() -> String {
    format!(
        "{{\"type\":\"user\",\"message\":{{\"role\":\"user\",\"content\":\"{}\"}}}}\n",
        "y".repeat(700)
    )
}

fn refresh_cost(bytes: u64) -> (Duration, Duration) {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("t.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut written = 0u64;
    let mut i = 0;
    while written < bytes {
        let chunk = assistant_line(i) + &user_line();
        written += chunk.len() as u64;
        file.write_all(chunk.as_bytes()).unwrap();
        i += 1;
    }
    drop(file);
    let mut state = SessionState::default();
    let start = Instant::now();
    // The first read may take several refreshes (bounded bytes per call).
    while state.spend.cursors.values().map(|c| c.offset).sum::<u64>() < written {
        transcript::refresh(&mut state, &path, &[]).unwrap();
    }
    let first = start.elapsed();
    let mut appender = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    let samples = (0..200)
        .map(|k| {
            appender
                .write_all((assistant_line(i + k) + &user_line()).as_bytes())
                .unwrap();
            let start = Instant::now();
            transcript::refresh(&mut state, &path, &[]).unwrap();
            start.elapsed()
        })
        .collect();
    (first, median(samples))
}

#[test]
#[ignore = "benchmark: run explicitly with --ignored --nocapture (release)"]
fn bench_state_update_and_transcript_refresh() {
    for events in [10, 10_000] {
        let (cost, size) = update_cost(events);
        eprintln!(
            "state update after {events:>6} events: median {cost:?} (state.json {size} bytes)"
        );
    }
    for mb in [1, 100] {
        let (first, next) = refresh_cost(mb * 1024 * 1024);
        eprintln!(
            "transcript {mb:>3} MB: first read {first:?}, then median refresh {next:?} per appended response"
        );
    }
}
