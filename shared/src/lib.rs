//! `budget-policy`: the policy model of claude-budget.
//!
//! Map of the crate (DESIGN.md §1). Layers only look down:
//! hooks/install → [`events`] → ([`decide`], [`session`], [`report`]) → ([`budget`],
//! [`packs`], [`shell`], [`paths`], [`redact`]) → ([`protocol`], [`verdict`], [`env`], [`text`]);
//! [`store`] is the I/O beside them, called only from [`events`] and the CLI.
//!
//! * [`env`] — every environment variable the product reads (the only env reader).
//! * [`protocol`] — hook input/output types for every Claude Code event we handle.
//! * [`verdict`] — allow / ask / deny and the rule origins that justify them.
//! * [`budget`] — the budget file: raw schema → validated, compiled [`budget::Budget`];
//!   layering, tasks.
//! * [`packs`] — one file per built-in pack: its rule data, its semantic checks, its messages.
//! * [`shell`] — Bash analysis (the one module that imports brush-parser): effects, never verdicts.
//! * [`fsview`] — the read-only file-system view analysis and path rules use.
//! * [`paths`] — path normalisation and glob matching.
//! * [`redact`] — secrets out of everything written to disk.
//! * [`text`] — the one rule for shortening text.
//! * [`decide`] — (call, budget, session facts) → [`decide::Decision`]; pure.
//! * [`session`] — the pure session model: state, spend, facts, stop gate, `observe`.
//! * [`report`] — the run record's schema and the review packet.
//! * [`events`] — one function per hook event → an [`events::Outcome`]; the decision
//!   context built once for the hook, `explain`, `test`, `replay` and `capture`.
//! * `hash` — the one fixed hash (FNV-1a) of identities kept across binaries.
//! * [`store`] — I/O only: the runs layout, session lock + state file, record, transcript.
//! * [`tripwire`] — what really happened around a call: protected files, secrets in output.
#![forbid(unsafe_code)]
// The library decides and reports; only the executables print or end the process.
#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod budget;
pub mod decide;
pub mod env;
pub mod events;
pub mod fsview;
mod hash;
pub mod packs;
pub mod paths;
pub mod protocol;
pub mod redact;
pub mod report;
pub mod session;
#[allow(
    unreachable_pub,
    reason = "shell/ is being split by the shell-analysis engineers (issue 8): their split narrows these"
)]
pub mod shell;
pub mod store;
pub mod text;
pub mod tripwire;
pub mod verdict;
