//! Integration tests: counting and evidence (SPEC §6).
//!
//! * [`spend`] — the real Claude Code transcripts against Claude Code's own `cost-state`.
//! * [`processes`] — the session store under real parallel processes and real `kill -9`.
//! * [`hooks`] — the post-tool-use, stop and session executables and `claude-budget status`.
//! * [`mixed`] — 200 pre- and post-tool-use processes of one session at once.
//! * [`limits`] — retry, spend, halt, stop rules, `warn_at` and rollback notes end to end.
//! * [`test_evidence`] — a test run counts only when its exit status is the call's.
//! * [`bench`] — `#[ignore]` measurements of update and refresh cost.

mod bench;
mod hooks;
mod limits;
mod mixed;
mod processes;
mod spend;
mod test_evidence;
