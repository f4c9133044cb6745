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
    /// The subagent whose SubagentStop this is (`agent_id`); `None` for the main agent's
    /// Stop. A subagent's gate concerns its own edits, and its blocks are counted in its own
    /// chain, never resetting the main agent's.
    pub agent: Option<String>,
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
    if input.agent.is_none() {
        state.missing_evidence.clone_from(&missing);
    }
    let stopped = state.stopped.is_some();
    let chain = chain_of(state, input.agent.as_deref());
    if !input.stop_hook_active {
        *chain = 0;
    }
    // A run ended by a stop rule must stop: never send it back, whatever is missing.
    if missing.is_empty() || stopped {
        *chain = 0;
        return Gate::Pass;
    }
    if let Some(limit) = &input.limit_reached {
        *chain = 0;
        return Gate::LimitReached {
            limit: limit.clone(),
            missing,
        };
    }
    if *chain >= input.stop_blocks {
        return Gate::GiveUp { missing };
    }
    *chain += 1;
    let left = input.stop_blocks - *chain;
    state.stop_blocks = state.stop_blocks.saturating_add(1);
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

/// "`cargo test` or `cargo nextest run`", for messages.
fn how_to_test(input: &GateInput) -> String {
    if input.test_commands.is_empty() {
        return "the project's tests".to_owned();
    }
    input
        .test_commands
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The block counter of the main agent's chain, or of one subagent's.
fn chain_of<'a>(state: &'a mut SessionState, agent: Option<&str>) -> &'a mut u32 {
    match agent {
        None => &mut state.stop_chain_blocks,
        Some(agent) => state.subagent_chain(agent),
    }
}

fn missing_evidence(state: &SessionState, input: &GateInput) -> Vec<String> {
    let mut missing = Vec::new();
    if let Some(agent) = &input.agent {
        // A subagent answers for its own edits only (a read-only subagent has none).
        let Some(&edit_seq) = state.agent_edits.get(agent) else {
            return missing;
        };
        let tested =
            state.tests.last.as_ref().is_some_and(|t| {
                t.seq > edit_seq && t.outcome == super::state::TestOutcome::Passed
            });
        if input.tests_after_edit && !tested {
            missing.push(format!(
                "tests: this subagent edited files and no passing test run started after its last edit. Run {} and make them pass before finishing.",
                how_to_test(input)
            ));
        }
        if let Some(RollbackNote::Missing | RollbackNote::Incomplete(_)) = &input.rollback {
            missing.push(format!(
                "rollback note: high-risk files were changed and `{}` is missing or incomplete.",
                input.rollback_note_path
            ));
        }
        return missing;
    }
    if input.tests_after_edit && !state.tested_since_last_edit() {
        let how = how_to_test(input);
        let after_edit = |seq: u64| state.last_edit.as_ref().is_none_or(|e| seq > e.seq);
        let decided = state.tests.last.as_ref().filter(|t| after_edit(t.seq));
        let hidden = state
            .tests
            .last_undecided
            .as_ref()
            .filter(|u| after_edit(u.seq) && decided.is_none_or(|d| u.seq > d.seq));
        let what = match (&state.last_edit, decided, hidden) {
            (_, _, Some(run)) => match &run.note {
                Some(why) => format!(
                    "the last test run after the last edit (`{}`) is not evidence: {why}. Run {how} in the project, in the foreground and on its own, and make them pass",
                    run.command
                ),
                None => format!(
                    "the last test run after the last edit (`{}`) hid its exit status behind `|| true`, a pipe or a later command, so it is not evidence. Run {how} on its own so the tests' own status decides, and make them pass",
                    run.command
                ),
            },
            (_, Some(test), None) => format!(
                "the last test run after the last edit failed (`{}`). Run {how} and make them pass",
                test.command
            ),
            (Some(edit), None, None) if !state.pending_tests.is_empty() => format!(
                "no finished test run since the last edit (`{}`): a run started in the background has not been seen completing. Read its result (TaskOutput) or run {how} in the foreground, and make them pass",
                edit.path
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
