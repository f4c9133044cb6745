//! [`SessionState`]: the counters of SPEC §6.1 and how each hook event changes them.
//!
//! Pure (no I/O, no clock: callers pass `now_ms`). Every event bumps one sequence number, so
//! "tests ran after the last edit" is a comparison of two integers. Pre and Post events of
//! the same `tool_use_id` are idempotent: a call is counted once whether the pre hook, the
//! post hook, or both saw it, and a hook delivered twice changes nothing.
//!
//! Size stays bounded whatever the session's length: maps are keyed by distinct commands and
//! files, and the windows used for idempotence ([`RECENT_CALLS`]) and pending asks are
//! capped, so an update costs the same at event 10 and at event 10,000.

use super::compact::call_id_hash;
use super::facts::{SessionFacts, StopFact};
use super::packed_map::{EditCounts, FailureCounts};
pub use super::runs::{CompletedTask, PendingTest};
use super::runs::{MAX_PENDING_TESTS, bounded_insert};
use super::spend::SpendState;
use crate::text::shorten;
use crate::verdict::Verdict;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// How many recent tool_use_ids are remembered for Pre/Post idempotence. Pre and Post of
/// one call are never further apart than the calls running in parallel.
pub const RECENT_CALLS: usize = 256;
/// How many unanswered asks are remembered.
pub const MAX_PENDING_ASKS: usize = 256;
/// The first prompt is kept up to this many bytes.
pub const MAX_TASK_REQUEST_BYTES: usize = 16 * 1024;
/// How many PreToolUse calls in a row may find the transcript unreadable before spend counts
/// as unknown and a spend limit's `on_exceed` applies: a transcript being rotated or written
/// is not a reason to stop the run, a transcript that stays unreadable is.
pub const SPEND_UNREADABLE_GRACE: u32 = 3;
/// The last error line of a failure is kept up to this many bytes.
const MAX_ERROR_LINE_BYTES: usize = 400;

/// Everything counted for one session (the file `state.msgpack`, see `store`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionState {
    /// Incremented on every event that changed something.
    pub seq: u64,
    pub session_id: Option<String>,
    pub first_event_ms: Option<u64>,
    pub last_event_ms: Option<u64>,
    /// Tool calls that ran or were allowed to run (denied calls are counted separately).
    pub tool_calls: u64,
    pub denied_calls: u64,
    pub total_failures: u32,
    /// By command fingerprint ([`super::fingerprint`]), or `Tool path` for other tools
    /// (stored packed: `compact.rs`).
    #[serde(with = "super::compact::failures")]
    pub failures: FailureCounts,
    /// By absolute path (stored packed: `compact.rs`).
    #[serde(with = "super::compact::edits")]
    pub edits: EditCounts,
    pub last_edit: Option<EditMark>,
    pub tests: TestStats,
    /// High-risk paths edited (SPEC §6.5): the stop gate re-checks the rollback note.
    pub high_risk_touched: BTreeSet<String>,
    /// How often the stop gate sent the agent back.
    pub stop_blocks: u32,
    /// Blocks in the current chain of Stop events (reset when the agent stops on its own).
    pub stop_chain_blocks: u32,
    /// The same per subagent (`agent_id`), for SubagentStop: kept apart from the main chain.
    pub subagent_chains: BTreeMap<String, u32>,
    /// The sequence number of each subagent's last edit: a subagent's gate concerns its own.
    pub agent_edits: BTreeMap<String, u64>,
    /// Set once a stop rule (or `on_exceed = "halt"`) ended the run.
    pub stopped: Option<Stopped>,
    pub spend: SpendState,
    /// True once the `warn_at` note was given (it is given once).
    pub spend_warned: bool,
    /// PreToolUse calls in a row that found the transcript unreadable, and why (SPEC §6.2:
    /// spend that cannot be read is not zero).
    pub spend_unreadable_calls: u32,
    pub spend_unreadable_error: Option<String>,
    pub asks: AskStats,
    /// Asked calls not yet seen running: tool_use_id → sequence number of the ask.
    pub pending_asks: BTreeMap<String, u64>,
    /// Test runs started in the background, by task id, until their completion is seen.
    pub pending_tests: BTreeMap<String, PendingTest>,
    /// Recently seen calls, for idempotence (stored packed: `compact.rs`).
    #[serde(with = "super::compact::recent_calls")]
    pub recent_calls: VecDeque<CallMark>,
    /// The first prompt of the session (the task request), possibly truncated.
    pub task_request: Option<String>,
    pub prompts: u32,
    pub model: Option<String>,
    pub permission_mode: Option<String>,
    /// Evidence the stop gate found missing the last time it ran (empty: all present).
    pub missing_evidence: Vec<String>,
    pub stops: u32,
    pub ended: Option<Ended>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FailureCount {
    pub count: u32,
    pub last_error_line: String,
    pub last_seq: u64,
}

