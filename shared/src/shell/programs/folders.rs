//! Folder reads read what is in the folder (SPEC §4.2 "Folder reads"): `grep -r`, `rg`,
//! `git grep`, `cp -r`, `tar c`, `zip -r`, `rsync`, `scp -r` and the Grep tool visit every
//! file under a folder that their own filters let through. The analysis records each such
//! read as a [`FolderRead`] (the root and the program's filters); the decision walks it with
//! [`visit_files`] and refuses when a denied file is among those visited, naming the filter
//! that would leave it out.
//!
//! The filters are the programs' own: grep's `--include`/`--exclude`/`--exclude-dir` with
//! "last match wins", rg's hidden and ignore-file defaults and its `-g` overrides through the
//! `ignore` crate (rg's own matcher). Where the model is unsure it visits more, never less.

use crate::fsview::FsView;
use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::overrides::{Override, OverrideBuilder};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A whole folder read by one command, with the program's own filters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FolderRead {
    /// Absolute, lexically normalised.
    pub path: PathBuf,
    /// The reading program (`grep`, `rg`, `Grep`, …).
    pub program: String,
    pub visit: Visit,
    /// The command text (or tool call) that reads it.
    pub command: String,
}

/// Which files under the root a program visits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Visit {
    /// Names starting with `.` are visited (grep, tar, `rg --hidden`/`-uu`).
    pub hidden: bool,
    /// `.gitignore` (inside a git repository), `.ignore`, `.rgignore` and
    /// `.git/info/exclude` leave files out (rg's and git grep's default).
    pub ignore_files: bool,
    /// The version-control folder `.git` is never visited (git grep, the Grep tool).
    pub skip_git_dir: bool,
    /// grep's `--include`/`--exclude` in command-line order: `true` for include. The last
    /// one matching a file's name wins; none matching keeps the file unless the first is
    /// an `--include` (GNU grep's rule).
    pub name_filters: Vec<(bool, String)>,
    /// Folder-name globs never entered (`--exclude-dir`).
    pub exclude_dirs: Vec<String>,
    /// Globs matched against the file's name or its path under the root (tar, rsync and
    /// zip exclusions): a match leaves the file out.
    pub exclude_paths: Vec<String>,
    /// Pathspec globs (git, `*` crossing `/`): when any, only files whose path under the
    /// root matches one are visited.
    pub only_paths: Vec<String>,
    /// find's name tests of a plain conjunction: a file is visited only when all match.
    pub find_tests: Vec<FindTest>,
    /// The starting point as written (find's `-path` matches `ROOT/relative`).
    pub find_root: String,
    /// rg's `-g`/`--glob` overrides (`!` excludes); with at least one plain glob, only files
    /// it matches are searched. Overrides beat the hidden and ignore-file rules.
    pub overrides: Vec<String>,
    /// `--iglob`: the same, case-insensitive.
    pub ioverrides: Vec<String>,
    /// How to tell the program to leave one file out; `{}` is the file's name.
    pub leave_out: String,
}

/// One of find's name tests, with its case-insensitivity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum FindTest {
    /// `-name`/`-iname`: the file name, `*` matching a leading dot.
    Name(String, bool),
    /// `-path`/`-ipath`: the path as find prints it, `*` matching `/`.
    Path(String, bool),
    /// `-regex`/`-iregex`: the whole printed path (a pattern Rust's regex cannot read
    /// matches everything).
    Regex(String, bool),
}

impl FindTest {
    fn matches(&self, name: &str, printed: &str) -> bool {
        let glob = |g: &str, text: &str, icase: bool| {
            globset::GlobBuilder::new(g)
                .case_insensitive(icase)
                .backslash_escape(true)
                .build()
                .map(|g| g.compile_matcher().is_match(text))
                .unwrap_or(true)
        };
        match self {
            FindTest::Name(g, icase) => glob(g, name, *icase),
            FindTest::Path(g, icase) => glob(g, printed, *icase),
            FindTest::Regex(re, icase) => regex::RegexBuilder::new(&format!("^(?:{re})$"))
                .case_insensitive(*icase)
                .build()
                .map(|r| r.is_match(printed))
                .unwrap_or(true),
        }
    }
}

