//! `claude-budget-session`: SessionStart, UserPromptSubmit and SessionEnd.
//!
//! * SessionStart tells the agent its box (`additionalContext`): which budget is in force,
//!   its limits, stop rules and evidence duties — short, because it is read on every start.
//! * UserPromptSubmit records the first prompt as the task request (redacted like the record)
//!   for the review packet.
//! * SessionEnd marks the session finished, re-reads the transcript and rewrites the review
//!   packet with the final figures (the last turn lands in the transcript after Stop), then
//!   runs one bounded retention pass; it takes the lock with a short wait so it ends well
//!   inside Claude Code's session-end budget (< 1.5 s).
//!
//! Each event is also appended to the run record: SessionStart with the model and the budget
//! files in force (and their hashes), UserPromptSubmit with the prompt, SessionEnd with its
//! reason. Never blocks on its own failures.

use super::context::{self, HookContext, lock_wait};
use super::{Outcome, post};
use crate::budget::{Budget, OnExceed};
use crate::env::Env;
use crate::fsview::RealFs;
use crate::protocol::{ContextOutput, ContextReply, HookInput};
use crate::report::{self, Place};
use crate::store::record::{self, Event};
use crate::store::{self, retention, transcript};
use std::fmt::Write as _;
use std::time::Duration;

/// SessionEnd waits at most this long for the lock.
const SESSION_END_LOCK_WAIT: Duration = Duration::from_millis(800);

/// Handles one SessionStart, UserPromptSubmit or SessionEnd input.
pub fn handle(input: HookInput, env: &Env) -> Outcome {
    let event = input.hook_event_name.clone().unwrap_or_default();
    if !matches!(
        event.as_str(),
        "SessionStart" | "UserPromptSubmit" | "SessionEnd"
    ) {
        return Outcome::silent();
    }
    let ctx = match context::hook_context(&input, env) {
        Ok(ctx) => ctx,
        Err(reply) => return reply,
    };
    let now = store::now_ms();
    let result = match event.as_str() {
        "SessionStart" => {
            let model = input.model.as_ref().and_then(record::model_name);
            ctx.session
                .update(lock_wait(env), |s| {
                    super::tripwire::session_start(ctx.session.dir(), &ctx.budget, env);
                    s.note_session_start(input.session_id.as_deref(), model.as_deref(), now);
                    s.seq
                })
                .map(|seq| {
                    let text =
                        super::tripwire::start_message(&ctx.budget, env, summary(&ctx.budget));
                    (seq, Some(text))
                })
        }
        "UserPromptSubmit" => {
            let prompt = ctx.redactor.text(input.prompt.as_deref().unwrap_or(""));
            // Claude Code announces a finished background task as a new turn: a background
            // test run is judged now, on its exit status and its output file.
            let completed = input
                .prompt
                .as_deref()
                .and_then(crate::session::tasks::from_notification)
                .map(|(mut done, file)| {
                    done.output = file.as_deref().map(read_tail).unwrap_or_default();
                    done
                });
            ctx.session
                .update(lock_wait(env), |s| {
                    if let Some(done) = &completed {
                        s.note_task_completed(done);
                    }
                    s.note_prompt(&prompt, input.permission_mode.as_deref(), now);
                    s.seq
                })
                .map(|seq| (seq, None))
        }
        _ => {
            let transcript = post::transcript_path(&input);
            let prices = context::prices(&ctx.budget);
            let wait = SESSION_END_LOCK_WAIT.min(lock_wait(env));
            ctx.session
                .update(wait, |s| {
                    if let Some(path) = &transcript {
                        let _ = transcript::refresh(s, path, &prices);
                    }
                    s.note_session_end(input.reason.as_deref(), now);
                    s.seq
                })
                .map(|seq| (seq, None))
        }
    };
    let (seq, reply) = match result {
        Ok((seq, Some(context))) => (
            Some(seq),
            Outcome::json(&ContextReply {
                hook_specific_output: ContextOutput {
                    hook_event_name: event,
                    additional_context: context,
                },
            }),
        ),
        Ok((seq, None)) => (Some(seq), Outcome::silent()),
        Err(e) => (None, post::not_counted(&ctx.session, "session", &e)),
    };
    let recorded = recorded_event(&input, &ctx, env, seq);
    let reply = post::record_event(&ctx, "session", &recorded, reply);
    if input.hook_event_name.as_deref() == Some("SessionEnd") {
        refresh_packet(&ctx, env);
        prune_old_runs(
            &ctx,
            input.session_id.as_deref().unwrap_or("unknown-session"),
        );
    }
    reply
}

/// Claude Code writes the last turn to the transcript after the Stop hooks ran (seen with
/// 2.1.329: at Stop the transcript lacked the final answer's usage), so the packet written at
/// Stop under-reports spend: bring it up to date now that SessionEnd re-read the transcript.
fn refresh_packet(ctx: &HookContext, env: &Env) {
    let place = Place::new(&ctx.budget.project_root, env, &RealFs);
    let written = store::review::write_packet(
        ctx.session.dir(),
        Some(&ctx.budget),
        &place,
        store::review::MAX_RECORD_BYTES_IN_HOOK,
    );
    if let Err(e) = written {
        let problem = format!("the review packet was not brought up to date: {e}");
        ctx.session.record_hook_error("session", &problem);
    }
}

