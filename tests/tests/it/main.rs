//! Integration tests: one binary, a temp dir per test.
//!
//! `#[test]` functions may unwrap (`clippy.toml`); the helpers they share may too: a failed
//! set-up step is the test's failure, its error printed.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed set-up step is the calling test's failure"
)]

mod budget;
mod cli;
mod counting;
mod e2e;
mod hooks;
mod init;
mod records;
mod security;
mod shell;
mod tripwire;
