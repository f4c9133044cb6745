//! Reading a session's record for a lookup across many runs (`claude-budget why`): bounded by
//! what must be parsed. A record whose bytes do not contain the query's literal text (its
//! needle) is skipped after one substring search; inside a record only the lines containing
//! it are parsed — plus the run's first prompt and its SessionStart (who delegated it).

use super::record::{EVENTS_FILE, Event};
use std::path::Path;

/// The events of one record that may concern a lookup, with the run's context.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Matched {
    pub events: Vec<Event>,
    /// The first prompt (UserPromptSubmit).
    pub task_request: Option<String>,
    /// The delegating user recorded at SessionStart.
    pub user: Option<String>,
}

/// The events of `session_dir`'s record on lines containing `needle` (every line when `None`);
/// `None` when the record is missing or does not contain the needle at all. Lines that do
/// not parse are skipped, as everywhere the record is read.
pub fn matching(session_dir: &Path, needle: Option<&str>) -> Option<Matched> {
    let bytes = std::fs::read(session_dir.join(EVENTS_FILE)).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    if needle.is_some_and(|n| !text.contains(n)) {
        return None;
    }
    let events = text
        .lines()
        .filter(|line| needle.is_none_or(|n| line.contains(n)))
        .filter_map(|line| serde_json::from_str::<Event>(line).ok())
        .collect();
    let (task_request, user) = run_context(&text);
    Some(Matched {
        events,
        task_request,
        user,
    })
}

/// The run's task request (first prompt) and delegating user, from their lines only.
fn run_context(text: &str) -> (Option<String>, Option<String>) {
    let (mut task, mut user) = (None, None);
    for line in text.lines() {
        if task.is_none() && line.contains("\"event\":\"UserPromptSubmit\"") {
            task = serde_json::from_str::<Event>(line)
                .ok()
                .and_then(|e| e.prompt);
        }
        if user.is_none() && line.contains("\"event\":\"SessionStart\"") {
            user = serde_json::from_str::<Event>(line)
                .ok()
                .and_then(|e| e.user);
        }
        if task.is_some() && user.is_some() {
            break;
        }
    }
    (task, user)
}
