//! Every environment variable the product reads, named and documented once. Nothing else in
//! `shared`, the hooks or the CLI calls `std::env::var`: a process reads its [`Env`] once at
//! start ([`Env::from_process`]) and passes it (or the values it needs) down, so tests and
//! `explain`/`replay` can decide with exactly the environment the hook would have had.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `CLAUDE_PROJECT_DIR` | the project root (set by Claude Code for hooks) | the nearest ancestor with `.claude/budget.toml`, else the git root, else the cwd |
//! | `CLAUDE_BUDGET_CONFIG_DIR` | where the user budget folder `claude-budget/` lives | the platform config dir (`~/.config`) |
//! | `CLAUDE_BUDGET_MANAGED_DIR` | the managed (administrator) budget folder | `/etc/claude-budget` |
//! | `CLAUDE_BUDGET_DATA_DIR` | where `claude-budget/runs/` (state, records) lives | the platform data dir (`~/.local/share`) |
//! | `CLAUDE_BUDGET_TASK` | the task whose overlay applies (`[tasks.NAME]`) | none |
//! | `CLAUDE_BUDGET_DEADLINE_MS` | a hook's own deadline, in ms | [`DEFAULT_DEADLINE_MS`] |
//! | `CLAUDE_BUDGET_FAULT` | fault injection for the fail-closed tests (`panic`, `hang`) | none |
//! | `CLAUDE_CONFIG_DIR` | Claude Code's user settings folder (protected; `install --scope user`) | `~/.claude` |
//! | `HOME` | `~` in paths and rules; the git identity's global config | none |
//! | `XDG_CONFIG_HOME` | the git identity's `git/config` | `$HOME/.config` |
//! | `USER`, `USERNAME`, `LOGNAME` | the OS user, when git names nobody | none |
//! | `PATH` | where `status` looks for the hook executables | empty |
//! | every variable | the secret-exposure tripwire looks for the values of secret-named ones in tool output ([`all_vars`], post hook only) | |
//!
//! An empty value counts as unset everywhere.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

/// Default internal deadline; `$CLAUDE_BUDGET_DEADLINE_MS` changes it. Well under Claude
/// Code's hook timeout, so a hook answers before Claude Code would give up and let the call
/// through.
pub const DEFAULT_DEADLINE_MS: u64 = 2000;

/// The managed budget folder when `CLAUDE_BUDGET_MANAGED_DIR` is unset.
pub const DEFAULT_MANAGED_DIR: &str = "/etc/claude-budget";

/// The platform's managed budget folder (the same idea as Claude Code's managed settings):
/// [`DEFAULT_MANAGED_DIR`] on Linux and other Unix, `/Library/Application Support/ClaudeBudget`
/// on macOS, `C:\ProgramData\ClaudeBudget` on Windows.
pub fn platform_managed_dir() -> PathBuf {
    if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/ClaudeBudget")
    } else if cfg!(windows) {
        PathBuf::from(r"C:\ProgramData\ClaudeBudget")
    } else {
        PathBuf::from(DEFAULT_MANAGED_DIR)
    }
}

/// A fault the fail-closed tests inject (`CLAUDE_BUDGET_FAULT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Panic,
    Hang,
}

/// Every variable of the process, for the secret-exposure tripwire (SPEC §3): the post hook
/// looks for the values of secret-named ones in a call's output. Read only when an output is
/// scanned, never on the PreToolUse path; the values stay in memory.
pub fn all_vars() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect()
}

/// The process environment, read once.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub project_dir: Option<PathBuf>,
    /// `CLAUDE_BUDGET_CONFIG_DIR` as given (see [`Env::config_dir`] for the default).
    pub config_dir: Option<PathBuf>,
    /// `CLAUDE_BUDGET_MANAGED_DIR` as given (see [`Env::managed_dir`] for the default).
    pub managed_dir: Option<PathBuf>,
    /// `CLAUDE_BUDGET_DATA_DIR` as given (see [`Env::data_base`] for the default).
    pub data_dir: Option<PathBuf>,
    pub task: Option<String>,
    pub home: Option<PathBuf>,
    pub xdg_config_home: Option<PathBuf>,
    /// `CLAUDE_CONFIG_DIR`: Claude Code's own user settings folder.
    pub claude_config_dir: Option<PathBuf>,
    /// The first of `USER`, `USERNAME`, `LOGNAME` that is set.
    pub os_user: Option<String>,
    pub path: Option<OsString>,
    pub fault: Option<Fault>,
    /// The process's working directory.
    pub process_cwd: Option<PathBuf>,
    /// The running executable (its folder is protected: hooks and CLI are installed together).
    pub current_exe: Option<PathBuf>,
    pub deadline: Duration,
}

