//! Path rules (SPEC §4.2): gitignore-style globs, matched by `glob_match` (no automaton to
//! build when the budget loads).
//!
//! A pattern is anchored at the project root (`src/**`, `/src/**`), the file-system root
//! (`//tmp/**`), the home directory (`~/.ssh/**`), or nowhere (`.env`, `**/*.pem`: any depth).
//! Un-anchored deny/ask patterns meet paths anywhere, also outside the project (erring
//! towards refusing); un-anchored allow patterns only meet paths inside the project, so
//! `allow = ["**"]` does not swallow `outside_project`.
//!
//! Besides single paths, two wider questions: a folder's whole tree (a recursive delete or
//! move must meet the deny/ask rules for what is inside it) and the files a glob names
//! (Grep's `glob`, Glob's `pattern`). Both err towards the deny/ask rules.

use super::glob_match::{Glob, GlobOptions};
use super::path_list::{DAMAGED_RULE, Decoded, PathList, Prepared};
use super::rule_error::{RuleError, RuleKind};
use super::{PathContext, PathRules};
use crate::fsview::FsView;
use crate::paths;
use crate::verdict::{Hit, Origin, Verdict};
use std::path::{Path, PathBuf};
use std::ptr;

/// One path glob as written, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct PathRule {
    pub pattern: String,
    pub origin: Origin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Anchor {
    Project,
    Absolute,
    Home,
    Anywhere,
}

/// Splits a pattern into its anchor and the globs (relative to that anchor) it stands for.
fn translate(pattern: &str) -> Result<(Anchor, Vec<String>), RuleError> {
    let trimmed = pattern.trim_end_matches('/');
    if trimmed.is_empty() && pattern.is_empty() {
        return Err(RuleError::new(
            pattern,
            RuleKind::Glob,
            "empty path pattern",
        ));
    }
    let (anchor, rest) = if let Some(rest) = pattern.strip_prefix("//") {
        (
            Anchor::Absolute,
            rest.trim_start_matches('/')
                .trim_end_matches('/')
                .to_string(),
        )
    } else if pattern == "~" {
        (Anchor::Home, String::new())
    } else if let Some(rest) = pattern.strip_prefix("~/") {
        (Anchor::Home, rest.trim_end_matches('/').to_string())
    } else if let Some(rest) = trimmed.strip_prefix('/') {
        (Anchor::Project, rest.to_string())
    } else if trimmed.starts_with("**/") {
        (Anchor::Anywhere, trimmed.to_string())
    } else if trimmed.contains('/') {
        (Anchor::Project, trimmed.to_string())
    } else {
        (Anchor::Anywhere, format!("**/{trimmed}"))
    };
    let mut globs = vec![rest.clone()];
    if let Some(folder) = rest.strip_suffix("/**") {
        // `dir/**` also names the folder `dir` itself.
        globs.push(folder.to_string());
    }
    Ok((anchor, globs))
}

/// How path globs are read: `*` stays inside one folder, `\\` escapes, `{a,}` is allowed.
const PATH_GLOBS: GlobOptions = GlobOptions {
    literal_separator: true,
    backslash_escape: true,
    empty_alternates: true,
};

/// Checks that a path pattern is a valid glob (phase two of loading).
pub(crate) fn validate(pattern: &str) -> Result<(), RuleError> {
    let (_, globs) = translate(pattern)?;
    globs.iter().try_for_each(|g| Glob::check(g, PATH_GLOBS))
}

/// A rule with its globs prepared for matching (when the list is built from the file, or
/// when the compiled-budget cache entry is written): the anchor and globs of its pattern.
pub(crate) fn prepare(rule: PathRule) -> Prepared {
    let globs = translate(&rule.pattern).ok().map(|(anchor, texts)| {
        // Validated with the file (`validate`): not parsed twice.
        let globs = texts.iter().map(|t| Glob::checked(t, PATH_GLOBS)).collect();
        (anchor, globs)
    });
    Prepared::new(rule, globs)
}

