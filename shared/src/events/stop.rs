//! `claude-budget-stop`: the evidence gate on Stop and SubagentStop (SPEC §6.6).
//!
//! Sends the agent back (`decision: "block"`) while tests have not passed since the last
//! edit (when `tests_after_edit`) or a high-risk change lacks a complete rollback note, at
//! most `stop_blocks` times in a row; then lets it stop and leaves the gap in the state for
//! the review packet. Spend is read once more (so the packet's figures are final) and the
//! limits are checked on it: a run past a spend or run-wide failure limit is let stop at
//! once, as every further tool call would be refused. Never blocks on its own failures.
//!
//! Every Stop is recorded (the gate's decision, the evidence missing, the spend) and then
//! writes the review packet (`review.md`, `review.json`) into the session directory, so a
//! reviewer always finds the packet of the last turn without running anything.

use super::context::{self, HookContext, lock_wait};
use super::post;
use super::{Outcome, Policy, failure};
use crate::budget::Budget;
use crate::decide::{self, SessionFacts};
use crate::env::Env;
use crate::fsview::RealFs;
use crate::protocol::{HookInput, StopReply};
use crate::report::Place;
use crate::report::event::Event;
use crate::session::{
    DEFAULT_STOP_BLOCKS, Gate, GateInput, RollbackNote, gate::DEFAULT_ROLLBACK_FIELDS, stop_gate,
};
use crate::store::{self, evidence, review, transcript};

/// Handles one Stop / SubagentStop input.
pub fn handle(input: HookInput, env: &Env) -> Outcome {
    if !matches!(
        input.hook_event_name.as_deref(),
        Some("Stop" | "SubagentStop") | None
    ) {
        return Outcome::silent();
    }
    let ctx = match context::hook_context(&input, env) {
        Ok(ctx) => ctx,
        Err(reply) => return reply,
    };
    let settings = Settings::of(&ctx.budget);
    let transcript = post::transcript_path(&input);
    let prices = context::prices(&ctx.budget);
    let stop_hook_active = input.stop_hook_active.unwrap_or(false);
    let outcome = ctx.session.update(lock_wait(env), |state| {
        if let Some(path) = &transcript {
            let _ = transcript::refresh(state, path, &prices);
        }
        let rollback = (!state.high_risk_touched.is_empty()).then(|| settings.rollback_note(&ctx));
        let gate = GateInput {
            tests_after_edit: settings.tests_after_edit,
            test_commands: ctx
                .budget
                .layers
                .iter()
                .flat_map(|l| l.run.test_commands())
                .collect(),
            rollback,
            rollback_note_path: settings.note.clone(),
            stop_blocks: settings.stop_blocks,
            stop_hook_active,
            // Checked on the spend just read (SPEC §6.2: spend is checked at Stop).
            limit_reached: limit_reached(&ctx.budget, &state.facts_at(store::now_ms())),
        };
        let gate = stop_gate(state, &gate);
        let facts = Facts {
            seq: state.seq,
            usd: state.spend.usd,
            tokens: state.spend.tokens.total(),
            stopped: state.stopped.as_ref().map(|s| s.reason.clone()),
        };
        (gate, facts)
    });
    let mut event = post::event_for(&input, &ctx, None);
    let reply = match outcome {
        Ok((gate, facts)) => {
            facts.fill(&mut event);
            gate_reply(gate, &mut event)
        }
        Err(e) => post::not_counted(&ctx.session, "stop", &e),
    };
    let reply = post::record_event(&ctx, "stop", &event, reply);
    write_packet(&ctx, env, reply)
}

/// What the record keeps of the state after the gate ran.
struct Facts {
    seq: u64,
    usd: f64,
    tokens: u64,
    stopped: Option<String>,
}

impl Facts {
    fn fill(self, event: &mut Event) {
        event.seq = Some(self.seq);
        event.spend_usd = Some(self.usd);
        event.spend_tokens = Some(self.tokens);
        event.stop_reason = self.stopped;
    }
}