/// One bounded retention pass over this project's runs (SPEC §7): at most daily, a few
/// sessions at a time, never the running one. Failures are noted, never block.
fn prune_old_runs(ctx: &HookContext, running: &str) {
    let Some(project_runs) = ctx.session.dir().parent() else {
        return;
    };
    let pass = retention::opportunistic(
        project_runs,
        ctx.budget.retain_days(),
        running,
        std::time::SystemTime::now(),
    );
    for (path, why) in pass.iter().flat_map(|p| p.skipped.iter()) {
        if !why.starts_with("the running") && !why.contains("lock") {
            let problem = format!("retention: could not prune `{}`: {why}", path.display());
            ctx.session.record_hook_error("session", &problem);
        }
    }
}

/// The record line: SessionStart names the budget files in force; SessionEnd its reason.
fn recorded_event(input: &HookInput, ctx: &HookContext, env: &Env, seq: Option<u64>) -> Event {
    let mut event = post::event_for(input, ctx, seq);
    match event.event.as_str() {
        "SessionStart" => {
            event.budget = record::budget_files(&ctx.budget);
            let place = Place::new(&ctx.budget.project_root, env, &RealFs);
            event.user = Some(report::delegating_user(&place));
        }
        "SessionEnd" => event.reason.clone_from(&input.reason),
        _ => {}
    }
    event
}

/// The agent's box in a few lines.
pub fn summary(budget: &Budget) -> String {
    let files: Vec<&str> = budget.layers.iter().map(|l| l.display.as_str()).collect();
    let mut packs: Vec<&str> = budget
        .layers
        .iter()
        .flat_map(|l| l.packs.iter().map(String::as_str))
        .collect();
    packs.sort_unstable();
    packs.dedup();
    // "Is in force", not "enforces": this hook cannot see whether the pre-tool-use hook is
    // wired and resolvable (`claude-budget status` can), so it claims only what it knows.
    let mut out = format!(
        "A claude-budget budget is in force in this session ({}",
        files.join(" + ")
    );
    if !packs.is_empty() {
        let _ = write!(out, "; packs: {}", packs.join(", "));
    }
    if let Some(task) = &budget.task {
        let _ = write!(out, "; task: {task}");
    }
    out.push_str(
        ").\nWhat you may read, edit, run, call and fetch is written in the budget file; you may read it. \
         A refused call names the rule and what to do instead; do not try to route around it.",
    );
    out.push_str(&crate::budget::scratch_note(budget, &crate::fsview::RealFs));
    let limits = limit_lines(budget);
    if !limits.is_empty() {
        let _ = write!(out, "\nLimits: {}.", limits.join("; "));
    }
    let stops: Vec<&str> = budget
        .layers
        .iter()
        .flat_map(|l| l.stops.iter().map(|s| s.reason.as_str()))
        .collect();
    if !stops.is_empty() {
        let _ = write!(
            out,
            "\nStop rules (the run ends and needs a new approval): {}",
            stops.join(" / ")
        );
    }
    if budget.layers.iter().any(|l| l.evidence.tests_after_edit) {
        out.push_str("\nBefore finishing: run the tests after your last edit; they must pass.");
    }
    if let Some(layer) = budget
        .layers
        .iter()
        .rev()
        .find(|l| !l.evidence.rollback_note.is_empty())
    {
        let _ = write!(
            out,
            "\nHigh-risk files (`[evidence] high_risk`) need a rollback note at `{}` first, with: {}.",
            layer.evidence.rollback_note,
            layer.evidence.rollback_fields.join(", ")
        );
    }
    out
}

fn limit_lines(budget: &Budget) -> Vec<String> {
    let mut out = Vec::new();
    for layer in &budget.layers {
        let s = &layer.spend;
        let mut spend = Vec::new();
        if let Some(v) = s.max_usd {
            spend.push(format!("${v:.2}"));
        }
        if let Some(v) = s.max_tokens {
            spend.push(format!("{v} tokens"));
        }
        if let Some(v) = s.max_tool_calls {
            spend.push(format!("{v} tool calls"));
        }
        if let Some(v) = s.max_minutes {
            spend.push(format!("{v} minutes"));
        }
        if !spend.is_empty() {
            let then = match s.on_exceed {
                OnExceed::Deny => "then every call is refused",
                OnExceed::Halt => "then the run is halted",
            };
            out.push(format!("at most {} ({then})", spend.join(", ")));
        }
        let r = &layer.retry;
        if let Some(v) = r.same_command_failures {
            out.push(format!("a failing command may fail {v} times"));
        }
        if let Some(v) = r.failures {
            out.push(format!("{v} failed calls in all"));
        }
        if let Some(v) = r.same_file_edits {
            out.push(format!("{v} edits per file"));
        }
    }
    out
}

/// The last MiB of a background task's output file (a runner's summary is at its end);
/// empty when it cannot be read.
fn read_tail(path: &str) -> String {
    use std::io::{Read, Seek, SeekFrom};
    const TAIL: u64 = 1024 * 1024;
    let Ok(mut file) = std::fs::File::open(path) else {
        return String::new();
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if file
        .seek(SeekFrom::Start(len.saturating_sub(TAIL)))
        .is_err()
    {
        return String::new();
    }
    let mut bytes = Vec::new();
    let _ = file.take(TAIL).read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}
