//! `status`'s tripwire lines (SPEC §3, §8): whether the latest session was halted by a
//! tripwire, and whether calls ran with the gate off (a PostToolUse with no PreToolUse:
//! the pre hook was removed, renamed, disabled or crashed).

use budget_policy::report::{self, Tripwires};
use budget_policy::store::record;
use std::fmt::Write as _;
use std::path::Path;

/// The tripwires of one session's record (nothing when it cannot be read).
pub(crate) fn of_session(session_dir: &Path, project_root: &Path) -> Tripwires {
    record::read(session_dir)
        .map(|events| {
            let env = crate::project::env();
            report::tripwires(&events, project_root, env.home.as_deref())
        })
        .unwrap_or_default()
}

/// A few lines under the session's counters; nothing when no tripwire fired.
pub(crate) fn text(t: &Tripwires) -> String {
    let mut out = String::new();
    if let Some(outcome) = &t.outcome {
        let _ = writeln!(out, "  tripwire outcome: {outcome}");
    }
    for x in &t.tamper {
        let _ = writeln!(
            out,
            "  tamper: `{}` changed during {} `{}` ({})",
            x.file.as_deref().unwrap_or("?"),
            x.tool,
            x.call,
            if x.restored {
                "put back"
            } else {
                "NOT put back"
            }
        );
    }
    for x in &t.secrets {
        let _ = writeln!(
            out,
            "  secret exposed: the value of `{}` in the output of {} `{}`",
            x.file.as_deref().unwrap_or("?"),
            x.tool,
            x.call
        );
    }
    if !t.gate_off.is_empty() {
        let _ = writeln!(
            out,
            "  GATE OFF: {} call(s) ran with no PreToolUse decision — the pre-tool-use hook \
             did not run for them (removed, renamed, disabled or crashed)",
            t.gate_off.len()
        );
    }
    out
}
