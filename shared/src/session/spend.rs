//! Token usage and what it costs (SPEC §6.2). Pure: the transcript reader
//! (`store::transcript`) feeds it lines; nothing here reads files or clocks.
//! [`SpendState`] is the spend part of the session state: totals, per-transcript read
//! positions and the duplicate window of recent responses.
//!
//! Prices are USD per million tokens, per model family, for the five kinds Anthropic bills:
//! input, output, 5-minute cache writes, 1-hour cache writes and cache reads. A model no row
//! matches is priced at [`UNKNOWN_MODEL_PRICE`] — deliberately the most expensive row, so an
//! unknown model can only make the budget trip early, never late — and the review packet
//! says so (the state lists such models).

use crate::budget::PriceOverride;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

/// Token counts of one API response (the `message.usage` object of a transcript line).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    #[serde(default)]
    pub input_tokens: u64,
    #[serde(default)]
    pub output_tokens: u64,
    /// All cache writes (5-minute plus 1-hour).
    #[serde(default)]
    pub cache_creation_input_tokens: u64,
    #[serde(default)]
    pub cache_read_input_tokens: u64,
    /// The 1-hour share of `cache_creation_input_tokens` (the rest is 5-minute).
    #[serde(default)]
    pub cache_creation_1h_tokens: u64,
}

impl Usage {
    /// Every token of every kind: the size used to keep "the largest" of duplicates and
    /// the figure `max_tokens` limits.
    pub fn total(&self) -> u64 {
        self.input_tokens
            .saturating_add(self.output_tokens)
            .saturating_add(self.cache_creation_input_tokens)
            .saturating_add(self.cache_read_input_tokens)
    }

    pub fn add(&mut self, other: &Usage) {
        self.input_tokens = self.input_tokens.saturating_add(other.input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(other.output_tokens);
        self.cache_creation_input_tokens = self
            .cache_creation_input_tokens
            .saturating_add(other.cache_creation_input_tokens);
        self.cache_read_input_tokens = self
            .cache_read_input_tokens
            .saturating_add(other.cache_read_input_tokens);
        self.cache_creation_1h_tokens = self
            .cache_creation_1h_tokens
            .saturating_add(other.cache_creation_1h_tokens);
    }

    pub fn sub(&mut self, other: &Usage) {
        self.input_tokens = self.input_tokens.saturating_sub(other.input_tokens);
        self.output_tokens = self.output_tokens.saturating_sub(other.output_tokens);
        self.cache_creation_input_tokens = self
            .cache_creation_input_tokens
            .saturating_sub(other.cache_creation_input_tokens);
        self.cache_read_input_tokens = self
            .cache_read_input_tokens
            .saturating_sub(other.cache_read_input_tokens);
        self.cache_creation_1h_tokens = self
            .cache_creation_1h_tokens
            .saturating_sub(other.cache_creation_1h_tokens);
    }
}

/// USD per million tokens.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    pub cache_write_5m: f64,
    pub cache_write_1h: f64,
    pub cache_read: f64,
}

impl Price {
    /// Anthropic's usual ratios: 5-minute writes 1.25×, 1-hour writes 2×, reads 0.1× input.
    const fn standard(input: f64, output: f64) -> Price {
        Price {
            input,
            output,
            cache_write_5m: input * 1.25,
            cache_write_1h: input * 2.0,
            cache_read: input * 0.1,
        }
    }

    /// What `usage` costs at this price.
    pub fn cost(&self, usage: &Usage) -> f64 {
        let one_hour = usage
            .cache_creation_1h_tokens
            .min(usage.cache_creation_input_tokens);
        let five_min = usage.cache_creation_input_tokens - one_hour;
        let tokens = |n: u64| n as f64 / 1_000_000.0;
        tokens(usage.input_tokens) * self.input
            + tokens(usage.output_tokens) * self.output
            + tokens(five_min) * self.cache_write_5m
            + tokens(one_hour) * self.cache_write_1h
            + tokens(usage.cache_read_input_tokens) * self.cache_read
    }
}

