//! Rollout metrics (`claude-budget stats`, issue 15): per day and per project, what the runs
//! did and how the budget answered — runs, tool calls, denials by code, asks and how many were
//! granted, stop-rule and spend halts, spend, retries exhausted, runs that ended with gaps,
//! and tripwire events (tamper, secret exposed, gate off). Pure: one run's events and state
//! in, a [`RunStats`] out; [`add`] sums runs into per-day, per-project rows.

use super::Outcome;
use crate::store::record::Event;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// The figures of one run, or of a sum of runs.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RunStats {
    pub runs: u64,
    pub tool_calls: u64,
    /// Refused calls by decision code (`path-denied`, `command-denied`, …).
    pub denials: BTreeMap<String, u64>,
    pub asks: u64,
    /// Asked calls that then ran (someone approved).
    pub asks_granted: u64,
    /// Runs a `[[stop]]` rule ended.
    pub stop_rule_halts: u64,
    /// Runs `[spend] on_exceed = "halt"` ended.
    pub spend_halts: u64,
    pub spend_usd: f64,
    /// Calls refused because a retry limit was reached (`retry-limit`).
    pub retries_exhausted: u64,
    /// Runs whose outcome was "completed with gaps".
    pub ended_with_gaps: u64,
    pub tamper_events: u64,
    pub secret_events: u64,
    pub gate_off_events: u64,
}

impl RunStats {
    /// Every refused call.
    pub fn denials_total(&self) -> u64 {
        self.denials.values().sum()
    }
}

/// One row of the report: a day (UTC, `YYYY-MM-DD`) and a project (its runs-dir name).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Row {
    pub day: String,
    pub project: String,
    #[serde(flatten)]
    pub stats: RunStats,
}

/// The figures of one run from its events (file order) and its session state.
pub fn run_stats(events: &[Event], state: Option<&Value>) -> RunStats {
    let mut s = RunStats {
        runs: 1,
        ..RunStats::default()
    };
    let ran: HashSet<&str> = events
        .iter()
        .filter(|e| matches!(e.event.as_str(), "PostToolUse" | "PostToolUseFailure"))
        .filter_map(|e| e.tool_use_id.as_deref())
        .collect();
    let mut stop_spend = None;
    for e in events {
        match (e.event.as_str(), e.decision.as_deref()) {
            ("PostToolUse" | "PostToolUseFailure", _) => s.tool_calls += 1,
            ("PreToolUse", Some("deny")) => {
                let code = e.code.clone().unwrap_or_else(|| "unknown".into());
                if code == "retry-limit" {
                    s.retries_exhausted += 1;
                }
                *s.denials.entry(code).or_default() += 1;
            }
            ("PreToolUse", Some("ask")) => {
                s.asks += 1;
                s.asks_granted +=
                    u64::from(e.tool_use_id.as_deref().is_some_and(|id| ran.contains(id)));
            }
            ("Stop" | "SubagentStop", _) => stop_spend = e.spend_usd.or(stop_spend),
            _ => {}
        }
        match e.code.as_deref() {
            Some("tamper-detected") => s.tamper_events += 1,
            Some("secret-exposed") => s.secret_events += 1,
            Some("gate-off") => s.gate_off_events += 1,
            _ if e.event == "GateOff" => s.gate_off_events += 1,
            _ => {}
        }
    }
    // The same folding the packet does, with no file system: stats read records only (a year
    // of them), and what exists on disk today does not change how a run ended.
    let place = super::Place {
        project_root: Path::new("/"),
        home: None,
        xdg_config_home: None,
        os_user: None,
        fs: &NoFs,
    };
    let packet = super::fold::fold(events, state, None, &place);
    match packet.outcome {
        Outcome::HaltedStopRule { .. } => s.stop_rule_halts = 1,
        Outcome::HaltedSpend { .. } => s.spend_halts = 1,
        Outcome::CompletedWithGaps { .. } => s.ended_with_gaps = 1,
        _ => {}
    }
    // A run halted for a breach may also have hit a stop rule: count the halts it records.
    if !matches!(packet.outcome, Outcome::HaltedStopRule { .. })
        && packet
            .stops
            .iter()
            .any(|a| a.code.as_deref() == Some("stop-rule"))
    {
        s.stop_rule_halts = 1;
    }
    s.spend_usd = packet.spend.usd.or(stop_spend).unwrap_or(0.0);
    s
}

/// A file system where nothing exists.
struct NoFs;

impl crate::fsview::FsView for NoFs {
    fn exists(&self, _: &Path) -> bool {
        false
    }
    fn is_dir(&self, _: &Path) -> bool {
        false
    }
    fn canonicalize(&self, _: &Path) -> Option<std::path::PathBuf> {
        None
    }
    fn read_small(&self, _: &Path, _: u64) -> Option<String> {
        None
    }
    fn list_dir(&self, _: &Path) -> Option<Vec<String>> {
        None
    }
}

/// Adds `run` into `into`.
pub fn add(into: &mut RunStats, run: &RunStats) {
    into.runs += run.runs;
    into.tool_calls += run.tool_calls;
    for (code, n) in &run.denials {
        *into.denials.entry(code.clone()).or_default() += n;
    }
    into.asks += run.asks;
    into.asks_granted += run.asks_granted;
    into.stop_rule_halts += run.stop_rule_halts;
    into.spend_halts += run.spend_halts;
    into.spend_usd += run.spend_usd;
    into.retries_exhausted += run.retries_exhausted;
    into.ended_with_gaps += run.ended_with_gaps;
    into.tamper_events += run.tamper_events;
    into.secret_events += run.secret_events;
    into.gate_off_events += run.gate_off_events;
}

/// The UTC day a run started (`YYYY-MM-DD` of its first timestamp), if it has one.
pub fn run_day(events: &[Event]) -> Option<String> {
    events
        .iter()
        .find_map(|e| e.ts.get(..10).filter(|d| d.len() == 10).map(str::to_owned))
}
