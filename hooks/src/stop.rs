//! `claude-budget-stop`: the evidence gate on Stop and SubagentStop (SPEC §6.6).
//!
//! Sends the agent back (`decision: "block"`) while tests have not passed since the last
//! edit (when `tests_after_edit`) or a high-risk change lacks a complete rollback note, at
//! most `stop_blocks` times in a row; then lets it stop and leaves the gap in the state for
//! the review packet. Spend is read once more so the packet's figures are final. Never blocks
//! on its own failures.

use crate::post::{self, Context};
use crate::runner::{HookEnv, Reply};
use budget_policy::budget::Budget;
use budget_policy::protocol::{HookInput, StopReply};
use budget_policy::store::evidence::{
    self, DEFAULT_ROLLBACK_FIELDS, DEFAULT_STOP_BLOCKS, Gate, GateInput, RollbackNote,
};
use budget_policy::store::transcript;

/// Handles one Stop / SubagentStop input.
pub fn handle(input: HookInput, env: &HookEnv) -> Reply {
    if !matches!(
        input.hook_event_name.as_deref(),
        Some("Stop" | "SubagentStop") | None
    ) {
        return Reply::silent();
    }
    let ctx = match post::context(&input, env) {
        Ok(ctx) => ctx,
        Err(reply) => return reply,
    };
    let settings = Settings::of(&ctx.budget);
    let transcript = post::transcript_path(&input);
    let prices = post::prices(&ctx.budget);
    let stop_hook_active = input.stop_hook_active.unwrap_or(false);
    let outcome = ctx.session.update(post::lock_wait(env), |state| {
        if let Some(path) = &transcript {
            let _ = transcript::refresh(state, path, &prices);
        }
        let rollback = (!state.high_risk_touched.is_empty()).then(|| settings.rollback_note(&ctx));
        let gate = GateInput {
            tests_after_edit: settings.tests_after_edit,
            test_commands: Vec::new(),
            rollback,
            rollback_note_path: settings.note.clone(),
            stop_blocks: settings.stop_blocks,
            stop_hook_active,
        };
        evidence::stop_gate(state, &gate)
    });
    match outcome {
        Ok(Gate::Block { reason, .. }) => Reply::json(&StopReply {
            decision: "block",
            reason,
        }),
        Ok(Gate::GiveUp { missing }) => Reply {
            stderr: Some(format!(
                "claude-budget: stopping with evidence missing (recorded): {}",
                missing.join("; ")
            )),
            ..Reply::silent()
        },
        Ok(Gate::Pass) => Reply::silent(),
        Err(e) => post::not_counted(&ctx.session, "stop", &e),
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

    fn rollback_note(&self, ctx: &Context) -> RollbackNote {
        evidence::check_rollback_note(&ctx.budget.project_root, &self.note, &self.fields)
    }
}
