//! `claude-budget-post-tool-use`: count what a finished tool call did (SPEC §6.1, §6.3):
//! the call, its failure (by fingerprint), the files it edited, whether it ran the tests and
//! how that went, and the spend appended to the transcript since the last hook.
//!
//! Never blocks: a failure here (invalid budget, lock timeout, unwritable state) is reported
//! on stderr and appended to the session's `hook-errors.log`, and the hook exits 0.
//!
//! Also holds what the never-blocking hooks share: finding the budget and the session.

use crate::pre;
use crate::runner::{HookEnv, Policy, Reply, failure};
use budget_policy::budget::{self, Budget, PathContext};
use budget_policy::decide::fingerprint;
use budget_policy::fsview::RealFs;
use budget_policy::paths::normalise;
use budget_policy::protocol::{HookInput, ToolCall};
use budget_policy::shell::{self, ShellContext};
use budget_policy::store::state::last_error_line;
use budget_policy::store::{self, PostEvent, Session, transcript};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The budget and session of a never-blocking hook, or the reply to give right away.
pub struct Context {
    pub budget: Budget,
    pub session: Session,
    pub cwd: PathBuf,
}

/// Loads the budget and opens the session. `Err(reply)`: nothing to do (no budget: silent)
/// or a failure already turned into a never-blocking reply.
pub fn context(input: &HookInput, env: &HookEnv) -> Result<Context, Reply> {
    let Some(located) = pre::locate(input.cwd.as_deref(), env) else {
        return Err(Reply::silent());
    };
    let budget = match budget::load(&located, env.task.as_deref()) {
        Ok(Some(budget)) => budget,
        Ok(None) => return Err(Reply::silent()),
        Err(err) => {
            let first = err
                .diagnostics
                .first()
                .map(ToString::to_string)
                .unwrap_or_default();
            return Err(failure(
                Policy::NeverBlock,
                &format!("the budget file is invalid, nothing was counted: {first}"),
            ));
        }
    };
    let session_id = input.session_id.as_deref().unwrap_or("unknown-session");
    let session = store::session_dir_for(&budget, env.data_dir.as_deref(), session_id)
        .and_then(Session::open)
        .map_err(|e| failure(Policy::NeverBlock, &e.to_string()))?;
    let cwd = input
        .cwd
        .as_deref()
        .map(PathBuf::from)
        .or_else(|| env.process_cwd.clone())
        .unwrap_or_else(|| budget.project_root.clone());
    Ok(Context {
        budget,
        session,
        cwd,
    })
}

/// Unreadable input for a never-blocking hook: silent where no budget is in force, else a
/// note on stderr (exit 0).
pub fn bad_input(problem: &str, env: &HookEnv) -> Reply {
    match pre::locate(None, env) {
        None => Reply::silent(),
        Some(_) => failure(Policy::NeverBlock, problem),
    }
}

/// How long a never-blocking hook waits for the session lock: most of its deadline.
pub fn lock_wait(env: &HookEnv) -> Duration {
    env.deadline
        .saturating_sub(Duration::from_millis(300))
        .max(Duration::from_millis(100))
}

