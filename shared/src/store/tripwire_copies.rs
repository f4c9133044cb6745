//! The tripwire's files in a session directory, and the file system work around them.
//!
//! ```text
//! <session>/tripwire/manifest.json   the accepted state: path → kind, identity, sha256
//! <session>/tripwire/copies/<sha256> a copy of every accepted version (mode 0600)
//! <session>/tripwire/pre.log          the identities each PreToolUse saw, until its post
//! ```
//!
//! The pre-tool-use hook only `stat`s the watched files and appends one line per call to
//! `pre.log` ([`Tripwire::note_pre`], [`super::tripwire_prelog`]): hashing, copying and comparing happen in the post hook
//! ([`Tripwire::check_after`]), off the hot path. Both run inside the session lock, so the
//! manifest is read and replaced by one hook at a time. Copies are content-addressed and
//! never overwritten, so a version accepted by one call can still be restored by another.
//! How a difference is judged: [`crate::tripwire`].

use super::tripwire_prelog::{LockKind, PreLog, PreNote, lock_within};
use crate::budget::Budget;
use crate::tripwire::{Ident, Seen, WatchKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::Metadata;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The tripwire's folder inside a session directory.
pub const TRIPWIRE_DIR: &str = "tripwire";
/// Files larger than this are watched but not copied (a halt then says it could not restore).
pub const MAX_COPY_BYTES: u64 = 1024 * 1024;
/// Entries listed per watched folder (`.git/hooks`, `.claude/budget-tests`).
const MAX_LISTED: usize = 256;
/// A PreToolUse whose post has not come after this long is an abandoned call (a refused
/// approval, an interrupted session), not one still running: Bash calls end within 10 min.
const ABANDONED_AFTER: Duration = Duration::from_secs(15 * 60);
/// How long a post hook waits for the tripwire lock.
const LOCK_WAIT: Duration = Duration::from_millis(1500);

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
struct Manifest {
    files: BTreeMap<String, Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    kind: WatchKind,
    ident: Ident,
    sha256: String,
    /// False when the file was too large to copy.
    copied: bool,
}

#[cfg(unix)]
fn ident(meta: &Metadata) -> Ident {
    use std::os::unix::fs::MetadataExt;
    Ident {
        size: meta.size(),
        mtime_ns: meta.mtime().saturating_mul(1_000_000_000) + meta.mtime_nsec(),
        ctime_ns: meta.ctime().saturating_mul(1_000_000_000) + meta.ctime_nsec(),
        ino: meta.ino(),
    }
}

#[cfg(not(unix))]
fn ident(meta: &Metadata) -> Ident {
    let ns = |t: std::io::Result<SystemTime>| {
        t.ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
    };
    Ident {
        size: meta.len(),
        mtime_ns: ns(meta.modified()),
        ctime_ns: ns(meta.created()),
        ino: 0,
    }
}

/// The watched files that exist now, with their identities (SPEC §3): the budget files,
/// `.claude/settings*.json` (project) and the user's settings, `.claude/budget-tests/`,
/// `.git/hooks/*`, `.git/config` and the shell start-up files. A few `stat`s and three
/// folder listings: this runs at every PreToolUse.
pub fn watched(budget: &Budget, home: Option<&Path>) -> Vec<Seen> {
    let root = &budget.project_root;
    let mut out: Vec<Seen> = Vec::with_capacity(32);
    // A path already seen (the project budget is a layer too) is not `stat`ed again.
    let mut add = |path: &Path, kind: WatchKind| {
        if let Some(text) = path.to_str().filter(|t| !t.contains('\n'))
            && !out.iter().any(|s| s.path == text)
            && let Ok(meta) = std::fs::metadata(path)
            && meta.is_file()
        {
            out.push(Seen {
                path: text.to_owned(),
                kind,
                ident: ident(&meta),
            });
        }
    };
    for layer in &budget.layers {
        add(&layer.file, WatchKind::Budget);
    }
    let claude = root.join(".claude");
    add(&claude.join("budget.toml"), WatchKind::Budget);
    for name in list(&claude) {
        if name.starts_with("settings") && name.ends_with(".json") {
            add(&claude.join(name), WatchKind::Settings);
        }
    }
    let mut folders = vec![claude.join("budget-tests")];
    let mut listed = 0;
    while let Some(folder) = folders.pop() {
        for name in list(&folder) {
            listed += 1;
            if listed > MAX_LISTED {
                break;
            }
            let path = folder.join(name);
            if path.is_dir() {
                folders.push(path);
            } else {
                add(&path, WatchKind::BudgetTests);
            }
        }
    }
    let git = root.join(".git");
    let hooks = list(&git.join("hooks"));
    if hooks.len() > MAX_LISTED {
        for name in GIT_HOOK_NAMES {
            add(&git.join("hooks").join(name), WatchKind::GitHook);
        }
    }
    for name in hooks
        .into_iter()
        .filter(|n| !is_sample_hook_name(n))
        .take(MAX_LISTED)
    {
        add(&git.join("hooks").join(name), WatchKind::GitHook);
    }
    add(&git.join("config"), WatchKind::GitConfig);
    if let Some(home) = home {
        user_files(home, add);
    }
    out
}

/// The user's watched files, each as `home.join(name)` writes it, given to `add`. One buffer
/// for all (a `join` per file was an allocation each, at every PreToolUse), refilled from
/// `home` each time: `PathBuf::pop` would normalise a HOME such as `/home/u/.`, and the paths
/// must stay the ones earlier versions wrote in the manifest.
fn user_files(home: &Path, mut add: impl FnMut(&Path, WatchKind)) {
    let mut at = PathBuf::with_capacity(home.as_os_str().len() + 32);
    let mut add_in = |name: &str, kind: WatchKind| {
        at.as_mut_os_string().clear();
        at.push(home);
        at.push(name);
        add(&at, kind);
    };
    for file in crate::decide::protect::STARTUP_FILES {
        add_in(file, WatchKind::Startup);
    }
    for file in [".claude/settings.json", ".claude/settings.local.json"] {
        add_in(file, WatchKind::Settings);
    }
    // `git config --global core.hooksPath …` written by hand reaches every repository.
    add_in(".gitconfig", WatchKind::GitConfig);
    add_in(".config/git/config", WatchKind::GitConfig);
}

fn list(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .collect()
}

/// SHA-256 of a file's bytes (hex) and the bytes; `None` when it cannot be read. A file
/// larger than [`MAX_COPY_BYTES`] is hashed by its first bytes and its size (`oversize-…`,
/// never equal to an accepted version's hash): a planted 10 GB file must not be read whole.
fn hash_file(path: &Path) -> Option<(String, Vec<u8>)> {
    use sha2::{Digest, Sha256};
    let bytes = read_bounded(path, MAX_COPY_BYTES + 1)?;
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_COPY_BYTES {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        return Some((format!("oversize-{size}-{hex}"), bytes));
    }
    Some((hex, bytes))
}

/// Git's own hook names: stat'ed directly when `.git/hooks` holds too many entries to list
/// (a folder flooded with files must not hide a real `pre-commit`).
/// `*.sample` files in `.git/hooks` are never run by git (only the exact hook name is), so
/// they are not watched: a `git init` leaves 14 of them, stat-ed and compared on every call for
/// nothing. Renaming one to its hook name creates a new file, which is watched.
pub(crate) fn is_sample_hook_name(name: &str) -> bool {
    name.ends_with(".sample")
}

/// A watched entry that [`watched`] no longer lists on purpose: a git sample hook in a
/// manifest written by an older version. Dropped from the manifest, never judged — judging it
/// as "gone" would halt every session in progress at the upgrade.
pub(crate) fn no_longer_watched(path: &str, kind: WatchKind) -> bool {
    kind == WatchKind::GitHook
        && Path::new(path)
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_sample_hook_name)
}

