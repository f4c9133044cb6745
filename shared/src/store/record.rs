//! The run record: `events.jsonl` in the session directory, one line per hook event
//! (SPEC §7).
//!
//! API for the hooks:
//! * build an [`Event`] (start from [`Event::from_input`], then fill the decision or outcome);
//! * [`append`] it — redaction happens inside, before anything is written;
//! * [`read`] gives the events back for `report`, `replay` and `capture`;
//! * `redact::for_budget` builds the redactor from the budget's `[record] redact`.
//!
//! The line's schema ([`Event`]) lives in `report::event`; this module only writes and reads.
//!
//! Appending is O(1) per event whatever the record's size: the line is serialised in memory
//! and written with one `write_all` on a file opened with `O_APPEND`, so parallel hooks of one
//! session interleave whole lines and never re-read the file. The full tool input is never
//! stored: [`compact_input`] keeps what a re-decision needs (command, path, URL, MCP
//! arguments capped in size) and drops file contents.

use crate::redact::Redactor;
pub use crate::report::event::{
    BudgetFileRef, Event, MAX_INPUT_STRING, MAX_TEXT, budget_files, compact_input,
    first_error_line, model_name, rfc3339, rfc3339_now, summarize,
};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The record's file name inside a session directory.
pub const EVENTS_FILE: &str = "events.jsonl";

/// Redacts every free-text field of an event, and its input.
fn redacted(event: &Event, redactor: &Redactor) -> Event {
    let text = |s: &Option<String>| s.as_deref().map(|t| redactor.text(t).into_owned());
    Event {
        summary: text(&event.summary),
        input: event.input.as_ref().map(|v| redactor.json(v)),
        reason: text(&event.reason),
        error: text(&event.error),
        prompt: text(&event.prompt),
        stop_reason: text(&event.stop_reason),
        ..event.clone()
    }
}

/// Appends one event to `<session_dir>/events.jsonl` (created with its directory when
/// missing), redacted first. One `write_all` of one line on an `O_APPEND` file: parallel
/// hooks never tear or lose lines, and the cost does not depend on the record's size.
pub fn append(session_dir: &Path, event: &Event, redactor: &Redactor) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(&redacted(event, redactor))?;
    line.push(b'\n');
    let path = session_dir.join(EVENTS_FILE);
    let open = || {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
    };
    let mut file = match open() {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(session_dir)?;
            open()?
        }
        Err(e) => return Err(e),
    };
    file.write_all(&line)
}

/// Reads a session's events in file order. Lines that do not parse — a line torn by a crash
/// mid-write, or damaged by hand — are skipped, never an error.
pub fn read(session_dir: &Path) -> std::io::Result<Vec<Event>> {
    let bytes = std::fs::read(session_dir.join(EVENTS_FILE))?;
    Ok(parse(&bytes))
}

/// [`read`], unless the record is larger than `max_bytes`: then `Ok(None)` without reading
/// it (a hook must not spend its deadline folding a huge record). Parsed line by line, so
/// the raw bytes never sit in memory beside the parsed events (the stop hook's RSS bar).
pub fn read_at_most(session_dir: &Path, max_bytes: u64) -> std::io::Result<Option<Vec<Event>>> {
    use std::io::{BufRead, Read};
    let file = std::fs::File::open(session_dir.join(EVENTS_FILE))?;
    if file.metadata()?.len() > max_bytes {
        return Ok(None);
    }
    // The record may grow while it is read: never read more than the cap.
    let mut reader = std::io::BufReader::new(file.take(max_bytes.saturating_add(1)));
    let mut events = Vec::new();
    let mut line = Vec::new();
    let mut total: u64 = 0;
    loop {
        line.clear();
        let read = reader.read_until(b'\n', &mut line)?;
        if read == 0 {
            break;
        }
        total = total.saturating_add(u64::try_from(read).unwrap_or(u64::MAX));
        if total > max_bytes {
            return Ok(None);
        }
        events.extend(parse_line(&line));
    }
    Ok(Some(events))
}

fn parse_line(line: &[u8]) -> Option<Event> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    serde_json::from_slice(line).ok()
}

fn parse(bytes: &[u8]) -> Vec<Event> {
    bytes
        .split(|b| *b == b'\n')
        .filter_map(parse_line)
        .collect()
}

/// Where run records may be, newest first: each `<root>/<project key>/<session>/` that holds
/// an `events.jsonl`, for every root given (the data dir's `runs/`, a `[record] dir`).
/// A directory that is itself a session (holds `events.jsonl` directly) counts too.
pub fn sessions_under(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut found: Vec<(SystemTime, PathBuf)> = Vec::new();
    let mut visit = |dir: &Path| {
        let events = dir.join(EVENTS_FILE);
        if let Ok(meta) = events.metadata() {
            found.push((meta.modified().unwrap_or(UNIX_EPOCH), dir.to_path_buf()));
        }
    };
    for root in roots {
        for level1 in list_dirs(root) {
            visit(&level1);
            for level2 in list_dirs(&level1) {
                visit(&level2);
            }
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    found.dedup_by(|a, b| a.1 == b.1);
    found.into_iter().map(|(_, dir)| dir).collect()
}

fn list_dirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect()
}
