//! `claude-budget-pre-tool-use`: decide one tool call (SPEC §4), fail closed (SPEC §2).

use super::context::{self, CallSite};
use super::{Outcome, deny_outcome};
use crate::budget::{Budget, BudgetError, Located};
use crate::decide::Decision;
use crate::env::Env;
use crate::fsview::RealFs;
use crate::protocol::ToolCall;
use crate::protocol::{HookInput, PreToolUseOutput, PreToolUseReply};
use crate::redact;
use crate::session::{SessionState, StopFact};
use crate::shell::MemoFs;
use crate::store::record::{self, Event};
use crate::store::{self, transcript};
use crate::verdict::{Code, Verdict};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Unreadable input: deny when a budget is in force, stay out of the way otherwise.
pub fn bad_input(problem: &str, env: &Env) -> Outcome {
    match context::locate(env, None) {
        None => Outcome::silent(),
        Some(_) => Outcome::internal_failure(&format!(
            "{problem}. Check that the hook is wired to the PreToolUse event in \
             .claude/settings.json (run `claude-budget install`)"
        )),
    }
}

/// What the pre-tool-use hook finds before it reads its input: the budget files in force
/// from `$CLAUDE_PROJECT_DIR` (else the process's working directory), the user's and the
/// managed ones. The hook binary explains its deadline from then on when some are found, and
/// [`handle`] takes them over when the input's `cwd` cannot change what is found (under
/// Claude Code, which sets `$CLAUDE_PROJECT_DIR`, always): the budget files are looked for
/// once per call, not twice.
pub struct EarlyLook {
    /// The working directory they were looked for from (none: not looked for).
    cwd: Option<PathBuf>,
    located: Option<Located>,
}

impl EarlyLook {
    pub fn new(env: &Env) -> EarlyLook {
        let cwd = env.call_cwd(None);
        let located = cwd
            .as_deref()
            .map(|cwd| context::locate_from(env, cwd))
            .filter(Located::any);
        EarlyLook { cwd, located }
    }

    /// True when budget files are in force (as far as the process's own directory tells).
    pub fn found(&self) -> bool {
        self.located.is_some()
    }

    /// The budget files in force for an input whose working directory is `input_cwd`.
    /// `$CLAUDE_PROJECT_DIR` decides the project whatever the directory; without it, the
    /// early look stands only for the directory it looked from, spelled the same: the
    /// project's state is keyed by the root's text, and the other hooks look from the
    /// input's spelling (`/w/p/` and `/w/p` are equal paths, not equal text).
    fn for_input(self, env: &Env, input_cwd: Option<&str>) -> Option<Located> {
        let same_place = self.cwd.is_some()
            && (env.project_dir.is_some()
                || env.call_cwd(input_cwd).as_deref().map(Path::as_os_str)
                    == self.cwd.as_deref().map(Path::as_os_str));
        if same_place {
            self.located
        } else {
            context::locate(env, input_cwd)
        }
    }
}

/// The deny for a budget that does not load: every problem, with its file, line and fix.
pub fn invalid_budget(err: &BudgetError) -> Outcome {
    let mut text = format!(
        "claude-budget refused this tool call because the budget file is invalid \
         [{}]. Ask the user to fix it (`claude-budget check` shows the same):",
        Code::BudgetInvalid
    );
    for d in &err.diagnostics {
        text.push('\n');
        text.push_str(&d.to_string());
    }
    deny_outcome(&text)
}

/// How long the pre-tool-use hook waits for the session lock: all of its deadline but the
/// time the locked update, the record line and the reply need, so a stuck lock becomes a
/// clear deny rather than a deadline deny. Not less: a burst of parallel hooks of one session
/// queues on the lock (200 at once on 2 cores kept one waiting just over 1 s), and a deny
/// there would refuse a call for no reason the agent can act on.
fn lock_wait(env: &Env) -> Duration {
    const AFTER_LOCK: Duration = Duration::from_millis(300);
    env.deadline
        .saturating_sub(AFTER_LOCK)
        .max(env.deadline / 2)
}

