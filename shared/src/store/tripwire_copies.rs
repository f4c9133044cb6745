//! The tripwire's files in a session directory, and the file system work around them.
//!
//! ```text
//! <session>/tripwire/manifest.json   the accepted state: path → kind, identity, sha256
//! <session>/tripwire/copies/<sha256> a copy of every accepted version (mode 0600)
//! <session>/tripwire/pre/<call id>   the identities one PreToolUse saw (deleted by its post)
//! ```
//!
//! The pre-tool-use hook only `stat`s the watched files and writes one small line file per
//! call ([`Tripwire::note_pre`]): hashing, copying and comparing happen in the post hook
//! ([`Tripwire::check_after`]), off the hot path. Both run inside the session lock, so the
//! manifest is read and replaced by one hook at a time. Copies are content-addressed and
//! never overwritten, so a version accepted by one call can still be restored by another.
//! How a difference is judged: [`crate::tripwire`].

use crate::budget::Budget;
use crate::tripwire::gitconfig::{changed_program_keys, restore_keys};
use crate::tripwire::{Finding, Ident, Seen, Verdict, WatchKind, When, judge};
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
    let mut add = |path: PathBuf, kind: WatchKind| {
        if let Ok(meta) = std::fs::metadata(&path)
            && meta.is_file()
            && let Some(text) = path.to_str().filter(|t| !t.contains('\n'))
            && !out.iter().any(|s| s.path == text)
        {
            out.push(Seen {
                path: text.to_owned(),
                kind,
                ident: ident(&meta),
            });
        }
    };
    for layer in &budget.layers {
        add(layer.file.clone(), WatchKind::Budget);
    }
    let claude = root.join(".claude");
    add(claude.join("budget.toml"), WatchKind::Budget);
    for name in list(&claude) {
        if name.starts_with("settings") && name.ends_with(".json") {
            add(claude.join(name), WatchKind::Settings);
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
                add(path, WatchKind::BudgetTests);
            }
        }
    }
    let git = root.join(".git");
    let hooks = list(&git.join("hooks"));
    if hooks.len() > MAX_LISTED {
        for name in GIT_HOOK_NAMES {
            add(git.join("hooks").join(name), WatchKind::GitHook);
        }
    }
    for name in hooks.into_iter().take(MAX_LISTED) {
        add(git.join("hooks").join(name), WatchKind::GitHook);
    }
    add(git.join("config"), WatchKind::GitConfig);
    if let Some(home) = home {
        for file in crate::decide::protect::STARTUP_FILES {
            add(home.join(file), WatchKind::Startup);
        }
        for file in ["settings.json", "settings.local.json"] {
            add(home.join(".claude").join(file), WatchKind::Settings);
        }
        // `git config --global core.hooksPath …` written by hand reaches every repository.
        add(home.join(".gitconfig"), WatchKind::GitConfig);
        add(home.join(".config/git/config"), WatchKind::GitConfig);
    }
    out
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

    fn pre_path(&self, call_id: &str) -> PathBuf {
        self.dir
            .join("pre")
            .join(super::session_in(Path::new(""), call_id))
    }

    fn read_manifest(&self) -> Option<Manifest> {
        let bytes = std::fs::read(self.manifest_path()).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    fn write_manifest(&self, manifest: &Manifest) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(manifest).map_err(std::io::Error::other)?;
        write_atomic(
            &self.manifest_path(),
            &bytes,
            &self.dir.join("manifest.tmp"),
        )
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
        std::fs::create_dir_all(&self.dir)?;
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
    /// of the watched files now, for the call's post hook.
    pub fn note_pre(&self, call_id: &str, seen: &[Seen]) -> std::io::Result<()> {
        self.ensure_manifest(seen)?;
        let mut text = String::with_capacity(seen.len() * 96);
        for s in seen {
            use std::fmt::Write as _;
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
        let path = self.pre_path(call_id);
        match std::fs::write(&path, &text) {
            Err(e) if e.kind() == ErrorKind::NotFound => {
                std::fs::create_dir_all(self.dir.join("pre"))?;
                std::fs::write(&path, text)
            }
            other => other,
        }
    }

    /// The identities the call's PreToolUse saw and when, removing the file. `None`: no
    /// PreToolUse saw this call (or its file is unreadable: judged as if none had).
    fn take_pre(&self, call_id: &str) -> Option<(Vec<Seen>, SystemTime)> {
        let path = self.pre_path(call_id);
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
        let text = std::fs::read_to_string(&path).ok()?;
        let _ = std::fs::remove_file(&path);
        let seen = text.lines().filter_map(parse_pre_line).collect();
        Some((seen, modified))
    }

    /// True when another call's PreToolUse came no later than `since` and its post has not
    /// run yet (abandoned calls, older than [`ABANDONED_AFTER`], are removed instead).
    fn earlier_call_running(&self, since: SystemTime) -> bool {
        let Ok(entries) = std::fs::read_dir(self.dir.join("pre")) else {
            return false;
        };
        let now = SystemTime::now();
        let mut running = false;
        for entry in entries.filter_map(Result::ok).take(MAX_LISTED) {
            let Ok(modified) = entry.metadata().and_then(|m| m.modified()) else {
                continue;
            };
            if now.duration_since(modified).unwrap_or_default() > ABANDONED_AFTER {
                let _ = std::fs::remove_file(entry.path());
            } else if modified <= since {
                running = true;
            }
        }
        running
    }

    /// PostToolUse / PostToolUseFailure of `call_id`: compares the watched files with the
    /// accepted state, restores what was tampered with and accepts what may change (see
    /// [`crate::tripwire`]). `now` is [`watched`] taken after the call.
    pub fn check_after(
        &self,
        call_id: Option<&str>,
        now: &[Seen],
    ) -> std::io::Result<Vec<Finding>> {
        let pre = call_id.and_then(|id| self.take_pre(id));
        let Some(mut manifest) = self.read_manifest() else {
            self.ensure_manifest(now)?;
            // The call's PreToolUse took the copies (it writes the manifest before its own
            // file), so a missing manifest now was removed during the call: the baseline
            // itself was tampered with. Otherwise this is the session's first event.
            return Ok(pre
                .map(|_| Finding {
                    code: "tamper-detected",
                    path: self.manifest_path().display().to_string(),
                    kind: WatchKind::OwnState,
                    before: Some("manifest".into()),
                    after: None,
                    restored: false,
                    when: When::DuringCall,
                    keys: Vec::new(),
                })
                .into_iter()
                .collect());
        };
        let earlier_running = pre
            .as_ref()
            .is_some_and(|(_, at)| self.earlier_call_running(*at));
        let mut paths: Vec<String> = manifest.files.keys().cloned().collect();
        paths.extend(now.iter().map(|s| s.path.clone()));
        paths.sort();
        paths.dedup();
        let mut findings = Vec::new();
        let mut changed = false;
        for path in paths {
            let accepted = manifest.files.get(&path).cloned();
            let found = now.iter().find(|s| s.path == path);
            if let (Some(a), Some(f)) = (&accepted, found)
                && a.ident == f.ident
            {
                continue;
            }
            let current = found.and_then(|_| hash_file(Path::new(&path)));
            let before = accepted.as_ref().map(|a| a.sha256.clone());
            let after = current.as_ref().map(|(h, _)| h.clone());
            if before == after {
                if let (Some(mut entry), Some(f)) = (accepted, found) {
                    entry.ident = f.ident;
                    manifest.files.insert(path, entry);
                    changed = true;
                }
                continue;
            }
            let Some(kind) = found.map(|f| f.kind).or(accepted.as_ref().map(|a| a.kind)) else {
                continue;
            };
            let when = match &pre {
                Some((seen, _)) => {
                    let at_pre = seen.iter().find(|s| s.path == path).map(|s| s.ident);
                    if at_pre == found.map(|f| f.ident)
                        && at_pre != accepted.as_ref().map(|a| a.ident)
                    {
                        When::BetweenCalls
                    } else {
                        When::DuringCall
                    }
                }
                None => When::DuringCall,
            };
            let before_text = before
                .as_deref()
                .and_then(|h| std::fs::read(self.copy_path(h)).ok())
                .map(|b| String::from_utf8_lossy(&b).into_owned());
            let after_text = current
                .as_ref()
                .map(|(_, b)| String::from_utf8_lossy(b).into_owned());
            let oversize = after.as_deref().is_some_and(|h| h.starts_with("oversize-"));
            let keys = match kind {
                // Too large to read: judged as a program-running change, restored whole.
                WatchKind::GitConfig if oversize => {
                    vec!["(the whole file: too large to read)".into()]
                }
                WatchKind::GitConfig => changed_program_keys(
                    before_text.as_deref().unwrap_or(""),
                    after_text.as_deref().unwrap_or(""),
                ),
                _ => Vec::new(),
            };
            match judge(kind, when, earlier_running, !keys.is_empty()) {
                Verdict::Defer => {}
                Verdict::Accept => {
                    match (&current, found) {
                        (Some((sha256, bytes)), Some(f)) => {
                            let copied = self.keep_copy(sha256, bytes);
                            manifest.files.insert(
                                path.clone(),
                                Entry {
                                    kind,
                                    ident: f.ident,
                                    sha256: sha256.clone(),
                                    copied,
                                },
                            );
                        }
                        _ => {
                            manifest.files.remove(&path);
                        }
                    }
                    changed = true;
                    if kind == WatchKind::Budget {
                        findings.push(Finding {
                            code: "budget-changed",
                            path,
                            kind,
                            before,
                            after,
                            restored: false,
                            when,
                            keys,
                        });
                    }
                }
                Verdict::Tamper => {
                    let target = Path::new(&path);
                    let restored = match (&accepted, kind) {
                        (Some(_), WatchKind::GitConfig) if !oversize => {
                            after_text.as_deref().is_some_and(|a| {
                                let text =
                                    restore_keys(before_text.as_deref().unwrap_or(""), a, &keys);
                                restore_bytes(target, text.as_bytes()).is_ok()
                            })
                        }
                        (Some(a), _) => {
                            before_text.is_some()
                                && a.copied
                                && std::fs::read(self.copy_path(&a.sha256))
                                    .is_ok_and(|bytes| restore_bytes(target, &bytes).is_ok())
                        }
                        (None, _) => match std::fs::remove_file(target) {
                            Ok(()) => true,
                            Err(e) => e.kind() == ErrorKind::NotFound,
                        },
                    };
                    if restored {
                        match (std::fs::metadata(target), accepted) {
                            (Ok(meta), Some(mut entry)) if kind != WatchKind::GitConfig => {
                                entry.ident = ident(&meta);
                                manifest.files.insert(path.clone(), entry);
                            }
                            (Ok(meta), Some(_)) => {
                                // `.git/config` keeps git's own writes: accept the result.
                                if let Some((sha256, bytes)) = hash_file(target) {
                                    let copied = self.keep_copy(&sha256, &bytes);
                                    manifest.files.insert(
                                        path.clone(),
                                        Entry {
                                            kind,
                                            ident: ident(&meta),
                                            sha256,
                                            copied,
                                        },
                                    );
                                }
                            }
                            _ => {
                                manifest.files.remove(&path);
                            }
                        }
                        changed = true;
                    }
                    findings.push(Finding {
                        code: "tamper-detected",
                        path,
                        kind,
                        before,
                        after,
                        restored,
                        when,
                        keys,
                    });
                }
            }
        }
        if changed {
            self.write_manifest(&manifest)?;
        }
        Ok(findings)
    }
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

/// Puts `bytes` back at `path` as a fresh regular file replacing whatever is there: a
/// symlink is removed, never followed (it may be the one the tamper planted).
fn restore_bytes(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        std::fs::remove_file(path)?;
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension("claude-budget-restore");
    write_atomic(path, bytes, &tmp)
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
