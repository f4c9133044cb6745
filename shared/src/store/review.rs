//! The review packet files of one session: `review.md` for the reviewer and `review.json` for
//! tools (SPEC §6.6 "every stop writes the review packet", SPEC §7).
//!
//! The stop hook calls [`write_packet`] once per Stop, so it reads the record once per turn —
//! bounded: past [`MAX_RECORD_BYTES_IN_HOOK`] it writes a short packet pointing at
//! `claude-budget report` instead of folding the record inside the hook's deadline. Both files
//! are replaced whole (temp file + rename), so a reader never sees half a packet even when a
//! Stop and a SubagentStop of one session write at the same moment.

use super::record::{self, Event};
use crate::budget::Budget;
use crate::report::{Packet, Place};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// The markdown packet inside a session directory.
pub const REVIEW_MD: &str = "review.md";
/// The same packet as JSON.
pub const REVIEW_JSON: &str = "review.json";
/// Largest record the stop hook folds into a packet (about 3,000 events, a long session).
///
/// The stop hook writes the packet before it answers, so folding must fit well inside the
/// hook deadline and the 10 MiB RSS bar: parsed events take about six times their bytes in
/// memory. Measured on a release build (2 cores): a 1 MiB record folds in 0.01 s; a 19 MB
/// one took 0.21 s and 115 MiB. Bigger records get the short packet naming
/// `claude-budget report`, which has no such limit.
pub const MAX_RECORD_BYTES_IN_HOOK: u64 = 1024 * 1024;

/// The session state as JSON (the form the packet reads), when the session has one that
/// parses.
pub fn state_json(session_dir: &Path) -> Option<Value> {
    let session = super::Session::existing(session_dir.to_path_buf())?;
    if !session.has_state() {
        return None;
    }
    serde_json::to_value(session.read().ok()?).ok()
}

/// A run's events and its session state (for the CLI, which has no deadline).
pub fn load_run(session_dir: &Path) -> std::io::Result<(Vec<Event>, Option<Value>)> {
    Ok((record::read(session_dir)?, state_json(session_dir)))
}

/// Builds the packet of `session_dir` and writes `review.md` and `review.json` there. A
/// session with no record yet gets a packet built from its state alone; a record larger than
/// `max_record_bytes` gets a packet saying so and naming the command that produces it.
pub fn write_packet(
    session_dir: &Path,
    budget: Option<&Budget>,
    place: &Place<'_>,
    max_record_bytes: u64,
) -> std::io::Result<()> {
    let events = match record::read_at_most(session_dir, max_record_bytes) {
        Ok(events) => events,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(Vec::new()),
        Err(e) => return Err(e),
    };
    let (markdown, json) = match events {
        Some(events) => {
            let state = state_json(session_dir);
            let packet = Packet::build(&events, state.as_ref(), budget, place);
            (packet.markdown(), serde_json::to_vec_pretty(&packet)?)
        }
        None => too_large(session_dir, max_record_bytes)?,
    };
    replace(session_dir, REVIEW_JSON, &json)?;
    replace(session_dir, REVIEW_MD, markdown.as_bytes())
}

/// The packet of a record too large to fold inside a hook.
fn too_large(session_dir: &Path, limit: u64) -> std::io::Result<(String, Vec<u8>)> {
    let size = session_dir.join(record::EVENTS_FILE).metadata()?.len();
    let session = session_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let command = format!("claude-budget report {session}");
    let markdown = format!(
        "# Review packet\n\nThe run record (`{}`, {:.1} MB) is larger than the {} MB the stop \
         hook summarises within its deadline.\nRun `{command}` in the project to produce the \
         packet.\n\n## Reviewer decision\n\n- Decision: \n",
        record::EVENTS_FILE,
        mb(size),
        limit / (1024 * 1024),
    );
    let json = serde_json::to_vec_pretty(&serde_json::json!({
        "session_id": session,
        "too_large": true,
        "record_bytes": size,
        "limit_bytes": limit,
        "produce_with": command,
    }))?;
    Ok((markdown, json))
}

#[expect(clippy::cast_precision_loss, reason = "a size shown with one decimal")]
fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Writes `name` in `dir` through a temp file of this process and a rename.
fn replace(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut file| file.write_all(bytes));
    match written.and_then(|()| std::fs::rename(&tmp, dir.join(name))) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::Redactor;

    fn prompt(text: &str) -> Event {
        Event {
            ts: record::rfc3339_now(),
            event: "UserPromptSubmit".into(),
            prompt: Some(text.into()),
            ..Event::default()
        }
    }

    fn place(root: &Path) -> Place<'_> {
        Place {
            project_root: root,
            home: None,
            xdg_config_home: None,
            os_user: None,
            fs: &crate::fsview::RealFs,
        }
    }

    #[test]
    fn the_packet_names_the_task_request() {
        let dir = tempfile::tempdir().unwrap();
        record::append(
            dir.path(),
            &prompt("fix the CSV export"),
            &Redactor::default(),
        )
        .unwrap();
        write_packet(
            dir.path(),
            None,
            &place(dir.path()),
            MAX_RECORD_BYTES_IN_HOOK,
        )
        .unwrap();
        let markdown = std::fs::read_to_string(dir.path().join(REVIEW_MD)).unwrap();
        assert!(markdown.contains("fix the CSV export"), "{markdown}");
        let json: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(REVIEW_JSON)).unwrap()).unwrap();
        assert_eq!(json["task_request"], "fix the CSV export");
    }

    #[test]
    fn a_record_past_the_limit_gets_a_packet_pointing_at_the_cli() {
        let dir = tempfile::tempdir().unwrap();
        for _ in 0..20 {
            record::append(
                dir.path(),
                &prompt("fix the CSV export"),
                &Redactor::default(),
            )
            .unwrap();
        }
        write_packet(dir.path(), None, &place(dir.path()), 200).unwrap();
        let markdown = std::fs::read_to_string(dir.path().join(REVIEW_MD)).unwrap();
        assert!(markdown.contains("claude-budget report"), "{markdown}");
        assert!(!markdown.contains("fix the CSV export"), "{markdown}");
    }

    #[test]
    fn a_session_without_a_record_still_gets_a_packet() {
        let dir = tempfile::tempdir().unwrap();
        write_packet(
            dir.path(),
            None,
            &place(dir.path()),
            MAX_RECORD_BYTES_IN_HOOK,
        )
        .unwrap();
        assert!(dir.path().join(REVIEW_MD).is_file());
    }
}
