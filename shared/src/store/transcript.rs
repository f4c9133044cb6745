//! Incremental transcript reader (SPEC §6.2): only the bytes appended since the last call are
//! read, so a refresh costs the same at 1 MB and at 100 MB.
//!
//! Each transcript (the session's own and every `<session>/subagents/*.jsonl`) has a
//! [`Cursor`] in the state: the byte offset after the last complete line, plus the inode and a
//! hash of the file's first bytes. A file that got shorter than the offset, a different inode
//! or a changed head means the file was replaced: it is read again from the start, and the
//! duplicate window (kept in [`SpendState`], counted by `session::spend`) keeps responses already counted from
//! counting twice.
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

use super::StoreError;
use crate::budget::PriceOverride;
pub use crate::session::spend::{Counted, Cursor, RECENT_RESPONSES, SpendState};
use crate::session::{SessionState, spend::count_line};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// At most this many bytes of one transcript are read per refresh.
pub const MAX_BYTES_PER_REFRESH: u64 = 32 * 1024 * 1024;
/// Longer lines are skipped (counted in `skipped_lines`).
pub const MAX_LINE_BYTES: usize = 8 * 1024 * 1024;
/// How much of a file's start identifies it: hashed on every call, so kept short. Claude
/// Code's first lines carry the session id, a uuid and a millisecond timestamp within their
/// first 200 bytes. (Cursors written with a longer head keep their own `head_len`.)
const HEAD_BYTES: u64 = 512;

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
    let mut replaced = len < cursor.offset || (cursor.inode.is_some() && cursor.inode != inode);
    if !replaced && cursor.head_len > 0 {
        let head = read_head(&mut file, cursor.head_len).map_err(io)?;
        let hash = head_hash(&head);
        replaced = if cursor.head_hash.starts_with(HASH_TAG) {
            cursor.head_hash != hash
        } else {
            // A cursor written before the fast hash: compared the old way once, then moved.
            cursor.head_hash != sha256_prefix(&head)
        };
        cursor.head_hash = hash;
    }
    if replaced {
        cursor = Cursor {
            restarts: cursor.restarts + 1,
            ..Cursor::default()
        };
    }
    cursor.inode = inode;
    if cursor.head_len < HEAD_BYTES.min(len) && cursor.offset == 0 {
        cursor.head_len = HEAD_BYTES.min(len);
        cursor.head_hash = head_hash(&read_head(&mut file, cursor.head_len).map_err(io)?);
    }
    if len > cursor.offset {
        let end = len.min(cursor.offset.saturating_add(MAX_BYTES_PER_REFRESH));
        file.seek(SeekFrom::Start(cursor.offset)).map_err(io)?;
        let mut reader = BufReader::with_capacity(64 * 1024, file.take(end - cursor.offset));
        let read = read_lines(&mut reader, cursor.in_long_line, |line| {
            count_line(spend, line, prices);
        })
        .map_err(io)?;
        cursor.offset += read.consumed;
        cursor.in_long_line = read.in_long_line;
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

/// The first `len` bytes of `file`.
fn read_head(file: &mut File, len: u64) -> std::io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(0))?;
    let mut head = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.by_ref().take(len).read_to_end(&mut head)?;
    Ok(head)
}

/// Marks a head hash as [`head_hash`]'s (older cursors hold a bare SHA-256 prefix).
const HASH_TAG: &str = "fnv1a:";

/// What identifies a transcript's start: 64-bit FNV-1a of its head. It only has to notice a
/// file replaced by another (Claude Code's first line holds a session id, a uuid and a
/// timestamp), not resist forgery: an agent able to rewrite the transcript could change the
/// lines themselves. SHA-256 cost ~35,000 instructions on every call; this ~2,500.
fn head_hash(head: &[u8]) -> String {
    let hash = crate::hash::fnv1a(head);
    format!("{HASH_TAG}{hash:016x}")
}

/// The head hash older versions stored (first 8 bytes of SHA-256, in hex).
fn sha256_prefix(head: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(head)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What one pass of [`read_lines`] got through.
#[derive(Debug, PartialEq, Eq)]
struct Pass {
    /// Bytes consumed: up to the end of the last complete line, or, inside a line too long
    /// to keep, everything read (that line is skipped anyway).
    consumed: u64,
    /// The pass ended inside a too-long line: the next one starts by skipping to its end.
    in_long_line: bool,
}

/// Calls `on_line` for every complete line (without its newline). Lines over
/// [`MAX_LINE_BYTES`] are consumed without being buffered and passed as `None` once, when
/// their newline is reached. `in_long_line`: the previous pass stopped inside such a line,
/// so the bytes up to the next newline are its rest.
fn read_lines(
    reader: &mut impl BufRead,
    in_long_line: bool,
    mut on_line: impl FnMut(Option<&[u8]>),
) -> std::io::Result<Pass> {
    let mut consumed = 0u64;
    let mut line: Vec<u8> = Vec::new();
    let mut pending = 0u64;
    let mut too_long = in_long_line;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(if too_long {
                // Inside a skipped line: nothing of it is needed again, so move past it
                // (an unbounded line must not pin the reader to one place).
                Pass {
                    consumed: consumed + pending,
                    in_long_line: true,
                }
            } else {
                // A partial last line: not consumed, read again next time.
                Pass {
                    consumed,
                    in_long_line: false,
                }
            });
        }
        let (chunk, complete) = match memchr::memchr(b'\n', buf) {
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

#[cfg(test)]
#[path = "transcript_tests.rs"]
mod tests;