/// Handles one PreToolUse input, with what was found before it was read. `budget_in_force`
/// is called once budget files are found, before they are read: the hook binary explains
/// its deadline from there on (a repository without a budget stays silent).
pub fn handle(
    input: HookInput,
    env: &Env,
    early: EarlyLook,
    budget_in_force: impl FnOnce(&Env),
) -> Outcome {
    if input
        .hook_event_name
        .as_deref()
        .is_some_and(|e| e != "PreToolUse")
    {
        return Outcome::silent();
    }
    let Some(located) = early.for_input(env, input.cwd.as_deref()) else {
        return Outcome::silent();
    };
    budget_in_force(env);
    let budget = match context::load(env, &located) {
        Ok(Some(budget)) => budget,
        Ok(None) => return Outcome::silent(),
        Err(err) => return invalid_budget(&err),
    };
    // The process ends right after this call: freeing the budget's rules one by one would
    // cost ~95 K instructions on the realistic budget for memory the exit frees anyway.
    let budget = std::mem::ManuallyDrop::new(budget);
    let Some(call) = input.tool_call() else {
        return Outcome::internal_failure("the PreToolUse input has no `tool_name`");
    };
    // Every tool's input is a JSON object; a string, array, null or missing `tool_input`
    // cannot be checked, so the call is refused (SPEC §2: fail closed, exit 2).
    if !input
        .tool_input
        .as_ref()
        .is_some_and(serde_json::Value::is_object)
    {
        return Outcome::internal_failure(
            "the PreToolUse input's `tool_input` is not a JSON object, so the call cannot be checked",
        );
    }
    let session = match context::open_session(env, &budget, input.session_id.as_deref()) {
        Ok(session) => session,
        Err(e) => {
            return Outcome::internal_failure(&format!(
                "{e}; make the data directory writable or set CLAUDE_BUDGET_DATA_DIR to a writable \
             directory"
            ));
        }
    };
    let prices = context::prices(&budget);
    let cwd = env.call_cwd(input.cwd.as_deref());
    let site = CallSite {
        cwd: cwd.as_deref(),
        permission_mode: input.permission_mode.as_deref(),
    };
    let limits_spend = budget
        .layers
        .iter()
        .any(|l| l.spend.max_usd.is_some() || l.spend.max_tokens.is_some());
    let mut spend_note = None;
    // What the file system answers is asked once per call (the decision and the edit's key).
    let fs = MemoFs::new(&RealFs);
    let updated = session.update(lock_wait(env), |state| {
        if let Some(transcript) = input.transcript_path.as_deref() {
            // A missing transcript only means spend is not updated yet; one that cannot be
            // read is counted, and past a short grace a spend limit applies (spend unknown).
            let read = transcript::refresh(state, Path::new(transcript), &prices)
                .map_err(|e| e.to_string());
            if state.note_spend_read(read) && limits_spend {
                spend_note = state.spend_unreadable_error.clone();
            }
        }
        let now_ms = store::now_ms();
        let facts = state.lend_facts(now_ms);
        let decision = context::decide_call_seeing(&call, &budget, &facts, env, site, &fs);
        state.take_back(facts);
        count_decision(
            state,
            input.tool_use_id.as_deref(),
            &call,
            &decision,
            now_ms,
        );
        if let (
            ToolCall::Edit {
                path: Some(path), ..
            },
            None | Some(Verdict::Allow),
        ) = (&call, decision.verdict)
        {
            let base = cwd.clone().unwrap_or_else(|| budget.project_root.clone());
            let key = crate::session::observe::tool_edit_key(
                path,
                &base,
                &fs,
                &redact::for_budget(&budget),
            );
            state.note_pre_edit(&key);
        }
        decision
    });
    let decision = match updated {
        Ok(decision) => decision,
        Err(e) => {
            return Outcome::internal_failure(&format!(
                "the session state in `{}` could not be updated: {e}",
                session.dir().display()
            ));
        }
    };
    if decision.verdict != Some(Verdict::Deny)
        && let Some(id) = input.tool_use_id.as_deref()
    {
        super::tripwire::note_pre(session.dir(), &budget, env, id);
    }
    if let Some(error) = &spend_note {
        session.record_hook_error(
            "pre-tool-use",
            &format!("spend unknown, the transcript cannot be read: {error}"),
        );
    }
    if let Err(e) = append_record(&input, &budget, &decision, session.dir()) {
        return Outcome::internal_failure(&format!(
            "the run record in `{}` could not be written ({e}); make it writable or set \
             CLAUDE_BUDGET_DATA_DIR",
            session.dir().display()
        ));
    }
    let out = reply(&decision);
    match spend_note {
        // Said on stderr too: a user watching the hooks sees spend is not being counted.
        Some(error) => out.with_note(Outcome {
            stderr: Some(format!(
                "claude-budget: spend is not counted, the transcript cannot be read ({error}); \
                 the spend limit applies after {} calls",
                crate::session::state::SPEND_UNREADABLE_GRACE
            )),
            ..Outcome::silent()
        }),
        None => out,
    }
}

