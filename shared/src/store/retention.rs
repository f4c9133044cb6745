//! Retention (SPEC §7): how much of a project's run records is kept, and deleting the
//! sessions past `[record] retain_days` — by `claude-budget prune`, and by one bounded pass at
//! SessionEnd (never on the PreToolUse path, whose latency bar it would break).
//!
//! A session's age is its last activity (the newest of its state and record files), so a long
//! session that is still being written is never "old". The running session is never removed:
//! the caller names it, and a session whose lock is held right now is skipped too. Only
//! directories that look like sessions (holding `events.jsonl` or a state file) are touched,
//! and a symlink is never followed into: prune cannot be aimed at anything else.

use super::{LEGACY_STATE_FILE, LOCK_FILE, STATE_FILE, record::EVENTS_FILE};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A marker in a project's runs dir: when the last opportunistic pass ran.
pub const LAST_PRUNE_FILE: &str = ".last-prune";
/// The opportunistic pass runs at most this often per project.
pub const PASS_INTERVAL: Duration = Duration::from_secs(24 * 3600);
/// The opportunistic pass looks at most at this many sessions and deletes at most this many.
pub const PASS_MAX_SEEN: usize = 256;
pub const PASS_MAX_REMOVED: usize = 16;

const DAY: Duration = Duration::from_secs(86_400);
/// A session with no SessionEnd that was active this recently may still be running (the CLI
/// cannot know the live session's id): `prune --older-than 0` leaves it alone.
pub const RUNNING_WINDOW: Duration = Duration::from_secs(3600);

/// One session directory and what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionDir {
    pub path: PathBuf,
    /// Last activity: the newest modification time of its state and record.
    pub last_active: SystemTime,
    pub bytes: u64,
}

/// What a prune did (or, dry, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    pub removed: Vec<SessionDir>,
    pub kept: Vec<SessionDir>,
    /// Sessions past retention left alone: the running one, locked ones, ones that failed.
    pub skipped: Vec<(PathBuf, String)>,
}

/// What a project keeps: how many sessions, how many bytes, since when.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    pub sessions: usize,
    pub bytes: u64,
    pub oldest: Option<SystemTime>,
    pub newest: Option<SystemTime>,
}

/// How to prune.
#[derive(Clone, Debug)]
pub struct PruneOptions<'a> {
    /// Sessions inactive for longer than this many days go.
    pub older_than_days: u64,
    pub now: SystemTime,
    /// The running session's id (its directory name): never removed.
    pub keep: Option<&'a str>,
    pub dry_run: bool,
    /// Bounds for the opportunistic pass; `None` = no bound (the CLI).
    pub max_seen: Option<usize>,
    pub max_removed: Option<usize>,
}

/// The session directories of one project's runs dir (unsorted; at most `max_seen`).
pub fn sessions(project_runs_dir: &Path, max_seen: Option<usize>) -> Vec<SessionDir> {
    let Ok(entries) = std::fs::read_dir(project_runs_dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .take(max_seen.unwrap_or(usize::MAX))
        .filter_map(|entry| session_dir(&entry.path()))
        .collect()
}

fn session_dir(path: &Path) -> Option<SessionDir> {
    // Not followed: a symlink in the runs dir is not a session of ours.
    if !std::fs::symlink_metadata(path).ok()?.is_dir() {
        return None;
    }
    let last_active = [STATE_FILE, LEGACY_STATE_FILE, EVENTS_FILE]
        .iter()
        .filter_map(|f| std::fs::symlink_metadata(path.join(f)).ok())
        .filter_map(|m| m.modified().ok())
        .max()?;
    let bytes = std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(std::fs::Metadata::is_file)
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    Some(SessionDir {
        path: path.to_path_buf(),
        last_active,
        bytes,
    })
}

/// How much a project keeps and since when.
pub fn kept(project_runs_dir: &Path) -> Kept {
    let all = sessions(project_runs_dir, None);
    Kept {
        sessions: all.len(),
        bytes: all.iter().map(|s| s.bytes).sum(),
        oldest: all.iter().map(|s| s.last_active).min(),
        newest: all.iter().map(|s| s.last_active).max(),
    }
}

/// No SessionEnd recorded in its state, and recent activity.
fn maybe_running(session: &SessionDir, now: SystemTime) -> bool {
    let recent = now
        .duration_since(session.last_active)
        .map_or(true, |age| age < RUNNING_WINDOW);
    recent
        && super::Session::existing(session.path.clone())
            .and_then(|s| s.read().ok())
            .is_some_and(|state| state.ended.is_none())
}

/// True when another process holds the session's lock right now (a hook of a live session).
fn locked(dir: &Path) -> bool {
    let Ok(file) = File::options().write(true).open(dir.join(LOCK_FILE)) else {
        return false;
    };
    matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock))
}

