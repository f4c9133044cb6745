//! The hook executables' edge: read stdin, call one `budget_policy::events` function, write
//! its one reply, choose the exit code. Each `src/bin/*.rs` is a few lines calling
//! [`runner::run`] with its event's handler.
#![forbid(unsafe_code)]

mod deadline;
pub mod runner;
mod start;
