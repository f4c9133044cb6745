//! The stop gate (SPEC §6.5–6.6): may the agent stop, given the state and the evidence
//! found? Pure: the rollback note is read from disk by the caller
//! (`store::evidence::check_rollback_note`) and passed in as a [`RollbackNote`].

use super::state::SessionState;

/// The fields a note needs when the budget names none.
pub use crate::budget::DEFAULT_ROLLBACK_FIELDS;

/// The `stop_blocks` limit when the budget sets none.
pub const DEFAULT_STOP_BLOCKS: u32 = 3;

/// The state of the rollback note on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RollbackNote {
    Complete,
    Missing,
    Incomplete(Vec<String>),
}

/// What the stop gate needs besides the state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateInput {
    pub tests_after_edit: bool,
    /// The test commands named in `[run] tests`, for the message.
    pub test_commands: Vec<String>,
    /// `None` when no high-risk file was touched (the note is not needed).
    pub rollback: Option<RollbackNote>,
    /// Where the note lives, for the message.
    pub rollback_note_path: String,
    pub stop_blocks: u32,
    pub stop_hook_active: bool,
    /// A spend limit or the run-wide `[retry] failures` limit that is reached, named
    /// (`[spend] max_usd (.claude/budget.toml:9:1)`): every further tool call would be
    /// refused, so sending the agent back cannot produce the evidence.
    pub limit_reached: Option<String>,
}

/// The gate's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Nothing missing.
    Pass,
    /// Send the agent back with this reason.
    Block {
        reason: String,
        missing: Vec<String>,
    },
    /// Evidence is missing but `stop_blocks` is used up: let it stop; the packet lists it.
    GiveUp { missing: Vec<String> },
    /// Evidence is missing but a limit is reached (every further call would be refused):
    /// let it stop; the packet lists what is missing.
    LimitReached { limit: String, missing: Vec<String> },
}

/// Decides the stop and updates the block counters. A run stopped by a stop rule (or a
/// halt) always passes: it was told to end. A run past a spend or failure limit is not
/// sent back either: it could not work any more (SPEC §6.2: spend is checked at Stop). Blocks in a row are counted per chain:
/// a Stop with `stop_hook_active = false` starts a new chain (the agent stopped on its own,
/// not because we sent it back), so each round of work gets `stop_blocks` chances.
pub fn stop_gate(state: &mut SessionState, input: &GateInput) -> Gate {
    let missing = missing_evidence(state, input);
    state.stops = state.stops.saturating_add(1);
    state.missing_evidence.clone_from(&missing);
    if !input.stop_hook_active {
        state.stop_chain_blocks = 0;
    }
    // A run ended by a stop rule must stop: never send it back, whatever is missing.
    if missing.is_empty() || state.stopped.is_some() {
        state.stop_chain_blocks = 0;
        return Gate::Pass;
    }
    if let Some(limit) = &input.limit_reached {
        state.stop_chain_blocks = 0;
        return Gate::LimitReached {
            limit: limit.clone(),
            missing,
        };
    }
    if state.stop_chain_blocks >= input.stop_blocks {
        return Gate::GiveUp { missing };
    }
    state.stop_chain_blocks += 1;
    state.stop_blocks = state.stop_blocks.saturating_add(1);
    let left = input.stop_blocks - state.stop_chain_blocks;
    let reason = format!(
        "Not done yet — evidence is missing:\n{}\n(claude-budget stop gate; {left} more stop attempt(s) will be sent back before the run may end with this gap recorded.)",
        missing
            .iter()
            .map(|m| format!("- {m}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    Gate::Block { reason, missing }
}

fn missing_evidence(state: &SessionState, input: &GateInput) -> Vec<String> {
    let mut missing = Vec::new();
    if input.tests_after_edit && !state.tested_since_last_edit() {
        let how = if input.test_commands.is_empty() {
            "the project's tests".to_owned()
        } else {
            input
                .test_commands
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        let after_edit = |seq: u64| state.last_edit.as_ref().is_none_or(|e| seq > e.seq);
        let decided = state.tests.last.as_ref().filter(|t| after_edit(t.seq));
        let hidden = state
            .tests
            .last_undecided
            .as_ref()
            .filter(|u| after_edit(u.seq) && decided.is_none_or(|d| u.seq > d.seq));
        let what = match (&state.last_edit, decided, hidden) {
            (_, _, Some(run)) => format!(
                "the last test run after the last edit (`{}`) hid its exit status behind `|| true`, a pipe or a later command, so it is not evidence. Run {how} on its own so the tests' own status decides, and make them pass",
                run.command
            ),
            (_, Some(test), None) => format!(
                "the last test run after the last edit failed (`{}`). Run {how} and make them pass",
                test.command
            ),
            (Some(edit), None, None) => format!(
                "no test run since the last edit (`{}`). Run {how} and make them pass",
                edit.path
            ),
            (None, None, None) => format!("no passing test run. Run {how} and make them pass"),
        };
        missing.push(format!("tests: {what} before finishing."));
    }
    match &input.rollback {
        Some(RollbackNote::Missing) => missing.push(format!(
            "rollback note: high-risk files were changed but `{}` does not exist. Write it with every required field.",
            input.rollback_note_path
        )),
        Some(RollbackNote::Incomplete(fields)) => missing.push(format!(
            "rollback note: `{}` lacks {}. Fill them in.",
            input.rollback_note_path,
            fields.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
        )),
        Some(RollbackNote::Complete) | None => {}
    }
    missing
}

#[cfg(test)]
#[path = "gate_tests.rs"]
mod tests;
