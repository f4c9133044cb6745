//! The tripwire's notes of PreToolUse calls whose post has not run yet: one append-only
//! file per session, `<session>/tripwire/pre.log`, instead of a file per call.
//!
//! Why a log: creating a file costs the file system an inode and a directory entry, and on
//! ext4 that was 0.1–0.8 ms per call here (measured in the hook with `strace -T`), more than
//! all the rest of a PreToolUse; appending a line to an existing file is ~10 µs.
//!
//! ```text
//! \npre<TAB><call id><TAB><unix ns><TAB>clean|dirty<TAB><identities, NUL between lines>
//! \ndone<TAB><call id>
//! ```
//!
//! Each record starts a line (with its `\n` first), so a record torn by a killed writer
//! ends at the next record instead of swallowing it; a line that does not parse is
//! skipped. A call is open from its first `pre` line to its `done` line: a later `pre` of
//! the same id does not replace the first, and a `done` is final, so a line appended later
//! can only close a note (the stricter check follows), never change what the call's
//! PreToolUse saw. A call whose note is missing is judged as one no PreToolUse saw: it is
//! compared with the accepted state — the stricter check, never a pass.
//!
//! Each record is one `write` on a file opened for appending, under a shared lock; the post
//! that finds the log grown past [`COMPACT_AT`] and mostly done rewrites it with only the
//! open notes, under the exclusive lock, and renames the new file over the old one. Whoever
//! locked a file that was renamed away meanwhile opens the log again, so no record lands in
//! a replaced file. Every lock wait is bounded ([`LOCK_WAIT`]; a compaction does not wait at
//! all): a process holding the log's lock can make notes go missing (the stricter check),
//! not make a hook wait past its deadline.

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Past this size the next post hook keeps only the open notes.
const COMPACT_AT: u64 = 64 * 1024;
/// The most of the log a post hook reads (its end): far more than the open notes of any
/// session.
const MAX_READ: u64 = 16 * 1024 * 1024;
/// How long an append waits for the log's lock.
const LOCK_WAIT: Duration = Duration::from_millis(500);

/// What one PreToolUse noted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PreNote {
    pub(super) call_id: String,
    pub(super) at: SystemTime,
    /// The identities were the accepted ones.
    pub(super) clean: bool,
    /// The identities as [`super::idents_text`] wrote them (lines).
    pub(super) idents: String,
}

/// The log of one session's tripwire folder.
pub(super) struct PreLog {
    path: PathBuf,
    dir: PathBuf,
}

impl PreLog {
    pub(super) fn new(tripwire_dir: &Path) -> PreLog {
        PreLog {
            path: tripwire_dir.join("pre.log"),
            dir: tripwire_dir.to_path_buf(),
        }
    }

    /// Appends the note of a PreToolUse.
    pub(super) fn note(&self, note: &PreNote) -> std::io::Result<()> {
        self.append(note_line(note).as_bytes())
    }

    /// Takes the note of `call_id` (marking it done) and the times of the other open notes
    /// younger than `abandoned_after` (calls still running). `None`: no open note of this call.
    pub(super) fn take(
        &self,
        call_id: &str,
        abandoned_after: Duration,
    ) -> (Option<PreNote>, Vec<SystemTime>) {
        let Some((text, size)) = self.read_end() else {
            return (None, Vec::new());
        };
        let escaped = escape_id(call_id);
        let mut open = open_notes(&text);
        let now = SystemTime::now();
        let mine = open
            .iter()
            .position(|n| n.id == escaped)
            .map(|i| open.swap_remove(i))
            .and_then(|n| parse_pre(n.line));
        let others = open
            .iter()
            .filter_map(|n| parse_pre(n.line))
            .map(|n| n.at)
            .filter(|at| now.duration_since(*at).unwrap_or_default() <= abandoned_after)
            .collect();
        if mine.is_some() {
            let done = format!("\ndone\t{escaped}");
            let _ = self.append(done.as_bytes());
            // Compacted when most of it is done: a log of mostly open notes (many refused
            // approvals) would otherwise be rewritten by every post.
            let open_bytes: usize = open.iter().map(|n| n.line.len() + 1).sum();
            if size > COMPACT_AT && open_bytes < text.len() / 2 {
                let _ = self.compact(abandoned_after);
            }
        }
        (mine, others)
    }

    /// The end of the log (at most [`MAX_READ`] bytes, from a record's start), and its size.
    fn read_end(&self) -> Option<(String, u64)> {
        let file = File::open(&self.path).ok()?;
        let size = file.metadata().ok()?.len();
        Some((read_end_of(file, size)?, size))
    }

    fn append(&self, record: &[u8]) -> std::io::Result<()> {
        let mut file = self.open_locked(LockKind::Shared, LOCK_WAIT)?;
        file.write_all(record)
    }

    /// Rewrites the log with only the open notes (abandoned ones dropped); skipped when
    /// someone else holds the lock.
    fn compact(&self, abandoned_after: Duration) -> std::io::Result<()> {
        let file = self.open_locked(LockKind::Exclusive, Duration::ZERO)?;
        let size = file.metadata()?.len();
        let text = read_end_of(&file, size).unwrap_or_default();
        let now = SystemTime::now();
        let kept: String = open_notes(&text)
            .into_iter()
            .filter(|n| {
                parse_pre(n.line).is_some_and(|note| {
                    now.duration_since(note.at).unwrap_or_default() <= abandoned_after
                })
            })
            .flat_map(|n| ["\n", n.line])
            .collect();
        let tmp = self.dir.join("pre.log.tmp");
        std::fs::write(&tmp, kept)?;
        std::fs::rename(&tmp, &self.path)
        // `file` (and its lock) is dropped here, after the rename.
    }

