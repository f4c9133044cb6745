//! I/O only, beside the policy layers (called from `events` and the CLI): where runs live,
//! the per-session lock and atomic state file, the run record, the transcript reader, the
//! review packet files and the rollback note on disk. What the state *means* is the pure
//! session model (`crate::session`).
//!
//! Map:
//! * [`layout`] — [`RunsLayout`]: every path under the data dir (runs, project, session).
//! * [`budget_cache`] — the compiled-budget cache the hooks load the budget through.
//! * this file — [`Session`]: a sidecar `state.lock` taken with std `File::lock`/`try_lock`
//!   under a bounded wait, read–modify–write of `state.msgpack`, written to its scratch file
//!   and swapped in (or renamed) so a crash at any moment leaves the previous or the next
//!   state, never a torn one.
//!   MessagePack with named fields, not JSON: every hook call reads and rewrites the whole
//!   state, and in a long session (~21 KB) JSON cost ~1 M instructions per call, most of it
//!   escaping and unescaping text; MessagePack keeps what JSON gave (fields by name, so a
//!   state written by an older version still loads and new fields default) and copies
//!   strings and byte blocks as they are. `claude-budget status` shows it to humans.
//!   `state_bytes` — the state encoded back over the bytes it was read from.
//! * [`transcript`] — reads only the bytes appended to a transcript since the last call.
//! * [`record`] — appends to and reads the run record `events.jsonl` (redacted).
//! * [`review`] — writes the review packet files `review.md` / `review.json` of a session.
//! * [`evidence`] — reads the rollback note for the stop gate.
//! * [`gate_check`] — does the PreToolUse entry of the settings resolve (SessionStart).
//! * [`tripwire_copies`] — the tripwire's manifest, copies and per-call snapshots;
//!   [`tripwire_secrets`] — the denied files the secret scan reads.
//!
//! How the pre-tool-use hook uses it (one lock per call, see `events::pre`):
//! ```text
//! let dir = RunsLayout::new(&env).session_dir(&budget, session_id)?;
//! let session = store::Session::open(dir)?;                 // error → deny (fail closed)
//! session.update(wait, |state| {                            // LockTimeout → deny
//!     let _ = store::transcript::refresh(state, transcript, &prices);
//!     let facts = state.facts_at(now_ms);
//!     let decision = decide(&call, &budget, &facts, &ctx);  // pure
//!     state.note_pre_tool_use(id, tool, decision.verdict, stop_fact, now_ms);
//!     decision
//! })
//! ```
//! The other hooks use the same calls but never block: a failure is appended to
//! `hook-errors.log` and reported on stderr.
//!
//! Why a sidecar lock file: the state file itself is replaced by rename on every update, so
//! a lock on it would lock a file that is no longer the current one.

pub mod budget_cache;
pub mod evidence;
pub mod gate_check;
pub mod layout;
pub mod record;
pub mod retention;
pub mod review;
pub mod scan;
mod state_bytes;
pub mod transcript;
pub mod tripwire_copies;
mod tripwire_prelog;
pub mod tripwire_secrets;

pub use layout::{RunsLayout, latest_session, project_key, session_in};

use crate::session::SessionState;
use state_bytes::Overwrite;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The state file inside a session directory (MessagePack, fields by name).
pub const STATE_FILE: &str = "state.msgpack";
/// Where versions before 0.1.x kept the state, as JSON: still read when a session begun
/// before an upgrade has no [`STATE_FILE`] yet, and removed once the state moved.
pub const LEGACY_STATE_FILE: &str = "state.json";
/// The sidecar lock file inside a session directory.
pub const LOCK_FILE: &str = "state.lock";
/// The state before the last write, kept as the next write's scratch file (see
/// `Session::write_bytes`): never read as the state.
pub const STATE_SCRATCH_FILE: &str = "state.msgpack.tmp";
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
        "session state `{path}` cannot be read ({message}); delete it to start the counters afresh"
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

