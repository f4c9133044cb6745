//! [`SessionFacts`]: what `decide` reads of a session — a projection of
//! [`super::SessionState`] at one moment ([`super::SessionState::facts_at`]), so decisions never
//! see the state's bookkeeping.

use super::packed_map::{EditCounts, FailureCounts};
use super::state::FailureCount;
use serde::Serialize;

/// What the session has counted so far (projected from the session state).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SessionFacts {
    /// Set once a stop rule (or `on_exceed = "halt"`) ended the run: every later call is
    /// denied with this reason.
    pub stopped: Option<StopFact>,
    /// Failures by command fingerprint (see [`fingerprint`]). The state's own map: the
    /// pre-tool-use hook lends it ([`super::SessionState::lend_facts`]) rather than copying
    /// every key on every call.
    pub failures: FailureCounts,
    pub total_failures: u32,
    /// Edits by absolute file path (lent like `failures`).
    pub edits: EditCounts,
    pub tool_calls: u64,
    pub spend_usd: f64,
    pub spend_tokens: u64,
    /// Minutes since the session's first event.
    pub minutes: u64,
    /// True once the `warn_at` note was given.
    pub warned: bool,
    /// The transcript has been unreadable for longer than the grace
    /// ([`super::state::SPEND_UNREADABLE_GRACE`] calls): spend is unknown, so a spend limit
    /// cannot be checked and `on_exceed` applies. The text says why.
    pub spend_unreadable: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StopFact {
    pub reason: String,
    pub origin: String,
}

/// A command's failures as the session counted them.
pub type FailureFact = FailureCount;

/// The normalised text of a command, the key of retry counting: words re-joined by single
/// spaces, so `cargo  test` and `cargo test` are one command.
pub fn fingerprint(command: &str) -> String {
    command.split_whitespace().collect::<Vec<_>>().join(" ")
}
