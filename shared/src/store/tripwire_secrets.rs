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
/// Suffixes of committed templates (`.env.example`): denied like any `.env*`, but their
/// values are placeholders that also appear in READMEs, so they are no needles.
const TEMPLATE_SUFFIXES: &[&str] = &[".example", ".sample", ".template", ".dist", ".defaults"];

fn is_template(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| TEMPLATE_SUFFIXES.iter().any(|s| n.ends_with(s)))
}

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
            } else if !is_template(&path) && denied(&path) {
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

/// How long the list of denied files (paths only, never values) is reused: the walk is the
/// scan's main cost, and a burst of parallel calls needs it once. The files themselves are
/// read fresh at every scan.
const LIST_FRESH_FOR: std::time::Duration = std::time::Duration::from_secs(30);

/// [`denied_files`], remembered for [`LIST_FRESH_FOR`] in `cache` (a file of paths).
fn denied_files_cached(budget: &Budget, home: Option<&Path>, cache: &Path) -> Vec<PathBuf> {
    let fresh = std::fs::metadata(cache)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age < LIST_FRESH_FOR);
    if fresh && let Ok(text) = std::fs::read_to_string(cache) {
        return text.lines().map(PathBuf::from).collect();
    }
    let found = denied_files(budget, home);
    let text: String = found
        .iter()
        .filter_map(|p| p.to_str())
        .filter(|p| !p.contains('\n'))
        .map(|p| format!("{p}\n"))
        .collect();
    if let Some(parent) = cache.parent() {
        let _ = std::fs::create_dir_all(parent);
        let tmp = cache.with_extension("tmp");
        if std::fs::write(&tmp, text).is_ok() {
            let _ = std::fs::rename(&tmp, cache);
        }
    }
    found
}

/// A scanner for every secret value in reach: the denied files' values (read now) and the
/// secret-named variables of `env`. `session_dir` keeps the list of denied files briefly.
pub fn scanner(
    budget: &Budget,
    home: Option<&Path>,
    session_dir: &Path,
    env: impl IntoIterator<Item = (String, String)>,
) -> Scanner {
    let mut needles: Vec<Needle> = Vec::new();
    let cache = session_dir
        .join(super::tripwire_copies::TRIPWIRE_DIR)
        .join("denied-files");
    for path in denied_files_cached(budget, home, &cache) {
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
