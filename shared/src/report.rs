//! The review packet (SPEC §7): what a reviewer needs to judge one agent run in two minutes.
//!
//! [`Packet::build`] folds a run record ([`event::Event`]s) plus, when present,
//! the session state and the budget into plain data; [`Packet::markdown`] renders it for
//! humans (`review.md`), and `Packet` serialises as the `--format json` form.
//!
//! Submodules: [`event`] (the record line schema), `fold` (events → packet sections),
//! `markdown` (rendering), `outcome` (the one-line outcome and whether `report --check`
//! fails on it), `reason` (a
//! denial message cut to what a reviewer needs), `identity` (who delegated the run: git
//! user, else OS user), `why` (incident lookup: the calls that touched a path), `outcome` (the
//! packet's first line), `diffstat` (lines changed, from git), `stats` (rollout metrics).

mod diffstat;
pub mod event;
mod fold;
mod identity;
mod markdown;
mod outcome;
mod reason;
pub mod stats;
mod tripwire;
mod truth;
pub mod why;

pub use identity::delegating_user;
pub use outcome::{Outcome, Signal, outcome, signals};
pub use tripwire::{BudgetVersion, Trip, Tripwires};

use crate::budget::Budget;
use crate::env::Env;
use crate::fsview::FsView;
use event::{BudgetFileRef, Event};
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

/// The review packet. Field order is section order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Packet {
    /// How the run ended: the packet's first line ([`outcome`]).
    pub outcome: Outcome,
    pub session_id: Option<String>,
    pub started: Option<String>,
    pub ended: Option<String>,
    pub events: usize,
    /// Tamper, secret exposure, gate off, budgets over time: shown first (SPEC §3).
    pub tripwires: Tripwires,
    /// The first prompt of the run.
    pub task_request: Option<String>,
    pub delegating_user: String,
    pub agent: Agent,
    pub budget: BudgetInForce,
    /// Project-relative paths the agent read or searched.
    pub files_inspected: Vec<String>,
    /// Project-relative folders the agent listed or searched (Grep/Glob paths, `ls dir`).
    pub folders_searched: Vec<String>,
    pub files_changed: Vec<FileChange>,
    pub tools: Vec<Count>,
    pub mcp_servers: Vec<McpUse>,
    pub commands: Vec<CommandRun>,
    pub denied: Vec<Action>,
    pub approvals: Vec<Approval>,
    pub tests: Tests,
    pub spend: Spend,
    pub stops: Vec<Action>,
    pub rollback: Rollback,
    pub residual_risks: Vec<String>,
    /// Left empty for the reviewer to fill in.
    pub reviewer_decision: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Agent {
    pub model: Option<String>,
    pub permission_modes: Vec<String>,
    pub task: Option<String>,
    /// Subagents seen (`agent_type` or `agent_id`).
    pub subagents: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct BudgetInForce {
    pub files: Vec<BudgetFileRef>,
    pub packs: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FileChange {
    pub path: String,
    pub edits: u32,
    pub high_risk: bool,
    /// Lines added / removed (git's diff against HEAD; a new file's lines), when known.
    pub added: Option<u64>,
    pub removed: Option<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    pub name: String,
    pub calls: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct McpUse {
    pub server: String,
    pub tools: Vec<Count>,
}

/// One distinct command and how its runs went.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CommandRun {
    pub command: String,
    pub runs: u32,
    pub failures: u32,
    /// `ok`, `failed`, `undecided` (a test run whose exit status the call hid),
    /// `unanalysed` (it ran, but the analyser could not say which files it touched), or
    /// `secret-exposed` (its output carried a denied file's secret).
    pub last_outcome: String,
    pub last_error: Option<String>,
}

/// A call the budget answered: what it was, which rule, why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Action {
    pub tool: String,
    pub what: String,
    pub code: Option<String>,
    pub rule: Option<String>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Approval {
    #[serde(flatten)]
    pub action: Action,
    /// True when the call then ran (someone approved it).
    pub ran: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tests {
    pub runs: Vec<CommandRun>,
    /// Changed files with no passing test run after their last edit.
    pub gaps: Vec<String>,
    /// How the last test run ended, if any ran.
    pub last_outcome: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Spend {
    pub tokens: Option<u64>,
    pub usd: Option<f64>,
    pub tool_calls: u32,
    pub failures: u32,
    /// Commands that failed more than once.
    pub retried: Vec<CommandRun>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Rollback {
    /// Project-relative path of the rollback note.
    pub note: String,
    pub present: bool,
    /// High-risk files the run edited (or tried to).
    pub high_risk_files: Vec<String>,
}

/// Where a run happened, as far as the packet cares: the project root (paths are shown
/// relative to it, and `~` for the home directory), who may have delegated it (git config,
/// the OS user) and a file view for the two things the packet looks up (the rollback note,
/// the git config files). Built by the caller from the environment, so folding a record
/// reads nothing on its own.
#[derive(Clone, Copy)]
pub struct Place<'a> {
    pub project_root: &'a Path,
    pub home: Option<&'a Path>,
    pub xdg_config_home: Option<&'a Path>,
    pub os_user: Option<&'a str>,
    pub fs: &'a dyn FsView,
}

impl<'a> Place<'a> {
    /// The place of a run under `project_root`, in the process environment `env`.
    pub fn new(project_root: &'a Path, env: &'a Env, fs: &'a dyn FsView) -> Place<'a> {
        Place {
            project_root,
            home: env.home.as_deref(),
            xdg_config_home: env.xdg_config_home.as_deref(),
            os_user: env.os_user.as_deref(),
            fs,
        }
    }
}

/// What the tripwires saw in a run's record (for `status`, without building a packet).
pub fn tripwires(events: &[Event], project_root: &Path, home: Option<&Path>) -> Tripwires {
    tripwire::fold(events, &fold::Relative::new(project_root, home))
}

impl Packet {
    /// Builds the packet from a run's events (file order), the session state JSON when
    /// present (spend, counters), and the budget in force when it can be loaded (files and
    /// hashes, packs, `[run] tests`, the rollback note's path). Paths are shown relative to
    /// the place's project root; the place's file view tells whether the rollback note
    /// exists and who the git user is.
    pub fn build(
        events: &[Event],
        state_json: Option<&Value>,
        budget: Option<&Budget>,
        place: &Place<'_>,
    ) -> Packet {
        let mut packet = fold::fold(events, state_json, budget, place);
        packet.delegating_user = delegating_user(place);
        let paths: Vec<String> = packet
            .files_changed
            .iter()
            .map(|f| f.path.clone())
            .collect();
        let lines = diffstat::diffstat(place.project_root, &paths);
        for change in &mut packet.files_changed {
            if let Some(l) = lines.get(&change.path) {
                change.added = Some(l.added);
                change.removed = Some(l.removed);
            }
        }
        packet
    }

    /// The same packet with another delegating user (tests, or a caller that knows better).
    pub fn with_user(mut self, user: impl Into<String>) -> Packet {
        self.delegating_user = user.into();
        self
    }

    /// The packet as the markdown a reviewer reads (`review.md`).
    pub fn markdown(&self) -> String {
        markdown::render(self)
    }
}
