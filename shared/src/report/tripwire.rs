//! The packet's tripwire section (SPEC §3, §7), shown at the very top: a run halted by a
//! tripwire or run with the gate off is the first thing a reviewer must see. Also the
//! budgets in force over time, when a budget file changed during the run.

use super::fold::Relative;
use crate::store::record::{BudgetFileRef, Event};
use serde::Serialize;
use std::fmt::Write as _;

/// What the tripwires saw during the run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tripwires {
    /// `halted: tamper detected`, `halted: secret exposed`, `gate off`; `None`: nothing fired.
    pub outcome: Option<String>,
    /// Protected files changed by a call: restored (or not) and the run halted.
    pub tamper: Vec<Trip>,
    /// Secrets found in a call's output.
    pub secrets: Vec<Trip>,
    /// Calls that ran with no PreToolUse decision.
    pub gate_off: Vec<Trip>,
    /// The budget files in force, each time they changed (one entry: no change).
    pub budgets: Vec<BudgetVersion>,
}

/// One tripwire hit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Trip {
    pub at: String,
    pub tool: String,
    /// The command, path or tool the call was.
    pub call: String,
    /// The protected file, or where the secret came from.
    pub file: Option<String>,
    /// A tamper: whether the file is back.
    pub restored: bool,
}

/// The budget files in force from `since` on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BudgetVersion {
    pub since: String,
    pub files: Vec<BudgetFileRef>,
}

fn trip(event: &Event, file: Option<&str>, restored: bool, rel: &Relative) -> Trip {
    Trip {
        at: event.ts.clone(),
        tool: event.tool.clone().unwrap_or_default(),
        call: rel.text(event.summary.as_deref().unwrap_or("")),
        file: file.map(|f| rel.path(f)),
        restored,
    }
}

pub(super) fn fold(events: &[Event], rel: &Relative) -> Tripwires {
    let mut t = Tripwires::default();
    for event in events {
        if !event.budget.is_empty()
            && t.budgets
                .last()
                .is_none_or(|last| last.files != event.budget)
        {
            t.budgets.push(BudgetVersion {
                since: event.ts.clone(),
                files: event.budget.clone(),
            });
        }
        for note in &event.tripwire {
            let file = note.file.as_deref();
            match note.code.as_str() {
                "tamper-detected" => t.tamper.push(trip(event, file, note.restored, rel)),
                "secret-exposed" => t.secrets.push(Trip {
                    // A variable's name is no path.
                    file: file.map(str::to_owned),
                    ..trip(event, None, false, rel)
                }),
                "gate-off" => t.gate_off.push(trip(event, None, false, rel)),
                _ => {}
            }
        }
    }
    t.outcome = if !t.tamper.is_empty() {
        Some("halted: tamper detected".into())
    } else if !t.secrets.is_empty() {
        Some("halted: secret exposed".into())
    } else if !t.gate_off.is_empty() {
        Some("gate off".into())
    } else {
        None
    };
    t
}

/// The section, right under the packet's title; nothing when no tripwire fired and the
/// budget never changed.
pub(super) fn render(t: &Tripwires, out: &mut String) {
    // The outcome line itself is the packet's first line (`outcome.rs`).
    if t.outcome.is_none() && t.budgets.len() < 2 {
        return;
    }
    let _ = writeln!(out, "\n## Tripwires\n");
    for x in &t.tamper {
        let undo = if x.restored {
            "put back"
        } else {
            "NOT put back — check it"
        };
        let _ = writeln!(
            out,
            "- TAMPER: `{}` changed during {} `{}` at {} — {undo}; run halted",
            x.file.as_deref().unwrap_or("?"),
            x.tool,
            x.call,
            x.at
        );
    }
    for x in &t.secrets {
        let _ = writeln!(
            out,
            "- SECRET EXPOSED: the value of `{}` was in the output of {} `{}` at {} — run \
             halted; rotate it",
            x.file.as_deref().unwrap_or("?"),
            x.tool,
            x.call,
            x.at
        );
    }
    if !t.gate_off.is_empty() {
        let _ = writeln!(
            out,
            "- GATE OFF: {} call(s) ran with no PreToolUse decision (the pre-tool-use hook did \
             not run: removed, renamed, disabled or crashed); run `claude-budget status`:",
            t.gate_off.len()
        );
        for x in t.gate_off.iter().take(12) {
            let _ = writeln!(out, "  - {} `{}` at {}", x.tool, x.call, x.at);
        }
    }
    if t.budgets.len() > 1 {
        let _ = writeln!(out, "- Budgets in force over time:");
        for v in &t.budgets {
            let files: Vec<String> = v
                .files
                .iter()
                .map(|f| format!("`{}` {}", f.file, f.sha256.get(..12).unwrap_or(&f.sha256)))
                .collect();
            let _ = writeln!(out, "  - from {}: {}", v.since, files.join(", "));
        }
    }
}
