//! End-to-end tests: the real Claude Code CLI, our hook executables, and a fake Anthropic API
//! on loopback. `harness_checks` proves the harness itself (a run without hooks really deletes,
//! a throw-away deny hook really blocks); `scenarios` checks our hooks as users meet them.

mod harness;
mod harness_checks;
mod scenarios;
