//! The compiled-budget cache (issue 16): the validated budget files ([`ParsedBudget`]) kept in
//! `<data dir>/claude-budget/cache/`, so a hook call that finds no budget file changed skips
//! TOML parsing and validation (most of a call's instructions). The task overlay and the
//! layers are still built from it on every call. Reading an entry back decodes only what
//! every call needs (settings, limits, merge, evidence, record); the rule lists, MCP servers,
//! web hosts and tasks stay packed bytes until a call consults them (`budget::rule_list`,
//! `path_list`, `packed`), and a packed part that does not decode fails closed there (a
//! refusal telling the agent to ask the user to delete `claude-budget/cache`), never as
//! "no rules".
//!
//! Safety: the cache can only ever be *detected* stale, never trusted stale. An entry is used
//! only when its [`Key`] equals the one computed now — the schema and package version, the
//! running executable's identity (size, mtime, ctime, inode, device: a rebuilt or reinstalled
//! binary never reads an older one's entry), the project root, and for every budget file
//! located (which files, in layer order) its path, size, mtime and ctime in ns, inode and
//! device. Any other doubt (no entry, unreadable, truncated, corrupt, another version) loads
//! from source, as without a cache, and rewrites the entry; failing to write is silent.
//! Managed budgets are never cached: they are read from source on every call (see below).
//!
//! What the metadata cannot see: a file rewritten twice with the same size within one tick of
//! the file system's clock (the kernel stamps files with a coarse clock), the second write
//! after the entry was made. As git does for its index ("racily clean"), a file whose mtime or
//! ctime is less than [`RACY_MARGIN_NS`] before the moment the entry was made is not trusted
//! by its metadata: its bytes are read and their SHA-256 compared with the one of the bytes
//! that were validated. Once the file is older than the margin the entry is rewritten and the
//! hash is no longer needed. Left: a clock moved backwards past the margin, or a file's ctime
//! set by hand (root, a debugger of the file system).
//!
//! Forgery: an agent that writes an entry could loosen the budget, and it can compute any key
//! or hash itself, so no key stops it. What stops it through the tools and shell commands the
//! hooks see is that the cache dir is one of the protected dirs
//! (`events::context::protected_dirs`), like the runs beside it; an entry must also be a
//! regular file not writable by group or others. Code the hooks cannot see into (an allowed
//! interpreter) runs as the user and could plant an entry — but it could as well rewrite the
//! user and repo budgets themselves, so the cache only holds those. The managed budgets are
//! the one layer the user cannot write (`/etc/claude-budget`, root's): caching them in a
//! user-writable file would let such code drop the organisation's floor, so they are parsed
//! from source on every call (usually a small file).

use super::layout::RunsLayout;
use crate::budget::{self, Budget, BudgetError, LayerKind, Located, ParsedBudget};
use crate::env::Env;
use crate::fsview::RealFs;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Bumped whenever the stored form changes meaning without its shape changing.
pub const SCHEMA: u32 = 3;

/// How close to an entry's creation a file's timestamps make its metadata untrustworthy:
/// well above any file system's timestamp tick (FAT: 2 s) and NFS client/server clock skew.
pub const RACY_MARGIN_NS: i64 = 3_000_000_000;

/// An entry larger than this is not read (a budget's entry is a few KiB to a few 100 KiB).
const MAX_ENTRY_BYTES: u64 = 16 << 20;

/// The identity of one file as the file system reports it (the target of a symlink).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub ino: u64,
    pub dev: u64,
}

/// One located budget file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileKey {
    pub kind: LayerKind,
    pub path: PathBuf,
    pub stamp: Stamp,
}

/// Everything a [`ParsedBudget`] is a function of (besides the bytes of the files, which the
/// stamps stand for).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub schema: u32,
    pub version: String,
    /// The running executable.
    pub build: Stamp,
    pub project_root: PathBuf,
    pub files: Vec<FileKey>,
}

/// What a stored entry is worth now.
#[derive(Debug, PartialEq, Eq)]
pub enum Trust {
    /// Another key, or made too close to the executable's own change: load from source.
    Stale,
    /// The same key, every file older than the margin: use it.
    Full,
    /// The same key, but these files (indexes into `files`) were changed too close to the
    /// entry's creation: use it only if their bytes hash as stored.
    IfContentMatches(Vec<usize>),
}

/// True when `stamp` is too close to `written_ns` (or after it) to stand for the bytes.
pub fn is_racy(stamp: &Stamp, written_ns: i64) -> bool {
    stamp.mtime_ns.max(stamp.ctime_ns) > written_ns.saturating_sub(RACY_MARGIN_NS)
}

/// How far an entry with key `stored`, made at `written_ns`, can be trusted for `current`.
pub fn trust(stored: &Key, written_ns: i64, current: &Key) -> Trust {
    if stored != current || is_racy(&current.build, written_ns) {
        return Trust::Stale;
    }
    let racy: Vec<usize> = (current.files.iter().enumerate())
        .filter(|(_, f)| is_racy(&f.stamp, written_ns))
        .map(|(i, _)| i)
        .collect();
    if racy.is_empty() {
        Trust::Full
    } else {
        Trust::IfContentMatches(racy)
    }
}

