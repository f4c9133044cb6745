//! Self-protection (SPEC §3): while any budget is in force the agent may not edit or delete
//! what enforces it (budget files and the user budget's folder, Claude Code's project and
//! user settings, replay cases, our state, configuration and executables) nor plant
//! persistence (`.git/`, shell start-up files).
//!
//! A folder that holds a protected path is protected from edits that reach inside it: a
//! delete (`rm -rf .`, `rm -rf ~`, `find . -delete`), a whole-folder write (`cp -r x/. .`,
//! `rsync --delete x/ .`, `tar -x`), or a write into it of an entry with a protected name
//! (`cp /tmp/.bashrc ~`). Inside the project every edit of such a folder is refused; at the
//! project root and outside it a write that only adds a named file (`cp a.txt .`,
//! `curl -O …`) stays the business of `[edit]`.

use super::messages;

#[path = "protect_names.rs"]
mod name_filter;
use crate::budget::{Budget, LayerKind};
use crate::fsview::FsView;
use crate::paths;
pub(super) use name_filter::matching_entries;
use std::borrow::Cow;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Shell start-up files in the home directory. The spec names the first five; `.zshenv`,
/// `.bash_login` and `.bash_logout` run just as automatically, so they are protected too.
pub const STARTUP_FILES: &[&str] = &[
    ".bashrc",
    ".zshrc",
    ".profile",
    ".bash_profile",
    ".zprofile",
    ".zshenv",
    ".bash_login",
    ".bash_logout",
];

/// Claude Code's settings files, in the project's and the user's `.claude` folder.
const SETTINGS_FILES: &[&str] = &["settings.json", "settings.local.json"];

/// What makes a path protected, for the denial message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Protected {
    /// Rule id, shown as `builtin:self-protection/<id>`.
    pub id: &'static str,
    pub what: &'static str,
    /// For an edit of a folder: the protected path inside it that the edit would reach.
    pub reaches: Option<PathBuf>,
}

/// How far an edit reaches below its path.
#[derive(Clone, Copy, Debug)]
pub enum Reach<'a> {
    /// An edit tool's file, or a shell write of exactly this path.
    Path,
    /// A delete or a move away: the path and everything under it.
    Tree,
    /// A delete of the entries under the path whose names match these globs, and of what is
    /// under them (`find . -name '*.pyc' -delete`, `find . -name x -exec rm -rf {} +`).
    Matching { patterns: &'a [String] },
    /// A shell write into the path as a folder: everything under it when `whole_folder`,
    /// else only the entries whose names the command mentions (`names`: basenames of its
    /// words).
    Into {
        whole_folder: bool,
        names: &'a [String],
    },
}

impl<'a> Reach<'a> {
    /// The reach of a shell delete: everything under the path, or, when `find` narrowed it
    /// by name ([`crate::shell::FileEffect::name_filter`]), only the matching entries.
    pub fn of_delete(name_filter: &'a [String]) -> Reach<'a> {
        if name_filter.is_empty() {
            Reach::Tree
        } else {
            Reach::Matching {
                patterns: name_filter,
            }
        }
    }
}

/// A protected path and its rule id. The path is borrowed where the budget or the
/// environment already holds it: the guards are built at every edit check.
struct Guard<'a> {
    path: Cow<'a, Path>,
    /// The path and everything under it (a folder), or only the path (a file).
    tree: bool,
    id: &'static str,
    /// `paths::plain_bytes(&path)` is `Some`: compared by bytes (looked at once per guard).
    plain: bool,
}

impl<'a> Guard<'a> {
    fn new(path: impl Into<Cow<'a, Path>>, tree: bool, id: &'static str) -> Guard<'a> {
        let path = path.into();
        let plain = paths::plain_bytes(&path).is_some();
        Guard {
            path,
            tree,
            id,
            plain,
        }
    }
}