/// How a bounded walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WalkEnd {
    /// Every file the program would visit was offered.
    Complete,
    /// The callback asked to stop.
    Stopped,
    /// Past the entry or time bound: the rest is unknown.
    OverBound,
}

/// Entries and time a walk may spend (SPEC §4.2: bounded).
#[derive(Clone, Copy, Debug)]
pub struct WalkBound {
    pub entries: usize,
    pub time: Duration,
}

impl Default for WalkBound {
    fn default() -> Self {
        WalkBound {
            entries: 20_000,
            time: Duration::from_millis(250),
        }
    }
}

/// Offers `on_file` every file `read` visits, depth first; `on_file` returns `true` to stop.
pub fn visit_files(
    read: &FolderRead,
    fs: &dyn FsView,
    bound: WalkBound,
    mut on_file: impl FnMut(&Path) -> bool,
) -> WalkEnd {
    let started = Instant::now();
    let filters = Filters::new(read, fs);
    let mut seen = 0usize;
    let mut ignores = Vec::new();
    if read.visit.ignore_files {
        filters.ancestors_ignores(&read.path, fs, &mut ignores);
    }
    let mut stack: Vec<(PathBuf, usize)> = vec![(read.path.clone(), ignores.len())];
    while let Some((dir, depth)) = stack.pop() {
        ignores.truncate(depth);
        if read.visit.ignore_files
            && let Some(gi) = filters.ignore_file_of(&dir, fs)
        {
            ignores.push(gi);
        }
        let Some(mut names) = fs.list_dir(&dir) else {
            continue;
        };
        names.sort();
        for name in names {
            seen += 1;
            if seen > bound.entries || started.elapsed() > bound.time {
                return WalkEnd::OverBound;
            }
            let path = dir.join(&name);
            let is_dir = fs.is_dir(&path);
            if !filters.visits(&path, &name, is_dir, &ignores) {
                continue;
            }
            if is_dir {
                stack.push((path, ignores.len()));
            } else if on_file(&path) {
                return WalkEnd::Stopped;
            }
        }
    }
    WalkEnd::Complete
}

/// The filters compiled once per walk.
struct Filters<'r> {
    read: &'r FolderRead,
    overrides: Vec<Override>,
    in_git_repo: bool,
}