/// Deletes (or, dry, lists) the sessions of `project_runs_dir` inactive for longer than the
/// retention, oldest first, within the bounds given.
pub fn prune(project_runs_dir: &Path, options: &PruneOptions<'_>) -> Pruned {
    let cutoff = options
        .now
        .checked_sub(DAY.saturating_mul(u32::try_from(options.older_than_days).unwrap_or(u32::MAX)))
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let mut all = sessions(project_runs_dir, options.max_seen);
    all.sort_by(|a, b| a.last_active.cmp(&b.last_active).then(a.path.cmp(&b.path)));
    let mut out = Pruned::default();
    let max_removed = options.max_removed.unwrap_or(usize::MAX);
    for session in all {
        let past = session.last_active < cutoff;
        let running = options
            .keep
            .is_some_and(|id| session.path == super::session_in(project_runs_dir, id));
        if !past || out.removed.len() >= max_removed {
            out.kept.push(session);
        } else if running {
            out.skipped
                .push((session.path.clone(), "the running session".into()));
            out.kept.push(session);
        } else if maybe_running(&session, options.now) {
            out.skipped.push((
                session.path.clone(),
                "not ended and active within the last hour: may be running".into(),
            ));
            out.kept.push(session);
        } else if locked(&session.path) {
            out.skipped
                .push((session.path.clone(), "a hook holds its lock".into()));
            out.kept.push(session);
        } else if options.dry_run {
            out.removed.push(session);
        } else {
            match std::fs::remove_dir_all(&session.path) {
                Ok(()) => out.removed.push(session),
                Err(e) => {
                    out.skipped.push((session.path.clone(), e.to_string()));
                    out.kept.push(session);
                }
            }
        }
    }
    out
}

/// The opportunistic pass of SessionEnd: at most once per [`PASS_INTERVAL`] per project (a
/// marker file's time), bounded by [`PASS_MAX_SEEN`] and [`PASS_MAX_REMOVED`], never the
/// running session. Returns `None` when it was not due.
pub fn opportunistic(
    project_runs_dir: &Path,
    retain_days: u64,
    running: &str,
    now: SystemTime,
) -> Option<Pruned> {
    let marker = project_runs_dir.join(LAST_PRUNE_FILE);
    let due = std::fs::metadata(&marker)
        .and_then(|m| m.modified())
        .map_or(true, |last| {
            now.duration_since(last).unwrap_or_default() >= PASS_INTERVAL
        });
    if !due {
        return None;
    }
    // Claimed first, so parallel SessionEnds of one project do not all walk the dir.
    std::fs::write(&marker, b"").ok()?;
    Some(prune(
        project_runs_dir,
        &PruneOptions {
            older_than_days: retain_days,
            now,
            keep: Some(running),
            dry_run: false,
            max_seen: Some(PASS_MAX_SEEN),
            max_removed: Some(PASS_MAX_REMOVED),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aged(runs: &Path, id: &str, days: u64, now: SystemTime) -> PathBuf {
        let dir = runs.join(id);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(LEGACY_STATE_FILE), b"{\"ended\":{\"at_ms\":1}}").unwrap();
        let when = now - DAY * u32::try_from(days).unwrap();
        File::options()
            .write(true)
            .open(dir.join(LEGACY_STATE_FILE))
            .unwrap()
            .set_modified(when)
            .unwrap();
        dir
    }

    #[test]
    fn the_named_running_session_is_kept_however_old_it_looks() {
        let tmp = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        let running = aged(tmp.path(), "running", 400, now);
        let other = aged(tmp.path(), "other", 400, now);
        let pruned = prune(
            tmp.path(),
            &PruneOptions {
                older_than_days: 90,
                now,
                keep: Some("running"),
                dry_run: false,
                max_seen: None,
                max_removed: None,
            },
        );
        assert!(running.is_dir() && !other.is_dir());
        assert_eq!(pruned.skipped.len(), 1);
    }

    #[test]
    fn a_symlink_and_a_folder_without_records_are_never_pruned() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        aged(outside.path(), "victim", 400, now);
        std::os::unix::fs::symlink(outside.path().join("victim"), tmp.path().join("link")).unwrap();
        std::fs::create_dir_all(tmp.path().join("not-a-session")).unwrap();
        let options = PruneOptions {
            older_than_days: 0,
            now: now + DAY,
            keep: None,
            dry_run: false,
            max_seen: None,
            max_removed: None,
        };
        let pruned = prune(tmp.path(), &options);
        assert!(pruned.removed.is_empty(), "{pruned:?}");
        assert!(outside.path().join("victim").is_dir());
        assert!(tmp.path().join("not-a-session").is_dir());
    }

    #[test]
    fn the_opportunistic_pass_removes_at_most_its_bound() {
        let tmp = tempfile::tempdir().unwrap();
        let now = SystemTime::now();
        for i in 0..(PASS_MAX_REMOVED + 3) {
            aged(tmp.path(), &format!("s{i}"), 200, now);
        }
        let pruned = opportunistic(tmp.path(), 90, "none", now).unwrap();
        assert_eq!(pruned.removed.len(), PASS_MAX_REMOVED);
        assert!(
            opportunistic(tmp.path(), 90, "none", now).is_none(),
            "not due again"
        );
    }
}
