//! Re-deciding recorded or written calls with today's budget — what `replay`, `capture`,
//! `test` and `demo` share. A [`Replayer`] keeps a real [`SessionState`] and changes it
//! exactly as the hooks do: a decided call through [`count_decision`](super::pre::count_decision) (the pre hook's
//! bookkeeping) and a finished call through [`context::observe_call`] (the post hook's), so
//! retry limits (a file edited by `sed -i` included), stop rules and call counts replay as
//! they happened.
//!
//! Time is not replayed: the clock stands still at 0, so `max_minutes` never trips in a
//! replay (and spend, read from transcripts, is not rebuilt either).

use super::context::{self, CallSite};
use super::pre::count_decision;
use crate::budget::Budget;
use crate::decide::Decision;
use crate::env::Env;
use crate::protocol::ToolCall;
use crate::redact::{self, Redactor};
use crate::report::event::Event;
use crate::session::{Finished, SessionState};
use serde_json::Value;
use std::path::PathBuf;

/// The replay clock (see the module doc).
const REPLAY_NOW_MS: u64 = 0;

/// Decides calls one after the other, keeping the session state a real run would have.
pub struct Replayer<'a> {
    pub budget: &'a Budget,
    /// What has been counted so far (as the hooks would have written it to the state file).
    pub state: SessionState,
    env: Env,
    redactor: Redactor,
}

impl<'a> Replayer<'a> {
    /// A fresh session under `budget`, in the environment `env` (protected directories,
    /// home) — the one the hook would have.
    pub fn new(budget: &'a Budget, env: Env) -> Replayer<'a> {
        Replayer {
            budget,
            state: SessionState::default(),
            env,
            redactor: redact::for_budget(budget),
        }
    }

    /// Decides one call as the pre-tool-use hook would now, and counts it as the hook does.
    pub fn decide(
        &mut self,
        tool: &str,
        input: &Value,
        cwd: Option<&str>,
        mode: Option<&str>,
    ) -> Decision {
        self.decide_call(tool, input, None, cwd, mode)
    }

    /// [`Replayer::decide`] for a recorded call with its `tool_use_id` (so its post event is
    /// not counted twice, as in the hooks).
    pub fn decide_call(
        &mut self,
        tool: &str,
        input: &Value,
        tool_use_id: Option<&str>,
        cwd: Option<&str>,
        mode: Option<&str>,
    ) -> Decision {
        let call = ToolCall::from_parts(tool, input);
        let cwd = cwd.map(PathBuf::from);
        let site = CallSite {
            cwd: cwd.as_deref(),
            permission_mode: mode,
        };
        let facts = self.state.facts_at(REPLAY_NOW_MS);
        let decision = context::decide_call(&call, self.budget, &facts, &self.env, site);
        count_decision(
            &mut self.state,
            tool_use_id,
            &call,
            &decision,
            REPLAY_NOW_MS,
        );
        decision
    }

    /// Counts what a recorded post event says happened, through the post hook's own path
    /// (failures by command, edits by file — shell writes included, test runs).
    pub fn observe(&mut self, event: &Event) {
        let Some(tool) = event.tool.as_deref() else {
            return;
        };
        let input = event.input.clone().unwrap_or(Value::Null);
        let call = ToolCall::from_parts(tool, &input);
        let finished = Finished {
            tool_use_id: event.tool_use_id.as_deref(),
            tool_name: tool,
            call: &call,
            failed: event.outcome.as_deref() == Some("failed")
                || event.event == "PostToolUseFailure",
            error: event.error.as_deref(),
            run: None,
            response: None,
        };
        let cwd = event
            .cwd
            .as_deref()
            .map_or_else(|| self.budget.project_root.clone(), PathBuf::from);
        let (post, _) =
            context::observe_call(&finished, &cwd, self.budget, &self.redactor, &self.env);
        self.state.note_post_tool_use(&post, REPLAY_NOW_MS);
    }
}