/// A list of path rules ([`PathList`]: each rule with its globs, in written order, so the
/// first glob that matches belongs to the first rule that does), decoded from the cache on
/// first use: a call never pays for the sections it does not consult.
#[derive(Clone, Debug, Default)]
pub(crate) struct GlobList {
    pub list: PathList,
    erring: bool,
}

impl GlobList {
    /// `erring`: un-anchored patterns also meet paths outside the project (deny, ask, stop
    /// and high-risk lists), and a glob that cannot be built (or a part of the list the
    /// cache could not decode) counts as matching. The rules were validated when the file
    /// was read, so this does not fail.
    pub(super) fn build(list: PathList, erring: bool) -> Result<GlobList, RuleError> {
        Ok(GlobList { list, erring })
    }

    /// The rule whose globs met; one that does not decode (a damaged cache entry) stands as
    /// [`DAMAGED_RULE`] in a list that errs towards matching and meets nothing otherwise.
    fn rule_of<'a>(&self, prepared: &'a Prepared) -> Option<&'a PathRule> {
        match prepared.rule() {
            Some(rule) => Some(rule),
            None => self.erring.then_some(&*DAMAGED_RULE),
        }
    }

    /// The list's rules in written order, as the matching loops take them: a damaged part is
    /// `Err(DAMAGED_RULE)` in a list that errs towards matching (it meets whatever it is
    /// checked against: fail closed) and is passed over in the others (it allows nothing).
    fn prepared(&self) -> impl Iterator<Item = Result<&Prepared, &'static PathRule>> {
        self.list.parts().flat_map(move |part| {
            let (rules, damaged): (&[Prepared], bool) = match part {
                Decoded::Rules(rules) => (rules, false),
                Decoded::Damaged => (&[], self.erring),
            };
            let damaged = damaged.then_some(Err(&*DAMAGED_RULE));
            damaged.into_iter().chain(rules.iter().map(Ok))
        })
    }

    /// The first rule (in written order) that names `view.path`.
    fn first_match(&self, view: &View) -> Option<&PathRule> {
        let path = view.path.as_path();
        let (project, home, absolute) = (
            strip_prefix_bytes(path, &view.root),
            (view.home.as_deref()).and_then(|h| strip_prefix_bytes(path, h)),
            strip_prefix_bytes(path, Path::new("/")),
        );
        for entry in self.prepared() {
            let prepared = match entry {
                Ok(prepared) => prepared,
                Err(damaged) => return Some(damaged),
            };
            let Some((anchor, globs)) = &prepared.globs else {
                // A pattern that does not translate: a glob that cannot be built.
                if self.erring && absolute.is_some() {
                    return self.rule_of(prepared);
                }
                continue;
            };
            let path = match (anchor, self.erring) {
                (Anchor::Project, _) | (Anchor::Anywhere, false) => project,
                (Anchor::Home, _) => home,
                (Anchor::Absolute, _) | (Anchor::Anywhere, true) => absolute,
            };
            let Some(bytes) = path else { continue };
            if globs
                .iter()
                .any(|glob| glob.try_matches(bytes).unwrap_or(self.erring))
                && let Some(rule) = self.rule_of(prepared)
            {
                return Some(rule);
            }
        }
        None
    }

    /// The first rule naming the literal path or its symlink target.
    pub(super) fn first_match_either(
        &self,
        path: &Path,
        ctx: &PathContext<'_>,
    ) -> Option<&PathRule> {
        views(path, ctx).iter().find_map(|v| self.first_match(v))
    }
}

/// The bytes of `path.strip_prefix(base)`, compared by bytes when both are plain absolute
/// paths (`paths::plain_bytes`; every decision strips three prefixes per list consulted).
fn strip_prefix_bytes<'p>(path: &'p Path, base: &Path) -> Option<&'p [u8]> {
    match (paths::plain_bytes(path), paths::plain_bytes(base)) {
        (Some(p), Some(b)) if paths::is_under_bytes(p, b) => {
            let rest = p.get(b.len()..)?;
            Some(rest.strip_prefix(b"/").unwrap_or(rest))
        }
        (Some(_), Some(_)) => None,
        _ => path
            .strip_prefix(base)
            .ok()
            .map(|rest| rest.as_os_str().as_encoded_bytes()),
    }
}