/// The protection `path` falls under for an edit reaching `reach` below it, checking the
/// literal path and its resolved target.
pub fn protection(
    path: &Path,
    reach: Reach<'_>,
    budget: &Budget,
    home: Option<&Path>,
    protected_dirs: &[PathBuf],
    fs: &dyn FsView,
) -> Option<Protected> {
    let mut guards = guards(budget, home, protected_dirs);
    let resolved = resolve(path, fs);
    let candidates = [Some(path), resolved.as_deref()];
    // Protected for what they are: a guard reached through its real location (the
    // project's `.claude` itself a symlink, `~/.claude` linked elsewhere) is the same file.
    // Resolving every guard costs file-system calls per effect, so an edit that only reaches
    // its own path resolves the guards that could be it (same name, or a folder of that
    // name above it); edits that reach below a folder resolve them all.
    let reaches_below = match reach {
        Reach::Path => false,
        Reach::Into { whole_folder, .. } => whole_folder,
        Reach::Tree | Reach::Matching { .. } => true,
    };
    let could_be = |g: &Guard| {
        let name = g.path.file_name();
        reaches_below
            || matches!(reach, Reach::Into { names, .. }
                if names.iter().any(|n| Some(OsStr::new(n)) == name))
            || candidates.iter().flatten().any(|p| {
                if g.tree {
                    has_component_named(p, name)
                } else {
                    p.file_name() == name
                }
            })
    };
    let real: Vec<Guard> = guards
        .iter()
        .filter(|g| could_be(g))
        .filter_map(|g| resolve(&g.path, fs).map(|path| Guard::new(path, g.tree, g.id)))
        .collect();
    guards.extend(real);
    let direct = candidates
        .iter()
        .flatten()
        .find_map(|p| direct_protection(p, budget, home, &guards));
    direct.or_else(|| {
        candidates
            .iter()
            .flatten()
            .find_map(|p| folder_holding(p, reach, budget, &guards, fs))
    })
}

/// True when a command, given a folder to write, writes everything under it: recursive
/// copies and syncs, archive extraction, git restoring a pathspec, recursive downloads.
pub fn writes_whole_folders(argv: &[String]) -> bool {
    let Some(program) = argv.first() else {
        return false;
    };
    let args = &argv[1..];
    let short_flag = |letters: &[char]| {
        args.iter().any(|a| {
            a.strip_prefix('-')
                .is_some_and(|f| !f.starts_with('-') && f.chars().any(|c| letters.contains(&c)))
        })
    };
    let long_flag = |names: &[&str]| {
        args.iter().any(|a| {
            names
                .iter()
                .any(|n| a == n || a.starts_with(&format!("{n}=")))
        })
    };
    match program.as_str() {
        "rsync" | "tar" | "bsdtar" | "gtar" | "unzip" | "cpio" | "7z" | "7za" | "ditto" | "git" => {
            true
        }
        "cp" | "gcp" | "scp" => {
            short_flag(&['r', 'R', 'a']) || long_flag(&["--recursive", "--archive"])
        }
        "wget" => short_flag(&['r', 'm']) || long_flag(&["--recursive", "--mirror"]),
        _ => false,
    }
}

/// Every protected path with a fixed location.
fn guards<'a>(
    budget: &'a Budget,
    home: Option<&Path>,
    protected_dirs: &'a [PathBuf],
) -> Vec<Guard<'a>> {
    let root = &budget.project_root;
    let exact = |path: Cow<'a, Path>, id| Guard::new(path, false, id);
    let tree = |path: Cow<'a, Path>, id| Guard::new(path, true, id);
    let mut guards: Vec<Guard<'a>> = Vec::with_capacity(32);
    guards.extend(
        budget
            .layers
            .iter()
            .map(|l| exact(Cow::Borrowed(&l.file), "budget-file")),
    );
    // The user budget's folder: moving it away or adding files to it changes the budget.
    guards.extend(
        budget
            .layers
            .iter()
            .filter(|l| matches!(l.kind, LayerKind::User | LayerKind::Managed))
            .filter_map(|l| l.file.parent())
            .map(|dir| tree(Cow::Borrowed(dir), "user-budget")),
    );
    let claude = root.join(".claude");
    guards.push(exact(claude.join("budget.toml").into(), "budget-file"));
    for file in SETTINGS_FILES {
        guards.push(exact(claude.join(file).into(), "claude-settings"));
    }
    guards.push(tree(claude.join("budget-tests").into(), "budget-tests"));
    guards.push(tree(root.join(".git").into(), "git-internals"));
    if let Some(home) = home {
        guards.extend(
            STARTUP_FILES
                .iter()
                .map(|f| exact(home.join(f).into(), "shell-startup")),
        );
        let claude = home.join(".claude");
        for file in SETTINGS_FILES {
            guards.push(exact(claude.join(file).into(), "claude-settings"));
        }
    }
    // From the environment (`store::protected_dirs`): our state, records, executables and
    // configuration, and Claude Code's settings under `$CLAUDE_CONFIG_DIR`.
    guards.extend(protected_dirs.iter().map(|d| {
        if is_settings_file(d) {
            exact(Cow::Borrowed(d), "claude-settings")
        } else {
            tree(Cow::Borrowed(d), "hook-state")
        }
    }));
    guards
}