const GIT_HOOK_NAMES: &[&str] = &[
    "applypatch-msg",
    "pre-applypatch",
    "post-applypatch",
    "pre-commit",
    "pre-merge-commit",
    "prepare-commit-msg",
    "commit-msg",
    "post-commit",
    "pre-rebase",
    "post-checkout",
    "post-merge",
    "pre-push",
    "pre-receive",
    "update",
    "proc-receive",
    "post-receive",
    "post-update",
    "reference-transaction",
    "push-to-checkout",
    "pre-auto-gc",
    "post-rewrite",
    "sendemail-validate",
    "fsmonitor-watchman",
    "post-index-change",
];

#[path = "tripwire_check.rs"]
mod check;

/// The tripwire folder of one session.
#[derive(Clone, Debug)]
pub struct Tripwire {
    dir: PathBuf,
}

impl Tripwire {
    pub fn new(session_dir: &Path) -> Tripwire {
        Tripwire {
            dir: session_dir.join(TRIPWIRE_DIR),
        }
    }

    fn manifest_path(&self) -> PathBuf {
        self.dir.join("manifest.json")
    }

    fn copy_path(&self, sha256: &str) -> PathBuf {
        self.dir.join("copies").join(sha256)
    }

    /// Where versions before `pre.log` kept a call's note (still read by its post).
    fn legacy_pre_path(&self, call_id: &str) -> PathBuf {
        self.dir
            .join("pre")
            .join(super::session_in(Path::new(""), call_id))
    }

