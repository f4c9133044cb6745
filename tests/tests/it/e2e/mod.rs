//! End-to-end tests: the real Claude Code CLI, our hook executables, and a fake Anthropic API.
//! `fake_api_checks` speaks raw HTTP to the fake (runs everywhere); `harness_checks` proves the
//! harness against the real client (a run without hooks really deletes, a throw-away deny hook
//! really blocks, scripted usage and event order come through); `scenarios` checks our hooks as
//! users meet them; `limits` retry/stop/spend/MCP limits and the CI outcome check; `rollout` the committed settings of `install --scope project` with and
//! without the executables installed; `plugin` the Claude Code plugin validated, installed from
//! the repository's marketplace and deciding. Tests needing the CLI print `SKIP e2e: …` when it is not installed
//! (`scripts/install-claude-code.sh`).

mod background_tests;
mod fake_api_checks;
mod harness;
mod harness_checks;
mod limits;
mod packet_spend;
mod plugin;
mod rollout;
mod scenarios;
mod tripwire;