/// `settings.json`, `settings.local.json` and other `settings*.json` files.
fn is_settings_file(path: &Path) -> bool {
    path.file_name()
        .and_then(OsStr::to_str)
        .is_some_and(|n| n.starts_with("settings") && n.ends_with(".json"))
}

fn protected(id: &'static str, reaches: Option<PathBuf>) -> Protected {
    Protected {
        id,
        what: messages::protected_what(id),
        reaches,
    }
}

/// The protection of the path itself (not of what it holds).
fn direct_protection(
    path: &Path,
    budget: &Budget,
    home: Option<&Path>,
    guards: &[Guard],
) -> Option<Protected> {
    let root = &budget.project_root;
    if path.file_name().is_some_and(|n| n == "budget.toml")
        && path
            .parent()
            .is_some_and(|p| p.ends_with(".claude") || p.ends_with("claude-budget"))
    {
        return Some(protected("budget-file", None));
    }
    let in_claude_dir = |base: &Path| path.parent() == Some(base.join(".claude").as_path());
    if is_settings_file(path) && (in_claude_dir(root) || home.is_some_and(in_claude_dir)) {
        return Some(protected("claude-settings", None));
    }
    let plain = paths::plain_bytes(path).is_some();
    let git = match paths::plain_bytes(path) {
        Some(bytes) => bytes.split(|b| *b == b'/').any(|c| c == b".git"),
        None => path.components().any(|c| c.as_os_str() == ".git"),
    };
    if git {
        return Some(protected("git-internals", None));
    }
    guards
        .iter()
        .find(|g| {
            if g.tree {
                paths::is_under_known(path, plain, &g.path, g.plain)
            } else {
                paths::same_path_known(path, plain, &g.path, g.plain)
            }
        })
        .map(|g| protected(g.id, None))
}

/// Whether one of `path`'s ancestors (itself included) has the file name `name`, as
/// `path.ancestors().any(|a| a.file_name() == name)` says, by bytes for a plain path.
fn has_component_named(path: &Path, name: Option<&OsStr>) -> bool {
    match (paths::plain_bytes(path), name) {
        // `..` has no file name, and neither does a `name` that could equal it.
        (Some(bytes), Some(name)) => {
            let name = name.as_encoded_bytes();
            bytes.split(|b| *b == b'/').any(|c| c == name && c != b"..")
        }
        _ => path.ancestors().any(|a| a.file_name() == name),
    }
}

/// A folder holding a protected path, edited in a way that reaches it.
fn folder_holding(
    path: &Path,
    reach: Reach<'_>,
    budget: &Budget,
    guards: &[Guard],
    fs: &dyn FsView,
) -> Option<Protected> {
    let root = &budget.project_root;
    // Inside the project, any edit of such a folder (`mv .claude x`, `git checkout -- .git`)
    // reaches the file; there is no common reason to edit `.claude` or `.git` as a whole.
    let plain = paths::plain_bytes(path).is_some();
    let inside_project = !paths::same_path(path, root) && paths::is_under(path, root);
    guards
        .iter()
        .filter(|g| {
            !paths::same_path_known(&g.path, g.plain, path, plain)
                && paths::is_under_known(&g.path, g.plain, path, plain)
        })
        .find(|g| {
            inside_project
                || match reach {
                    Reach::Path => false,
                    Reach::Tree
                    | Reach::Into {
                        whole_folder: true, ..
                    } => true,
                    Reach::Into { names, .. } => g
                        .path
                        .strip_prefix(path)
                        .ok()
                        .and_then(|rel| rel.components().next())
                        .is_some_and(|first| names.iter().any(|n| first.as_os_str() == n.as_str())),
                    Reach::Matching { patterns } => name_filter::reaches(g, path, patterns, fs),
                }
        })
        .map(|g| protected(g.id, Some(g.path.to_path_buf())))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_component_named_by_bytes_is_the_one_ancestors_name() {
        let paths = [
            "/",
            "/a",
            "/a/.git/x",
            "/a/.gitx",
            "/x/.git",
            "/a/../.git",
            "/a//.git/b",
            "/a/./b",
            "a/.git",
            "/a/b/..",
            "",
        ];
        for path in paths.map(Path::new) {
            for name in [Some(".git"), Some("a"), Some("b"), Some(".."), None] {
                let name = name.map(OsStr::new);
                assert_eq!(
                    has_component_named(path, name),
                    path.ancestors().any(|a| a.file_name() == name),
                    "{path:?} {name:?}"
                );
            }
        }
    }
}