/// Where a session's state was read from.
enum Stored {
    /// The state file, with its bytes (an update that leaves them as they were writes nothing).
    Current(Vec<u8>),
    /// The JSON file of an older version: the next write moves it.
    Legacy,
    /// Neither: a fresh session.
    Nothing,
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
    /// state atomically (see `write_bytes`) when `f` changed it, and unlocks. A missing state file is a fresh
    /// session. A corrupt one is an error: counters are never silently reset.
    pub fn update<T>(
        &self,
        wait: Duration,
        f: impl FnOnce(&mut SessionState) -> T,
    ) -> Result<T, StoreError> {
        let _lock = self.lock(wait)?;
        let (mut state, before) = self.read_with_bytes()?;
        let out = f(&mut state);
        match before {
            // The new bytes are written over the old ones in their buffer (no second
            // ~20 KB buffer for a long session), noting whether any byte changed: a call
            // that changed nothing leaves the file alone (no write, no swap, nothing for a
            // crash to interrupt).
            Stored::Current(bytes) => {
                let (bytes, changed) = self.encode_over(&state, bytes)?;
                if changed {
                    self.write_bytes(&bytes)?;
                }
            }
            Stored::Nothing => self.write_bytes(&self.encode_over(&state, Vec::new())?.0)?,
            Stored::Legacy => {
                self.write_bytes(&self.encode_over(&state, Vec::new())?.0)?;
                // The session's JSON state is now stale: removed, so that nothing ever reads
                // old counters (best effort: the new file is read first anyway).
                let _ = std::fs::remove_file(self.dir.join(LEGACY_STATE_FILE));
            }
        }
        // The process ends soon after a hook call: the state is not worth freeing entry by
        // entry (tens of thousands of instructions in a long session).
        std::mem::forget(state);
        Ok(out)
    }

    /// [`Session::read`], with where it was read from.
    fn read_with_bytes(&self) -> Result<(SessionState, Stored), StoreError> {
        let path = self.state_path();
        let corrupt = |path: PathBuf, message: String| StoreError::Corrupt { path, message };
        match std::fs::read(&path) {
            Ok(bytes) => match rmp_serde::from_slice(&bytes) {
                Ok(state) => Ok((state, Stored::Current(bytes))),
                Err(e) => Err(corrupt(path, e.to_string())),
            },
            Err(e) if e.kind() == ErrorKind::NotFound => {
                let legacy = self.dir.join(LEGACY_STATE_FILE);
                match std::fs::read(&legacy) {
                    Ok(bytes) => serde_json::from_slice(&bytes)
                        .map(|state| (state, Stored::Legacy))
                        .map_err(|e| corrupt(legacy, e.to_string())),
                    Err(e) if e.kind() == ErrorKind::NotFound => {
                        Ok((SessionState::default(), Stored::Nothing))
                    }
                    Err(e) => Err(StoreError::io(&legacy, e)),
                }
            }
            Err(e) => Err(StoreError::io(&path, e)),
        }
    }

    /// Reads the state without locking (the file is only ever replaced whole). A session with
    /// no state yet reads as the empty state.
    pub fn read(&self) -> Result<SessionState, StoreError> {
        self.read_with_bytes().map(|(state, _)| state)
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

    /// The state's bytes, written over `old` (the bytes it was read from, or nothing), and
    /// whether they differ from them.
    fn encode_over(
        &self,
        state: &SessionState,
        old: Vec<u8>,
    ) -> Result<(Vec<u8>, bool), StoreError> {
        let mut over = Overwrite::new(old);
        rmp_serde::encode::write_named(&mut over, state).map_err(|e| StoreError::Corrupt {
            path: self.state_path(),
            message: e.to_string(),
        })?;
        Ok(over.finish())
    }

    /// Replaces the state file whole, atomically: readers see the old bytes or the new ones.
    ///
    /// The new bytes go into the scratch file the previous write left behind, which is then
    /// swapped with the state file (`renameat2(RENAME_EXCHANGE)`): no file is created and
    /// none is replaced. Why: on ext4, creating a file and renaming it over another costs
    /// ~200 µs per call (a new inode, and the data flush ext4 starts on a rename that
    /// replaces a file), a third of what a hook call takes in all; the swap costs ~8 µs.
    /// Only the lock holder writes, so one fixed scratch name suffices; a writer killed
    /// mid-write leaves the state file whole and a scratch file the next write overwrites.
    /// Where the swap is unavailable (no state file yet, another OS, a file system without
    /// it) the scratch file is renamed over the state file, as before.
    fn write_bytes(&self, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.state_path();
        let scratch = self.dir.join(STATE_SCRATCH_FILE);
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&scratch)
            .map_err(|e| StoreError::io(&scratch, e))?;
        // Not truncated before writing: ext4 flushes a file truncated to zero at close. Cut
        // to length afterwards only when it was longer (the scratch file is the state of two
        // calls ago, as long as this one more often than not): a `statx` costs less than a
        // `ftruncate`, which updates the file's times even when its length stays.
        let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        file.write_all(bytes)
            .and_then(|()| match file.metadata() {
                Ok(meta) if meta.len() == len => Ok(()),
                _ => file.set_len(len),
            })
            .map_err(|e| StoreError::io(&scratch, e))?;
        drop(file);
        if exchange(&scratch, &path) {
            return Ok(());
        }
        std::fs::rename(&scratch, &path).map_err(|e| StoreError::io(&path, e))
    }

