//! The hook executables' shared edge: read stdin, load the budget, call the library,
//! write one reply, choose the exit code. Each `src/bin/*.rs` is a few lines calling
//! [`runner::run`] with its module's handler.
//!
//! * [`runner`] — stdin, panics, deadline, replies, exit codes (fail-closed or never-block).
//! * [`pre`] — PreToolUse.
//! * [`post`] — PostToolUse / PostToolUseFailure (and what the never-blocking hooks share).
//! * [`stop`] — Stop / SubagentStop evidence gate.
//! * [`session`] — SessionStart, UserPromptSubmit, SessionEnd.
//! * [`tripwire`] — the tripwires' calls from pre, post and session (SPEC §3).
#![forbid(unsafe_code)]

pub mod post;
pub mod pre;
pub mod runner;
pub mod session;
pub mod stop;
pub mod tripwire;