impl<'r> Filters<'r> {
    fn new(read: &'r FolderRead, fs: &dyn FsView) -> Filters<'r> {
        let mut overrides = Vec::new();
        for (globs, insensitive) in [
            (&read.visit.overrides, false),
            (&read.visit.ioverrides, true),
        ] {
            if globs.is_empty() {
                continue;
            }
            let mut b = OverrideBuilder::new(&read.path);
            let _ = b.case_insensitive(insensitive);
            for g in globs {
                // A glob the matcher cannot read leaves nothing out.
                let _ = b.add(g);
            }
            if let Ok(o) = b.build() {
                overrides.push(o);
            }
        }
        let in_git_repo = read.path.ancestors().any(|a| fs.exists(&a.join(".git")));
        Filters {
            read,
            overrides,
            in_git_repo,
        }
    }

    /// Whether the program visits `path` (a file, or a folder it enters).
    fn visits(&self, path: &Path, name: &str, is_dir: bool, ignores: &[Gitignore]) -> bool {
        let v = &self.read.visit;
        if v.skip_git_dir && is_dir && name == ".git" {
            return false;
        }
        if is_dir && v.exclude_dirs.iter().any(|g| glob_matches(g, name)) {
            return false;
        }
        if !is_dir && !name_filter_keeps(&v.name_filters, name) {
            return false;
        }
        let relative = path.strip_prefix(&self.read.path).unwrap_or(path);
        if v.exclude_paths.iter().any(|g| {
            let g = g.trim_end_matches('/');
            glob_matches(g, name) || glob_matches(g, &relative.to_string_lossy())
        }) {
            return false;
        }
        if !is_dir && !v.find_tests.is_empty() {
            let printed = format!(
                "{}/{}",
                v.find_root.trim_end_matches('/'),
                relative.to_string_lossy()
            );
            if !v.find_tests.iter().all(|t| t.matches(name, &printed)) {
                return false;
            }
        }
        if !is_dir
            && !v.only_paths.is_empty()
            && !v
                .only_paths
                .iter()
                .any(|g| glob_matches(g, &relative.to_string_lossy()))
        {
            return false;
        }
        // rg: an override decides before the hidden and ignore-file rules.
        let mut whitelisted = false;
        for o in &self.overrides {
            match o.matched(path, is_dir) {
                Match::Whitelist(_) => whitelisted = true,
                Match::Ignore(_) => {}
                Match::None => {}
            }
        }
        if whitelisted {
            return true;
        }
        if self
            .overrides
            .iter()
            .any(|o| o.matched(path, is_dir).is_ignore())
        {
            return false;
        }
        if !v.hidden && name.starts_with('.') {
            return false;
        }
        if v.ignore_files {
            for gi in ignores.iter().rev() {
                match gi.matched(path, is_dir) {
                    Match::Ignore(_) => return false,
                    Match::Whitelist(_) => return true,
                    Match::None => {}
                }
            }
        }
        true
    }

    /// The ignore rules a folder's own files add: `.gitignore` (inside a git repository),
    /// `.ignore`, `.rgignore` (later files take precedence, as in rg), and at a repository's
    /// root `.git/info/exclude`.
    fn ignore_file_of(&self, dir: &Path, fs: &dyn FsView) -> Option<Gitignore> {
        let mut b = GitignoreBuilder::new(dir);
        let mut any = false;
        let mut files = Vec::new();
        if self.in_git_repo {
            files.push(dir.join(".git/info/exclude"));
            files.push(dir.join(".gitignore"));
        }
        files.push(dir.join(".ignore"));
        files.push(dir.join(".rgignore"));
        for file in files {
            if let Some(text) = fs.read_small(&file, 1 << 20) {
                for line in text.lines() {
                    any |= b.add_line(None, line).is_ok();
                }
            }
        }
        if !any {
            return None;
        }
        b.build().ok()
    }

    /// Ignore files of the folders above the root, up to the repository's root (rg reads
    /// them too).
    fn ancestors_ignores(&self, root: &Path, fs: &dyn FsView, out: &mut Vec<Gitignore>) {
        let mut above: Vec<&Path> = root.ancestors().skip(1).collect();
        if let Some(repo) = above.iter().position(|a| fs.exists(&a.join(".git"))) {
            above.truncate(repo + 1);
        } else {
            // Outside a repository only `.ignore`/`.rgignore` of the root itself count here.
            above.clear();
        }
        for dir in above.into_iter().rev() {
            if let Some(gi) = self.ignore_file_of(dir, fs) {
                out.push(gi);
            }
        }
    }
}

/// grep's `--include`/`--exclude` rule for one file name.
fn name_filter_keeps(filters: &[(bool, String)], name: &str) -> bool {
    match filters.iter().rev().find(|(_, g)| glob_matches(g, name)) {
        Some((include, _)) => *include,
        None => filters.first().is_none_or(|(include, _)| !include),
    }
}

/// A shell wildcard (fnmatch without `FNM_PERIOD`: `*` matches a leading dot) against a name.
pub fn glob_matches(glob: &str, name: &str) -> bool {
    globset::GlobBuilder::new(glob)
        .backslash_escape(true)
        .build()
        .map(|g| g.compile_matcher().is_match(name))
        // A pattern that does not compile is compared as text.
        .unwrap_or(glob == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grep_include_and_exclude_follow_the_last_match() {
        type Row<'a> = (&'a [(bool, &'a str)], &'a str, bool);
        let rows: &[Row<'_>] = &[
            (&[], ".env", true),
            (&[(true, "*.rs")], ".env", false),
            (&[(true, "*.rs")], "main.rs", true),
            (&[(false, ".env")], ".env", false),
            (&[(false, "*.env")], ".env", false),
            (&[(false, ".en?")], ".env", false),
            (&[(true, "*"), (false, ".env")], ".env", false),
            (&[(false, ".env"), (true, "*")], ".env", true),
            (&[(false, "*.md")], ".env", true),
        ];
        for (filters, name, want) in rows {
            let filters: Vec<(bool, String)> =
                filters.iter().map(|(i, g)| (*i, (*g).to_owned())).collect();
            assert_eq!(
                name_filter_keeps(&filters, name),
                *want,
                "{filters:?} {name}"
            );
        }
    }
}