    fn read_manifest(&self) -> Option<Manifest> {
        let bytes = std::fs::read(self.manifest_path()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The manifest's identities in the pre file's line format (see [`idents_text`]).
    fn idents_path(&self) -> PathBuf {
        self.dir.join("manifest.idents")
    }

    fn write_manifest(&self, manifest: &Manifest) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(manifest).map_err(std::io::Error::other)?;
        let seen: Vec<Seen> = manifest
            .files
            .iter()
            .map(|(path, e)| Seen {
                path: path.clone(),
                kind: e.kind,
                ident: e.ident,
            })
            .collect();
        write_atomic(
            &self.idents_path(),
            idents_text(&seen).as_bytes(),
            &self.dir.join("idents.tmp"),
        )?;
        write_atomic(
            &self.manifest_path(),
            &bytes,
            &self.dir.join("manifest.tmp"),
        )
    }

    /// The tripwire's own lock (beside the session's `state.lock`, so the state's lock is
    /// held no longer than before): taken when the manifest is created or compared.
    fn lock(&self) -> std::io::Result<std::fs::File> {
        std::fs::create_dir_all(&self.dir)?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(self.dir.join("lock"))?;
        match lock_within(&file, LockKind::Exclusive, LOCK_WAIT) {
            Ok(()) => Ok(file),
            Err(e) if e.kind() == ErrorKind::WouldBlock => Err(std::io::Error::other(format!(
                "the tripwire lock was held for more than {} ms",
                LOCK_WAIT.as_millis()
            ))),
            Err(e) => Err(e),
        }
    }

    /// Keeps a copy of `bytes` (content-addressed; an existing copy is left as it is).
    fn keep_copy(&self, sha256: &str, bytes: &[u8]) -> bool {
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_COPY_BYTES {
            return false;
        }
        let path = self.copy_path(sha256);
        if path.exists() {
            return true;
        }
        let Some(parent) = path.parent() else {
            return false;
        };
        std::fs::create_dir_all(parent).is_ok() && write_private(&path, bytes).is_ok()
    }

    /// Takes the copies at the session's first event (a no-op once the manifest exists).
    pub fn ensure_manifest(&self, seen: &[Seen]) -> std::io::Result<()> {
        if self.manifest_path().exists() {
            return Ok(());
        }
        let _lock = self.lock()?;
        self.create_manifest(seen)
    }

    /// Writes the first manifest (the caller holds the lock); kept if one appeared meanwhile.
    fn create_manifest(&self, seen: &[Seen]) -> std::io::Result<()> {
        if self.manifest_path().exists() {
            return Ok(());
        }
        let mut manifest = Manifest::default();
        for s in seen {
            if let Some((sha256, bytes)) = hash_file(Path::new(&s.path)) {
                let copied = self.keep_copy(&sha256, &bytes);
                manifest.files.insert(
                    s.path.clone(),
                    Entry {
                        kind: s.kind,
                        ident: s.ident,
                        sha256,
                        copied,
                    },
                );
            }
        }
        self.write_manifest(&manifest)
    }

    /// PreToolUse of a call that may run: the copies at the first event, and the identities
    /// of the watched files now, for the call's post hook. The first line says whether they
    /// are the accepted ones (`clean`): then the post hook needs no more than a `stat` of
    /// each file when nothing changed during the call.
    pub fn note_pre(&self, call_id: &str, seen: &[Seen]) -> std::io::Result<()> {
        self.ensure_manifest(seen)?;
        let idents = idents_text(seen);
        let clean = std::fs::read(self.idents_path()).is_ok_and(|m| m == idents.as_bytes());
        PreLog::new(&self.dir).note(&PreNote {
            call_id: call_id.to_owned(),
            at: SystemTime::now(),
            clean,
            idents,
        })
    }

    /// What the call's PreToolUse saw, marking its note done. `None`: no PreToolUse saw this
    /// call (or its note is unreadable: judged as if none had).
    fn take_pre(&self, call_id: &str) -> Option<Pre> {
        let (note, others) = PreLog::new(&self.dir).take(call_id, ABANDONED_AFTER);
        let note = note.or_else(|| self.take_legacy_pre(call_id))?;
        Some(Pre {
            seen: note.idents.lines().filter_map(parse_pre_line).collect(),
            clean: note.clean,
            earlier_running: others.iter().any(|at| *at <= note.at),
            idents: note.idents,
        })
    }

    /// A note written as its own file by a version before `pre.log` (a session that was
    /// running when claude-budget was upgraded), removed once read.
    fn take_legacy_pre(&self, call_id: &str) -> Option<PreNote> {
        let path = self.legacy_pre_path(call_id);
        let at = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
        let text = std::fs::read_to_string(&path).ok()?;
        let _ = std::fs::remove_file(&path);
        let (first, idents) = text.split_once('\n').unwrap_or((&text, ""));
        Some(PreNote {
            call_id: call_id.to_owned(),
            at,
            clean: first == "clean",
            idents: idents.to_owned(),
        })
    }
}

/// What one PreToolUse noted.
struct Pre {
    seen: Vec<Seen>,
    /// The identities were the accepted ones.
    clean: bool,
    /// `seen` as written ([`idents_text`]).
    idents: String,
    /// Another call's PreToolUse came no later than this one's and its post has not run
    /// yet (abandoned calls, older than [`ABANDONED_AFTER`], not counted).
    earlier_running: bool,
}

/// Identities as lines (`kind size mtime ctime inode path`), sorted by path: the pre file's
/// body and `manifest.idents`, compared byte for byte.
fn idents_text(seen: &[Seen]) -> String {
    use std::fmt::Write as _;
    let mut sorted: Vec<&Seen> = seen.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    let mut text = String::with_capacity(seen.len() * 96);
    for s in sorted {
        let i = &s.ident;
        let _ = writeln!(
            text,
            "{} {} {} {} {} {}",
            s.kind.as_str(),
            i.size,
            i.mtime_ns,
            i.ctime_ns,
            i.ino,
            s.path
        );
    }
    text
}

fn parse_pre_line(line: &str) -> Option<Seen> {
    let mut parts = line.splitn(6, ' ');
    let kind = WatchKind::parse(parts.next()?)?;
    let mut num = || parts.next()?.parse::<i64>().ok();
    let size = u64::try_from(num()?).ok()?;
    let mtime_ns = num()?;
    let ctime_ns = num()?;
    let ino = parts.next()?.parse::<u64>().ok()?;
    let path = parts.next()?.to_owned();
    Some(Seen {
        path,
        kind,
        ident: Ident {
            size,
            mtime_ns,
            ctime_ns,
            ino,
        },
    })
}

fn write_atomic(path: &Path, bytes: &[u8], tmp: &Path) -> std::io::Result<()> {
    let mut file = std::fs::File::create(tmp)?;
    file.write_all(bytes)?;
    drop(file);
    std::fs::rename(tmp, path)
}

/// Writes a copy readable by its owner only: copies of start-up files may hold secrets.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)
}

/// Reads at most `limit` bytes of a file (the secret scan reads denied files bounded).
pub fn read_bounded(path: &Path, limit: u64) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(limit)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(bytes)
}

#[cfg(test)]
#[path = "tripwire_copies_tests.rs"]
mod tests;
