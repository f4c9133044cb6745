//! The session model, pure (no I/O, no clock: callers pass `now_ms`): what one Claude Code
//! session has counted and how each hook event changes it. The store reads and writes it
//! (`store::Session`); `decide` reads its [`SessionFacts`].
//!
//! * [`state`] — [`SessionState`] (the file `state.msgpack`): the counters of SPEC §6.1 and the
//!   transition of each hook event (`note_pre_tool_use`, `note_post_tool_use`, …).
//! * [`observe`](mod@observe) — the ONE way a finished call becomes a [`PostEvent`]: retry key, edits
//!   (shell writes included), test runs, high-risk files, redaction. Hook and replay alike.
//! * [`facts`] — [`SessionFacts`], what a decision reads of the state, and [`fingerprint`].
//! * [`retry_key`] — the retry key of a Bash call from its analysis (what runs, not how it
//!   is spelled).
//! * [`runs`] — test runs (judged, background, pending), subagents' edits and stop chains,
//!   and whether spend could be read: the state's evidence bookkeeping.
//! * [`rewriters`] — formatters and fixers that rewrite files without naming them.
//! * [`spend`] — usage, prices and [`spend::SpendState`] (tokens and dollars counted).
//! * [`gate`] — the stop gate: may the agent stop, or is evidence missing?
//! * [`evidence`] — is a finished test run proof (in the project, finished, its status and
//!   its runner's [`summary`] show tests passed)?

mod compact;
pub mod evidence;
pub mod facts;
pub mod gate;
pub mod observe;
pub mod packed_map;
pub mod retry_key;
pub mod rewriters;
pub mod runs;
pub mod spend;
pub mod state;
pub mod summary;
pub mod tasks;

pub use facts::{FailureFact, SessionFacts, StopFact, fingerprint};
pub use gate::{DEFAULT_STOP_BLOCKS, Gate, GateInput, RollbackNote, stop_gate};
pub use observe::{Finished, Observer, observe};
pub use packed_map::{EditCounts, FailureCounts};
pub use retry_key::command_fingerprint;
pub use state::{PostEvent, SessionState, TestOutcome};
