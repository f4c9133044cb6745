//! Transcript reader tests on synthetic transcripts.

use super::*;
use crate::session::spend::{Usage, price_for};
use std::io::Write;

fn assistant(id: &str, req: &str, model: &str, input: u64, output: u64) -> String {
    serde_json::json!({
        "type": "assistant", "requestId": req, "isSidechain": false,
        "message": {"id": id, "model": model, "role": "assistant",
            "content": [{"type": "text", "text": "hi"}],
            "usage": {"input_tokens": input, "output_tokens": output,
                "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}
    })
    .to_string()
        + "\n"
}

fn user_line() -> String {
    "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"assistant usage\"}}\n".into()
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sess.jsonl");
        std::fs::write(&path, "").unwrap();
        Fixture { _dir: dir, path }
    }
    fn append(&self, text: &str) {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    }
    fn refresh(&self, state: &mut SessionState) {
        refresh(state, &self.path, &[]).unwrap();
    }
}

const OPUS5: &str = "claude-opus-5-5";

#[test]
fn per_content_block_copies_count_once() {
    let fx = Fixture::new();
    fx.append(
        &(assistant("m1", "r1", OPUS5, 100, 7)
            + &assistant("m1", "r1", OPUS5, 100, 7)
            + &user_line()),
    );
    let mut s = SessionState::default();
    fx.refresh(&mut s);
    assert_eq!(
        (
            s.spend.tokens.input_tokens,
            s.spend.tokens.output_tokens,
            s.spend.responses
        ),
        (100, 7, 1)
    );
}

#[test]
fn streaming_partials_keep_the_largest_usage() {
    let fx = Fixture::new();
    fx.append(&assistant("m1", "r1", OPUS5, 100, 1));
    let mut s = SessionState::default();
    fx.refresh(&mut s);
    fx.append(&(assistant("m1", "r1", OPUS5, 100, 50) + &assistant("m1", "r1", OPUS5, 100, 3)));
    fx.refresh(&mut s);
    assert_eq!((s.spend.tokens.output_tokens, s.spend.responses), (50, 1));
    let expected = price_for(OPUS5, &[]).price.cost(&Usage {
        input_tokens: 100,
        output_tokens: 50,
        ..Usage::default()
    });
    assert!(
        (s.spend.usd - expected).abs() < 1e-12,
        "{} vs {expected}",
        s.spend.usd
    );
}

#[test]
fn the_same_message_id_under_another_request_is_another_response() {
    let fx = Fixture::new();
    fx.append(&(assistant("m1", "r1", OPUS5, 10, 1) + &assistant("m1", "r2", OPUS5, 10, 1)));
    let mut s = SessionState::default();
    fx.refresh(&mut s);
    assert_eq!(s.spend.tokens.input_tokens, 20);
}

#[test]
fn synthetic_messages_are_not_spend() {
    let fx = Fixture::new();
    fx.append(&assistant("m1", "r1", "<synthetic>", 10, 1));
    let mut s = SessionState::default();
    fx.refresh(&mut s);
    assert_eq!(s.spend.tokens.total(), 0);
}

#[test]
fn a_line_still_being_written_is_counted_once_complete() {
    let fx = Fixture::new();
    let line = assistant("m1", "r1", OPUS5, 10, 1);
    let (head, tail) = line.split_at(40);
    fx.append(head);
    let mut s = SessionState::default();
    fx.refresh(&mut s);
    assert_eq!(s.spend.tokens.total(), 0);
    fx.append(tail);
    fx.refresh(&mut s);
    assert_eq!(s.spend.tokens.total(), 11);
    fx.refresh(&mut s);
    assert_eq!(s.spend.tokens.total(), 11);
}

#[test]
fn a_file_replaced_by_a_shorter_one_is_read_again_from_the_start() {
    let fx = Fixture::new();
    fx.append(
        &(assistant("m1", "r1", OPUS5, 10, 1)
            + &assistant("m2", "r2", OPUS5, 20, 2)
            + &user_line()),
    );
    let mut s = SessionState::default();
    fx.refresh(&mut s);
    // Replaced: one response already counted, one new one, shorter than the old offset.
    std::fs::write(
        &fx.path,
        assistant("m1", "r1", OPUS5, 10, 1) + &assistant("m3", "r3", OPUS5, 5, 1),
    )
    .unwrap();
    fx.refresh(&mut s);
    assert_eq!(s.spend.tokens.input_tokens, 35);
    assert_eq!(s.spend.cursors.values().map(|c| c.restarts).sum::<u32>(), 1);
}

#[test]
fn a_file_replaced_by_a_longer_different_one_is_detected_by_its_head() {
    let fx = Fixture::new();
    fx.append(&assistant("m1", "r1", OPUS5, 10, 1));
    let mut s = SessionState::default();
    fx.refresh(&mut s);
    let replacement = assistant("m9", "r9", OPUS5, 1, 1)
        + &user_line()
        + &user_line()
        + &assistant("m8", "r8", OPUS5, 2, 1);
    let tmp = fx.path.with_extension("new");
    std::fs::write(&tmp, replacement).unwrap();
    std::fs::rename(&tmp, &fx.path).unwrap();
    fx.refresh(&mut s);
    assert_eq!(s.spend.tokens.input_tokens, 13);
}

#[test]
fn subagent_transcripts_and_sidechain_copies_are_counted_once() {
    let fx = Fixture::new();
    // The main transcript carries a sidechain copy of the subagent's response.
    fx.append(
        &(assistant("m1", "r1", OPUS5, 10, 1)
            + &assistant("sub1", "rs1", "claude-haiku-4-5", 7, 1)),
    );
    let sub_dir = fx.path.with_extension("").join("subagents");
    std::fs::create_dir_all(&sub_dir).unwrap();
    std::fs::write(
        sub_dir.join("agent-a.jsonl"),
        assistant("sub1", "rs1", "claude-haiku-4-5", 7, 1)
            + &assistant("sub2", "rs2", "claude-haiku-4-5", 3, 1),
    )
    .unwrap();
    std::fs::write(
        sub_dir.join("notes.txt"),
        assistant("x", "x", OPUS5, 1000, 1),
    )
    .unwrap();
    let mut s = SessionState::default();
    fx.refresh(&mut s);
    assert_eq!(s.spend.tokens.input_tokens, 20);
    assert!(s.spend.models.contains("claude-haiku-4-5"));
    assert_eq!(s.spend.cursors.len(), 2);
}

#[test]
fn unknown_models_are_priced_conservatively_and_listed() {
    let fx = Fixture::new();
    fx.append(&assistant("m1", "r1", "mystery-model", 1_000_000, 0));
    let mut s = SessionState::default();
    fx.refresh(&mut s);
    assert!(s.spend.unknown_models.contains("mystery-model"));
    assert!((s.spend.usd - crate::session::spend::UNKNOWN_MODEL_PRICE.input).abs() < 1e-9);
}

#[test]
fn a_missing_transcript_adds_nothing() {
    let mut s = SessionState::default();
    refresh(&mut s, Path::new("/nonexistent/x.jsonl"), &[]).unwrap();
    assert_eq!(s.spend, SpendState::default());
}

#[test]
fn overlong_lines_are_skipped_without_losing_the_next_line() {
    let fx = Fixture::new();
    let huge = format!(
        "{{\"type\":\"user\",\"x\":\"{}\"}}\n",
        "a".repeat(MAX_LINE_BYTES + 10)
    );
    fx.append(&(huge + &assistant("m1", "r1", OPUS5, 10, 1)));
    let mut s = SessionState::default();
    fx.refresh(&mut s);
    assert_eq!(
        (s.spend.tokens.input_tokens, s.spend.skipped_lines),
        (10, 1)
    );
}

#[test]
fn a_line_longer_than_one_refresh_is_skipped_over_several_calls_and_spend_counted_after_it() {
    let fx = Fixture::new();
    // A sparse hole of NUL bytes: one line longer than a whole refresh window, then a real
    // response. Before the fix the reader stayed at offset 0 forever (spend never counted).
    let hole = MAX_BYTES_PER_REFRESH + MAX_BYTES_PER_REFRESH / 4;
    std::fs::OpenOptions::new()
        .write(true)
        .open(&fx.path)
        .unwrap()
        .set_len(hole)
        .unwrap();
    fx.append(&("\n".to_string() + &assistant("m1", "r1", OPUS5, 10, 1)));
    let mut s = SessionState::default();
    fx.refresh(&mut s);
    let cursor = s.spend.cursors.values().next().cloned().unwrap_or_default();
    assert_eq!(
        (cursor.offset, cursor.in_long_line),
        (MAX_BYTES_PER_REFRESH, true)
    );
    assert_eq!(s.spend.tokens.input_tokens, 0);
    fx.refresh(&mut s);
    assert_eq!(
        (s.spend.tokens.input_tokens, s.spend.skipped_lines),
        (10, 1)
    );
    let cursor = s.spend.cursors.values().next().cloned().unwrap_or_default();
    assert!(!cursor.in_long_line);
    assert_eq!(cursor.offset, std::fs::metadata(&fx.path).unwrap().len());
}

#[test]
fn a_cursor_written_before_the_fast_head_hash_is_not_read_again() {
    let fx = Fixture::new();
    fx.append(&(assistant("m1", "r1", OPUS5, 100, 7) + &user_line()));
    let mut s = SessionState::default();
    fx.refresh(&mut s);
    let tokens = s.spend.tokens.total();
    // As an older version left it: the bare SHA-256 prefix of the same head.
    for cursor in s.spend.cursors.values_mut() {
        let head = std::fs::read(&fx.path).unwrap();
        let len = usize::try_from(cursor.head_len).unwrap();
        cursor.head_hash = sha256_prefix(&head[..len]);
    }
    fx.append(&assistant("m2", "r2", OPUS5, 10, 1));
    fx.refresh(&mut s);
    assert_eq!(s.spend.tokens.total(), tokens + 11, "read again or lost");
    assert_eq!(s.spend.cursors.values().map(|c| c.restarts).sum::<u32>(), 0);
    assert!(
        s.spend
            .cursors
            .values()
            .all(|c| c.head_hash.starts_with(HASH_TAG)),
        "moved to the fast hash"
    );
}
