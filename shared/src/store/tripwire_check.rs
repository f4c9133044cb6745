//! The post hook's comparison of the watched files with the accepted state: which
//! differences are tamper (put back), which are accepted (a budget edit between calls, git's
//! own config keys) and which are left to an earlier call still running. The rules are
//! [`crate::tripwire::judge`]; this is the file system work around them.

use super::{Entry, Tripwire, hash_file, ident, write_atomic};
use crate::tripwire::gitconfig::{changed_program_keys, restore_keys};
use crate::tripwire::{Finding, Seen, Verdict, WatchKind, When, judge};
use std::io::ErrorKind;
use std::path::Path;

impl Tripwire {
    /// PostToolUse / PostToolUseFailure of `call_id`: compares the watched files with the
    /// accepted state, restores what was tampered with and accepts what may change (see
    /// [`crate::tripwire`]). `now` is [`watched`] taken after the call.
    pub fn check_after(
        &self,
        call_id: Option<&str>,
        now: &[Seen],
    ) -> std::io::Result<Vec<Finding>> {
        let pre = call_id.and_then(|id| self.take_pre(id));
        let idents = super::idents_text(now);
        let unchanged = match &pre {
            // The accepted identities at PreToolUse, and still now.
            Some(p) if p.clean => p.idents == idents,
            // No PreToolUse (gate off) or a dirty one: the accepted identities now.
            _ => std::fs::read(self.idents_path()).is_ok_and(|m| m == idents.as_bytes()),
        };
        if unchanged {
            return Ok(Vec::new());
        }
        let _lock = self.lock()?;
        let Some(mut manifest) = self.read_manifest() else {
            self.create_manifest(now)?;
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
        let earlier_running = pre.as_ref().is_some_and(|p| p.earlier_running);
        let mut paths: Vec<String> = manifest.files.keys().cloned().collect();
        paths.extend(now.iter().map(|s| s.path.clone()));
        paths.sort();
        paths.dedup();
        let mut findings = Vec::new();
        let mut changed = false;
        for path in paths {
            let accepted = manifest.files.get(&path).cloned();
            if let Some(entry) = &accepted
                && super::no_longer_watched(&path, entry.kind)
            {
                manifest.files.remove(&path);
                changed = true;
                continue;
            }
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
                Some(p) => {
                    let at_pre = p.seen.iter().find(|s| s.path == path).map(|s| s.ident);
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