    /// The log opened for appending (and reading), locked, and still the file at its path (a
    /// compaction may have renamed a new one over it while we waited).
    fn open_locked(&self, kind: LockKind, wait: Duration) -> std::io::Result<File> {
        for _ in 0..8 {
            let file = match open_append(&self.path) {
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    std::fs::create_dir_all(&self.dir)?;
                    open_append(&self.path)?
                }
                other => other?,
            };
            lock_within(&file, kind, wait)?;
            if still_at(&file, &self.path) {
                return Ok(file);
            }
        }
        Err(std::io::Error::other(
            "the tripwire's pre.log kept being replaced",
        ))
    }
}

/// Which `flock` [`lock_within`] takes.
#[derive(Clone, Copy)]
pub(super) enum LockKind {
    Shared,
    Exclusive,
}

/// Takes `file`'s lock, waiting at most `wait` (zero: only if it is free now); an error of
/// kind `WouldBlock` when it stayed held. The tripwire's locks are polled: a hook holds them
/// for microseconds, and a process holding one on purpose must not make a hook wait out
/// its deadline.
pub(super) fn lock_within(file: &File, kind: LockKind, wait: Duration) -> std::io::Result<()> {
    let started = std::time::Instant::now();
    loop {
        let tried = match kind {
            LockKind::Shared => file.try_lock_shared(),
            LockKind::Exclusive => file.try_lock(),
        };
        match tried {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if started.elapsed() < wait => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(std::io::Error::new(
                    ErrorKind::WouldBlock,
                    "the lock is held",
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
    }
}

/// At most the last [`MAX_READ`] bytes of the log, from the first record that starts in
/// them; bytes that are not UTF-8 (a torn write) read as replacement characters.
fn read_end_of(mut file: impl Read + std::io::Seek, size: u64) -> Option<String> {
    let skip = size.saturating_sub(MAX_READ);
    if skip > 0 {
        file.seek(std::io::SeekFrom::Start(skip)).ok()?;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size.min(MAX_READ)).unwrap_or(0));
    file.take(MAX_READ).read_to_end(&mut bytes).ok()?;
    let from = if skip > 0 {
        bytes
            .iter()
            .position(|b| *b == b'\n')
            .unwrap_or(bytes.len())
    } else {
        0
    };
    Some(String::from_utf8_lossy(&bytes[from..]).into_owned())
}

/// The `pre` record of a note.
fn note_line(note: &PreNote) -> String {
    let at = note
        .at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!(
        "\npre\t{}\t{at}\t{}\t{}",
        escape_id(&note.call_id),
        if note.clean { "clean" } else { "dirty" },
        note.idents.replace('\n', "\0")
    )
}

fn open_append(path: &Path) -> std::io::Result<File> {
    std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
}

#[cfg(unix)]
fn still_at(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_at(_: &File, path: &Path) -> bool {
    path.exists()
}

/// The notes without a `done` line, in the order written. The first `pre` of an id is its
/// note and a `done` is final (see the module's doc). Lines are only split here: a note is
/// parsed when it is used.
fn open_notes(text: &str) -> Vec<OpenNote<'_>> {
    let mut open: Vec<OpenNote<'_>> = Vec::new();
    let mut closed: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for line in text.split('\n') {
        if let Some(id) = line.strip_prefix("done\t") {
            open.retain(|n| n.id != id);
            closed.insert(id);
        } else if let Some(rest) = line.strip_prefix("pre\t")
            && let Some((id, _)) = rest.split_once('\t')
            && !closed.contains(id)
            && !open.iter().any(|n| n.id == id)
        {
            open.push(OpenNote { id, line });
        }
    }
    open
}

/// An open note as written: its call id (escaped) and its whole line.
struct OpenNote<'a> {
    id: &'a str,
    line: &'a str,
}

fn parse_pre(line: &str) -> Option<PreNote> {
    let mut parts = line.strip_prefix("pre\t")?.splitn(4, '\t');
    let call_id = unescape_id(parts.next()?);
    let ns: u64 = parts.next()?.parse().ok()?;
    let clean = match parts.next()? {
        "clean" => true,
        "dirty" => false,
        _ => return None,
    };
    let idents = parts.next()?.replace('\0', "\n");
    Some(PreNote {
        call_id,
        at: SystemTime::UNIX_EPOCH + Duration::from_nanos(ns),
        clean,
        idents,
    })
}

/// A call id as one field: `%`, tab, newline, carriage return and NUL written as `%25`,
/// `%09`, `%0A`, `%0D`, `%00`.
fn escape_id(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\t' => out.push_str("%09"),
            '\n' => out.push_str("%0A"),
            '\r' => out.push_str("%0D"),
            '\0' => out.push_str("%00"),
            c => out.push(c),
        }
    }
    out
}

fn unescape_id(field: &str) -> String {
    field
        .replace("%09", "\t")
        .replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%00", "\0")
        .replace("%25", "%")
}

#[cfg(test)]
#[path = "tripwire_prelog_tests.rs"]
mod tests;
