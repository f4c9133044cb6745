//! Incremental transcript reader (SPEC §6.2): only the bytes appended since the last call are
//! read, so a refresh costs the same at 1 MB and at 100 MB.
//!
//! Each transcript (the session's own and every `<session>/subagents/*.jsonl`) has a
//! [`Cursor`] in the state: the byte offset after the last complete line, plus the inode and a
//! hash of the file's first bytes. A file that got shorter than the offset, a different inode
//! or a changed head means the file was replaced: it is read again from the start, and the
//! duplicate window (below) keeps responses already counted from counting twice.
//!
//! Claude Code writes one line per content block of a response and may write streaming
//! partials before the final figures, all with the same `message.id` and `requestId`. The
//! state keeps the last [`RECENT_RESPONSES`] responses with the usage counted for each; a
//! later copy with more tokens replaces the counted one (remove old, add new). A duplicate
//! further back than that window would be counted again — copies are written next to each
//! other, so this is a documented limit rather than a practical one.
//!
//! A last line without its newline is still being written: it is left for the next call.
//! Work per call is bounded by [`MAX_BYTES_PER_REFRESH`] per file (the rest is read next
//! time) and lines longer than [`MAX_LINE_BYTES`] are skipped without being held in memory.

use super::{StoreError, state::SessionState};
use crate::budget::PriceOverride;
use crate::spend::{Usage, price_for, replaces};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// How many recent responses are remembered for duplicate detection.
pub const RECENT_RESPONSES: usize = 128;
/// At most this many bytes of one transcript are read per refresh.
pub const MAX_BYTES_PER_REFRESH: u64 = 32 * 1024 * 1024;
/// Longer lines are skipped (counted in `skipped_lines`).
pub const MAX_LINE_BYTES: usize = 8 * 1024 * 1024;
/// How much of a file's start identifies it.
const HEAD_BYTES: u64 = 4096;

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
    /// The duplicate window.
    pub recent: VecDeque<Counted>,
    /// Lines over [`MAX_LINE_BYTES`] or assistant lines that were not valid JSON.
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
}

/// One response already counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    /// Hash of `message.id` and `requestId`.
    pub key: String,
    pub model: String,
    pub usage: Usage,
}

/// Reads what was appended to `transcript_path` and its subagent transcripts since the last
/// call and adds it to `state.spend`. A transcript that does not exist yet adds nothing.
pub fn refresh(
    state: &mut SessionState,
    transcript_path: &Path,
    prices: &[PriceOverride],
) -> Result<(), StoreError> {
    read_appended(&mut state.spend, transcript_path, prices)?;
    for sub in subagent_transcripts(transcript_path) {
        read_appended(&mut state.spend, &sub, prices)?;
    }
    Ok(())
}

/// `<dir>/<session>.jsonl` → `<dir>/<session>/subagents/*.jsonl`, sorted by name.
pub fn subagent_transcripts(transcript_path: &Path) -> Vec<PathBuf> {
    let dir = transcript_path.with_extension("").join("subagents");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    files
}

fn read_appended(
    spend: &mut SpendState,
    path: &Path,
    prices: &[PriceOverride],
) -> Result<(), StoreError> {
    let io = |e| StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(e)),
    };
    let meta = file.metadata().map_err(io)?;
    let len = meta.len();
    let key = path.to_string_lossy().into_owned();
    let mut cursor = spend.cursors.get(&key).cloned().unwrap_or_default();
    let inode = inode_of(&meta);
    let replaced = len < cursor.offset
        || (cursor.inode.is_some() && cursor.inode != inode)
        || (cursor.head_len > 0
            && head_hash(&mut file, cursor.head_len).map_err(io)? != cursor.head_hash);
    if replaced {
        cursor = Cursor {
            restarts: cursor.restarts + 1,
            ..Cursor::default()
        };
    }
    cursor.inode = inode;
    if cursor.head_len < HEAD_BYTES.min(len) && cursor.offset == 0 {
        cursor.head_len = HEAD_BYTES.min(len);
        cursor.head_hash = head_hash(&mut file, cursor.head_len).map_err(io)?;
    }
    if len > cursor.offset {
        let end = len.min(cursor.offset.saturating_add(MAX_BYTES_PER_REFRESH));
        file.seek(SeekFrom::Start(cursor.offset)).map_err(io)?;
        let mut reader = BufReader::with_capacity(64 * 1024, file.take(end - cursor.offset));
        cursor.offset +=
            read_lines(&mut reader, |line| count_line(spend, line, prices)).map_err(io)?;
    }
    spend.cursors.insert(key, cursor);
    Ok(())
}

#[cfg(unix)]
fn inode_of(meta: &std::fs::Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(meta.ino())
}

#[cfg(not(unix))]
fn inode_of(_meta: &std::fs::Metadata) -> Option<u64> {
    None
}

fn head_hash(file: &mut File, len: u64) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    file.seek(SeekFrom::Start(0))?;
    let mut head = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.by_ref().take(len).read_to_end(&mut head)?;
    Ok(Sha256::digest(&head)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Calls `on_line` for every complete line (without its newline) and returns the bytes
/// consumed: up to the end of the last complete line. Lines over [`MAX_LINE_BYTES`] are
/// consumed without being buffered and passed as `None`.
fn read_lines(
    reader: &mut impl BufRead,
    mut on_line: impl FnMut(Option<&[u8]>),
) -> std::io::Result<u64> {
    let mut consumed = 0u64;
    let mut line: Vec<u8> = Vec::new();
    let mut pending = 0u64;
    let mut too_long = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            // A partial last line: not consumed, read again next time.
            return Ok(consumed);
        }
        let (chunk, complete) = match buf.iter().position(|b| *b == b'\n') {
            Some(at) => (&buf[..=at], true),
            None => (buf, false),
        };
        let n = chunk.len();
        if !too_long {
            if line.len() + n > MAX_LINE_BYTES + 1 {
                too_long = true;
                line = Vec::new();
            } else {
                line.extend_from_slice(chunk);
            }
        }
        pending += n as u64;
        reader.consume(n);
        if complete {
            if too_long {
                on_line(None);
            } else {
                line.pop();
                on_line(Some(&line));
            }
            line.clear();
            too_long = false;
            consumed += pending;
            pending = 0;
        }
    }
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
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn count_line(spend: &mut SpendState, line: Option<&[u8]>, prices: &[PriceOverride]) {
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

fn response_key(message_id: Option<&str>, request_id: Option<&str>) -> Option<String> {
    use sha2::{Digest, Sha256};
    if message_id.is_none() && request_id.is_none() {
        return None;
    }
    let mut hasher = Sha256::new();
    hasher.update(message_id.unwrap_or("").as_bytes());
    hasher.update([0]);
    hasher.update(request_id.unwrap_or("").as_bytes());
    Some(
        hasher
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// Counts one response, replacing a smaller copy already counted.
fn add_response(
    spend: &mut SpendState,
    key: Option<String>,
    model: String,
    usage: Usage,
    prices: &[PriceOverride],
) {
    let found = key
        .as_ref()
        .and_then(|k| spend.recent.iter().position(|c| &c.key == k));
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
#[path = "transcript_tests.rs"]
mod tests;
