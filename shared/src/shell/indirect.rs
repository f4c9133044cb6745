//! Effects that reach a file indirectly: deletes narrowed by `find`'s name tests (find
//! itself is modelled in [`super::programs`]), links made
//! earlier in the same command (a write through `src/m -> ../migrations` is a write of
//! `migrations`), and scripts the same command writes and then runs. Split from
//! [`super::run`], which calls into here.

use crate::paths::normalise;
use crate::shell::run::Arg;
use crate::shell::walk::{Scope, Walker};
use crate::shell::{Analysis, EffectKind, FileEffect};
use std::path::{Path, PathBuf};

impl Walker<'_, '_> {
    /// Narrows the deletes added since `first` to the entries the filter's patterns match.
    pub(in crate::shell) fn filter_deletes(&mut self, first: usize, filter: &NameFilter) {
        let Some(patterns) = filter.patterns() else {
            return;
        };
        for effect in self.out.effects.iter_mut().skip(first) {
            if matches!(effect.kind, EffectKind::Delete { .. }) {
                effect.name_filter = patterns.to_vec();
            }
        }
    }

    /// `ln [-s] TARGET… LINK`: remembers where the link points, so a write through the link
    /// later in the same command (`ln -s ../migrations src/m && touch src/m/x`) is decided as
    /// a write of the target too, and reads the target (a symlink's target is relative to
    /// the link's folder).
    pub(super) fn record_links(&mut self, args: &[Arg], scope: &Scope, command: &str) {
        let Some(cwd) = scope.cwd.as_deref() else {
            return;
        };
        if args.iter().any(|a| {
            let v = a.shown();
            v == "-t"
                || v.starts_with("--target-directory")
                || v.starts_with("-t") && !v.starts_with("--")
        }) {
            return;
        }
        let values: Vec<&str> = args[1..]
            .iter()
            .filter_map(|a| a.value.as_deref())
            .collect();
        if values.len() + 1 != args.len() {
            return;
        }
        let symbolic = values.iter().any(|a| {
            *a == "--symbolic" || a.starts_with('-') && !a.starts_with("--") && a.contains('s')
        });
        let operands: Vec<&str> = values
            .iter()
            .copied()
            .filter(|a| !a.starts_with('-'))
            .collect();
        let [targets @ .., link] = operands.as_slice() else {
            return;
        };
        let link = normalise(Path::new(link), cwd);
        let into_dir = targets.len() > 1 || self.ctx.fs.is_dir(&link);
        for target in targets {
            let link_path = match Path::new(target).file_name() {
                Some(file) if into_dir => link.join(file),
                _ => link.clone(),
            };
            let base = if symbolic {
                link_path
                    .parent()
                    .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf)
            } else {
                cwd.to_path_buf()
            };
            let resolved = normalise(Path::new(target), &base);
            if symbolic && self.ctx.fs.exists(&resolved) {
                self.file_effect(&resolved, EffectKind::Read, None, &format!("ln {target}"));
            }
            self.links.push((link_path, resolved, command.to_owned()));
        }
    }

    /// Remembers a script file this command runs (`bash x.sh`, `. ./x`, `./x.sh`): running
    /// a file the same command writes is running code the analyser never saw.
    pub(super) fn note_executed(&mut self, arg: Option<&Arg>, scope: &Scope) {
        if let (Some(value), Some(cwd)) =
            (arg.and_then(|a| a.value.as_deref()), scope.cwd.as_deref())
        {
            self.executed.push(normalise(Path::new(value), cwd));
        }
    }
}

/// An effect on a path under a link made earlier in the same command is also an effect on
/// what the link points to (the file system does not have the link yet when we decide).
pub fn follow_links(out: &mut Analysis, links: &[(PathBuf, PathBuf, String)]) {
    if links.is_empty() {
        return;
    }
    let mut extra = Vec::new();
    for effect in &out.effects {
        for (link, target, made_by) in links {
            if &effect.command == made_by {
                continue;
            }
            if let Ok(rest) = effect.path.strip_prefix(link) {
                let through = FileEffect {
                    path: normalise(rest, target),
                    kind: effect.kind,
                    command: effect.command.clone(),
                    name_filter: effect.name_filter.clone(),
                };
                if !out.effects.contains(&through) && !extra.contains(&through) {
                    extra.push(through);
                }
            }
        }
    }
    out.effects.extend(extra);
}

/// What a `find` expression restricts its actions to by name: the literal `-name`/`-iname`
/// patterns before the action. Only a plain conjunction counts: with `-o`, `!`, `-not`, `,`
/// or parentheses a branch may match without any pattern, so nothing is narrowed.
#[derive(Clone, Debug)]
pub(in crate::shell) struct NameFilter {
    patterns: Option<Vec<String>>,
}

impl NameFilter {
    pub(in crate::shell) fn of_expression(expression: &[Arg]) -> NameFilter {
        let alternatives = expression.iter().any(|a| {
            matches!(
                a.shown(),
                "-o" | "-or" | "!" | "-not" | "," | "(" | ")" | "\\(" | "\\)"
            )
        });
        NameFilter {
            patterns: (!alternatives).then(Vec::new),
        }
    }

    /// A `-name` test: its pattern narrows the actions after it; a pattern that is not a
    /// literal narrows nothing we can check.
    pub(in crate::shell) fn add(&mut self, pattern: Option<&Arg>) {
        match (pattern.and_then(|p| p.value.clone()), &mut self.patterns) {
            (Some(pattern), Some(patterns)) => patterns.push(pattern),
            (_, patterns) => *patterns = None,
        }
    }

    /// The patterns an action is narrowed to, if any.
    fn patterns(&self) -> Option<&[String]> {
        self.patterns.as_deref().filter(|p| !p.is_empty())
    }
}
