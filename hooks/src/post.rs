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
//! Also holds what the never-blocking hooks share: finding the budget and the session, and
//! appending to the record.

use crate::pre;
use crate::runner::{HookEnv, Policy, Reply, failure};
use crate::tripwire;
use budget_policy::budget::{self, Budget, PathContext};
use budget_policy::decide::fingerprint;
use budget_policy::fsview::RealFs;
use budget_policy::paths::normalise;
use budget_policy::protocol::{HookInput, ToolCall};
use budget_policy::redact::Redactor;
use budget_policy::shell::{self, Analysis, ShellContext};
use budget_policy::store::record::{self, Event};
use budget_policy::store::state::last_error_line;
use budget_policy::store::{self, PostEvent, Session, transcript};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The budget and session of a never-blocking hook, or the reply to give right away.
pub struct Context {
    pub budget: Budget,
    pub session: Session,
    pub cwd: PathBuf,
    /// Built-in formats plus `[record] redact`: applied to everything written to disk.
    pub redactor: Redactor,
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
    let cwd = env
        .call_cwd(input.cwd.as_deref())
        .unwrap_or_else(|| budget.project_root.clone());
    Ok(Context {
        redactor: record::redactor(&budget),
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

/// Appends `event` to the session's record (redacted with the budget's `[record] redact`).
/// A failure never blocks: it goes to `hook-errors.log` and is added to `reply`'s stderr.
pub fn record_event(ctx: &Context, hook: &str, event: &Event, reply: Reply) -> Reply {
    match record::append(ctx.session.dir(), event, &ctx.redactor) {
        Ok(()) => reply,
        Err(e) => {
            let problem = format!("the run record was not written: {e}");
            ctx.session.record_hook_error(hook, &problem);
            with_note(reply, failure(Policy::NeverBlock, &problem))
        }
    }
}

/// `reply` with the stderr of a never-blocking `note` added (its exit code is kept).
pub fn with_note(mut reply: Reply, note: Reply) -> Reply {
    reply.stderr = match (reply.stderr.take(), note.stderr) {
        (Some(first), Some(second)) => Some(format!("{first}\n{second}")),
        (first, second) => first.or(second),
    };
    reply
}

/// The record's event for `input`, with what the hook knows on top of the input: the
/// session's sequence number and the task in force.
pub fn event_for(input: &HookInput, ctx: &Context, seq: Option<u64>) -> Event {
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
    let exposure = tripwire::scan_output(&input, &ctx, env);
    let mut input = input;
    if let Some((_, scanner)) = &exposure {
        // The error text is recorded and counted: it must not carry the secret to disk.
        input.error = input.error.as_deref().map(|e| scanner.scrub(e));
    }
    let analysis = match input.tool_call() {
        Some(ToolCall::Bash { command }) => Some(analyse(&command, &ctx, env)),
        _ => None,
    };
    let event = post_event(&input, failed, &ctx, env, analysis.as_ref());
    let transcript = transcript_path(&input);
    let prices = prices(&ctx.budget);
    let now = store::now_ms();
    let mut trip = tripwire::Trip::default();
    let outcome = ctx.session.update(lock_wait(env), |state| {
        trip = tripwire::after_call(state, &ctx, env, &input, exposure.as_ref().map(|e| &e.0));
        state.note_post_tool_use(&event, now);
        // Spend is best effort here; the pre hook and the stop hook read it too.
        let spend = transcript
            .as_deref()
            .map(|path| transcript::refresh(state, path, &prices));
        (state.seq, spend)
    });
    let quiet = match &trip.halt {
        Some(reason) => tripwire::halt_reply(reason),
        None => Reply::silent(),
    };
    let (seq, reply) = match outcome {
        Ok((seq, Some(Err(e)))) => {
            ctx.session
                .record_hook_error("post-tool-use", &format!("spend not read: {e}"));
            (Some(seq), quiet)
        }
        Ok((seq, _)) => (Some(seq), quiet),
        Err(e) => (None, not_counted(&ctx.session, "post-tool-use", &e)),
    };
    let mut recorded = recorded_post(&input, &ctx, seq, &event, analysis.as_ref());
    recorded.code = trip.code.map(str::to_owned);
    recorded.stop_reason = trip.halt;
    recorded.tripwire = trip.notes;
    record_event(&ctx, "post-tool-use", &recorded, reply)
}

/// The record line of a finished call. `test` is left unknown when shell analysis could not
/// tell (an unanalysable command): the packet then falls back to `[run] tests` itself.
fn recorded_post(
    input: &HookInput,
    ctx: &Context,
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

/// The shell analysis of a Bash call, in the call's working directory.
fn analyse(command: &str, ctx: &Context, env: &HookEnv) -> Analysis {
    let fs = RealFs;
    let shell_ctx = ShellContext {
        cwd: ctx.cwd.clone(),
        home: env.home.clone(),
        project_dir: ctx.budget.project_root.clone(),
        fs: &fs,
    };
    shell::analyse(command, &shell_ctx)
}

/// `[spend.prices]` of every layer (the repo layer's rows come last and win ties).
pub fn prices(budget: &Budget) -> Vec<budget::PriceOverride> {
    budget
        .layers
        .iter()
        .flat_map(|l| l.spend.prices.iter().cloned())
        .collect()
}

/// What the finished call did, in the budget's terms (`analysis`: of the Bash command).
pub fn post_event(
    input: &HookInput,
    failed: bool,
    ctx: &Context,
    env: &HookEnv,
    analysis: Option<&Analysis>,
) -> PostEvent {
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
            let fresh;
            let analysis = match analysis {
                Some(analysis) => analysis,
                None => {
                    fresh = analyse(command, ctx, env);
                    &fresh
                }
            };
            // A failing command may still have written before it failed: shell edits count.
            event.edited = analysis
                .effects
                .iter()
                .filter(|e| e.kind.is_edit())
                .map(|e| e.path.display().to_string())
                .collect();
            event.edited.sort();
            event.edited.dedup();
            let test_runs: Vec<bool> = analysis
                .commands
                .iter()
                .filter(|c| ctx.budget.layers.iter().any(|l| l.run.is_test(&c.argv)))
                .map(|c| c.status_decides)
                .collect();
            if !test_runs.is_empty() {
                event.test_command = Some(event.fingerprint.clone());
                // `cargo test || true`, `cargo test | tail`, `cargo test; echo done`: the
                // call's exit status is not the tests', so it proves neither a pass nor a
                // failure. One deciding run is enough: a status of 0 proves it passed.
                event.test_undecided = !test_runs.iter().any(|decides| *decides);
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
    // The state keeps commands (retry keys, the last test run) and error lines: no secret
    // may reach the disk through them either.
    let redact = |text: &str| ctx.redactor.text(text).into_owned();
    event.error_line = event.error_line.as_deref().map(redact);
    event.test_command = event.test_command.as_deref().map(redact);
    event.fingerprint = redact(&event.fingerprint);
    event
}