fn var(key: &str) -> Option<OsString> {
    std::env::var_os(key).filter(|v| !v.is_empty())
}

fn text(key: &str) -> Option<String> {
    var(key).and_then(|v| v.into_string().ok())
}

impl Env {
    /// Reads every variable of the table above (and the cwd and executable path) once.
    pub fn from_process() -> Env {
        let deadline_ms = text("CLAUDE_BUDGET_DEADLINE_MS")
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .unwrap_or(DEFAULT_DEADLINE_MS);
        Env {
            project_dir: var("CLAUDE_PROJECT_DIR").map(PathBuf::from),
            config_dir: var("CLAUDE_BUDGET_CONFIG_DIR").map(PathBuf::from),
            managed_dir: var("CLAUDE_BUDGET_MANAGED_DIR").map(PathBuf::from),
            data_dir: var("CLAUDE_BUDGET_DATA_DIR").map(PathBuf::from),
            task: text("CLAUDE_BUDGET_TASK"),
            home: var("HOME").map(PathBuf::from),
            xdg_config_home: var("XDG_CONFIG_HOME").map(PathBuf::from),
            claude_config_dir: var("CLAUDE_CONFIG_DIR").map(PathBuf::from),
            os_user: ["USER", "USERNAME", "LOGNAME"].iter().find_map(|k| text(k)),
            path: var("PATH"),
            fault: match text("CLAUDE_BUDGET_FAULT").as_deref() {
                Some("panic") => Some(Fault::Panic),
                Some("hang") => Some(Fault::Hang),
                _ => None,
            },
            process_cwd: std::env::current_dir().ok(),
            current_exe: std::env::current_exe().ok(),
            deadline: Duration::from_millis(deadline_ms),
        }
    }

    /// Where the call ran: the input's `cwd` (it follows the agent's `cd`), else the
    /// process's own directory.
    pub fn call_cwd(&self, input_cwd: Option<&str>) -> Option<PathBuf> {
        input_cwd
            .map(PathBuf::from)
            .or_else(|| self.process_cwd.clone())
    }

    /// The folder holding the user budget folder `claude-budget/`:
    /// `$CLAUDE_BUDGET_CONFIG_DIR`, else the platform config dir.
    pub fn config_dir(&self) -> Option<PathBuf> {
        self.config_dir
            .clone()
            .or_else(|| directories::BaseDirs::new().map(|b| b.config_dir().to_path_buf()))
    }

    /// The managed budget folder: `$CLAUDE_BUDGET_MANAGED_DIR`, else `/etc/claude-budget`.
    pub fn managed_dir(&self) -> PathBuf {
        self.managed_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_MANAGED_DIR))
    }

    /// Every managed budget folder in force: the platform's ([`platform_managed_dir`]) and,
    /// when `$CLAUDE_BUDGET_MANAGED_DIR` names another, that one too. The variable can add an
    /// organisation layer (tests, non-standard installs) but never hide the platform's: a
    /// repository's `.claude/settings.json` `env` reaches hook processes.
    pub fn managed_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = vec![platform_managed_dir()];
        if let Some(dir) = &self.managed_dir
            && !dirs.contains(dir)
        {
            dirs.push(dir.clone());
        }
        dirs
    }

    /// The folder holding `claude-budget/runs`: `$CLAUDE_BUDGET_DATA_DIR`, else the platform
    /// data dir. `None` when neither can be found (no home directory).
    pub fn data_base(&self) -> Option<PathBuf> {
        self.data_dir
            .clone()
            .or_else(|| directories::BaseDirs::new().map(|b| b.data_dir().to_path_buf()))
    }

    /// The process's working directory, or `.` when it cannot be read.
    pub fn cwd(&self) -> PathBuf {
        self.process_cwd
            .clone()
            .unwrap_or_else(|| PathBuf::from("."))
    }
}
