//! The session's test runs, background tasks, subagents and spend readability: the parts
//! of [`SessionState`] added for issue 12 (evidence that cannot be faked), kept beside the
//! core counters in `state.rs`.

use super::state::{EditMark, SPEND_UNREADABLE_GRACE, SessionState, TestOutcome, TestRun};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A background task seen finished: its id, whether it failed, and its output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompletedTask {
    pub task: String,
    pub failed: bool,
    pub output: String,
}

/// A test run started in the background, waiting for its completion (SPEC §6.6).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PendingTest {
    /// When it started (its PreToolUse): it is evidence for edits before this only.
    pub seq: u64,
    pub command: String,
    pub known_runner: bool,
}

/// How many background test runs are remembered while they run.
pub(super) const MAX_PENDING_TESTS: usize = 64;
/// How many subagents' edits and stop chains are remembered.
pub(super) const MAX_SUBAGENTS: usize = 64;

/// Inserts into a map bounded to [`MAX_SUBAGENTS`] keys, forgetting the smallest value.
pub(super) fn bounded_insert<'a, V: Copy + Ord>(
    map: &'a mut BTreeMap<String, V>,
    key: &str,
    value: V,
) -> &'a mut V {
    if !map.contains_key(key)
        && map.len() >= MAX_SUBAGENTS
        && let Some(oldest) = map.iter().min_by_key(|(_, v)| **v).map(|(k, _)| k.clone())
    {
        map.remove(&oldest);
    }
    map.entry(key.to_owned()).or_insert(value)
}

impl SessionState {
    /// A background task finished: if it was a test run, judge it now (its start decides
    /// which edits it covers).
    pub fn note_task_completed(&mut self, done: &CompletedTask) {
        let Some(pending) = self.pending_tests.remove(&done.task) else {
            return;
        };
        let evidence =
            super::evidence::judge_output(done.failed, Some(&done.output), pending.known_runner);
        let (outcome, note) = super::observe::outcome_of(&evidence);
        self.note_test_run(TestRun {
            seq: pending.seq,
            outcome,
            command: pending.command,
            note,
        });
    }

    /// Counts one judged test run.
    pub(super) fn note_test_run(&mut self, run: TestRun) {
        self.tests.runs += 1;
        match run.outcome {
            TestOutcome::Undecided => {
                self.tests.undecided += 1;
                self.tests.last_undecided = Some(run);
            }
            TestOutcome::Failed => {
                self.tests.failed += 1;
                self.tests.last = Some(run);
            }
            TestOutcome::Passed => {
                self.tests.passed += 1;
                self.tests.last_pass_seq =
                    Some(self.tests.last_pass_seq.map_or(run.seq, |s| s.max(run.seq)));
                self.tests.last = Some(run);
            }
        }
    }

    /// Notes whether the transcript could be read this call (`Err`: why not). Returns true
    /// the first time it is found unreadable and when the grace runs out (worth reporting).
    pub fn note_spend_read(&mut self, result: Result<(), String>) -> bool {
        match result {
            Ok(()) => {
                self.spend_unreadable_calls = 0;
                self.spend_unreadable_error = None;
                false
            }
            Err(error) => {
                self.spend_unreadable_calls = self.spend_unreadable_calls.saturating_add(1);
                self.spend_unreadable_error = Some(error);
                self.spend_unreadable_calls == 1
                    || self.spend_unreadable_calls == SPEND_UNREADABLE_GRACE + 1
            }
        }
    }

    /// An edit tool call allowed at PreToolUse (call after [`Self::note_pre_tool_use`]): it
    /// is an edit from now on, even if its PostToolUse never arrives (SPEC §6.6). Only the
    /// last edit moves; the count waits for the PostToolUse, so nothing is counted twice.
    pub fn note_pre_edit(&mut self, path: &str) {
        let seq = self.seq;
        self.edits
            .update(path, |entry| entry.last_seq = entry.last_seq.max(seq));
        if self.last_edit.as_ref().is_none_or(|e| e.seq < seq) {
            self.last_edit = Some(EditMark {
                seq,
                path: path.to_owned(),
            });
        }
    }

    /// The stop-block chain of one subagent.
    pub fn subagent_chain(&mut self, agent: &str) -> &mut u32 {
        bounded_insert(&mut self.subagent_chains, agent, 0)
    }
}