    /// True when the session has a state file (current or legacy).
    pub fn has_state(&self) -> bool {
        [STATE_FILE, LEGACY_STATE_FILE]
            .iter()
            .any(|name| self.dir.join(name).exists())
    }

    /// Takes the session's lock, waiting at most `wait`. An uncontended lock costs one
    /// `flock`. Under contention the wait is a blocking `flock` in a helper thread, so the
    /// kernel wakes this process the moment the lock is free: polling with sleeps let a burst
    /// of 200 parallel hooks starve a late one past its deadline (each sleeper lost the race
    /// to processes that happened to be awake).
    fn lock(&self, wait: Duration) -> Result<File, StoreError> {
        let path = self.dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| StoreError::io(&path, e))?;
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => return Err(StoreError::io(&path, e)),
        }
        let start = Instant::now();
        // A duplicate of the same open file: a lock taken through it is this file's lock
        // (flock locks belong to the open file, not to one descriptor).
        let Ok(waiter) = file.try_clone() else {
            return poll_lock(file, path, start, wait);
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("session-lock".into())
            .spawn(move || {
                let taken = waiter.lock();
                // Closed before reporting: the lock then lives only in `file`, and is
                // released when the caller drops it.
                drop(waiter);
                let _ = tx.send(taken);
            });
        if spawned.is_err() {
            // No thread to spare (a process limit during a burst): wait the old way rather
            // than lose this update.
            return poll_lock(file, path, start, wait);
        }
        match rx.recv_timeout(wait) {
            Ok(Ok(())) => Ok(file),
            Ok(Err(e)) => Err(StoreError::io(&path, e)),
            // The helper may still take the lock later; the process ends soon after a
            // timeout, and its exit releases it.
            Err(_) => Err(StoreError::LockTimeout {
                path,
                waited_ms: start.elapsed().as_millis(),
            }),
        }
    }
}

/// Waits for `file`'s lock by trying it with growing pauses: the fallback when no helper
/// thread can be started for a blocking wait.
/// Swaps two files atomically; false when it could not (either is missing, or the file
/// system or OS cannot).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> bool {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).is_ok()
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> bool {
    false
}