/// One way of seeing a path: literally, or resolved through symlinks (with the project
/// root and home resolved alike, so `/tmp` → `/private/tmp` systems still compare).
struct View {
    path: PathBuf,
    root: PathBuf,
    home: Option<PathBuf>,
}

impl View {
    fn inside_project(&self) -> bool {
        self.path.starts_with(&self.root)
    }
}

fn views(path: &Path, ctx: &PathContext<'_>) -> Vec<View> {
    let literal = View {
        path: path.to_path_buf(),
        root: ctx.project_root.to_path_buf(),
        home: ctx.home.map(Path::to_path_buf),
    };
    let Some(target) = crate::paths::resolve_target(path, ctx.fs) else {
        return vec![literal];
    };
    if target == path {
        return vec![literal];
    }
    let resolve = |p: &Path, fs: &dyn FsView| fs.canonicalize(p).unwrap_or_else(|| p.to_path_buf());
    let resolved = View {
        path: target,
        root: resolve(ctx.project_root, ctx.fs),
        home: ctx.home.map(|h| resolve(h, ctx.fs)),
    };
    vec![literal, resolved]
}

fn hit(verdict: Verdict, rule: &PathRule, section: &str) -> Hit {
    Hit {
        verdict,
        origin: rule.origin.clone(),
        section: section.into(),
        rule: rule.pattern.clone(),
    }
}

impl PathRules {
    pub(super) fn decide_impl(&self, path: &Path, ctx: &PathContext<'_>) -> Option<Hit> {
        let views = views(path, ctx);
        for (list, verdict) in [(&self.deny, Verdict::Deny), (&self.ask, Verdict::Ask)] {
            if let Some(rule) = views.iter().find_map(|v| list.first_match(v)) {
                return Some(hit(verdict, rule, &self.section));
            }
        }
        // Allow needs every view; a view no allow rule names falls back to its default.
        let per_view: Vec<Option<Hit>> = views
            .iter()
            .map(|view| match self.allow.first_match(view) {
                Some(rule) if self.base_allows(view) => {
                    Some(hit(Verdict::Allow, rule, &self.section))
                }
                _ => self.fallback(view),
            })
            .collect();
        let strictest = per_view.iter().flatten().max_by_key(|h| h.verdict)?;
        if strictest.verdict == Verdict::Allow && per_view.iter().any(Option::is_none) {
            return None;
        }
        Some(strictest.clone())
    }

    /// Under a task, the base allow list must name the path too (tasks only narrow).
    fn base_allows(&self, view: &View) -> bool {
        self.base_allow
            .as_ref()
            .is_none_or(|base| base.first_match(view).is_some())
    }

    fn fallback(&self, view: &View) -> Option<Hit> {
        let (key, setting) = if view.inside_project() {
            ("default", &self.default)
        } else {
            ("outside_project", &self.outside_project)
        };
        setting.as_ref().map(|(verdict, origin)| Hit {
            verdict: *verdict,
            origin: origin.clone(),
            section: self.section.clone(),
            rule: key.into(),
        })
    }

    pub(super) fn denies_explicitly_impl(&self, path: &Path, ctx: &PathContext<'_>) -> bool {
        self.deny.first_match_either(path, ctx).is_some()
    }

    /// Whether a deny rule names `relative` (a path under the project root), with no file
    /// system at hand (for `check`'s warnings).
    pub(super) fn denies_relative(&self, relative: &str) -> Option<&PathRule> {
        let root = PathBuf::from("/__project__");
        let view = View {
            path: root.join(relative),
            root,
            home: None,
        };
        self.deny.first_match(&view)
    }
}

/// How many entries under a folder a tree decision looks at before it assumes every
/// un-anchored deny/ask rule may match something inside (erring towards the rule).
pub(crate) const TREE_WALK_LIMIT: usize = 2_000;

/// The paths under a folder, listed once per tree decision (only when an un-anchored rule
/// needs them); `complete` is false when the walk stopped at [`TREE_WALK_LIMIT`].
struct Listing {
    paths: Vec<PathBuf>,
    complete: bool,
}