/// The embedded table: (model id prefix, price). The longest matching prefix wins, so
/// `claude-opus-4-5` beats `claude-opus-4`. Dated ids (`claude-sonnet-4-5-20250929`) match
/// their family's prefix.
///
/// Sources: Anthropic's published list prices for the 3.x and 4.x families. The `*-5`
/// families are priced from Claude Code 2.1.329's own `cost-state` totals (opus 5: $4 in,
/// $20 out — checked against the bundled transcripts); sonnet 5 and haiku 5 repeat their
/// 4.5 predecessors' prices until published figures say otherwise.
pub const PRICE_TABLE: &[(&str, Price)] = &[
    ("claude-3-haiku", Price::standard(0.25, 1.25)),
    ("claude-3-5-haiku", Price::standard(0.80, 4.0)),
    ("claude-3-sonnet", Price::standard(3.0, 15.0)),
    ("claude-3-5-sonnet", Price::standard(3.0, 15.0)),
    ("claude-3-7-sonnet", Price::standard(3.0, 15.0)),
    ("claude-3-opus", Price::standard(15.0, 75.0)),
    ("claude-haiku-4", Price::standard(1.0, 5.0)),
    ("claude-haiku-4-5", Price::standard(1.0, 5.0)),
    ("claude-sonnet-4", Price::standard(3.0, 15.0)),
    ("claude-sonnet-4-5", Price::standard(3.0, 15.0)),
    ("claude-opus-4", Price::standard(15.0, 75.0)),
    ("claude-opus-4-1", Price::standard(15.0, 75.0)),
    ("claude-opus-4-5", Price::standard(5.0, 25.0)),
    ("claude-opus-4-6", Price::standard(5.0, 25.0)),
    ("claude-haiku-5", Price::standard(1.0, 5.0)),
    ("claude-sonnet-5", Price::standard(3.0, 15.0)),
    ("claude-opus-5", Price::standard(4.0, 20.0)),
];

/// The price of a model no row matches: the most expensive row (opus 4 / 4.1), so limits
/// trip early rather than late.
pub const UNKNOWN_MODEL_PRICE: Price = Price::standard(15.0, 75.0);

/// How a model is priced, and whether the price is a guess.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Priced {
    pub price: Price,
    /// False when the model matched neither an override nor the table.
    pub known: bool,
}

/// Prices a model: `[spend.prices]` overrides first (longest matching prefix; fields left
/// out fall back to the table's row, or to the standard ratios of the override's `input`),
/// then the embedded table, then [`UNKNOWN_MODEL_PRICE`].
pub fn price_for(model: &str, overrides: &[PriceOverride]) -> Priced {
    let model = model.to_ascii_lowercase();
    let table = PRICE_TABLE
        .iter()
        .filter(|(prefix, _)| matches_family(&model, prefix))
        .max_by_key(|(prefix, _)| prefix.len())
        .map(|(_, price)| *price);
    let chosen = overrides
        .iter()
        .filter(|o| matches_family(&model, &o.model.to_ascii_lowercase()))
        .max_by_key(|o| o.model.len());
    match (chosen, table) {
        (Some(o), base) => {
            let base = match (base, o.input) {
                (Some(base), _) => base,
                (None, Some(input)) => Price::standard(input, o.output.unwrap_or(input * 5.0)),
                (None, None) => UNKNOWN_MODEL_PRICE,
            };
            let price = Price {
                input: o.input.unwrap_or(base.input),
                output: o.output.unwrap_or(base.output),
                cache_write_5m: o.cache_write_5m.unwrap_or(base.cache_write_5m),
                cache_write_1h: o.cache_write_1h.unwrap_or(base.cache_write_1h),
                cache_read: o.cache_read.unwrap_or(base.cache_read),
            };
            Priced { price, known: true }
        }
        (None, Some(price)) => Priced { price, known: true },
        (None, None) => Priced {
            price: UNKNOWN_MODEL_PRICE,
            known: false,
        },
    }
}

/// `claude-opus-4` matches `claude-opus-4`, `claude-opus-4-20250514` and `claude-opus-4-1`,
/// but not `claude-opus-45`: the prefix must end at a `-`, `@`, `[` or the end of the id.
fn matches_family(model: &str, prefix: &str) -> bool {
    model
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['-', '@', '[', ':']))
}

/// A duplicate-aware accumulator entry: the usage already counted for one response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeenResponse {
    /// `message.id` + `requestId`.
    pub key: String,
    pub model: String,
    pub usage: Usage,
}

/// True when a later copy of a response should replace the one already counted: Claude Code
/// writes a response once per content block and streaming partials before the final
/// figures, so the copy with the most tokens is the real one.
pub fn replaces(previous: Option<&Usage>, current: &Usage) -> bool {
    previous.is_none_or(|prev| current.total() > prev.total())
}

