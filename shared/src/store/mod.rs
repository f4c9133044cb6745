//! The only I/O of the library: where session directories live, the per-session lock and
//! the atomic state file, and the incremental transcript reader.
//!
//! Map:
//! * this file — directories ([`runs_dir`], [`project_runs_dir`], [`session_dir_for`],
//!   [`latest_session`]) and
//!   [`Session`]: a sidecar `state.lock` taken with std `File::lock`/`try_lock` under a
//!   bounded wait, read–modify–write of `state.json`, written to a temp file and renamed so a
//!   crash at any moment leaves the previous or the next state, never a torn one.
//! * [`state`] — [`SessionState`]: the counters of SPEC §6.1 and how each hook event changes
//!   them (pure; no I/O).
//! * [`transcript`] — reads only the bytes appended to a transcript since the last call.
//! * [`evidence`] — rollback-note checks and the stop gate's evaluation (pure).
//! * [`record`] — the run record `events.jsonl` (append-only, redacted).
//! * [`review`] — the review packet files `review.md` / `review.json` of a session.
//!
//! How the pre-tool-use hook uses it (one lock per call):
//! ```text
//! let dir = store::session_dir_for(&budget, env.data_dir.as_deref(), session_id)?;
//! let session = store::Session::open(dir)?;                 // error → deny (fail closed)
//! session.update(wait, |state| {                            // LockTimeout → deny
//!     let _ = store::transcript::refresh(state, transcript, &prices);
//!     let facts = state.facts(&budget);
//!     let decision = decide(&call, &budget, &facts, &ctx);  // pure
//!     if decision.note.is_some() { state.spend_warned = true; }
//!     state.note_pre_tool_use(id, tool, decision.verdict, stop_fact, now_ms);
//!     decision
//! })
//! ```
//! The other hooks use the same calls but never block: a failure is appended to
//! `hook-errors.log` and reported on stderr.
//!
//! Why a sidecar lock file: the state file itself is replaced by rename on every update, so
//! a lock on it would lock a file that is no longer the current one.

pub mod evidence;
pub mod record;
pub mod retention;
pub mod review;
pub mod state;
pub mod transcript;

pub use state::{PostEvent, SessionState, TestOutcome};

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The state file inside a session directory.
pub const STATE_FILE: &str = "state.json";
/// The sidecar lock file inside a session directory.
pub const LOCK_FILE: &str = "state.lock";
/// Failures of hooks that must not block (lock timeouts, unwritable state), one per line.
pub const HOOK_ERRORS_FILE: &str = "hook-errors.log";