fn poll_lock(
    file: File,
    path: PathBuf,
    start: Instant,
    wait: Duration,
) -> Result<File, StoreError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_polling_fallback_times_out_on_a_held_lock_and_takes_a_free_one() {
        let tmp = tempfile::tempdir().unwrap();
        let session = Session::open(tmp.path().join("s")).unwrap();
        let path = session.dir().join(LOCK_FILE);
        let open = || {
            OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .unwrap()
        };
        let held = session.lock(Duration::from_secs(1)).unwrap();
        let err = poll_lock(
            open(),
            path.clone(),
            Instant::now(),
            Duration::from_millis(30),
        );
        assert!(
            matches!(err, Err(StoreError::LockTimeout { .. })),
            "{err:?}"
        );
        drop(held);
        assert!(poll_lock(open(), path.clone(), Instant::now(), Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn an_update_that_changes_nothing_leaves_the_state_file_alone() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let session = Session::open(tmp.path().join("s")).unwrap();
        let wait = Duration::from_secs(1);
        session.update(wait, |s| s.tool_calls += 1).unwrap();
        let inode = || std::fs::metadata(session.state_path()).unwrap().ino();
        let before = inode();
        session.update(wait, |_| ()).unwrap();
        assert_eq!(inode(), before, "an unchanged state was rewritten");
        session.update(wait, |s| s.tool_calls += 1).unwrap();
        assert_ne!(
            inode(),
            before,
            "a changed state was not written (temp file + rename)"
        );
        assert_eq!(session.read().unwrap().tool_calls, 2);
    }

    #[test]
    fn writes_swap_two_files_and_a_torn_scratch_file_is_never_read() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let session = Session::open(tmp.path().join("s")).unwrap();
        let wait = Duration::from_secs(1);
        let scratch = session.dir().join(STATE_SCRATCH_FILE);
        let inode = |p: &Path| std::fs::metadata(p).unwrap().ino();
        for calls in 1..=4u64 {
            session.update(wait, |s| s.tool_calls += 1).unwrap();
            assert_eq!(session.read().unwrap().tool_calls, calls);
        }
        // From the second write on, the same two files trade places: nothing is created.
        let pair = [inode(&session.state_path()), inode(&scratch)];
        session.update(wait, |s| s.tool_calls += 1).unwrap();
        if cfg!(target_os = "linux") {
            assert_eq!(
                [inode(&scratch), inode(&session.state_path())],
                pair,
                "the state was not swapped with its scratch file"
            );
        }
        // A writer killed mid-write leaves a torn scratch file: the state is still whole,
        // and the next write replaces the scratch file's bytes entirely (a longer old
        // content included).
        std::fs::write(&scratch, vec![0xc1; 100_000]).unwrap();
        assert_eq!(session.read().unwrap().tool_calls, 5);
        session.update(wait, |s| s.tool_calls += 1).unwrap();
        assert_eq!(session.read().unwrap().tool_calls, 6);
        session.update(wait, |s| s.tool_calls += 1).unwrap();
        assert_eq!(session.read().unwrap().tool_calls, 7);
        // The scratch file holds the previous state, whole.
        let previous: SessionState =
            rmp_serde::from_slice(&std::fs::read(&scratch).unwrap()).unwrap();
        assert_eq!(previous.tool_calls, 6);
    }

    #[test]
    fn a_json_state_written_before_an_upgrade_is_read_then_moved() {
        let tmp = tempfile::tempdir().unwrap();
        let session = Session::open(tmp.path().join("s")).unwrap();
        let legacy = session.dir().join(LEGACY_STATE_FILE);
        std::fs::write(
            &legacy,
            br#"{"seq":4,"tool_calls":3,"recent_calls":"1.7.4;","edits":"/p/a.rs|2|4|"}"#,
        )
        .unwrap();
        assert_eq!(session.read().unwrap().tool_calls, 3);
        session
            .update(Duration::from_secs(1), |s| s.tool_calls += 1)
            .unwrap();
        assert!(!legacy.exists(), "the stale JSON state was left behind");
        let state = session.read().unwrap();
        assert_eq!((state.tool_calls, state.seq), (4, 4));
        assert_eq!(state.edits.get("/p/a.rs").map(|e| e.count), Some(2));
        assert_eq!(state.recent_calls.len(), 1);
    }

    #[test]
    fn a_corrupt_state_is_reported_not_reset() {
        let tmp = tempfile::tempdir().unwrap();
        let session = Session::open(tmp.path().to_path_buf()).unwrap();
        std::fs::write(session.state_path(), b"\x82\xaatool_calls\x03").unwrap();
        assert!(matches!(session.read(), Err(StoreError::Corrupt { .. })));
        std::fs::remove_file(session.state_path()).unwrap();
        std::fs::write(session.dir().join(LEGACY_STATE_FILE), b"{\"tool_calls\": 3").unwrap();
        assert!(matches!(session.read(), Err(StoreError::Corrupt { .. })));
    }
}
