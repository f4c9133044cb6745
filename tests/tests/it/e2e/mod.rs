//! End-to-end tests: the real Claude Code CLI, our hook executables, and a fake Anthropic API.
//! `fake_api_checks` speaks raw HTTP to the fake (runs everywhere); `harness_checks` proves the
//! harness against the real client (a run without hooks really deletes, a throw-away deny hook
//! really blocks, scripted usage and event order come through); `scenarios` checks our hooks as
//! users meet them. Tests needing the CLI print `SKIP e2e: …` when it is not installed
//! (`scripts/install-claude-code.sh`).

mod fake_api_checks;
mod harness;
mod harness_checks;
mod packet_spend;
mod scenarios;
