//! `budget-policy`: the policy model of claude-budget.
//!
//! Map of the crate (DESIGN.md §1):
//! * [`protocol`] — hook input/output types for every Claude Code event we handle.
//! * [`verdict`] — allow / ask / deny and the rule origins that justify them.
//! * [`budget`] — the budget file: raw schema → validated, compiled [`budget::Budget`];
//!   layering, tasks, the built-in packs.
//! * [`fsview`] — the read-only file-system view analysis and path rules use.
//! * [`paths`] — path normalisation and glob matching.
//! * [`shell`] — Bash analysis (the one module that imports brush-parser).
//! * [`decide`] — (call, budget, session facts) → [`decide::Decision`]; pure.
//! * [`store`] — the only I/O: session state, run record, transcript reader.
//! * [`spend`] — usage dedupe and pricing (pure).
//! * [`report`] — review packet rendering.
//! * [`tripwire`] — what really happened around a call: protected files, secrets in output.
#![forbid(unsafe_code)]

pub mod budget;
pub mod decide;
pub mod fsview;
pub mod paths;
pub mod protocol;
pub mod redact;
pub mod report;
pub mod shell;
pub mod spend;
pub mod store;
pub mod tripwire;
pub mod verdict;
