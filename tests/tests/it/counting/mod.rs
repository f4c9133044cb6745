//! Integration tests: counting and evidence (SPEC §6).
//!
//! * [`spend`] — the real Claude Code transcripts against Claude Code's own `cost-state`.
//! * [`processes`] — the session store under real parallel processes and real `kill -9`.
//! * [`hooks`] — the post-tool-use, stop and session executables and `claude-budget status`.
//! * [`mixed`] — 200 pre- and post-tool-use processes of one session at once.
//! * [`limits`] — retry, spend, halt, stop rules, `warn_at` and rollback notes end to end.
//! * [`test_evidence`] — a test run counts only when it ran tests in the project, finished,
//!   and its status and output show them passing.
//! * [`spend_unreadable`] — spend that cannot be read is not zero.
//! * [`stop_gate_edges`] — the gate never fails open (held lock, lone surrogates, an
//!   unreadable state) and subagents answer for their own edits in their own chain.
//! * [`rollback_notes`] — a note must say something (no fenced headings, placeholders, or
//!   a symlink to a file outside the project).
//! * [`retry_keys`] — retry limits keyed on what runs, and on the resolved file.
//! * [`unseen_edits`] — formatters and fixers are edits; an allowed Edit counts before its
//!   PostToolUse.
//! * [`bench`] — `#[ignore]` measurements of update and refresh cost.

mod bench;
mod hooks;
mod limits;
mod mixed;
mod processes;
mod retry_keys;
mod rollback_notes;
mod spend;
mod spend_unreadable;
mod stop_gate_edges;
mod test_evidence;
mod unseen_edits;
