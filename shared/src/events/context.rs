//! Everything a hook event needs besides its input, built in ONE place for the hooks and the
//! CLI (`explain`, `test`, `replay`, `capture`): which budget is in force, which session it
//! counts into, the context a decision reads (cwd, home, protected directories, branch), the
//! shell analysis of a command and what a finished call counts as ([`observe_call`]).
//! Because `explain` and `replay` call these same functions, they decide and count exactly
//! as the live hook does.

use super::{Outcome, Policy, failure};
use crate::budget::{self, Budget, Located, PathContext, PriceOverride};
use crate::decide::{self, DecideContext, Decision, SessionFacts, merge};
use crate::env::Env;
use crate::fsview::{FsView, RealFs};
use crate::protocol::{HookInput, ToolCall};
use crate::redact::{self, Redactor};
use crate::session::{self, Finished, Observer, PostEvent};
use crate::shell::MemoFs;
use crate::shell::{self, Analysis, ShellContext};
use crate::store::{RunsLayout, Session, StoreError};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The budget files in force for a call in `input_cwd` (else the process's directory), or
/// `None` when the project has not opted in.
pub fn locate(env: &Env, input_cwd: Option<&str>) -> Option<Located> {
    let cwd = env.call_cwd(input_cwd)?;
    let located = locate_from(env, &cwd);
    located.any().then_some(located)
}

/// The budget files in force for `cwd` (`$CLAUDE_PROJECT_DIR` wins), found or not.
pub fn locate_from(env: &Env, cwd: &Path) -> Located {
    budget::locate(
        cwd,
        env.project_dir.as_deref(),
        env.config_dir().as_deref(),
        &RealFs,
    )
    .with_managed(&env.managed_dirs(), &RealFs)
}

/// Loads the budget in force with the task of the environment, through the compiled-budget
/// cache (`store::budget_cache`: the same budget as from source, without parsing the files
/// again while none of them changed).
pub fn load(env: &Env, located: &Located) -> Result<Option<Budget>, budget::BudgetError> {
    crate::store::budget_cache::load(env, located)
}

/// The session directory of `session_id` (opened, created if needed).
pub fn open_session(
    env: &Env,
    budget: &Budget,
    session_id: Option<&str>,
) -> Result<Session, StoreError> {
    let id = session_id.unwrap_or("unknown-session");
    RunsLayout::new(env)
        .session_dir(budget, id)
        .and_then(Session::open)
}

/// `[spend.prices]` of every layer (the repo layer's rows come last and win ties).
pub fn prices(budget: &Budget) -> Vec<PriceOverride> {
    budget
        .layers
        .iter()
        .flat_map(|l| l.spend.prices.iter().cloned())
        .collect()
}

/// The directories self-protection must keep the agent out of (SPEC §3): where this
/// project's state and records live (`[record] dir` when set, and the runs dir under the data
/// dir), the directory of the running executable (the hooks and the CLI are installed
/// together), the user budget's folder and `$CLAUDE_CONFIG_DIR`'s settings files. One
/// function, so the hook, `explain`, `test` and `replay` protect the same set.
pub fn protected_dirs(budget: &Budget, env: &Env) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = budget
        .layers
        .iter()
        .filter_map(|layer| layer.record.dir.as_ref())
        .map(|dir| budget.project_root.join(dir))
        .collect();
    let layout = RunsLayout::new(env);
    dirs.extend(layout.runs_dir().map(Path::to_path_buf));
    // The compiled-budget cache: a forged one would be a looser budget.
    dirs.extend(layout.cache_dir());
    if let Some(data) = &env.data_dir {
        dirs.push(data.clone());
    }
    if let Some(exe_dir) = env.current_exe.as_deref().and_then(Path::parent) {
        dirs.push(exe_dir.to_path_buf());
    }
    // The user budget's folder (`$CLAUDE_BUDGET_CONFIG_DIR` or the platform config dir),
    // even before a user budget exists in it, and Claude Code's user settings when
    // `$CLAUDE_CONFIG_DIR` moves them (the `~/.claude` ones are protected by `decide`).
    dirs.extend(env.config_dir().map(|c| c.join("claude-budget")));
    // The managed budgets' folders: the organisation's floor is not the agent's to move.
    dirs.extend(env.managed_dirs());
    if let Some(claude) = &env.claude_config_dir {
        dirs.push(claude.join("settings.json"));
        dirs.push(claude.join("settings.local.json"));
    }
    dirs
}

/// Where and how a call is made, as far as the decision cares.
#[derive(Clone, Copy, Debug, Default)]
pub struct CallSite<'a> {
    /// The call's working directory; the project root when unknown.
    pub cwd: Option<&'a Path>,
    /// `permission_mode` of the input (`bypassPermissions`/`dontAsk`: `ask` becomes `deny`).
    pub permission_mode: Option<&'a str>,
}

