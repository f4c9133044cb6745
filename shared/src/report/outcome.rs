//! The run's outcome in one line (SPEC §7), and whether a CI check should fail on it:
//! completed with evidence / completed with gaps / halted / gate off.
//!
//! `claude-budget report --check` exits 1 on every outcome but the first. This is the one
//! place that decides it, from the data a record holds today: the session state's `stopped`
//! (a halt), the codes of the recorded decisions, the last Stop event's missing evidence,
//! and tool calls that finished with no PreToolUse recorded for them (the gate did not run).
//! New evidence (a tripwire's `gate-off` or `tamper-detected` event) is one more arm here.

use super::Packet;
use super::event::Event;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashSet;

/// Codes whose decision halts the run (`continue: false`, every later call denied).
const HALT_CODES: [&str; 4] = [
    "stop-rule",
    "spend-exceeded",
    "tamper-detected",
    "secret-exposed",
];

/// The four outcomes, worst last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutcomeKind {
    CompletedWithEvidence,
    CompletedWithGaps,
    Halted,
    GateOff,
}

/// The outcome and why, for the packet's first line and for `report --check`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub kind: OutcomeKind,
    /// What made it so (empty for a clean run).
    pub why: Vec<String>,
}

impl Outcome {
    /// True when CI should fail the job.
    pub fn fails_check(&self) -> bool {
        self.kind != OutcomeKind::CompletedWithEvidence
    }

    /// `outcome: halted — stop rule .claude/budget.toml:12 (…)`.
    pub fn line(&self) -> String {
        let word = match self.kind {
            OutcomeKind::CompletedWithEvidence => "completed with evidence",
            OutcomeKind::CompletedWithGaps => "completed with gaps",
            OutcomeKind::Halted => "halted",
            OutcomeKind::GateOff => "gate off",
        };
        if self.why.is_empty() {
            format!("outcome: {word}")
        } else {
            format!("outcome: {word} — {}", self.why.join("; "))
        }
    }
}

/// Decides the outcome of one run from its packet, record and state.
pub fn outcome(packet: &Packet, events: &[Event], state: Option<&Value>) -> Outcome {
    let mut found: Vec<(OutcomeKind, String)> = Vec::new();

    let pre_seen: HashSet<&str> = events
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
                .is_some_and(|id| !pre_seen.contains(id))
        })
        .count();
    if unguarded > 0 {
        found.push((
            OutcomeKind::GateOff,
            format!("{unguarded} tool call(s) ran with no PreToolUse decision recorded"),
        ));
    }
    if events.iter().any(|e| e.code.as_deref() == Some("gate-off")) {
        found.push((
            OutcomeKind::GateOff,
            "the record says the gate was off".into(),
        ));
    }

    if let Some(stopped) = state
        .and_then(|s| s.get("stopped"))
        .filter(|s| !s.is_null())
    {
        let reason = stopped["reason"].as_str().unwrap_or("a stop rule");
        let origin = stopped["origin"].as_str().unwrap_or("");
        found.push((
            OutcomeKind::Halted,
            format!("{origin} {reason}").trim().to_owned(),
        ));
    } else if let Some(e) = events
        .iter()
        .find(|e| e.code.as_deref().is_some_and(|c| HALT_CODES.contains(&c)))
    {
        let code = e.code.as_deref().unwrap_or_default();
        let rule = e.rule.as_deref().unwrap_or("");
        found.push((
            OutcomeKind::Halted,
            format!("{code} {rule}").trim().to_owned(),
        ));
    }

    let stops: Vec<&Event> = events.iter().filter(|e| e.event == "Stop").collect();
    let missing: Vec<String> = match stops.last() {
        Some(last) => last.missing_evidence.clone(),
        None => state
            .and_then(|s| s.get("missing_evidence"))
            .and_then(Value::as_array)
            .map(|m| {
                m.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
    };
    if !missing.is_empty() {
        found.push((
            OutcomeKind::CompletedWithGaps,
            format!("evidence missing: {}", missing.join(", ")),
        ));
    } else if stops.is_empty() && packet.events > 0 {
        found.push((
            OutcomeKind::CompletedWithGaps,
            "no Stop recorded: the evidence gate never ran".into(),
        ));
    }

    let kind = found
        .iter()
        .map(|(k, _)| *k)
        .max()
        .unwrap_or(OutcomeKind::CompletedWithEvidence);
    Outcome {
        kind,
        why: found.into_iter().map(|(_, why)| why).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(value: Value) -> Event {
        serde_json::from_value(value).unwrap_or_else(|e| panic!("{e}"))
    }

    fn pre(id: &str, decision: &str, code: Option<&str>) -> Event {
        event(
            json!({"ts": "t", "event": "PreToolUse", "tool": "Bash", "tool_use_id": id,
                     "decision": decision, "code": code}),
        )
    }

    fn post(id: &str) -> Event {
        event(json!({"ts": "t", "event": "PostToolUse", "tool": "Bash", "tool_use_id": id}))
    }

    fn stop(missing: &[&str]) -> Event {
        event(json!({"ts": "t", "event": "Stop", "missing_evidence": missing}))
    }

    fn kind_of(events: &[Event], state: Option<Value>) -> OutcomeKind {
        let packet = Packet {
            events: events.len(),
            ..Packet::default()
        };
        outcome(&packet, events, state.as_ref()).kind
    }

    #[test]
    fn a_run_that_stopped_with_nothing_missing_passes_the_check() {
        let events = [pre("a", "allow", None), post("a"), stop(&[])];
        assert_eq!(kind_of(&events, None), OutcomeKind::CompletedWithEvidence);
    }

    #[test]
    fn a_run_that_ended_with_missing_evidence_has_gaps() {
        let events = [
            pre("a", "allow", None),
            post("a"),
            stop(&["tests after edit"]),
        ];
        assert_eq!(kind_of(&events, None), OutcomeKind::CompletedWithGaps);
    }

    #[test]
    fn evidence_supplied_after_a_blocked_stop_counts() {
        let events = [
            stop(&["tests after edit"]),
            pre("a", "allow", None),
            post("a"),
            stop(&[]),
        ];
        assert_eq!(kind_of(&events, None), OutcomeKind::CompletedWithEvidence);
    }

    #[test]
    fn a_stop_rule_or_a_halted_state_is_halted() {
        let events = [pre("a", "deny", Some("stop-rule")), stop(&[])];
        assert_eq!(kind_of(&events, None), OutcomeKind::Halted);
        let state = json!({"stopped": {"reason": "over budget", "origin": "[spend]"}});
        assert_eq!(kind_of(&[stop(&[])], Some(state)), OutcomeKind::Halted);
    }

    #[test]
    fn a_call_that_ran_without_a_pre_tool_use_decision_means_the_gate_was_off() {
        let events = [
            post("never-decided"),
            pre("b", "deny", Some("stop-rule")),
            stop(&[]),
        ];
        assert_eq!(kind_of(&events, None), OutcomeKind::GateOff);
    }

    #[test]
    fn the_line_names_the_outcome_and_why() {
        let events = [
            pre("a", "allow", None),
            post("a"),
            stop(&["tests after edit"]),
        ];
        let packet = Packet::default();
        let line = outcome(&packet, &events, None).line();
        assert_eq!(
            line,
            "outcome: completed with gaps — evidence missing: tests after edit"
        );
    }
}
