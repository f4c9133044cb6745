//! `claude-budget-pre-tool-use`: decide one tool call (SPEC §4), fail closed (SPEC §2).

use crate::runner::{HookEnv, Reply, deny_reply};
use budget_policy::budget::PriceOverride;
use budget_policy::budget::{self, Budget, BudgetError, Located};
use budget_policy::decide::{self, DecideContext, Decision, SessionFacts, StopFact, merge};
use budget_policy::fsview::RealFs;
use budget_policy::protocol::{HookInput, PreToolUseOutput, PreToolUseReply, ToolCall};
use budget_policy::store::record::{self, Event};
use budget_policy::store::{self, Session, transcript};
use budget_policy::verdict::Verdict;
use std::path::Path;
use std::time::Duration;

/// The budget files in force for this input, or `None` when the project has not opted in.
pub fn locate(input_cwd: Option<&str>, env: &HookEnv) -> Option<Located> {
    let cwd = env.call_cwd(input_cwd)?;
    let located = budget::locate(&cwd, env.project_dir.as_deref(), env.config_dir.as_deref());
    located.any().then_some(located)
}

/// Unreadable input: deny when a budget is in force, stay out of the way otherwise.
pub fn bad_input(problem: &str, env: &HookEnv) -> Reply {
    match locate(None, env) {
        None => Reply::silent(),
        Some(_) => Reply::internal_failure(&format!(
            "{problem}. Check that the hook is wired to the PreToolUse event in \
             .claude/settings.json (run `claude-budget install`)"
        )),
    }
}

/// The deny for a budget that does not load: every problem, with its file, line and fix.
pub fn invalid_budget(err: &BudgetError) -> Reply {
    let mut text = String::from(
        "claude-budget refused this tool call because the budget file is invalid \
         [budget-invalid]. Ask the user to fix it (`claude-budget check` shows the same):",
    );
    for d in &err.diagnostics {
        text.push('\n');
        text.push_str(&d.to_string());
    }
    deny_reply(&text)
}

/// How long the pre-tool-use hook waits for the session lock: all of its deadline but the
/// time the locked update, the record line and the reply need, so a stuck lock becomes a
/// clear deny rather than a deadline deny. Not less: a burst of parallel hooks of one session
/// queues on the lock (200 at once on 2 cores kept one waiting just over 1 s), and a deny
/// there would refuse a call for no reason the agent can act on.
fn lock_wait(env: &HookEnv) -> Duration {
    const AFTER_LOCK: Duration = Duration::from_millis(300);
    env.deadline
        .saturating_sub(AFTER_LOCK)
        .max(env.deadline / 2)
}

/// Handles one PreToolUse input.
pub fn handle(input: HookInput, env: &HookEnv) -> Reply {
    if input
        .hook_event_name
        .as_deref()
        .is_some_and(|e| e != "PreToolUse")
    {
        return Reply::silent();
    }
    let Some(located) = locate(input.cwd.as_deref(), env) else {
        return Reply::silent();
    };
    let budget = match budget::load(&located, env.task.as_deref()) {
        Ok(Some(budget)) => budget,
        Ok(None) => return Reply::silent(),
        Err(err) => return invalid_budget(&err),
    };
    let Some(call) = input.tool_call() else {
        return Reply::internal_failure("the PreToolUse input has no `tool_name`");
    };
    let session_id = input.session_id.as_deref().unwrap_or("unknown-session");
    let session = match store::session_dir_for(&budget, env.data_dir.as_deref(), session_id)
        .and_then(Session::open)
    {
        Ok(session) => session,
        Err(e) => {
            return Reply::internal_failure(&format!(
                "{e}; make the data directory writable or set CLAUDE_BUDGET_DATA_DIR to a writable \
             directory"
            ));
        }
    };
    let prices: Vec<PriceOverride> = budget
        .layers
        .iter()
        .flat_map(|l| l.spend.prices.iter().cloned())
        .collect();
    let updated = session.update(lock_wait(env), |state| {
        if let Some(transcript) = input.transcript_path.as_deref() {
            // A missing or unreadable transcript only means spend is not updated yet.
            let _ = transcript::refresh(state, Path::new(transcript), &prices);
        }
        let facts = state.facts(&budget);
        let decision = decide_call(&input, &call, &budget, &facts, env);
        if decision.note.is_some() {
            state.spend_warned = true;
        }
        let stop = decision.stop_reason.as_ref().map(|reason| StopFact {
            reason: reason.clone(),
            origin: decision
                .rule
                .as_ref()
                .map(|h| h.origin.to_string())
                .unwrap_or_default(),
        });
        let tool = call.tool_name();
        state.note_pre_tool_use(
            input.tool_use_id.as_deref(),
            &tool,
            decision.verdict,
            stop,
            store::now_ms(),
        );
        decision
    });
    let decision = match updated {
        Ok(decision) => decision,
        Err(e) => {
            return Reply::internal_failure(&format!(
                "the session state in `{}` could not be updated: {e}",
                session.dir().display()
            ));
        }
    };
    if let Err(e) = append_record(&input, &budget, &decision, session.dir()) {
        return Reply::internal_failure(&format!(
            "the run record in `{}` could not be written ({e}); make it writable or set \
             CLAUDE_BUDGET_DATA_DIR",
            session.dir().display()
        ));
    }
    reply(&decision)
}

