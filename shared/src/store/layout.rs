//! [`RunsLayout`]: every path under the data dir, named once. The hooks, `report`, `status`,
//! `replay`, `capture` and self-protection all find a project's runs through it, so they can
//! never disagree on where a session lives.
//!
//! ```text
//! <data dir>/claude-budget/runs/            runs_dir()
//!   <project key>/                          project_dir(root, budget)   (or `[record] dir`/<key>)
//!     <session id>/                         session_dir(budget, id) / session_in(project dir, id)
//!       state.msgpack  state.lock  events.jsonl  hook-errors.log  review.md  review.json
//! <data dir>/claude-budget/cache/           cache_dir()   (the compiled-budget cache)
//!   budget-<hex>.bin
//! ```

use super::{LEGACY_STATE_FILE, STATE_FILE, StoreError, record};
use crate::budget::Budget;
use crate::env::Env;
use std::path::{Path, PathBuf};

/// Where runs live for one process's environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunsLayout {
    /// `<data dir>/claude-budget/runs`; `None` when no data dir can be found (no home).
    runs: Option<PathBuf>,
}

impl RunsLayout {
    /// `$CLAUDE_BUDGET_DATA_DIR/claude-budget/runs`, else the platform data dir's.
    pub fn new(env: &Env) -> RunsLayout {
        RunsLayout {
            runs: env.data_base().map(|base| Self::runs_under(&base)),
        }
    }

    /// The layout under an explicit data dir (what `CLAUDE_BUDGET_DATA_DIR` would name).
    pub fn under(data_dir: &Path) -> RunsLayout {
        RunsLayout {
            runs: Some(Self::runs_under(data_dir)),
        }
    }

    fn runs_under(data_dir: &Path) -> PathBuf {
        data_dir.join("claude-budget").join("runs")
    }

    /// `<data dir>/claude-budget/runs`.
    pub fn runs_dir(&self) -> Option<&Path> {
        self.runs.as_deref()
    }

    /// `<data dir>/claude-budget/cache`: the hooks' compiled-budget cache
    /// (`store::budget_cache`), beside the runs and protected like them.
    pub fn cache_dir(&self) -> Option<PathBuf> {
        let claude_budget = self.runs.as_deref()?.parent()?;
        Some(claude_budget.join("cache"))
    }

    /// Where one project's sessions live: `<base>/<project key>`, `base` being the `[record]
    /// dir` in force (relative to the project root; the managed layer's wins) when the budget
    /// sets one, else the runs dir.
    pub fn project_dir(
        &self,
        project_root: &Path,
        budget: Option<&Budget>,
    ) -> Result<PathBuf, StoreError> {
        // The managed layer's `[record] dir` wins over the repo's (SPEC §3).
        let record_dir = budget.and_then(Budget::record_dir);
        let base = match record_dir {
            Some(dir) => project_root.join(dir),
            None => self.runs.clone().ok_or(StoreError::NoDataDir)?,
        };
        Ok(base.join(project_key(project_root)))
    }

    /// The session directory every hook of one session agrees on.
    pub fn session_dir(&self, budget: &Budget, session_id: &str) -> Result<PathBuf, StoreError> {
        let project = self.project_dir(&budget.project_root, Some(budget))?;
        Ok(session_in(&project, session_id))
    }
}

/// One session's directory inside a project's runs directory. The session id is sanitised
/// so it can never climb out of it (`../x` → `.._x` is still one path component).
pub fn session_in(project_dir: &Path, session_id: &str) -> PathBuf {
    project_dir.join(sanitise_component(session_id))
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
    // Hex by hand: a `format!` per byte was an allocation each, at every hook call.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hash = String::with_capacity(12);
    for b in digest.iter().take(6) {
        hash.push(char::from(HEX[usize::from(b >> 4)]));
        hash.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    if readable.is_empty() {
        hash
    } else {
        format!("{readable}-{hash}")
    }
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

/// The most recently updated session of a project (its runs directory): the session
/// directory whose state or record changed last. The one "latest run" of `status`, `report`,
/// `replay` and `capture`.
pub fn latest_session(project_dir: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(project_dir).ok()?;
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|path| path.is_dir())
        .filter_map(|path| {
            let modified = [STATE_FILE, LEGACY_STATE_FILE, record::EVENTS_FILE]
                .iter()
                .filter_map(|f| path.join(f).metadata().and_then(|m| m.modified()).ok())
                .max()?;
            Some((modified, path))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)))
        .map(|(_, path)| path)
}

#[cfg(test)]
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
        let dir = session_in(Path::new("/runs/p"), "../../etc");
        assert_eq!(dir.parent(), Some(Path::new("/runs/p")));
        let dir = session_in(Path::new("/runs/p"), "..");
        assert_eq!(dir.parent(), Some(Path::new("/runs/p")));
    }

    #[test]
    fn a_data_dir_holds_the_runs_of_each_project_apart() {
        let layout = RunsLayout::under(Path::new("/data"));
        let dir = layout.project_dir(Path::new("/w/proj"), None).ok();
        let key = project_key(Path::new("/w/proj"));
        // The name existing data directories already carry: the folder's name and the
        // first 6 bytes of the SHA-256 of its path, in hex.
        assert_eq!(key, "proj-783cc1983e91");
        assert_eq!(
            dir,
            Some(PathBuf::from(format!("/data/claude-budget/runs/{key}")))
        );
    }
}