impl Listing {
    fn walk(dir: &Path, fs: &dyn FsView) -> Listing {
        let mut paths = Vec::new();
        let mut pending = vec![dir.to_path_buf()];
        while let Some(folder) = pending.pop() {
            let real_folder = fs.canonicalize(&folder);
            for name in fs.list_dir(&folder).unwrap_or_default() {
                if paths.len() >= TREE_WALK_LIMIT {
                    return Listing {
                        paths,
                        complete: false,
                    };
                }
                let path = folder.join(&name);
                // A symlinked folder is deleted as a link, not with what it points to.
                let real_dir = fs.is_dir(&path)
                    && real_folder.as_ref().map(|f| f.join(&name)) == fs.canonicalize(&path);
                if real_dir {
                    pending.push(path.clone());
                }
                paths.push(path);
            }
        }
        Listing {
            paths,
            complete: true,
        }
    }
}

/// Whether a glob (relative to its anchor) can match a path strictly under the folder
/// `folder` (relative to the same anchor; empty: the anchor itself), decided from the
/// glob's text alone: component by component, a `**` component matching any depth.
fn may_match_below(glob: &str, folder: &Path) -> bool {
    let folder: Vec<&str> = folder
        .iter()
        .filter_map(|c| c.to_str())
        .filter(|c| !c.is_empty() && *c != "/")
        .collect();
    if glob.contains(['{', '}', '[', '\\']) {
        // Alternatives may hold `/`: compare only the literal text before the first
        // special character, and let anything after it match (erring towards the rule).
        let literal = &glob[..glob.find(['*', '?', '{', '[', '\\']).unwrap_or(glob.len())];
        let inside = format!("{}/", folder.join("/"));
        let inside = inside.trim_start_matches('/');
        return literal.starts_with(inside) || inside.starts_with(literal);
    }
    let parts: Vec<&str> = glob.split('/').collect();
    let mut rest = parts.as_slice();
    for name in &folder {
        match rest.first() {
            None => return false,
            Some(&"**") => return true,
            Some(part) => {
                let matched = Glob::new(part, PATH_GLOBS)
                    .and_then(|g| {
                        g.try_matches(name.as_bytes())
                            .map_err(|()| RuleError::new(part, RuleKind::Glob, ""))
                    })
                    .unwrap_or(true);
                if !matched {
                    return false;
                }
                rest = &rest[1..];
            }
        }
    }
    !rest.is_empty()
}

impl GlobList {
    /// The first rule (in written order) that may name the folder `dir` or a path under it.
    /// Anchored rules are decided from their text; un-anchored ones (`.env`, `*.pem`,
    /// `**/x`) against what exists under the folder, listed once into `listing`.
    fn first_in_tree(
        &self,
        dir: &Path,
        ctx: &PathContext<'_>,
        listing: &mut Option<Listing>,
    ) -> Option<&PathRule> {
        let views = views(dir, ctx);
        for entry in self.prepared() {
            let prepared = match entry {
                Ok(prepared) => prepared,
                Err(damaged) => return Some(damaged),
            };
            let Some(rule) = self.rule_of(prepared) else {
                continue;
            };
            if ptr::eq(rule, &*DAMAGED_RULE) {
                return Some(rule);
            }
            let Ok((anchor, texts)) = translate(&rule.pattern) else {
                return Some(rule);
            };
            let meets = if anchor == Anchor::Anywhere && self.erring {
                let listing = listing.get_or_insert_with(|| Listing::walk(dir, ctx.fs));
                !listing.complete || names_any(prepared, &listing.paths)
            } else {
                views.iter().any(|view| {
                    let base = match anchor {
                        Anchor::Project | Anchor::Anywhere => Some(view.root.as_path()),
                        Anchor::Home => view.home.as_deref(),
                        Anchor::Absolute => Some(Path::new("/")),
                    };
                    base.is_some_and(|base| {
                        base.starts_with(&view.path)
                            || view.path.strip_prefix(base).is_ok_and(|folder| {
                                texts.iter().any(|t| may_match_below(t, folder))
                            })
                    })
                })
            };
            if meets {
                return Some(rule);
            }
        }
        None
    }
}

