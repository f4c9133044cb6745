//! The packet's first line (SPEC §7): how the run ended, so CI and a reviewer see it before
//! anything else — completed with evidence, completed with gaps, halted (and why), or gate off.
//!
//! [`outcome`] is the one place that decides it. It reads [`Signal`]s gathered from the
//! record by [`signals`]; a new kind of event (a tripwire, `report --check`'s needs) is one
//! more `Signal` variant and one more match arm there, ranked by [`Signal::rank`].

use super::Packet;
use super::event::Event;
use serde::Serialize;

/// How the run ended, most serious first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Outcome {
    /// A protected file was changed behind the budget's back and restored; the run was halted.
    HaltedTamper { detail: String },
    /// A denied file's secret reached the agent; the run was halted.
    HaltedSecret { detail: String },
    /// A tool call ran without the PreToolUse hook: part of the run was not under the budget.
    GateOff { detail: String },
    /// A `[[stop]]` rule ended the run.
    HaltedStopRule { detail: String },
    /// A spend limit with `on_exceed = "halt"` ended the run.
    HaltedSpend { detail: String },
    /// The run ended with evidence missing (the stop gate used up, or no passing tests after
    /// the last change).
    CompletedWithGaps { detail: String },
    /// Every change is covered by the evidence the budget asks for.
    #[default]
    CompletedWithEvidence,
}

/// One thing in the record that bears on the outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Signal {
    Tamper(String),
    Secret(String),
    GateOff(String),
    StopRule(String),
    SpendHalt(String),
    Gaps(Vec<String>),
}

impl Signal {
    /// Lower is more serious: a breach outranks a gap in the record, which outranks a halt
    /// the budget itself ordered, which outranks missing evidence.
    fn rank(&self) -> u8 {
        match self {
            Signal::Tamper(_) => 0,
            Signal::Secret(_) => 1,
            Signal::GateOff(_) => 2,
            Signal::StopRule(_) => 3,
            Signal::SpendHalt(_) => 4,
            Signal::Gaps(_) => 5,
        }
    }
}

/// The signals in a run's events (and its packet's evidence sections).
pub fn signals(events: &[Event], packet: &Packet, missing_evidence: &[String]) -> Vec<Signal> {
    let mut out = Vec::new();
    for event in events {
        let what = || {
            let call = event.summary.clone().or_else(|| event.tool.clone());
            let reason = event.stop_reason.clone().or_else(|| event.reason.clone());
            match (call, reason) {
                (Some(c), Some(r)) => format!("{r} (call: {c})"),
                (Some(c), None) => c,
                (None, Some(r)) => r,
                (None, None) => String::new(),
            }
        };
        let first_line = |text: String| text.lines().next().unwrap_or("").to_owned();
        match (event.event.as_str(), event.code.as_deref()) {
            (_, Some("tamper-detected")) => out.push(Signal::Tamper(first_line(what()))),
            (_, Some("secret-exposed")) => out.push(Signal::Secret(first_line(what()))),
            ("GateOff" | "gate-off", _) | (_, Some("gate-off")) => {
                out.push(Signal::GateOff(first_line(what())));
            }
            ("PreToolUse", Some("stop-rule")) if event.stop_reason.is_some() => {
                out.push(Signal::StopRule(
                    event.stop_reason.clone().unwrap_or_default(),
                ));
            }
            ("PreToolUse", Some("spend-exceeded")) if event.stop_reason.is_some() => {
                out.push(Signal::SpendHalt(
                    event.stop_reason.clone().unwrap_or_default(),
                ));
            }
            _ => {}
        }
    }
    // A finished call with no PreToolUse recorded for it ran outside the budget (the pre
    // hook missing, renamed or disabled), even where no `gate-off` event was written.
    let decided: std::collections::HashSet<&str> = events
        .iter()
        .filter(|e| e.event == "PreToolUse")
        .filter_map(|e| e.tool_use_id.as_deref())
        .collect();
    let unguarded = events
        .iter()
        .filter(|e| matches!(e.event.as_str(), "PostToolUse" | "PostToolUseFailure"))
        .filter(|e| {
            e.tool_use_id
                .as_deref()
                .is_some_and(|id| !decided.contains(id))
        })
        .count();
    if unguarded > 0 && !out.iter().any(|s| matches!(s, Signal::GateOff(_))) {
        out.push(Signal::GateOff(format!(
            "{unguarded} tool call(s) ran with no PreToolUse decision recorded"
        )));
    }
    let mut gaps: Vec<String> = missing_evidence.to_vec();
    if !packet.tests.gaps.is_empty() && gaps.is_empty() {
        gaps.push(format!(
            "no passing test run after the last change of {}",
            super::fold::list_short(&packet.tests.gaps, 3)
        ));
    }
    if !gaps.is_empty() {
        out.push(Signal::Gaps(gaps));
    }
    out
}

/// The outcome: the most serious signal, or completed with evidence when there is none.
pub fn outcome(signals: &[Signal]) -> Outcome {
    let Some(worst) = signals.iter().min_by_key(|s| s.rank()) else {
        return Outcome::CompletedWithEvidence;
    };
    match worst.clone() {
        Signal::Tamper(detail) => Outcome::HaltedTamper { detail },
        Signal::Secret(detail) => Outcome::HaltedSecret { detail },
        Signal::GateOff(detail) => Outcome::GateOff { detail },
        Signal::StopRule(detail) => Outcome::HaltedStopRule { detail },
        Signal::SpendHalt(detail) => Outcome::HaltedSpend { detail },
        Signal::Gaps(missing) => Outcome::CompletedWithGaps {
            detail: missing.join("; "),
        },
    }
}

impl Outcome {
    /// The one line a reviewer or CI reads first.
    pub fn line(&self) -> String {
        let with = |head: &str, detail: &str| {
            if detail.is_empty() {
                head.to_owned()
            } else {
                format!("{head}: {}", super::reason::cap_words(detail, 240))
            }
        };
        match self {
            Outcome::HaltedTamper { detail } => with("halted — tamper detected", detail),
            Outcome::HaltedSecret { detail } => with("halted — secret exposed", detail),
            Outcome::GateOff { detail } => with(
                "gate off — a tool call ran without the budget's PreToolUse check",
                detail,
            ),
            Outcome::HaltedStopRule { detail } => with("halted — stop rule", detail),
            Outcome::HaltedSpend { detail } => with("halted — spend limit", detail),
            Outcome::CompletedWithGaps { detail } => with("completed with gaps", detail),
            Outcome::CompletedWithEvidence => "completed with evidence".to_owned(),
        }
    }

    /// True for every outcome but "completed with evidence" (`report --check` exits 1).
    pub fn is_problem(&self) -> bool {
        *self != Outcome::CompletedWithEvidence
    }
}