/// Appends this call and its decision to the run record (redacted before writing).
fn append_record(
    input: &HookInput,
    budget: &Budget,
    decision: &Decision,
    dir: &Path,
) -> std::io::Result<()> {
    let redactor = record::redactor(budget);
    let mut event = Event::from_input(input);
    event.decision = Some(decision.verdict.map_or("none", |v| v.as_str()).to_owned());
    event.code = Some(decision.code.as_str().to_owned());
    event.rule = decision.rule.as_ref().map(|h| h.origin.to_string());
    event.rule_text = decision.rule.as_ref().map(|h| h.rule.clone());
    event.reason = (!decision.reason.is_empty()).then(|| decision.reason.clone());
    event.stop_reason = decision.stop_reason.clone();
    event.task = budget.task.clone();
    event.budget = record::budget_files(budget);
    record::append(dir, &event, &redactor)
}

/// Builds the context and calls the pure `decide`.
pub fn decide_call(
    input: &HookInput,
    call: &ToolCall,
    budget: &Budget,
    facts: &SessionFacts,
    env: &HookEnv,
) -> Decision {
    let fs = RealFs;
    let cwd = env
        .call_cwd(input.cwd.as_deref())
        .unwrap_or_else(|| budget.project_root.clone());
    // Only edits and shell commands can touch protected files or move a branch: the other
    // calls skip `current_exe` and the `.git/HEAD` read.
    let edits = matches!(call, ToolCall::Bash { .. } | ToolCall::Edit { .. });
    let ctx = DecideContext {
        cwd,
        home: env.home.clone(),
        nobody_can_answer: input.nobody_can_answer(),
        protected_dirs: if edits {
            store::protected_dirs(budget, env.data_dir.as_deref())
        } else {
            Vec::new()
        },
        current_branch: matches!(call, ToolCall::Bash { .. })
            .then(|| merge::current_branch(&budget.project_root, &fs))
            .flatten(),
        fs: &fs,
    };
    decide::decide(call, budget, facts, &ctx)
}

/// The JSON envelope for a decision (SPEC §4.1). Policy decisions exit 0 with the envelope;
/// only internal failures use exit 2.
pub fn reply(decision: &Decision) -> Reply {
    // No opinion: nothing printed, Claude Code's own rules apply.
    let Some(verdict) = decision.verdict else {
        return Reply::silent();
    };
    let envelope = PreToolUseReply {
        hook_specific_output: PreToolUseOutput {
            hook_event_name: "PreToolUse",
            permission_decision: verdict.as_str(),
            permission_decision_reason: decision.reason.clone(),
            additional_context: decision.note.clone(),
        },
        continue_: decision.stop_reason.as_ref().map(|_| false),
        stop_reason: decision.stop_reason.clone(),
    };
    let mut out = Reply::json(&envelope);
    if verdict == Verdict::Deny {
        out.stderr = Some(decision.reason.clone());
    }
    out
}