/// The first line of an entry, in JSON (small, and readable by a person looking into the
/// cache); the [`ParsedBudget`] follows it in postcard, a compact binary form that reads
/// several times faster than JSON (see the report of issue 16 for the figures).
#[derive(Serialize, Deserialize)]
struct Header {
    /// First: a reader compares the line's start with this key's JSON
    /// (`Entry::header_if_same_key`).
    key: Key,
    /// The clock when the entry's stamps were taken (before the files were read).
    written_ns: i64,
    /// SHA-256 of each file's validated bytes, as in the body.
    hashes: Vec<String>,
    body_len: u64,
}

/// The header's fields after the key, read once the key's bytes matched.
#[derive(Deserialize)]
struct HeaderTail {
    written_ns: i64,
    hashes: Vec<String>,
    body_len: u64,
}

/// Loads the budget in force like [`budget::load_with`] does: the managed budgets from
/// source, the user and repo budgets through the cache. A budget with errors is loaded from
/// source as a whole, so its diagnostics are exactly the uncached ones.
pub fn load(env: &Env, located: &Located) -> Result<Option<Budget>, BudgetError> {
    let task = env.task.as_deref();
    let from_source = || budget::load_with(located, task, &RealFs);
    let own = Located {
        managed_budgets: Vec::new(),
        ..located.clone()
    };
    let Some(entry) = Entry::for_call(env, &own) else {
        return from_source();
    };
    let managed = Located {
        managed_budgets: located.managed_budgets.clone(),
        repo_budget: None,
        user_budget: None,
        ..located.clone()
    };
    let Ok(managed) = budget::parse_sources(&managed, &RealFs) else {
        return from_source();
    };
    let parsed = match entry.read() {
        Some(parsed) => parsed,
        None => match budget::parse_sources(&own, &RealFs) {
            Ok(Some(parsed)) => {
                entry.write(&parsed);
                parsed
            }
            Ok(None) | Err(_) => return from_source(),
        },
    };
    ParsedBudget::layered(managed, parsed)
        .into_budget(located, task)
        .map(Some)
}

/// The entry of one call: where it lives and the key it must have.
struct Entry {
    path: PathBuf,
    key: Key,
    /// The clock before any file was looked at.
    now_ns: i64,
}

/// The located files in layer order (managed, user, repo), as `budget::load` reads them.
fn located_files(located: &Located) -> impl Iterator<Item = (LayerKind, &PathBuf)> {
    let managed = located
        .managed_budgets
        .iter()
        .map(|p| (LayerKind::Managed, p));
    let user = located.user_budget.iter().map(|p| (LayerKind::User, p));
    let repo = located.repo_budget.iter().map(|p| (LayerKind::Repo, p));
    managed.chain(user).chain(repo)
}