/// How many recent responses are remembered for duplicate detection.
pub const RECENT_RESPONSES: usize = 128;
/// Spend counted so far (part of the session state).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SpendState {
    pub tokens: Usage,
    pub usd: f64,
    /// Distinct responses counted.
    pub responses: u64,
    pub models: BTreeSet<String>,
    /// Models priced with the conservative default (the packet says so).
    pub unknown_models: BTreeSet<String>,
    /// Read position per transcript path.
    pub cursors: BTreeMap<String, Cursor>,
    /// The duplicate window (stored packed: `compact.rs`).
    #[serde(with = "super::compact::recent_responses")]
    pub recent: VecDeque<Counted>,
    /// Lines over `store::transcript::MAX_LINE_BYTES` or assistant lines that were not valid JSON.
    pub skipped_lines: u64,
}

/// How far one transcript has been read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Cursor {
    pub offset: u64,
    pub inode: Option<u64>,
    pub head_len: u64,
    /// Hex SHA-256 prefix of the first `head_len` bytes.
    pub head_hash: String,
    /// How often the file was found replaced and read again.
    pub restarts: u32,
    /// `offset` is inside a line longer than the reader keeps (a skipped line that did not
    /// end within the last refresh's window): the next refresh skips on to its newline.
    /// Without this a line longer than the window would be read again on every call and
    /// spend never counted past it.
    pub in_long_line: bool,
}

/// One response already counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    /// Hash of `message.id` and `requestId`: the first 8 bytes of their SHA-256 (older states
    /// wrote them as 16 hex digits, which is the same number).
    #[serde(deserialize_with = "super::compact::response_key_of_any")]
    pub key: u64,
    /// Shared: a window's responses mostly come from one or two models.
    pub model: Arc<str>,
    pub usage: Usage,
}

#[derive(Deserialize)]
struct Line {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(rename = "requestId")]
    request_id: Option<String>,
    message: Option<Message>,
}

