//! `claude-budget-post-tool-use`: count what a finished tool call did (SPEC §6.1, §6.3):
//! the call, its failure (by fingerprint), the files it edited, whether it ran the tests and
//! how that went, and the spend appended to the transcript since the last hook.
//!
//! Never blocks: a failure here (invalid budget, lock timeout, unwritable state) is reported
//! on stderr and appended to the session's `hook-errors.log`, and the hook exits 0.
//!
//! Every call is also appended to the run record (`events.jsonl`, SPEC §7): outcome, first
//! error line, whether it ran the tests, the files a shell command read and wrote, and whether
//! it touched a high-risk file. A record failure is reported like a counting failure.
//!
//! Also holds what the never-blocking hooks share: appending to the record and reporting a
//! failure without blocking. What a call counts as is decided by `session::observe`.

use super::context::{self, HookContext, lock_wait};
use super::{Outcome, Policy, failure};
use crate::env::Env;
use crate::protocol::{HookInput, ToolCall};
use crate::session::{Finished, PostEvent};
use crate::shell::Analysis;
use crate::store::record::{self, Event};
use crate::store::{self, Session, transcript};
use std::path::PathBuf;

/// Unreadable input for a never-blocking hook: silent where no budget is in force, else a
/// note on stderr (exit 0).
pub fn bad_input(problem: &str, env: &Env) -> Outcome {
    match context::locate(env, None) {
        None => Outcome::silent(),
        Some(_) => failure(Policy::NeverBlock, problem),
    }
}

/// Reports a failed state update without blocking: stderr and `hook-errors.log`.
pub fn not_counted(session: &Session, hook: &str, error: &store::StoreError) -> Outcome {
    let problem = format!("the session state was not updated: {error}");
    session.record_hook_error(hook, &problem);
    failure(Policy::NeverBlock, &problem)
}

/// Appends `event` to the session's record (redacted with the budget's `[record] redact`).
/// A failure never blocks: it goes to `hook-errors.log` and is added to `reply`'s stderr.
pub fn record_event(ctx: &HookContext, hook: &str, event: &Event, reply: Outcome) -> Outcome {
    match record::append(ctx.session.dir(), event, &ctx.redactor) {
        Ok(()) => reply,
        Err(e) => {
            let problem = format!("the run record was not written: {e}");
            ctx.session.record_hook_error(hook, &problem);
            reply.with_note(failure(Policy::NeverBlock, &problem))
        }
    }
}

/// The record's event for `input`, with what the hook knows on top of the input: the
/// session's sequence number and the task in force.
pub fn event_for(input: &HookInput, ctx: &HookContext, seq: Option<u64>) -> Event {
    Event {
        seq,
        task: ctx.budget.task.clone(),
        ..Event::from_input(input)
    }
}

/// The transcript path of the input, when there is one.
pub fn transcript_path(input: &HookInput) -> Option<PathBuf> {
    input
        .transcript_path
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
}

/// Handles one PostToolUse / PostToolUseFailure input.
pub fn handle(input: HookInput, env: &Env) -> Outcome {
    let failed = match input.hook_event_name.as_deref() {
        Some("PostToolUse") | None => false,
        Some("PostToolUseFailure") => true,
        Some(_) => return Outcome::silent(),
    };
    let ctx = match context::hook_context(&input, env) {
        Ok(ctx) => ctx,
        Err(reply) => return reply,
    };
    let tool_name = input.tool_name.clone().unwrap_or_default();
    let call = input.tool_call().unwrap_or(ToolCall::Other {
        tool: tool_name.clone(),
    });
    let finished = Finished {
        tool_use_id: input.tool_use_id.as_deref(),
        tool_name: &tool_name,
        call: &call,
        failed,
        error: input.error.as_deref(),
    };
    let (event, analysis) =
        context::observe_call(&finished, &ctx.cwd, &ctx.budget, &ctx.redactor, env);
    let transcript = transcript_path(&input);
    let prices = context::prices(&ctx.budget);
    let now = store::now_ms();
    let outcome = ctx.session.update(lock_wait(env), |state| {
        state.note_post_tool_use(&event, now);
        // Spend is best effort here; the pre hook and the stop hook read it too.
        let spend = transcript
            .as_deref()
            .map(|path| transcript::refresh(state, path, &prices));
        (state.seq, spend)
    });
    let (seq, reply) = match outcome {
        Ok((seq, Some(Err(e)))) => {
            ctx.session
                .record_hook_error("post-tool-use", &format!("spend not read: {e}"));
            (Some(seq), Outcome::silent())
        }
        Ok((seq, _)) => (Some(seq), Outcome::silent()),
        Err(e) => (None, not_counted(&ctx.session, "post-tool-use", &e)),
    };
    let recorded = recorded_post(&input, &ctx, seq, &event, analysis.as_ref());
    record_event(&ctx, "post-tool-use", &recorded, reply)
}

/// The record line of a finished call. `test` is left unknown when shell analysis could not
/// tell (an unanalysable command): the packet then falls back to `[run] tests` itself.
fn recorded_post(
    input: &HookInput,
    ctx: &HookContext,
    seq: Option<u64>,
    event: &PostEvent,
    analysis: Option<&Analysis>,
) -> Event {
    let mut recorded = event_for(input, ctx, seq);
    recorded.high_risk = (!event.high_risk.is_empty()).then_some(true);
    if let Some(analysis) = analysis {
        let paths = |edit: bool| {
            let mut paths: Vec<String> = analysis
                .effects
                .iter()
                .filter(|e| e.kind.is_edit() == edit)
                .map(|e| e.path.display().to_string())
                .collect();
            paths.sort();
            paths.dedup();
            paths
        };
        recorded.reads = paths(false);
        recorded.writes = paths(true);
        recorded.test = match (&event.test_command, analysis.unanalysable.is_empty()) {
            (Some(_), _) => Some(true),
            (None, true) => Some(false),
            (None, false) => None,
        };
        recorded.test_status = event.test_command.as_ref().map(|_| {
            match (event.test_undecided, event.failed) {
                (true, _) => "undecided",
                (false, true) => "failed",
                (false, false) => "passed",
            }
            .to_owned()
        });
    }
    recorded
}
