//! The hook executables' edge: read stdin, call one `budget_policy::events` function, write
//! its one reply, choose the exit code. Each `src/bin/*.rs` is a few lines calling
//! [`runner::run`] with its event's handler, entered as C's `main` on Linux/glibc.
//!
//! * [`runner`] — stdin, the panic guard, the reply and the exit code.
//! * `deadline` — the hook's own deadline (a kernel timer; a watchdog thread elsewhere).
//! * `start` — what a hook needs of Rust's process start-up, which the executables skip.
#![forbid(unsafe_code)]

mod deadline;
pub mod runner;
mod start;
