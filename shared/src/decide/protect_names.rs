//! Which protected paths a delete narrowed by name reaches (`find . -name '*.pyc' -delete`,
//! `find . -type d -name __pycache__ -exec rm -rf {} +`).
//!
//! Such a delete removes an entry whose name matches a pattern, and everything under it. A
//! protected file is therefore reached when its own name or the name of a folder between
//! the deleted folder and it matches; a protected folder (`.git/`) also when any name inside
//! it matches, which is checked against what is on disk. Patterns are matched as `find`
//! does (`*` also matches a leading dot), and case-insensitively so `-iname` is covered
//! too. Anything that cannot be checked (a pattern that does not parse, a folder too large
//! to list) counts as reached: self-protection fails closed.

use super::Guard;
use crate::fsview::FsView;
use globset::{GlobBuilder, GlobMatcher};
use std::path::{Path, PathBuf};

/// Entries listed inside a protected folder before giving up (and counting it as reached).
const MAX_LISTED: usize = 10_000;

/// True when deleting the entries under `deleted` that match `patterns` reaches `guard`.
pub(super) fn reaches(
    guard: &Guard<'_>,
    deleted: &Path,
    patterns: &[String],
    fs: &dyn FsView,
) -> bool {
    let Some(matchers) = compile(patterns) else {
        return true;
    };
    let matches = |name: &str| matchers.iter().any(|m| m.is_match(name));
    let Ok(inside) = guard.path.strip_prefix(deleted) else {
        return true;
    };
    if inside
        .components()
        .any(|c| matches(&c.as_os_str().to_string_lossy()))
    {
        return true;
    }
    guard.tree && holds_a_match(&guard.path, &matches, fs)
}

/// The entries under `root` that a delete narrowed by `patterns` removes: each topmost
/// entry whose name matches (a matching folder goes whole, so its inside is not listed).
/// `.git` folders are not listed (self-protection judges them). `None` when a pattern does
/// not parse or more than `max` entries would have to be listed: the caller then decides
/// the whole tree, as for an unfiltered delete. Symlinked folders are not followed, as
/// `find` does not follow them.
pub(in crate::decide) fn matching_entries(
    root: &Path,
    patterns: &[String],
    fs: &dyn FsView,
    max: usize,
) -> Option<Vec<PathBuf>> {
    let matchers = compile(patterns)?;
    let mut found = Vec::new();
    let complete = walk(root, fs, max, |child, name| {
        if matchers.iter().any(|m| m.is_match(name)) {
            found.push(child.to_path_buf());
            Step::Skip
        } else if name != ".git"
            && fs.is_dir(child)
            && fs
                .canonicalize(child)
                .is_some_and(|real| real.ends_with(name))
        {
            Step::Descend
        } else {
            Step::Skip
        }
    });
    complete.then_some(found)
}

/// What a walk does with one entry.
enum Step {
    Descend,
    Skip,
    Stop,
}

/// Visits the entries under `root` depth-first; false when `visit` stopped it or more than
/// `max` entries were listed.
fn walk(
    root: &Path,
    fs: &dyn FsView,
    max: usize,
    mut visit: impl FnMut(&Path, &str) -> Step,
) -> bool {
    let mut pending: Vec<PathBuf> = vec![root.to_path_buf()];
    let mut listed = 0usize;
    while let Some(dir) = pending.pop() {
        let Some(names) = fs.list_dir(&dir) else {
            continue;
        };
        for name in names {
            listed += 1;
            if listed > max {
                return false;
            }
            let child = dir.join(&name);
            match visit(&child, &name) {
                Step::Descend => pending.push(child),
                Step::Skip => {}
                Step::Stop => return false,
            }
        }
    }
    true
}

/// `find -name` patterns as globs; `None` when one does not parse.
fn compile(patterns: &[String]) -> Option<Vec<GlobMatcher>> {
    patterns
        .iter()
        .map(|p| {
            GlobBuilder::new(p)
                .case_insensitive(true)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .ok()
                .map(|g| g.compile_matcher())
        })
        .collect()
}

/// True when a name under `folder` matches, or when the folder is too large to tell.
fn holds_a_match(folder: &Path, matches: &dyn Fn(&str) -> bool, fs: &dyn FsView) -> bool {
    // A match stops the walk, and so does the listing bound: either way the answer is yes.
    !walk(folder, fs, MAX_LISTED, |child, name| {
        if matches(name) {
            Step::Stop
        } else if fs.is_dir(child) {
            Step::Descend
        } else {
            Step::Skip
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsview::RealFs;

    fn guard(path: &Path, tree: bool) -> Guard<'static> {
        Guard::new(path.to_path_buf(), tree, "test")
    }

    #[test]
    fn a_name_filtered_delete_reaches_only_what_its_patterns_can_name() {
        let root = tempfile::tempdir().unwrap();
        let root = root.path();
        for dir in [".git/hooks", ".git/refs/heads"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        for file in [".git/config", ".git/HEAD", ".git/hooks/pre-commit.sample"] {
            std::fs::write(root.join(file), "x").unwrap();
        }
        let budget = root.join(".claude/budget.toml");
        let git = root.join(".git");
        let rows: &[(&[&str], &Path, bool, bool)] = &[
            (&["*.pyc"], &budget, false, false),
            (&["__pycache__"], &git, true, false),
            (&["*.pyc"], &git, true, false),
            (&["*.toml"], &budget, false, true),
            (&["BUDGET.TOML"], &budget, false, true),
            (&[".*"], &budget, false, true),
            (&[".git"], &git, true, true),
            (&["config"], &git, true, true),
            (&["*.sample"], &git, true, true),
            (&["heads"], &git, true, true),
            (&["*"], &git, true, true),
            (&["[unclosed"], &budget, false, true),
        ];
        for (patterns, protected, tree, expected) in rows {
            let patterns: Vec<String> = patterns.iter().map(|p| (*p).to_owned()).collect();
            assert_eq!(
                reaches(&guard(protected, *tree), root, &patterns, &RealFs),
                *expected,
                "{patterns:?} deleting under the root, protected {}",
                protected.display()
            );
        }
    }
}