/// Stored packed with the whole map (`compact.rs`); `Serialize` for the facts' JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EditCount {
    pub count: u32,
    pub last_seq: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditMark {
    pub seq: u64,
    pub path: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TestStats {
    pub runs: u32,
    pub passed: u32,
    pub failed: u32,
    /// The most recent test run.
    pub last: Option<TestRun>,
    /// Sequence number of the most recent passing run.
    pub last_pass_seq: Option<u64>,
    /// Runs whose outcome the call's status does not show (`cargo test || true`,
    /// `cargo test | tail`): counted as runs, never as a pass or a failure.
    pub undecided: u32,
    /// The most recent of those runs, so the stop gate can say its status was hidden.
    pub last_undecided: Option<TestRun>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestRun {
    /// When the run started (its PreToolUse), else when it was seen finished.
    pub seq: u64,
    pub outcome: TestOutcome,
    pub command: String,
    /// Why it is not evidence, or how it was judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TestOutcome {
    Passed,
    Failed,
    /// The call's exit status was not the tests' (`cargo test || true`).
    Undecided,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AskStats {
    pub requested: u32,
    /// Asked calls that then ran (the user approved).
    pub granted: u32,
}

/// Stored packed with the whole window (`compact.rs`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallMark {
    /// The `tool_use_id`'s hash ([`call_id_hash`]).
    pub id: u64,
    pub pre: bool,
    pub post: bool,
    pub counted: bool,
    /// The sequence number of its PreToolUse (0: not seen): when the call started.
    pub pre_seq: u64,
}

/// Why the run was stopped (a stored [`StopFact`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stopped {
    pub reason: String,
    pub origin: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ended {
    pub reason: Option<String>,
    pub at_ms: u64,
}

/// What one finished call did, in the budget's terms (built by [`super::observe`], so this
/// module stays free of budget lookups).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostEvent {
    pub tool_use_id: Option<String>,
    pub tool_name: String,
    /// PostToolUseFailure.
    pub failed: bool,
    /// The retry key: [`super::fingerprint`]`(command)` for Bash, `Tool path` otherwise.
    pub fingerprint: String,
    /// The last non-empty line of the error text.
    pub error_line: Option<String>,
    /// Absolute paths the call edited (Edit/Write/NotebookEdit, shell writes and deletes).
    pub edited: Vec<String>,
    /// The subset of `edited` that is high-risk.
    pub high_risk: Vec<String>,
    /// `Some(command)` when the command counts as running the tests.
    pub test_command: Option<String>,
    /// The test command's own exit status is not the call's (`cargo test || true`), or the
    /// run is otherwise not evidence (`test_note` says why): counted, never as a pass.
    pub test_undecided: bool,
    /// Why the run is not evidence, or how it was judged (`an unknown runner: its exit status
    /// alone`), for the stop gate's message and the packet.
    pub test_note: Option<String>,
    /// The test run was started in the background (task id, a known runner): it counts
    /// when its completion is seen.
    pub background_test: Option<(String, bool)>,
    /// The tests' own output shows a failure (even when the call exited 0).
    pub test_failed: bool,
    /// A background task's completion seen through TaskOutput/BashOutput.
    pub completed_task: Option<CompletedTask>,
    /// The subagent that made the call (`agent_id` of the input), if any.
    pub agent_id: Option<String>,
    /// The call's edits all happened before its test run started (`cargo fmt && cargo
    /// test`): the run covers them.
    pub edits_before_tests: bool,
}

impl SessionState {
    fn touch(&mut self, now_ms: u64) {
        self.first_event_ms.get_or_insert(now_ms);
        self.last_event_ms = Some(self.last_event_ms.map_or(now_ms, |last| last.max(now_ms)));
    }

    /// The remembered mark of a call, creating it (and forgetting the oldest) if new.
    fn call_mark(&mut self, id: &str) -> &mut CallMark {
        let id = call_id_hash(id);
        let at = match self.recent_calls.iter().position(|m| m.id == id) {
            Some(at) => at,
            None => {
                if self.recent_calls.len() >= RECENT_CALLS {
                    self.recent_calls.pop_front();
                }
                self.recent_calls.push_back(CallMark {
                    id,
                    ..CallMark::default()
                });
                self.recent_calls.len() - 1
            }
        };
        // `at` is a valid index: found by `position` or just pushed.
        &mut self.recent_calls[at]
    }

    /// Records a PreToolUse decision: counts the call (unless denied), remembers an ask until
    /// the call runs, and records a stop. Idempotent per `tool_use_id`.
    pub fn note_pre_tool_use(
        &mut self,
        tool_use_id: Option<&str>,
        tool_name: &str,
        verdict: Option<Verdict>,
        stop: Option<StopFact>,
        now_ms: u64,
    ) {
        let _ = tool_name;
        self.touch(now_ms);
        if let Some(stop) = stop {
            self.stopped.get_or_insert(Stopped {
                reason: stop.reason,
                origin: stop.origin,
            });
        }
        let already_counted = match tool_use_id {
            Some(id) => {
                let mark = self.call_mark(id);
                if mark.pre {
                    return;
                }
                mark.pre = true;
                let counted = mark.counted;
                if verdict != Some(Verdict::Deny) {
                    mark.counted = true;
                }
                counted
            }
            None => false,
        };
        self.seq += 1;
        if let Some(id) = tool_use_id {
            let seq = self.seq;
            self.call_mark(id).pre_seq = seq;
        }
        match verdict {
            Some(Verdict::Deny) => self.denied_calls += 1,
            _ if already_counted => {}
            _ => self.tool_calls += 1,
        }
        if verdict == Some(Verdict::Ask)
            && let Some(id) = tool_use_id
        {
            self.asks.requested += 1;
            if self.pending_asks.len() >= MAX_PENDING_ASKS
                && let Some(oldest) = self
                    .pending_asks
                    .iter()
                    .min_by_key(|(_, seq)| **seq)
                    .map(|(k, _)| k.clone())
            {
                self.pending_asks.remove(&oldest);
            }
            self.pending_asks.insert(id.to_owned(), self.seq);
        }
    }

    /// True when a PreToolUse of this call was seen (within the [`RECENT_CALLS`] window).
    /// A post event without one ran with the gate off (SPEC §3).
    pub fn pre_seen(&self, tool_use_id: &str) -> bool {
        let id = call_id_hash(tool_use_id);
        self.recent_calls.iter().any(|m| m.id == id && m.pre)
    }

    /// Records a PostToolUse / PostToolUseFailure. Idempotent per `tool_use_id`.
    pub fn note_post_tool_use(&mut self, event: &PostEvent, now_ms: u64) {
        self.touch(now_ms);
        let (already_counted, pre_seq) = match &event.tool_use_id {
            Some(id) => {
                let mark = self.call_mark(id);
                if mark.post {
                    return;
                }
                mark.post = true;
                (std::mem::replace(&mut mark.counted, true), mark.pre_seq)
            }
            None => (false, 0),
        };
        self.seq += 1;
        let seq = self.seq;
        // A test run is evidence for the edits made before it started, not before its
        // PostToolUse arrived (SPEC §6.6).
        let started = if pre_seq > 0 { pre_seq } else { seq };
        if !already_counted {
            self.tool_calls += 1;
        }
        if let Some(id) = &event.tool_use_id
            && self.pending_asks.remove(id).is_some()
        {
            self.asks.granted += 1;
        }
        if event.failed {
            self.total_failures = self.total_failures.saturating_add(1);
            self.failures.update(&event.fingerprint, |entry| {
                entry.count = entry.count.saturating_add(1);
                entry.last_seq = seq;
                if let Some(line) = &event.error_line {
                    entry.last_error_line = shorten(line, MAX_ERROR_LINE_BYTES);
                }
            });
        }
        if let (Some(agent), false) = (&event.agent_id, event.edited.is_empty()) {
            *bounded_insert(&mut self.agent_edits, agent, seq) = seq;
        }
        // Edits made before the same call's tests are marked just before the run started.
        let edit_seq = if event.edits_before_tests {
            started.saturating_sub(1)
        } else {
            seq
        };
        for path in &event.edited {
            self.edits.update(path, |entry| {
                entry.count = entry.count.saturating_add(1);
                entry.last_seq = entry.last_seq.max(edit_seq);
            });
            if self.last_edit.as_ref().is_none_or(|e| e.seq <= edit_seq) {
                self.last_edit = Some(EditMark {
                    seq: edit_seq,
                    path: path.clone(),
                });
            }
        }
        self.high_risk_touched
            .extend(event.high_risk.iter().cloned());
        if let Some(done) = &event.completed_task {
            self.note_task_completed(done);
        }
        let Some(command) = &event.test_command else {
            return;
        };
        let command = shorten(command, 200);
        if let Some((task, known_runner)) = &event.background_test {
            if self.pending_tests.len() >= MAX_PENDING_TESTS
                && let Some(oldest) = self
                    .pending_tests
                    .iter()
                    .min_by_key(|(_, p)| p.seq)
                    .map(|(k, _)| k.clone())
            {
                self.pending_tests.remove(&oldest);
            }
            self.pending_tests.insert(
                task.clone(),
                PendingTest {
                    seq: started,
                    command,
                    known_runner: *known_runner,
                },
            );
            return;
        }
        let outcome = match (event.test_undecided, event.failed || event.test_failed) {
            (true, _) => TestOutcome::Undecided,
            (false, true) => TestOutcome::Failed,
            (false, false) => TestOutcome::Passed,
        };
        self.note_test_run(TestRun {
            seq: started,
            outcome,
            command,
            note: event.test_note.clone(),
        });
    }

    /// SessionStart: model and permission mode as far as known.
    pub fn note_session_start(
        &mut self,
        session_id: Option<&str>,
        model: Option<&str>,
        now_ms: u64,
    ) {
        self.touch(now_ms);
        if self.session_id.is_none() {
            self.session_id = session_id.map(str::to_owned);
        }
        if let Some(model) = model {
            self.model = Some(model.to_owned());
        }
    }

    /// UserPromptSubmit: the first prompt is the task request; later ones are only counted.
    pub fn note_prompt(&mut self, prompt: &str, permission_mode: Option<&str>, now_ms: u64) {
        self.touch(now_ms);
        self.prompts = self.prompts.saturating_add(1);
        if self.task_request.is_none() {
            self.task_request = Some(shorten(prompt, MAX_TASK_REQUEST_BYTES));
        }
        if let Some(mode) = permission_mode {
            self.permission_mode = Some(mode.to_owned());
        }
    }

    /// SessionEnd.
    pub fn note_session_end(&mut self, reason: Option<&str>, now_ms: u64) {
        self.touch(now_ms);
        self.ended = Some(Ended {
            reason: reason.map(str::to_owned),
            at_ms: now_ms,
        });
    }

    /// The facts `decide` needs, at time `now_ms` (for `max_minutes`).
    pub fn facts_at(&self, now_ms: u64) -> SessionFacts {
        SessionFacts {
            failures: self.failures.clone(),
            edits: self.edits.clone(),
            ..self.counter_facts(now_ms)
        }
    }

    /// [`SessionState::facts_at`] without copying the per-command and per-file maps: they
    /// move into the facts, and [`SessionState::take_back`] must return them before the
    /// state is used again. In a long session the copies cost more than the decision.
    pub fn lend_facts(&mut self, now_ms: u64) -> SessionFacts {
        SessionFacts {
            failures: std::mem::take(&mut self.failures),
            edits: std::mem::take(&mut self.edits),
            ..self.counter_facts(now_ms)
        }
    }

    /// Returns the maps [`SessionState::lend_facts`] lent.
    pub fn take_back(&mut self, facts: SessionFacts) {
        self.failures = facts.failures;
        self.edits = facts.edits;
    }

    /// Everything but the two maps.
    fn counter_facts(&self, now_ms: u64) -> SessionFacts {
        SessionFacts {
            stopped: self.stopped.as_ref().map(|s| StopFact {
                reason: s.reason.clone(),
                origin: s.origin.clone(),
            }),
            failures: FailureCounts::default(),
            total_failures: self.total_failures,
            edits: EditCounts::default(),
            tool_calls: self.tool_calls,
            spend_usd: self.spend.usd,
            spend_tokens: self.spend.tokens.total(),
            minutes: self
                .first_event_ms
                .map_or(0, |first| now_ms.saturating_sub(first) / 60_000),
            warned: self.spend_warned,
            spend_unreadable: (self.spend_unreadable_calls > SPEND_UNREADABLE_GRACE)
                .then(|| self.spend_unreadable_error.clone().unwrap_or_default()),
        }
    }

    /// True when tests ran after the last edit and the most recent run passed
    /// (SPEC §6.6 `tests_after_edit`). No edit at all needs no test.
    pub fn tested_since_last_edit(&self) -> bool {
        let Some(edit) = &self.last_edit else {
            return true;
        };
        self.tests
            .last
            .as_ref()
            .is_some_and(|t| t.seq > edit.seq && t.outcome == TestOutcome::Passed)
    }

    /// Changed files with no passing test run after their last edit (review packet "test gaps").
    pub fn untested_edits(&self) -> Vec<String> {
        let pass = self.tests.last_pass_seq.unwrap_or(0);
        self.edits
            .iter()
            .filter(|(_, e)| e.last_seq > pass)
            .map(|(p, _)| p)
            .collect()
    }
}

/// The last non-empty line of an error text (`Exit code 2\nls: cannot access …` → the `ls`
/// line), which retry denials quote.
pub fn last_error_line(error: &str) -> Option<String> {
    error
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
