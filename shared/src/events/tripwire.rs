//! The events' side of the tripwires (SPEC §3): thin calls into `crate::tripwire` (the
//! judgement, the scan) and `store::tripwire_copies` (the files).
//!
//! * PreToolUse ([`note_pre`], after the session lock is released): `stat` the watched
//!   files, one line per call appended to the session's `tripwire/pre.log`. The only cost
//!   on the allow path.
//! * PostToolUse / PostToolUseFailure: [`scan_output`] and [`check_files`] before the
//!   session lock (the latter under the tripwire's own lock when something changed), then
//!   [`judge_call`] inside it: gate-off, and a tamper or a secret sets the session's stop so
//!   every later call is denied; the reply halts Claude Code.
//! * SessionStart ([`session_start`]): the copies, at the session's first event.

use super::Outcome;
use super::context::HookContext;
use crate::budget::Budget;
use crate::env::Env;
use crate::protocol::HookInput;
use crate::session::SessionState;
use crate::session::state::Stopped;
use crate::store::record::Event;
use crate::store::tripwire_copies::{Tripwire, watched};
use crate::store::{gate_check, tripwire_secrets};
use crate::tripwire::secrets::{Exposure, Scanner, response_text};
use crate::tripwire::{
    Finding, HaltReply, SECRET_ORIGIN, TAMPER_ORIGIN, TripwireNote, secret_reason, tamper_reason,
};
use std::path::Path;

/// PreToolUse of a call that may run (not denied): the identities its post compares with.
/// A failure only weakens the check (the post then compares with the accepted state).
pub fn note_pre(session_dir: &Path, budget: &Budget, env: &Env, tool_use_id: &str) {
    let seen = watched(budget, env.home.as_deref());
    let _ = Tripwire::new(session_dir).note_pre(tool_use_id, &seen);
}

/// SessionStart: the copies of the protected files, before any call can touch them.
pub fn session_start(session_dir: &Path, budget: &Budget, env: &Env) {
    let seen = watched(budget, env.home.as_deref());
    let _ = Tripwire::new(session_dir).ensure_manifest(&seen);
}

/// The SessionStart message: the budget's summary, unless the PreToolUse entry does not
/// resolve — then a warning first, and no claim of enforcement.
pub fn start_message(budget: &Budget, env: &Env, summary: String) -> String {
    match gate_check::gate_off_reason(&budget.project_root, env) {
        None => summary,
        Some(reason) => format!(
            "claude-budget WARNING: the PreToolUse gate is OFF in this session ({reason}). Tool \
             calls are NOT checked against the budget; tell the user before you do anything \
             (`claude-budget status` shows how to fix it).\n{}",
            summary.replacen(
                "claude-budget enforces a budget in this session",
                "The budget that should apply",
                1
            )
        ),
    }
}

/// The call as the halt message names it: `Bash: cargo build`, `Write: src/x.rs`.
fn call_label(input: &HookInput) -> String {
    let event = Event::from_input(input);
    let tool = event.tool.unwrap_or_else(|| "a tool".into());
    match event.summary {
        Some(summary) => {
            let short: String = summary.chars().take(120).collect();
            let cut = if short.len() < summary.len() {
                "…"
            } else {
                ""
            };
            format!("{tool}: {short}{cut}")
        }
        None => tool,
    }
}

/// The secret scan of a finished call's output (and of a failure's error text), outside
/// the session lock: reads the denied files and builds the automaton.
pub fn scan_output(input: &HookInput, ctx: &HookContext, env: &Env) -> Option<(Exposure, Scanner)> {
    let mut text = String::new();
    if let Some(response) = &input.tool_response {
        response_text(response, &mut text);
    }
    if let Some(error) = &input.error {
        text.push_str(error);
    }
    if text.trim().is_empty() {
        return None;
    }
    let scanner = tripwire_secrets::scanner(
        &ctx.budget,
        env.home.as_deref(),
        ctx.session.dir(),
        crate::env::all_vars(),
    );
    scanner.find(&text).map(|hit| (hit, scanner))
}

/// What the tripwires found for one post event.
#[derive(Default)]
pub struct Trip {
    /// The halt reason, when the run is halted now.
    pub halt: Option<String>,
    /// The record's code for this post event (`tamper-detected`, `secret-exposed`, `gate-off`).
    pub code: Option<&'static str>,
    pub notes: Vec<TripwireNote>,
}

/// The protected files after the call, before the session lock is taken: compared with
/// what the call's PreToolUse saw (a `stat` each when nothing changed), restored and judged
/// under the tripwire's own lock otherwise.
pub fn check_files(ctx: &HookContext, env: &Env, input: &HookInput) -> Vec<Finding> {
    let now = watched(&ctx.budget, env.home.as_deref());
    let id = input.tool_use_id.as_deref();
    match Tripwire::new(ctx.session.dir()).check_after(id, &now) {
        Ok(findings) => findings,
        Err(e) => {
            ctx.session
                .record_hook_error("post-tool-use", &format!("tripwire not checked: {e}"));
            Vec::new()
        }
    }
}

/// Inside the session lock, before the call is counted: gate-off, and the stop for a
/// tamper ([`check_files`]) or a secret ([`scan_output`]).
pub fn judge_call(
    state: &mut SessionState,
    input: &HookInput,
    findings: &[Finding],
    exposure: Option<&Exposure>,
) -> Trip {
    let mut trip = Trip::default();
    let id = input.tool_use_id.as_deref();
    if id.is_some_and(|id| !state.pre_seen(id)) {
        trip.code = Some("gate-off");
        trip.notes.push(TripwireNote {
            code: "gate-off".into(),
            ..TripwireNote::default()
        });
    }
    trip.notes.extend(findings.iter().map(TripwireNote::of));
    let tampered: Vec<_> = findings
        .iter()
        .filter(|f| f.code == "tamper-detected")
        .collect();
    let call = call_label(input);
    if !tampered.is_empty() {
        let reason = tamper_reason(&tampered, &call);
        halt(state, &reason, TAMPER_ORIGIN);
        trip.code = Some("tamper-detected");
        trip.halt = Some(reason);
    } else if let Some(hit) = exposure {
        let reason = secret_reason(&hit.label, &call);
        halt(state, &reason, SECRET_ORIGIN);
        trip.code = Some("secret-exposed");
        trip.notes.push(TripwireNote {
            code: "secret-exposed".into(),
            file: Some(hit.label.clone()),
            after: Some(hit.sha256.clone()),
            ..TripwireNote::default()
        });
        trip.halt = Some(reason);
    }
    trip
}

fn halt(state: &mut SessionState, reason: &str, origin: &str) {
    state.stopped.get_or_insert(Stopped {
        reason: reason.to_owned(),
        origin: origin.to_owned(),
    });
}

/// The post hook's reply for a halt: `continue: false` with the reason (also on stderr).
pub fn halt_reply(reason: &str) -> Outcome {
    let mut reply = Outcome::json(&HaltReply::new(reason));
    reply.stderr = Some(reason.to_owned());
    reply
}