#[derive(Deserialize)]
struct Message {
    id: Option<String>,
    model: Option<String>,
    usage: Option<RawUsage>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawUsage {
    input_tokens: u64,
    output_tokens: u64,
    cache_creation_input_tokens: u64,
    cache_read_input_tokens: u64,
    cache_creation: Option<CacheCreation>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CacheCreation {
    ephemeral_1h_input_tokens: u64,
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// Counts one transcript line (`None`: a line too long to hold) into `spend`.
pub(crate) fn count_line(spend: &mut SpendState, line: Option<&[u8]>, prices: &[PriceOverride]) {
    let Some(line) = line else {
        spend.skipped_lines += 1;
        return;
    };
    // Cheap filter before parsing: only assistant lines carry usage.
    if !contains(line, b"\"assistant\"") || !contains(line, b"\"usage\"") {
        return;
    }
    let Ok(parsed) = serde_json::from_slice::<Line>(line) else {
        spend.skipped_lines += 1;
        return;
    };
    if parsed.kind.as_deref() != Some("assistant") {
        return;
    }
    let Some(message) = parsed.message else {
        return;
    };
    let Some(raw) = message.usage else { return };
    let model = message.model.unwrap_or_default();
    if model == "<synthetic>" {
        return;
    }
    let usage = Usage {
        input_tokens: raw.input_tokens,
        output_tokens: raw.output_tokens,
        cache_creation_input_tokens: raw.cache_creation_input_tokens,
        cache_read_input_tokens: raw.cache_read_input_tokens,
        cache_creation_1h_tokens: raw
            .cache_creation
            .map_or(0, |c| c.ephemeral_1h_input_tokens),
    };
    let key = response_key(message.id.as_deref(), parsed.request_id.as_deref());
    add_response(spend, key, model, usage, prices);
}

fn response_key(message_id: Option<&str>, request_id: Option<&str>) -> Option<u64> {
    use sha2::{Digest, Sha256};
    if message_id.is_none() && request_id.is_none() {
        return None;
    }
    let mut hasher = Sha256::new();
    hasher.update(message_id.unwrap_or("").as_bytes());
    hasher.update([0]);
    hasher.update(request_id.unwrap_or("").as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(digest.get(..8)?);
    Some(u64::from_be_bytes(first))
}

/// `model` as an entry of the window already holds it, or a new one: one allocation per
/// model, not per response (the window is read back on every call).
pub(super) fn shared_model(recent: &VecDeque<Counted>, model: &str) -> Arc<str> {
    match recent.iter().rev().find(|c| &*c.model == model) {
        Some(same) => Arc::clone(&same.model),
        None => Arc::from(model),
    }
}

/// Counts one response, replacing a smaller copy already counted.
fn add_response(
    spend: &mut SpendState,
    key: Option<u64>,
    model: String,
    usage: Usage,
    prices: &[PriceOverride],
) {
    let found = key
        .as_ref()
        .and_then(|k| spend.recent.iter().position(|c| c.key == *k));
    let previous = found.and_then(|at| spend.recent.get(at));
    if !replaces(previous.map(|c| &c.usage), &usage) {
        return;
    }
    if let Some(prev) = previous {
        spend.tokens.sub(&prev.usage);
        spend.usd -= price_for(&prev.model, prices).price.cost(&prev.usage);
    } else {
        spend.responses += 1;
    }
    let priced = price_for(&model, prices);
    spend.tokens.add(&usage);
    spend.usd = (spend.usd + priced.price.cost(&usage)).max(0.0);
    if !priced.known {
        spend.unknown_models.insert(model.clone());
    }
    if !spend.models.contains(&model) {
        spend.models.insert(model.clone());
    }
    let Some(key) = key else { return };
    let model = shared_model(&spend.recent, &model);
    match found {
        Some(at) => {
            if let Some(entry) = spend.recent.get_mut(at) {
                *entry = Counted { key, model, usage };
            }
        }
        None => {
            if spend.recent.len() >= RECENT_RESPONSES {
                spend.recent.pop_front();
            }
            spend.recent.push_back(Counted { key, model, usage });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(input: u64, output: u64) -> Usage {
        Usage {
            input_tokens: input,
            output_tokens: output,
            ..Usage::default()
        }
    }

    #[test]
    fn the_longest_family_prefix_sets_the_price() {
        let rows = [
            ("claude-opus-4-5-20251101", 5.0, true),
            ("claude-opus-4-20250514", 15.0, true),
            ("claude-opus-4-1-20250805", 15.0, true),
            ("claude-sonnet-4-5-20250929", 3.0, true),
            ("claude-3-5-haiku-20241022", 0.80, true),
            ("claude-haiku-4-5", 1.0, true),
            ("claude-opus-5-5", 4.0, true),
            ("claude-opus-45", 15.0, false),
            ("gpt-4o", 15.0, false),
        ];
        for (model, input, known) in rows {
            let priced = price_for(model, &[]);
            assert_eq!(
                (priced.price.input, priced.known),
                (input, known),
                "{model}"
            );
        }
    }

    #[test]
    fn overrides_win_and_fill_missing_fields_from_the_table() {
        let o = PriceOverride {
            model: "claude-opus-5".into(),
            output: Some(30.0),
            ..PriceOverride::default()
        };
        let priced = price_for("claude-opus-5-5", &[o]);
        assert_eq!(priced.price.output, 30.0);
        assert_eq!(priced.price.input, 4.0);
        let o = PriceOverride {
            model: "my-model".into(),
            input: Some(2.0),
            ..PriceOverride::default()
        };
        let priced = price_for("my-model-v1", &[o]);
        assert!(priced.known);
        assert_eq!(priced.price.cache_read, 0.2);
    }

    #[test]
    fn cache_writes_are_split_into_one_hour_and_five_minute() {
        let price = Price::standard(4.0, 20.0);
        let u = Usage {
            cache_creation_input_tokens: 1_000_000,
            cache_creation_1h_tokens: 250_000,
            cache_read_input_tokens: 1_000_000,
            ..Usage::default()
        };
        let expected = 0.75 * 5.0 + 0.25 * 8.0 + 0.4;
        assert!((price.cost(&u) - expected).abs() < 1e-9);
    }

    #[test]
    fn only_a_larger_copy_of_a_response_replaces_the_counted_one() {
        assert!(replaces(None, &usage(10, 1)));
        assert!(!replaces(Some(&usage(10, 1)), &usage(10, 1)));
        assert!(!replaces(Some(&usage(10, 9)), &usage(10, 1)));
        assert!(replaces(Some(&usage(10, 1)), &usage(10, 9)));
    }
}
