//! [`SessionFacts`]: what `decide` reads of a session — a projection of
//! [`super::SessionState`] at one moment ([`super::SessionState::facts_at`]), so decisions never
//! see the state's bookkeeping.

use serde::Serialize;
use std::collections::HashMap;

/// What the session has counted so far (projected from the session state).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SessionFacts {
    /// Set once a stop rule (or `on_exceed = "halt"`) ended the run: every later call is
    /// denied with this reason.
    pub stopped: Option<StopFact>,
    /// Failures by command fingerprint (see [`fingerprint`]).
    pub failures: HashMap<String, FailureFact>,
    pub total_failures: u32,
    /// Edits by absolute file path.
    pub edits: HashMap<String, u32>,
    pub tool_calls: u64,
    pub spend_usd: f64,
    pub spend_tokens: u64,
    /// Minutes since the session's first event.
    pub minutes: u64,
    /// True once the `warn_at` note was given.
    pub warned: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StopFact {
    pub reason: String,
    pub origin: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FailureFact {
    pub count: u32,
    pub last_error_line: String,
}

/// The normalised text of a command, the key of retry counting: words re-joined by single
/// spaces, so `cargo  test` and `cargo test` are one command.
pub fn fingerprint(command: &str) -> String {
    command.split_whitespace().collect::<Vec<_>>().join(" ")
}