/// The hook's answer for the gate's outcome, noting the decision in the record's event.
fn gate_reply(gate: Gate, event: &mut Event) -> Outcome {
    match gate {
        Gate::Block { reason, missing } => {
            event.decision = Some("block".into());
            event.reason = Some(reason.clone());
            event.missing_evidence = missing;
            Outcome::json(&StopReply {
                decision: "block",
                reason,
            })
        }
        Gate::GiveUp { missing } => {
            let note = format!(
                "claude-budget: stopping with evidence missing (recorded): {}",
                missing.join("; ")
            );
            event.reason = Some("stop_blocks used up: the run ends with evidence missing".into());
            event.missing_evidence = missing;
            Outcome {
                stderr: Some(note),
                ..Outcome::silent()
            }
        }
        Gate::LimitReached { limit, missing } => {
            let note = format!(
                "claude-budget: stopping with evidence missing (recorded): {limit} is reached, \
                 so further work would be refused: {}",
                missing.join("; ")
            );
            event.reason = Some(format!(
                "{limit} is reached: the run ends with evidence missing"
            ));
            event.missing_evidence = missing;
            Outcome {
                stderr: Some(note),
                ..Outcome::silent()
            }
        }
        Gate::Pass => Outcome::silent(),
    }
}

/// The spend or run-wide failure limit that refuses every further tool call, named as its
/// rule: asks `decide` about a call with no effects, so the Stop and the PreToolUse hooks
/// apply the same limits.
fn limit_reached(budget: &Budget, facts: &SessionFacts) -> Option<String> {
    decide::limit_reached(budget, facts)
        .map(|hit| format!("[{}] {} ({})", hit.section, hit.rule, hit.origin))
}

/// Writes the review packet; a failure is reported, never blocks.
fn write_packet(ctx: &HookContext, env: &Env, reply: Outcome) -> Outcome {
    let place = Place::new(&ctx.budget.project_root, env, &RealFs);
    let written = review::write_packet(
        ctx.session.dir(),
        Some(&ctx.budget),
        &place,
        review::MAX_RECORD_BYTES_IN_HOOK,
    );
    match written {
        Ok(()) => reply,
        Err(e) => {
            let problem = format!("the review packet was not written: {e}");
            ctx.session.record_hook_error("stop", &problem);
            reply.with_note(failure(Policy::NeverBlock, &problem))
        }
    }
}

/// The evidence settings of all layers combined, strictest first.
struct Settings {
    tests_after_edit: bool,
    note: String,
    fields: Vec<String>,
    stop_blocks: u32,
}

impl Settings {
    fn of(budget: &Budget) -> Settings {
        let layers = &budget.layers;
        // The repo layer (last) names the note; a user layer's setting is the fallback.
        let note = layers
            .iter()
            .rev()
            .map(|l| l.evidence.rollback_note.clone())
            .find(|n| !n.is_empty())
            .unwrap_or_else(|| ".claude/rollback.md".into());
        let mut fields: Vec<String> = layers
            .iter()
            .flat_map(|l| l.evidence.rollback_fields.iter().cloned())
            .collect();
        fields.dedup();
        if fields.is_empty() {
            fields = DEFAULT_ROLLBACK_FIELDS
                .iter()
                .map(|f| (*f).to_owned())
                .collect();
        }
        Settings {
            tests_after_edit: layers.iter().any(|l| l.evidence.tests_after_edit),
            note,
            fields,
            stop_blocks: layers
                .iter()
                .filter_map(|l| l.retry.stop_blocks)
                .min()
                .unwrap_or(DEFAULT_STOP_BLOCKS),
        }
    }

    fn rollback_note(&self, ctx: &HookContext) -> RollbackNote {
        evidence::check_rollback_note(&ctx.budget.project_root, &self.note, &self.fields)
    }
}