/// Whether the rule `prepared` names one of `paths` (absolute).
fn names_any(prepared: &Prepared, paths: &[PathBuf]) -> bool {
    let globs: &[Glob] = prepared.globs.as_ref().map_or(&[], |(_, globs)| globs);
    paths.iter().any(|path| {
        let relative = path.strip_prefix("/").unwrap_or(path);
        globs.iter().any(|g| {
            g.try_matches(relative.as_os_str().as_encoded_bytes())
                .unwrap_or(true)
        })
    })
}

impl GlobList {
    /// The first rule whose own text the glob `named` (absolute, without the leading `/`)
    /// matches: `**/.env*` meets the rule `.env`, whose text is `**/.env` under `base`.
    fn first_met_by(&self, named: &Glob, base: &Path, ctx: &PathContext<'_>) -> Option<&PathRule> {
        let meets = |rule: &PathRule| {
            let Ok((anchor, texts)) = translate(&rule.pattern) else {
                return true;
            };
            let anchor_dir = match anchor {
                Anchor::Project => Some(ctx.project_root),
                Anchor::Home => ctx.home,
                Anchor::Absolute => Some(Path::new("/")),
                Anchor::Anywhere => Some(base),
            };
            anchor_dir.is_some_and(|dir| {
                texts.iter().any(|text| {
                    let candidate = dir.join(text);
                    let candidate = candidate.strip_prefix("/").unwrap_or(&candidate);
                    named
                        .try_matches(candidate.as_os_str().as_encoded_bytes())
                        .unwrap_or(true)
                })
            })
        };
        // A damaged part's rule stands for what it held: it meets any glob.
        self.list.parts().find_map(|part| match part {
            Decoded::Rules(rules) => (rules.iter())
                .filter_map(|p| self.rule_of(p))
                .find(|rule| ptr::eq(*rule, &*DAMAGED_RULE) || meets(rule)),
            Decoded::Damaged => self.erring.then_some(&*DAMAGED_RULE),
        })
    }
}

impl PathRules {
    /// The folder's (or path's) own decision made stricter by the first deny, then ask,
    /// rule `reaches` names.
    fn stricter<'s>(
        &'s self,
        own: Option<Hit>,
        mut reaches: impl FnMut(&'s GlobList) -> Option<&'s PathRule>,
    ) -> Option<Hit> {
        for (list, verdict) in [(&self.deny, Verdict::Deny), (&self.ask, Verdict::Ask)] {
            if own.as_ref().is_some_and(|h| h.verdict >= verdict) {
                return own;
            }
            if let Some(rule) = reaches(list) {
                return Some(hit(verdict, rule, &self.section));
            }
        }
        own
    }

    pub(super) fn decide_tree_impl(&self, dir: &Path, ctx: &PathContext<'_>) -> Option<Hit> {
        let own = self.decide_impl(dir, ctx);
        let mut listing = None;
        self.stricter(own, |list| list.first_in_tree(dir, ctx, &mut listing))
    }

    pub(super) fn decide_glob_impl(
        &self,
        base: &Path,
        glob: &str,
        ctx: &PathContext<'_>,
    ) -> Option<Hit> {
        let text = if glob.contains('/') {
            glob.to_string()
        } else {
            format!("**/{glob}")
        };
        let named = crate::paths::normalise(Path::new(&text), base);
        let own = self.decide_impl(&named, ctx);
        let relative = named.strip_prefix("/").unwrap_or(&named);
        let names_files = named
            .file_name()
            .is_some_and(|n| n.to_string_lossy().contains(|c| !matches!(c, '*' | '?')));
        if !names_files {
            // `*`, `**/*`: every file, like a Grep of the folder; no file is singled out.
            return own;
        }
        let Ok(as_glob) = Glob::new(&relative.to_string_lossy(), PATH_GLOBS) else {
            // Not a glob we can read: its literal text was decided; err towards the rules.
            return self.stricter(own, |list| list.list.rules().next());
        };
        self.stricter(own, |list| list.first_met_by(&as_glob, base, ctx))
    }
}

#[cfg(test)]
#[path = "paths_rules_tests.rs"]
mod tests;