/// What can go wrong with session state.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no data directory: set `CLAUDE_BUDGET_DATA_DIR` to a writable directory")]
    NoDataDir,
    #[error(
        "cannot create session directory `{path}`: {source}; check it is writable or set `CLAUDE_BUDGET_DATA_DIR`"
    )]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot use `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "session state is locked by another hook for more than {waited_ms} ms (`{path}`); if no hook is running, delete the lock file"
    )]
    LockTimeout { path: PathBuf, waited_ms: u128 },
    #[error(
        "session state `{path}` is not valid JSON ({message}); delete it to start the counters afresh"
    )]
    Corrupt { path: PathBuf, message: String },
}

impl StoreError {
    fn io(path: &Path, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// `$CLAUDE_BUDGET_DATA_DIR/claude-budget/runs`, else the platform data dir's
/// `claude-budget/runs`. `None` when neither can be found (no home directory).
pub fn runs_dir() -> Option<PathBuf> {
    let base = match std::env::var_os("CLAUDE_BUDGET_DATA_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => directories::BaseDirs::new()?.data_dir().to_path_buf(),
    };
    Some(base.join("claude-budget").join("runs"))
}

/// A directory name for a project that a human can recognise and that two projects never
/// share: the root's last component (sanitised, at most 40 characters) plus 12 hex digits of
/// the SHA-256 of the full path. `/home/dev/my proj` → `my-proj-3f9a…`.
pub fn project_key(project_root: &Path) -> String {
    use sha2::{Digest, Sha256};
    let name = project_root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let readable: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    let readable = readable.trim_start_matches('.');
    let digest = Sha256::digest(project_root.as_os_str().as_encoded_bytes());
    let hash: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    if readable.is_empty() {
        hash
    } else {
        format!("{readable}-{hash}")
    }
}

/// `<base>/<project key>/<session id>`. `base` is [`runs_dir`] or, when the budget's
/// `[record] dir` redirects records into the repo, that directory (made absolute against the
/// project root by the caller). The session id is sanitised so it can never climb out of
/// `base` (`../x` → `..-x` is still one path component).
pub fn session_dir(base: &Path, project_key: &str, session_id: &str) -> PathBuf {
    session_in(&base.join(project_key), session_id)
}

/// `<data dir>/claude-budget/runs` for an explicit data dir (the hooks read
/// `$CLAUDE_BUDGET_DATA_DIR` once into their environment), else [`runs_dir`].
pub fn runs_dir_in(data_dir: Option<&Path>) -> Option<PathBuf> {
    match data_dir {
        Some(dir) if !dir.as_os_str().is_empty() => Some(dir.join("claude-budget").join("runs")),
        _ => runs_dir(),
    }
}

/// Where one project's sessions live: `<base>/<project key>`, `base` being the repo layer's
/// `[record] dir` (relative to the project root) when the budget sets one, else the runs dir
/// (under `data_dir` when given). Hooks, `report`, `status`, `replay` and `capture` all find
/// a project's runs through this one function.
pub fn project_runs_dir(
    project_root: &Path,
    budget: Option<&crate::budget::Budget>,
    data_dir: Option<&Path>,
) -> Result<PathBuf, StoreError> {
    // The managed layer's `[record] dir` wins over the repo's (SPEC §3).
    let record_dir = budget.and_then(crate::budget::Budget::record_dir);
    let base = match record_dir {
        Some(dir) => project_root.join(dir),
        None => runs_dir_in(data_dir).ok_or(StoreError::NoDataDir)?,
    };
    Ok(base.join(project_key(project_root)))
}

/// One session's directory inside [`project_runs_dir`], the id sanitised as in [`session_dir`].
pub fn session_in(project_runs_dir: &Path, session_id: &str) -> PathBuf {
    project_runs_dir.join(sanitise_component(session_id))
}

/// The directories self-protection must keep the agent out of (SPEC §3): where this
/// project's state and records live (`[record] dir` when set, and the runs dir under the data
/// dir), the directory of the running executable (the hooks and the CLI are installed
/// together), the user budget's folder and `$CLAUDE_CONFIG_DIR`'s settings files. One function, so the hook, `explain`, `test` and `replay` protect the same set.
pub fn protected_dirs(budget: &crate::budget::Budget, data_dir: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = budget
        .layers
        .iter()
        .filter_map(|layer| layer.record.dir.as_ref())
        .map(|dir| budget.project_root.join(dir))
        .collect();
    dirs.extend(runs_dir_in(data_dir));
    if let Some(data) = data_dir {
        dirs.push(data.to_path_buf());
    }
    if let Some(exe_dir) = std::env::current_exe()
        .ok()
        .as_deref()
        .and_then(Path::parent)
    {
        dirs.push(exe_dir.to_path_buf());
    }
    // The user budget's folder (`$CLAUDE_BUDGET_CONFIG_DIR` or the platform config dir),
    // even before a user budget exists in it, and Claude Code's user settings when
    // `$CLAUDE_CONFIG_DIR` moves them (the `~/.claude` ones are protected by `decide`).
    dirs.extend(crate::budget::config_dir().map(|c| c.join("claude-budget")));
    // The managed budget's folder: the organisation's floor is not the agent's to move.
    dirs.extend(crate::budget::managed_dir());
    dirs.extend(crate::budget::platform_managed_dir());
    if let Some(claude) = std::env::var_os("CLAUDE_CONFIG_DIR").filter(|d| !d.is_empty()) {
        let claude = PathBuf::from(claude);
        dirs.push(claude.join("settings.json"));
        dirs.push(claude.join("settings.local.json"));
    }
    dirs
}

/// The session directory every hook of one session agrees on (see [`project_runs_dir`]).
pub fn session_dir_for(
    budget: &crate::budget::Budget,
    data_dir: Option<&Path>,
    session_id: &str,
) -> Result<PathBuf, StoreError> {
    let project_dir = project_runs_dir(&budget.project_root, Some(budget), data_dir)?;
    Ok(session_in(&project_dir, session_id))
}

fn sanitise_component(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(128)
        .collect();
    match cleaned.as_str() {
        "" => "unknown-session".into(),
        "." | ".." => cleaned.replace('.', "_"),
        _ => cleaned,
    }
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// One session's directory: its state, lock, and (written by others) its record.
#[derive(Clone, Debug)]
pub struct Session {
    dir: PathBuf,
}

impl Session {
    /// Opens (creating if needed) a session directory.
    pub fn open(dir: PathBuf) -> Result<Session, StoreError> {
        std::fs::create_dir_all(&dir).map_err(|source| StoreError::CreateDir {
            path: dir.clone(),
            source,
        })?;
        Ok(Session { dir })
    }

    /// Opens an existing session directory without creating anything (for the CLI).
    pub fn existing(dir: PathBuf) -> Option<Session> {
        dir.is_dir().then_some(Session { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn state_path(&self) -> PathBuf {
        self.dir.join(STATE_FILE)
    }

    /// Locks the session (waiting at most `wait`), reads the state, applies `f`, writes the
    /// state atomically (temp file + rename) and unlocks. A missing state file is a fresh
    /// session. A corrupt one is an error: counters are never silently reset.
    pub fn update<T>(
        &self,
        wait: Duration,
        f: impl FnOnce(&mut SessionState) -> T,
    ) -> Result<T, StoreError> {
        let _lock = self.lock(wait)?;
        let mut state = self.read()?;
        let out = f(&mut state);
        self.write(&state)?;
        Ok(out)
    }

    /// Reads the state without locking (the file is only ever replaced whole). A session with
    /// no state yet reads as the empty state.
    pub fn read(&self) -> Result<SessionState, StoreError> {
        let path = self.state_path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
                path,
                message: e.to_string(),
            }),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(SessionState::default()),
            Err(e) => Err(StoreError::io(&path, e)),
        }
    }

    /// Appends one line to `hook-errors.log` (best effort: the hooks that call this must
    /// not fail because of it). Used when a non-blocking hook could not update the state.
    pub fn record_hook_error(&self, hook: &str, message: &str) {
        let line = format!("{} {hook}: {}\n", now_ms(), message.replace('\n', " "));
        let path = self.dir.join(HOOK_ERRORS_FILE);
        if let Ok(mut file) = OpenOptions::new().create(true).append(true).open(path) {
            let _ = file.write_all(line.as_bytes());
        }
    }

    fn write(&self, state: &SessionState) -> Result<(), StoreError> {
        let path = self.state_path();
        // Only the lock holder writes, so one fixed temp name suffices; a crashed writer's
        // leftover is simply overwritten.
        let tmp = self.dir.join("state.json.tmp");
        let bytes = serde_json::to_vec(state).map_err(|e| StoreError::Corrupt {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let mut file = File::create(&tmp).map_err(|e| StoreError::io(&tmp, e))?;
        file.write_all(&bytes)
            .map_err(|e| StoreError::io(&tmp, e))?;
        drop(file);
        std::fs::rename(&tmp, &path).map_err(|e| StoreError::io(&path, e))
    }

    fn lock(&self, wait: Duration) -> Result<File, StoreError> {
        let path = self.dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| StoreError::io(&path, e))?;
        let start = Instant::now();
        let mut pause = Duration::from_micros(50);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(file),
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => return Err(StoreError::io(&path, e)),
            }
            let waited = start.elapsed();
            if waited >= wait {
                return Err(StoreError::LockTimeout {
                    path,
                    waited_ms: waited.as_millis(),
                });
            }
            std::thread::sleep(pause.min(wait - waited));
            pause = (pause * 2).min(Duration::from_millis(5));
        }
    }
}

/// The most recently updated session of a project ([`project_runs_dir`]): the session
/// directory whose state or record changed last. The one "latest run" of `status`, `report`,
/// `replay` and `capture`.
pub fn latest_session(project_runs_dir: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(project_runs_dir).ok()?;
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|path| path.is_dir())
        .filter_map(|path| {
            let modified = [STATE_FILE, record::EVENTS_FILE]
                .iter()
                .filter_map(|f| path.join(f).metadata().and_then(|m| m.modified()).ok())
                .max()?;
            Some((modified, path))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)))
        .map(|(_, path)| path)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "test")]
mod tests {
    use super::*;

    #[test]
    fn project_keys_are_readable_and_distinct_for_same_named_folders() {
        let a = project_key(Path::new("/home/dev/my proj"));
        let b = project_key(Path::new("/srv/other/my proj"));
        assert!(a.starts_with("my-proj-"), "{a}");
        assert_ne!(a, b);
        assert_eq!(a, project_key(Path::new("/home/dev/my proj")));
    }

    #[test]
    fn session_ids_cannot_climb_out_of_the_runs_dir() {
        let dir = session_dir(Path::new("/runs"), "p", "../../etc");
        assert_eq!(dir.parent(), Some(Path::new("/runs/p")));
        let dir = session_dir(Path::new("/runs"), "p", "..");
        assert_eq!(dir.parent(), Some(Path::new("/runs/p")));
    }

    #[test]
    fn updates_persist_and_a_held_lock_times_out() {
        let tmp = tempfile::tempdir().unwrap();
        let session = Session::open(tmp.path().join("s")).unwrap();
        session
            .update(Duration::from_secs(1), |s| s.tool_calls += 2)
            .unwrap();
        assert_eq!(session.read().unwrap().tool_calls, 2);
        let held = session.lock(Duration::from_secs(1)).unwrap();
        let err = session.update(Duration::from_millis(30), |s| s.tool_calls += 1);
        assert!(
            matches!(err, Err(StoreError::LockTimeout { .. })),
            "{err:?}"
        );
        drop(held);
        assert_eq!(session.read().unwrap().tool_calls, 2);
    }

    #[test]
    fn a_corrupt_state_is_reported_not_reset() {
        let tmp = tempfile::tempdir().unwrap();
        let session = Session::open(tmp.path().to_path_buf()).unwrap();
        std::fs::write(session.state_path(), b"{\"tool_calls\": 3").unwrap();
        assert!(matches!(session.read(), Err(StoreError::Corrupt { .. })));
    }
}
