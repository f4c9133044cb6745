//! Integration tests: one binary, a temp dir per test.

mod budget;
mod cli;
mod counting;
mod e2e;
mod hooks;
mod records;
mod security;
mod shell;