/// Reports a failed state update without blocking: stderr and `hook-errors.log`.
pub fn not_counted(session: &Session, hook: &str, error: &store::StoreError) -> Reply {
    let problem = format!("the session state was not updated: {error}");
    session.record_hook_error(hook, &problem);
    failure(Policy::NeverBlock, &problem)
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
pub fn handle(input: HookInput, env: &HookEnv) -> Reply {
    let failed = match input.hook_event_name.as_deref() {
        Some("PostToolUse") | None => false,
        Some("PostToolUseFailure") => true,
        Some(_) => return Reply::silent(),
    };
    let ctx = match context(&input, env) {
        Ok(ctx) => ctx,
        Err(reply) => return reply,
    };
    let event = post_event(&input, failed, &ctx, env);
    let transcript = transcript_path(&input);
    let prices = prices(&ctx.budget);
    let now = store::now_ms();
    let outcome = ctx.session.update(lock_wait(env), |state| {
        state.note_post_tool_use(&event, now);
        // Spend is best effort here; the pre hook and the stop hook read it too.
        transcript
            .as_deref()
            .map(|path| transcript::refresh(state, path, &prices))
    });
    match outcome {
        Ok(Some(Err(e))) => {
            ctx.session
                .record_hook_error("post-tool-use", &format!("spend not read: {e}"));
            Reply::silent()
        }
        Ok(_) => Reply::silent(),
        Err(e) => not_counted(&ctx.session, "post-tool-use", &e),
    }
}

/// `[spend.prices]` of every layer (the repo layer's rows come last and win ties).
pub fn prices(budget: &Budget) -> Vec<budget::PriceOverride> {
    budget
        .layers
        .iter()
        .flat_map(|l| l.spend.prices.iter().cloned())
        .collect()
}

/// What the finished call did, in the budget's terms.
pub fn post_event(input: &HookInput, failed: bool, ctx: &Context, env: &HookEnv) -> PostEvent {
    let tool_name = input.tool_name.clone().unwrap_or_default();
    let call = input.tool_call().unwrap_or(ToolCall::Other {
        tool: tool_name.clone(),
    });
    let mut event = PostEvent {
        tool_use_id: input.tool_use_id.clone(),
        tool_name: tool_name.clone(),
        failed,
        error_line: input.error.as_deref().and_then(last_error_line),
        ..PostEvent::default()
    };
    let fs = RealFs;
    match &call {
        ToolCall::Bash { command } => {
            event.fingerprint = fingerprint(command);
            let shell_ctx = ShellContext {
                cwd: ctx.cwd.clone(),
                home: env.home.clone(),
                project_dir: ctx.budget.project_root.clone(),
                fs: &fs,
            };
            let analysis = shell::analyse(command, &shell_ctx);
            // A failing command may still have written before it failed: shell edits count.
            event.edited = analysis
                .effects
                .iter()
                .filter(|e| e.kind.is_edit())
                .map(|e| e.path.display().to_string())
                .collect();
            event.edited.sort();
            event.edited.dedup();
            let runs_tests = analysis
                .commands
                .iter()
                .any(|c| ctx.budget.layers.iter().any(|l| l.run.is_test(&c.argv)));
            if runs_tests {
                event.test_command = Some(event.fingerprint.clone());
            }
        }
        ToolCall::Edit { path, .. } => {
            let path = path
                .as_deref()
                .map(|p| normalise(Path::new(p), &ctx.cwd).display().to_string());
            event.fingerprint = format!("{tool_name} {}", path.as_deref().unwrap_or(""));
            if let (Some(path), false) = (path, failed) {
                event.edited.push(path);
            }
        }
        ToolCall::Read { path, .. } => {
            event.fingerprint = format!("{tool_name} {}", path.as_deref().unwrap_or("."))
        }
        ToolCall::WebFetch { url } => event.fingerprint = format!("WebFetch {url}"),
        ToolCall::WebSearch { query } => event.fingerprint = format!("WebSearch {query}"),
        ToolCall::Unanalysable { tool, text } => {
            event.fingerprint = format!("{tool} {}", fingerprint(text))
        }
        ToolCall::Mcp { .. } | ToolCall::Other { .. } => event.fingerprint = tool_name,
    }
    let path_ctx = PathContext {
        project_root: &ctx.budget.project_root,
        home: env.home.as_deref(),
        fs: &fs,
    };
    event.high_risk = event
        .edited
        .iter()
        .filter(|p| {
            ctx.budget.layers.iter().any(|l| {
                l.evidence
                    .high_risk(Path::new(p.as_str()), &path_ctx)
                    .is_some()
            })
        })
        .cloned()
        .collect();
    event
}
