//! Self-protection (SPEC §3): while any budget is in force the agent may not edit or delete
//! what enforces it (budget files, Claude Code settings, replay cases, our state and hook
//! executables) nor plant persistence (`.git/`, shell start-up files).

use crate::budget::Budget;
use crate::fsview::FsView;
use std::path::{Path, PathBuf};

/// Shell start-up files in the home directory. The spec names the first five; `.zshenv`,
/// `.bash_login` and `.bash_logout` run just as automatically, so they are protected too.
const STARTUP_FILES: &[&str] = &[
    ".bashrc",
    ".zshrc",
    ".profile",
    ".bash_profile",
    ".zprofile",
    ".zshenv",
    ".bash_login",
    ".bash_logout",
];

/// What makes a path protected, for the denial message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Protected {
    /// Rule id, shown as `builtin:self-protection/<id>`.
    pub id: &'static str,
    pub what: &'static str,
}

/// The protection `path` falls under, checking the literal path and its resolved target.
pub fn protection(
    path: &Path,
    budget: &Budget,
    home: Option<&Path>,
    protected_dirs: &[PathBuf],
    fs: &dyn FsView,
) -> Option<Protected> {
    let resolved = resolve(path, fs);
    [Some(path), resolved.as_deref()]
        .into_iter()
        .flatten()
        .find_map(|p| protection_of(p, budget, home, protected_dirs))
}

/// A folder inside the project that holds a protected file (`.claude`, `.git`): deleting,
/// renaming or writing it as a whole (`rm -rf .claude`, `mv .claude x`, `cp -r x/. .claude`,
/// `git checkout -- .claude`) reaches the file. The project root itself is left to the
/// `destructive` pack and `[edit]`: a write "of the root" (`tar -x`, `find . -exec`) is
/// too common to refuse outright.
fn folder_holding_protected(
    path: &Path,
    budget: &Budget,
    home: Option<&Path>,
) -> Option<Protected> {
    let root = &budget.project_root;
    if path == root || !path.starts_with(root) {
        return None;
    }
    let mut held: Vec<(PathBuf, &'static str, &'static str)> = budget
        .layers
        .iter()
        .map(|l| (l.file.clone(), "budget-file", "a budget file"))
        .collect();
    held.push((
        root.join(".claude/budget.toml"),
        "budget-file",
        "a budget file",
    ));
    held.push((
        root.join(".claude/settings.json"),
        "claude-settings",
        "Claude Code's settings",
    ));
    held.push((
        root.join(".claude/budget-tests"),
        "budget-tests",
        "the budget's replay cases",
    ));
    held.push((
        root.join(".git"),
        "git-internals",
        "git's internal files (hooks, config)",
    ));
    if let Some(home) = home {
        held.extend(
            STARTUP_FILES
                .iter()
                .map(|f| (home.join(f), "shell-startup", "a shell start-up file")),
        );
    }
    held.into_iter()
        .find(|(file, _, _)| file != path && file.starts_with(path))
        .map(|(_, id, what)| Protected { id, what })
}

/// Resolves symlinks of the path or of its nearest existing parent.
fn resolve(path: &Path, fs: &dyn FsView) -> Option<PathBuf> {
    let mut tail = Vec::new();
    let mut cur = path;
    loop {
        if let Some(real) = fs.canonicalize(cur) {
            let mut out = real;
            for part in tail.iter().rev() {
                out.push(part);
            }
            return (out != path).then_some(out);
        }
        tail.push(cur.file_name()?.to_owned());
        cur = cur.parent()?;
    }
}

fn protection_of(
    path: &Path,
    budget: &Budget,
    home: Option<&Path>,
    protected_dirs: &[PathBuf],
) -> Option<Protected> {
    let root = &budget.project_root;
    if let Some(found) = folder_holding_protected(path, budget, home) {
        return Some(found);
    }
    if budget.layers.iter().any(|l| l.file == path)
        || path.file_name().is_some_and(|n| n == "budget.toml")
            && path
                .parent()
                .is_some_and(|p| p.ends_with(".claude") || p.ends_with("claude-budget"))
    {
        return Some(Protected {
            id: "budget-file",
            what: "a budget file",
        });
    }
    if let Ok(rel) = path.strip_prefix(root) {
        let rel_text = rel.to_string_lossy();
        if rel_text.starts_with(".claude/settings") && rel_text.ends_with(".json") {
            return Some(Protected {
                id: "claude-settings",
                what: "Claude Code's settings",
            });
        }
        if rel.starts_with(".claude/budget-tests") {
            return Some(Protected {
                id: "budget-tests",
                what: "the budget's replay cases",
            });
        }
    }
    if path.components().any(|c| c.as_os_str() == ".git") {
        return Some(Protected {
            id: "git-internals",
            what: "git's internal files (hooks, config)",
        });
    }
    if let Some(home) = home
        && path.parent() == Some(home)
        && path
            .file_name()
            .is_some_and(|n| STARTUP_FILES.iter().any(|s| n == *s))
    {
        return Some(Protected {
            id: "shell-startup",
            what: "a shell start-up file",
        });
    }
    if protected_dirs
        .iter()
        .any(|d| path.starts_with(d) || d.starts_with(path))
    {
        return Some(Protected {
            id: "hook-state",
            what: "claude-budget's own state, records or executables",
        });
    }
    None
}