/// Counts a decided PreToolUse into the state as the pre-tool-use hook does: the call (unless
/// denied), a pending ask, a stop, and the `warn_at` note given once.
pub fn count_decision(
    state: &mut SessionState,
    tool_use_id: Option<&str>,
    call: &ToolCall,
    decision: &Decision,
    now_ms: u64,
) {
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
    state.note_pre_tool_use(
        tool_use_id,
        &call.tool_name(),
        decision.verdict,
        stop,
        now_ms,
    );
}

/// Appends this call and its decision to the run record (redacted before writing).
fn append_record(
    input: &HookInput,
    budget: &Budget,
    decision: &Decision,
    dir: &Path,
) -> std::io::Result<()> {
    let redactor = redact::for_budget(budget);
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

/// The JSON envelope for a decision (SPEC §4.1). Policy decisions exit 0 with the envelope;
/// only internal failures use exit 2.
pub fn reply(decision: &Decision) -> Outcome {
    // No opinion: nothing printed, Claude Code's own rules apply.
    let Some(verdict) = decision.verdict else {
        return Outcome::silent();
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
    let mut out = Outcome::json(&envelope);
    if verdict == Verdict::Deny {
        out.stderr = Some(decision.reason.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::EarlyLook;
    use crate::env::Env;
    use std::path::{Path, PathBuf};

    fn with_budget(dir: &Path) {
        std::fs::create_dir_all(dir.join(".claude")).unwrap();
        std::fs::write(dir.join(".claude/budget.toml"), "version = 1\n").unwrap();
    }

    fn env(project_dir: Option<&Path>, process_cwd: &Path, home: &Path) -> Env {
        Env {
            project_dir: project_dir.map(Path::to_path_buf),
            process_cwd: Some(process_cwd.to_path_buf()),
            config_dir: Some(home.join("config")),
            managed_dir: Some(home.join("managed")),
            ..Env::default()
        }
    }

    #[test]
    fn an_input_from_another_directory_finds_its_own_budget_without_a_project_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let (with, without) = (tmp.path().join("with"), tmp.path().join("without"));
        with_budget(&with);
        std::fs::create_dir_all(without.join(".git")).unwrap();
        let home = tmp.path().join("home");

        // Started in a repo without a budget; the input's cwd has one.
        let env = env(None, &without, &home);
        let early = EarlyLook::new(&env);
        assert!(!early.found());
        let found = early.for_input(&env, with.to_str());
        assert_eq!(
            found.and_then(|l| l.repo_budget),
            Some(with.join(".claude/budget.toml"))
        );

        // The same directory spelled otherwise is looked for again, as the input spells it
        // (the other hooks key the session's state on that text).
        let env = self::env(None, &with, &home);
        let spelled = format!("{}/", with.display());
        let found = EarlyLook::new(&env).for_input(&env, Some(&spelled));
        assert_eq!(found.map(|l| l.project_root), Some(PathBuf::from(&spelled)));

        // And the other way round: the early find does not stand for another directory.
        let env = self::env(None, &with, &home);
        let early = EarlyLook::new(&env);
        assert!(early.found());
        assert!(early.for_input(&env, without.to_str()).is_none());
    }

    #[test]
    fn the_project_dir_decides_whatever_the_input_cwd() {
        let tmp = tempfile::tempdir().unwrap();
        let (project, elsewhere) = (tmp.path().join("project"), tmp.path().join("elsewhere"));
        with_budget(&project);
        std::fs::create_dir_all(elsewhere.join(".git")).unwrap();
        let env = env(Some(&project), &elsewhere, &tmp.path().join("home"));
        let early = EarlyLook::new(&env);
        assert!(early.found());
        let found = early.for_input(&env, elsewhere.to_str());
        assert_eq!(
            found.and_then(|l| l.repo_budget),
            Some(project.join(".claude/budget.toml"))
        );
    }
}
