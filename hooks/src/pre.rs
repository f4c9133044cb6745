//! `claude-budget-pre-tool-use`: decide one tool call (SPEC §4), fail closed (SPEC §2).

use crate::runner::{HookEnv, Reply, deny_reply};
use budget_policy::budget::{self, Budget, BudgetError, Located};
use budget_policy::decide::{self, DecideContext, Decision, SessionFacts, merge};
use budget_policy::fsview::RealFs;
use budget_policy::protocol::{HookInput, PreToolUseOutput, PreToolUseReply};
use budget_policy::verdict::Verdict;
use std::path::{Path, PathBuf};

/// The budget files in force for this input, or `None` when the project has not opted in.
pub fn locate(input_cwd: Option<&str>, env: &HookEnv) -> Option<Located> {
    let cwd = input_cwd
        .map(PathBuf::from)
        .or_else(|| env.process_cwd.clone())?;
    let located = budget::locate(&cwd, env.project_dir.as_deref(), env.config_dir.as_deref());
    (located.repo_budget.is_some() || located.user_budget.is_some()).then_some(located)
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
    deny_reply(&text, "budget-invalid")
}

/// Where this session's state lives; created now so an unwritable data dir fails closed.
fn state_dir(env: &HookEnv) -> Result<PathBuf, String> {
    let base = env
        .data_dir
        .clone()
        .or_else(|| directories::BaseDirs::new().map(|d| d.data_dir().to_path_buf()))
        .ok_or("no data directory could be found (set CLAUDE_BUDGET_DATA_DIR)")?
        .join("claude-budget");
    std::fs::create_dir_all(&base).map_err(|e| {
        format!(
            "the data directory `{}` is not writable ({e}); make it writable or set \
             CLAUDE_BUDGET_DATA_DIR to a writable directory",
            base.display()
        )
    })?;
    Ok(base)
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
    let state = match state_dir(env) {
        Ok(dir) => dir,
        Err(problem) => return Reply::internal_failure(&problem),
    };
    let Some(call) = input.tool_call() else {
        return Reply::internal_failure("the PreToolUse input has no `tool_name`");
    };
    let facts = SessionFacts::default();
    let decision = decide_call(&input, &call, &budget, &facts, env, state);
    reply(&decision)
}

/// Builds the context and calls the pure `decide`.
pub fn decide_call(
    input: &HookInput,
    call: &budget_policy::protocol::ToolCall,
    budget: &Budget,
    facts: &SessionFacts,
    env: &HookEnv,
    state_dir: PathBuf,
) -> Decision {
    let fs = RealFs;
    let cwd = input
        .cwd
        .as_deref()
        .map(PathBuf::from)
        .or_else(|| env.process_cwd.clone())
        .unwrap_or_else(|| budget.project_root.clone());
    let mut protected_dirs = vec![state_dir];
    if let Some(dir) = std::env::current_exe()
        .ok()
        .as_deref()
        .and_then(Path::parent)
    {
        protected_dirs.push(dir.to_path_buf());
    }
    let ctx = DecideContext {
        cwd,
        home: env.home.clone(),
        nobody_can_answer: input.nobody_can_answer(),
        protected_dirs,
        current_branch: merge::current_branch(&budget.project_root, &fs),
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