impl Entry {
    /// `None`: no cache for this call (no user or repo budget, no data dir, no executable
    /// path, a file that cannot be stat'ed, not a Unix system).
    fn for_call(env: &Env, located: &Located) -> Option<Entry> {
        if !located.any() {
            return None;
        }
        let now_ns = now_ns()?;
        let exe = env.current_exe.as_deref()?;
        let build = stamp(exe)?;
        let files = located_files(located)
            .map(|(kind, path)| {
                Some(FileKey {
                    kind,
                    path: path.clone(),
                    stamp: stamp(path)?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let key = Key {
            schema: SCHEMA,
            version: env!("CARGO_PKG_VERSION").to_string(),
            build,
            project_root: located.project_root.clone(),
            files,
        };
        let dir = RunsLayout::new(env).cache_dir()?;
        let path = dir.join(entry_name(exe, &key));
        Some(Entry { path, key, now_ns })
    }

    /// The stored budget when the entry is there, whole, and trusted for this call's files.
    fn read(&self) -> Option<ParsedBudget> {
        let bytes = read_private(&self.path)?;
        let newline = bytes.iter().position(|b| *b == b'\n')?;
        let (head, body) = (&bytes[..newline], &bytes[newline + 1..]);
        let header = self.header_if_same_key(head)?;
        // Equal keys (`trust` compares them again, as the key this call computed).
        if header.body_len != body.len() as u64 || header.hashes.len() != self.key.files.len() {
            return None;
        }
        let racy = match trust(&self.key, header.written_ns, &self.key) {
            Trust::Stale => return None,
            Trust::Full => Vec::new(),
            Trust::IfContentMatches(racy) => racy,
        };
        for &index in &racy {
            let bytes = fs::read(&self.key.files.get(index)?.path).ok()?;
            if budget::file_hash(&bytes) != *header.hashes.get(index)? {
                return None;
            }
        }
        let parsed: ParsedBudget = postcard::from_bytes(body).ok()?;
        if !parsed
            .file_hashes()
            .eq(header.hashes.iter().map(String::as_str))
        {
            return None;
        }
        // Verified by content; once every file is past the margin, a new entry needs no hash.
        if !racy.is_empty()
            && self
                .key
                .files
                .iter()
                .all(|f| !is_racy(&f.stamp, self.now_ns))
        {
            self.store(header.hashes, body);
        }
        Some(parsed)
    }

    /// The header line's fields after the key, when its key is this call's: first compared
    /// as the JSON this version writes for it (`{"key":…,` — `Header`'s first field), one
    /// form per key, so equal bytes are equal keys; parsing the key was most of reading the
    /// header. A line in another form is parsed whole and its key compared as a value.
    fn header_if_same_key(&self, head: &[u8]) -> Option<HeaderTail> {
        let key = serde_json::to_vec(&self.key).ok()?;
        let rest = (head.strip_prefix(b"{\"key\":".as_slice()))
            .and_then(|rest| rest.strip_prefix(key.as_slice()))
            .and_then(|rest| rest.strip_prefix(b","));
        let Some(rest) = rest else {
            // Another form of the same JSON (written by another tool, keys reordered):
            // parsed whole, the key compared as a value.
            let header: Header = serde_json::from_slice(head).ok()?;
            return (header.key == self.key).then_some(HeaderTail {
                written_ns: header.written_ns,
                hashes: header.hashes,
                body_len: header.body_len,
            });
        };
        let mut tail = Vec::with_capacity(rest.len() + 1);
        tail.push(b'{');
        tail.extend_from_slice(rest);
        serde_json::from_slice(&tail).ok()
    }

    /// Writes the entry for a budget just loaded from source (best effort). Even while the
    /// executable is newer than the margin: no call trusts that entry, but the first call
    /// after the margin rewrites it, and the writes stop there.
    fn write(&self, parsed: &ParsedBudget) {
        // Where no entry can be written (an unusable data dir), do not serialise one.
        if (self.path.parent()).is_none_or(|dir| create_private_dir(dir).is_err()) {
            return;
        }
        if let Ok(body) = postcard::to_stdvec(parsed) {
            let hashes = parsed.file_hashes().map(str::to_string).collect();
            self.store(hashes, &body);
        }
    }

    /// Writes header and body to a temporary file and renames it over the entry, so a
    /// reader sees the old entry or the new one, never part of one. Errors are dropped: the
    /// next call loads from source again.
    fn store(&self, hashes: Vec<String>, body: &[u8]) {
        let header = Header {
            key: self.key.clone(),
            written_ns: self.now_ns,
            hashes,
            body_len: body.len() as u64,
        };
        let (Some(dir), Some(name), Ok(head)) = (
            self.path.parent(),
            self.path.file_name(),
            serde_json::to_vec(&header),
        ) else {
            return;
        };
        if create_private_dir(dir).is_err() {
            return;
        }
        let tmp = dir.join(format!(
            ".{}.{}.{}.tmp",
            name.to_string_lossy(),
            std::process::id(),
            self.now_ns
        ));
        let written = create_private_file(&tmp).and_then(|mut file| {
            file.write_all(&head)?;
            file.write_all(b"\n")?;
            file.write_all(body)
        });
        if written.and_then(|()| fs::rename(&tmp, &self.path)).is_err() {
            let _ = fs::remove_file(&tmp);
        }
    }
}

/// One entry per executable name (the four hooks and the CLI do not overwrite each other's)
/// and set of located files (projects do not either): `budget-<FNV-1a 64, hex>.bin`.
fn entry_name(exe: &Path, key: &Key) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for byte in bytes.iter().chain(&[0]) {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(exe.file_name().unwrap_or_default().as_encoded_bytes());
    feed(key.project_root.as_os_str().as_encoded_bytes());
    for file in &key.files {
        feed(file.path.as_os_str().as_encoded_bytes());
    }
    format!("budget-{hash:016x}.bin")
}

fn now_ns() -> Option<i64> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    i64::try_from(since.as_nanos()).ok()
}

#[cfg(unix)]
fn stamp(path: &Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(path).ok()?;
    let ns = |secs: i64, nanos: i64| secs.saturating_mul(1_000_000_000).saturating_add(nanos);
    Some(Stamp {
        size: meta.size(),
        mtime_ns: ns(meta.mtime(), meta.mtime_nsec()),
        ctime_ns: ns(meta.ctime(), meta.ctime_nsec()),
        ino: meta.ino(),
        dev: meta.dev(),
    })
}

/// No inode or ctime to key on: no cache.
#[cfg(not(unix))]
fn stamp(_path: &Path) -> Option<Stamp> {
    None
}

/// An entry's bytes, when it is a regular file that only its owner can write.
fn read_private(path: &Path) -> Option<Vec<u8>> {
    let file = fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o022 != 0 {
            return None;
        }
    }
    if !meta.is_file() || meta.len() > MAX_ENTRY_BYTES {
        return None;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).ok()?);
    file.take(MAX_ENTRY_BYTES).read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

fn create_private_file(path: &Path) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(test)]
#[path = "budget_cache_tests.rs"]
mod tests;
