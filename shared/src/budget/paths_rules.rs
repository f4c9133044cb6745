//! Path rules (SPEC §4.2): gitignore-style globs, matched by `glob_match` (no automaton to
//! build when the budget loads).
//!
//! A pattern is anchored at the project root (`src/**`, `/src/**`), the file-system root
//! (`//tmp/**`), the home directory (`~/.ssh/**`), or nowhere (`.env`, `**/*.pem`: any depth).
//! Un-anchored deny/ask patterns meet paths anywhere, also outside the project (erring
//! towards refusing); un-anchored allow patterns only meet paths inside the project, so
//! `allow = ["**"]` does not swallow `outside_project`.

use super::glob_match::{Glob, GlobOptions};
use super::{PathContext, PathRules};
use crate::fsview::FsView;
use crate::verdict::{Hit, Origin, Verdict};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One path glob as written, with where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PathRule {
    pub pattern: String,
    pub origin: Origin,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    Project,
    Absolute,
    Home,
    Anywhere,
}

/// Splits a pattern into its anchor and the globs (relative to that anchor) it stands for.
fn translate(pattern: &str) -> Result<(Anchor, Vec<String>), String> {
    let trimmed = pattern.trim_end_matches('/');
    if trimmed.is_empty() && pattern.is_empty() {
        return Err("empty path pattern".into());
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
pub(crate) fn validate(pattern: &str) -> Result<(), String> {
    let (_, globs) = translate(pattern)?;
    globs.iter().try_for_each(|g| Glob::check(g, PATH_GLOBS))
}

/// A list of path rules: each rule's globs with their anchor, in written order (so the first
/// glob that matches belongs to the first rule that does), prepared on first use: a call
/// never pays for the sections it does not consult.
#[derive(Clone, Debug, Default)]
pub(crate) struct GlobList {
    pub rules: Vec<PathRule>,
    erring: bool,
    globs: OnceLock<Vec<(Anchor, Glob, usize)>>,
}

impl GlobList {
    /// `erring`: un-anchored patterns also meet paths outside the project (deny, ask, stop
    /// and high-risk lists), and a glob that cannot be built counts as matching. The rules
    /// were validated when the file was read, so this does not fail.
    pub fn build(rules: Vec<PathRule>, erring: bool) -> Result<GlobList, String> {
        Ok(GlobList {
            rules,
            erring,
            globs: OnceLock::new(),
        })
    }

    fn globs(&self) -> &[(Anchor, Glob, usize)] {
        self.globs.get_or_init(|| {
            let mut globs = Vec::new();
            for (index, rule) in self.rules.iter().enumerate() {
                let Ok((mut anchor, texts)) = translate(&rule.pattern) else {
                    globs.push((Anchor::Absolute, Glob::broken(&rule.pattern), index));
                    continue;
                };
                if anchor == Anchor::Anywhere && !self.erring {
                    anchor = Anchor::Project;
                }
                if anchor == Anchor::Anywhere {
                    anchor = Anchor::Absolute;
                }
                for text in texts {
                    let glob = Glob::new(&text, PATH_GLOBS).unwrap_or_else(|_| Glob::broken(&text));
                    globs.push((anchor, glob, index));
                }
            }
            globs
        })
    }

    /// The first rule (in written order) that names `view.path`.
    fn first_match(&self, view: &View) -> Option<&PathRule> {
        let relative = |anchor: Anchor| match anchor {
            Anchor::Project => view.path.strip_prefix(&view.root).ok(),
            Anchor::Home => view
                .home
                .as_deref()
                .and_then(|h| view.path.strip_prefix(h).ok()),
            Anchor::Absolute | Anchor::Anywhere => view.path.strip_prefix("/").ok(),
        };
        let (project, home, absolute) = (
            relative(Anchor::Project),
            relative(Anchor::Home),
            relative(Anchor::Absolute),
        );
        let owner = self.globs().iter().find_map(|(anchor, glob, owner)| {
            let path = match anchor {
                Anchor::Project => project,
                Anchor::Home => home,
                Anchor::Absolute | Anchor::Anywhere => absolute,
            }?;
            let hit = glob
                .try_matches(path.as_os_str().as_encoded_bytes())
                .unwrap_or(self.erring);
            hit.then_some(*owner)
        })?;
        self.rules.get(owner)
    }

    /// The first rule naming the literal path or its symlink target.
    pub fn first_match_either(&self, path: &Path, ctx: &PathContext<'_>) -> Option<&PathRule> {
        views(path, ctx).iter().find_map(|v| self.first_match(v))
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
                Some(rule) => Some(hit(Verdict::Allow, rule, &self.section)),
                None => self.fallback(view),
            })
            .collect();
        let strictest = per_view.iter().flatten().max_by_key(|h| h.verdict)?;
        if strictest.verdict == Verdict::Allow && per_view.iter().any(Option::is_none) {
            return None;
        }
        Some(strictest.clone())
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

#[cfg(test)]
#[path = "paths_rules_tests.rs"]
mod tests;
