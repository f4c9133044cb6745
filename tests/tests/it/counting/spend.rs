//! Spend read from the real transcripts of Claude Code 2.1.329 must match the totals Claude
//! Code itself wrote into each transcript's closing `cost-state` line.

use budget_policy::session::SessionState;
use budget_policy::store::transcript;
use serde_json::Value;
use std::path::PathBuf;

fn fixtures() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/transcripts");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    files
}

/// Claude Code's own totals: the last `cost-state` line's model usage, summed over models.
fn claude_code_totals(path: &PathBuf) -> (u64, u64, u64, u64, f64) {
    let text = std::fs::read_to_string(path).unwrap();
    let line = text
        .lines()
        .rev()
        .find(|l| l.contains("\"cost-state\""))
        .unwrap_or_else(|| panic!("no cost-state in {}", path.display()));
    let value: Value = serde_json::from_str(line).unwrap();
    let mut totals = (0, 0, 0, 0, 0.0);
    for usage in value["modelUsage"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
    {
        let n = |k: &str| usage[k].as_u64().unwrap_or(0);
        totals.0 += n("inputTokens");
        totals.1 += n("outputTokens");
        totals.2 += n("cacheCreationInputTokens");
        totals.3 += n("cacheReadInputTokens");
        totals.4 += usage["costUSD"].as_f64().unwrap_or(0.0);
    }
    totals
}

#[test]
fn token_totals_match_claude_codes_own_cost_state() {
    let files = fixtures();
    assert!(files.len() >= 3, "the bundled transcripts are missing");
    for path in files {
        let mut state = SessionState::default();
        transcript::refresh(&mut state, &path, &[]).unwrap();
        let t = &state.spend.tokens;
        let (input, output, cache_write, cache_read, usd) = claude_code_totals(&path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        assert_eq!(
            (
                t.input_tokens,
                t.output_tokens,
                t.cache_creation_input_tokens,
                t.cache_read_input_tokens
            ),
            (input, output, cache_write, cache_read),
            "{name}"
        );
        assert!(
            (state.spend.usd - usd).abs() < 1e-6,
            "{name}: we priced ${} where Claude Code says ${usd}",
            state.spend.usd
        );
        assert!(
            state.spend.unknown_models.is_empty(),
            "{name}: {:?}",
            state.spend.unknown_models
        );
    }
}

#[test]
fn reading_a_transcript_in_growing_pieces_gives_the_same_totals() {
    let source = fixtures()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("batch"))
        .expect("fixture");
    let bytes = std::fs::read(&source).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.jsonl");
    let mut whole = SessionState::default();
    transcript::refresh(&mut whole, &source, &[]).unwrap();
    let mut pieces = SessionState::default();
    // Cut mid-line on purpose: a partial last line must wait for its end.
    for end in (0..bytes.len()).step_by(997).chain([bytes.len()]) {
        std::fs::write(&path, &bytes[..end]).unwrap();
        transcript::refresh(&mut pieces, &path, &[]).unwrap();
    }
    assert_eq!(pieces.spend.tokens, whole.spend.tokens);
    assert_eq!(pieces.spend.responses, whole.spend.responses);
}