/// Decides one call: builds the decision context and calls the pure `decide`. The hook,
/// `explain`, `test`, `replay` and `capture` all decide through here.
pub fn decide_call(
    call: &ToolCall,
    budget: &Budget,
    facts: &SessionFacts,
    env: &Env,
    site: CallSite<'_>,
) -> Decision {
    decide_call_seeing(call, budget, facts, env, site, &MemoFs::new(&RealFs))
}

/// [`decide_call`] with the file system seen through `fs`: the pre-tool-use hook passes the
/// [`MemoFs`] it resolves the edit's count key with too, so each path is resolved once per
/// call (an Edit resolved its path seven times, five `readlink`s each).
pub fn decide_call_seeing(
    call: &ToolCall,
    budget: &Budget,
    facts: &SessionFacts,
    env: &Env,
    site: CallSite<'_>,
    fs: &dyn FsView,
) -> Decision {
    let cwd = site
        .cwd
        .map_or_else(|| budget.project_root.clone(), Path::to_path_buf);
    // Only edits and shell commands can touch protected files or move a branch: the other
    // calls skip the protected set and the `.git/HEAD` read.
    let edits = matches!(call, ToolCall::Bash { .. } | ToolCall::Edit { .. });
    let ctx = DecideContext {
        cwd,
        home: env.home.clone(),
        nobody_can_answer: matches!(site.permission_mode, Some("bypassPermissions" | "dontAsk")),
        protected_dirs: if edits {
            protected_dirs(budget, env)
        } else {
            Vec::new()
        },
        current_branch: matches!(call, ToolCall::Bash { .. })
            .then(|| merge::current_branch(&budget.project_root, fs))
            .flatten(),
        fs,
    };
    decide::decide(call, budget, facts, &ctx)
}

/// The shell analysis of a Bash command run in `cwd`.
pub fn analyse(command: &str, cwd: &Path, budget: &Budget, env: &Env) -> Analysis {
    let fs = RealFs;
    let shell_ctx = ShellContext {
        cwd: cwd.to_path_buf(),
        home: env.home.clone(),
        project_dir: budget.project_root.clone(),
        fs: &fs,
    };
    shell::analyse(command, &shell_ctx)
}

/// What a finished call counts as (the ONE counting path: the post hook and `replay`).
/// Returns the shell analysis too, for the record's reads and writes.
pub fn observe_call(
    finished: &Finished<'_>,
    cwd: &Path,
    budget: &Budget,
    redactor: &Redactor,
    env: &Env,
) -> (PostEvent, Option<Analysis>) {
    let analysis = match finished.call {
        ToolCall::Bash { command } => Some(analyse(command, cwd, budget, env)),
        _ => None,
    };
    let fs = RealFs;
    let paths = PathContext {
        project_root: &budget.project_root,
        home: env.home.as_deref(),
        fs: &fs,
    };
    let observer = Observer {
        budget,
        cwd,
        paths: &paths,
        redactor,
    };
    let event = session::observe(finished, analysis.as_ref(), &observer);
    (event, analysis)
}

/// The budget and session of a never-blocking hook.
pub struct HookContext {
    pub budget: Budget,
    pub session: Session,
    pub cwd: PathBuf,
    /// Built-in formats plus `[record] redact`: applied to everything written to disk.
    pub redactor: Redactor,
}

/// Loads the budget and opens the session for a never-blocking hook. `Err(outcome)`: nothing
/// to do (no budget: silent) or a failure already turned into a never-blocking outcome.
pub fn hook_context(input: &HookInput, env: &Env) -> Result<HookContext, Outcome> {
    let Some(located) = locate(env, input.cwd.as_deref()) else {
        return Err(Outcome::silent());
    };
    let budget = match load(env, &located) {
        Ok(Some(budget)) => budget,
        Ok(None) => return Err(Outcome::silent()),
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
    let session = open_session(env, &budget, input.session_id.as_deref())
        .map_err(|e| failure(Policy::NeverBlock, &e.to_string()))?;
    let cwd = env
        .call_cwd(input.cwd.as_deref())
        .unwrap_or_else(|| budget.project_root.clone());
    Ok(HookContext {
        redactor: redact::for_budget(&budget),
        budget,
        session,
        cwd,
    })
}

/// How long a never-blocking hook waits for the session lock: most of its deadline.
pub fn lock_wait(env: &Env) -> Duration {
    env.deadline
        .saturating_sub(Duration::from_millis(300))
        .max(Duration::from_millis(100))
}
