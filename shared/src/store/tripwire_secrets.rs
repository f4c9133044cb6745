//! Where the secret-exposure tripwire's values come from (SPEC §3): the files the budget
//! refuses to read (its `[read]` rules and the secrets pack), read fresh at every check so a
//! rotated secret is still recognised, and the hook's own environment. Bounded: a shallow
//! walk of the project, a fixed list of credential files in the home folder, at most
//! [`MAX_FILES`] files of at most [`MAX_FILE_BYTES`] each. Nothing read here is written
//! anywhere; the values live in memory for one scan.

use super::tripwire_copies::read_bounded;
use crate::budget::{Budget, PathContext};
use crate::fsview::RealFs;
use crate::tripwire::secrets::{Needle, Scanner, needles_from_env, needles_from_file};
use crate::verdict::Verdict;
use std::path::{Path, PathBuf};

/// Denied files read per scan.
pub const MAX_FILES: usize = 32;
/// Bytes read per denied file.
pub const MAX_FILE_BYTES: u64 = 64 * 1024;
/// Project entries listed looking for denied files.
const MAX_LISTED: usize = 3000;
/// How deep the project walk goes (`.env` files live at the root or in a service folder).
const MAX_DEPTH: usize = 3;
/// Folders the walk does not enter: build output and dependencies, never a secret's home.
const SKIPPED: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    ".venv",
    "venv",
    "__pycache__",
    "dist",
    "build",
    "vendor",
    ".cache",
];
/// Credential files in the home folder the secrets pack names.
const HOME_FILES: &[&str] = &[
    ".aws/credentials",
    ".aws/config",
    ".netrc",
    ".npmrc",
    ".pypirc",
    ".git-credentials",
    ".config/gh/hosts.yml",
    ".kube/config",
    ".docker/config.json",
    ".cargo/credentials.toml",
    ".cargo/credentials",
];

/// The files the budget refuses to read, found by a bounded look around.
pub fn denied_files(budget: &Budget, home: Option<&Path>) -> Vec<PathBuf> {
    let fs = RealFs;
    let ctx = PathContext {
        project_root: &budget.project_root,
        home,
        fs: &fs,
    };
    let denied = |path: &Path| {
        budget.layers.iter().any(|l| {
            l.read
                .decide(path, &ctx)
                .is_some_and(|hit| hit.verdict == Verdict::Deny)
        })
    };
    let mut found = Vec::new();
    let mut pending = vec![(budget.project_root.clone(), 0usize)];
    let mut listed = 0;
    'walk: while let Some((dir, depth)) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            listed += 1;
            if listed > MAX_LISTED || found.len() >= MAX_FILES {
                break 'walk;
            }
            let path = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let name = entry.file_name();
            if kind.is_dir() {
                if depth < MAX_DEPTH && !SKIPPED.iter().any(|s| name == *s) {
                    pending.push((path, depth + 1));
                }
            } else if denied(&path) {
                found.push(path);
            }
        }
    }
    if let Some(home) = home {
        let ssh = home.join(".ssh");
        let mut candidates: Vec<PathBuf> = std::fs::read_dir(&ssh)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .take(64)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_none_or(|e| e != "pub"))
                    .collect()
            })
            .unwrap_or_default();
        candidates.extend(HOME_FILES.iter().map(|f| home.join(f)));
        for path in candidates {
            if found.len() >= MAX_FILES {
                break;
            }
            if path.is_file() && denied(&path) && !found.contains(&path) {
                found.push(path);
            }
        }
    }
    found
}

/// A scanner for every secret value in reach: the denied files' values (read now) and the
/// secret-named variables of `env`.
pub fn scanner(
    budget: &Budget,
    home: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Scanner {
    let mut needles: Vec<Needle> = Vec::new();
    for path in denied_files(budget, home) {
        if let Some(bytes) = read_bounded(&path, MAX_FILE_BYTES) {
            let label = path
                .strip_prefix(&budget.project_root)
                .unwrap_or(&path)
                .display()
                .to_string();
            needles_from_file(&label, &String::from_utf8_lossy(&bytes), &mut needles);
        }
    }
    needles_from_env(env, &mut needles);
    Scanner::new(needles)
}
