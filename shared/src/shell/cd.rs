//! `cd`, `pushd`, `env -C`, `git -C`: where relative paths lead after a change of directory.
//! Bash's default `cd` is logical (`..` taken lexically on `$PWD`); `cd -P` and `set -P`
//! resolve as the kernel does ([`crate::paths::resolve_kernel`]). Split from [`super::run`].

use crate::paths::{Kernel, normalise, resolve_kernel};
use crate::shell::run::Arg;
use crate::shell::walk::{Scope, Walker};
use std::path::{Path, PathBuf};

impl Walker<'_, '_> {
    pub(super) fn change_directory(&mut self, args: &[Arg], scope: &mut Scope) {
        let options: Vec<&str> = args[1..]
            .iter()
            .map(Arg::shown)
            .take_while(|a| a.starts_with('-') && *a != "-")
            .collect();
        let physical = cd_physical(self.physical_cd, &options);
        let target = args[1..]
            .iter()
            .find(|a| !matches!(a.value.as_deref(), Some("-L" | "-P" | "-e" | "-@" | "--")));
        scope.cwd = match target {
            // `cd` alone goes to `$HOME`.
            None if self.unknown_vars.contains("HOME") => None,
            None => self.ctx.home.clone(),
            Some(arg) => match (arg.value.as_deref(), &arg.glob) {
                (Some("-"), _) | (None, _) | (_, Some(_)) => None,
                // A reassigned `CDPATH` may send `cd dir` anywhere.
                (Some(dir), None)
                    if self.unknown_vars.contains("CDPATH")
                        && !(dir.starts_with('/')
                            || matches!(dir, "." | "..")
                            || dir.starts_with("./")
                            || dir.starts_with("../")) =>
                {
                    None
                }
                (Some(dir), None) => {
                    let dir = Path::new(dir);
                    let base = if dir.is_absolute() {
                        Some(Path::new("/"))
                    } else {
                        scope.cwd.as_deref()
                    };
                    base.and_then(|base| self.directory_after_cd(dir, base, physical))
                }
            },
        };
    }

    /// Where `cd DIR` lands from `base`. Bash's default (`-L`) treats `..` lexically on
    /// the logical path, falling back to the physical path when that folder does not exist;
    /// `cd -P` and `set -P` resolve as the kernel does. `None` when it cannot be known.
    pub(super) fn directory_after_cd(
        &self,
        dir: &Path,
        base: &Path,
        physical: bool,
    ) -> Option<PathBuf> {
        if !physical {
            let logical = normalise(dir, base);
            if self.ctx.fs.exists(&logical) {
                return Some(logical);
            }
        }
        match resolve_kernel(dir, base, self.ctx.fs) {
            Kernel::Path(path) if physical => Some(self.ctx.fs.canonicalize(&path).unwrap_or(path)),
            Kernel::Path(path) => Some(path),
            Kernel::ProcessRelative(_) => None,
        }
    }
}

/// Whether `cd` with these options resolves physically: `-P` (the last of `-L`/`-P`
/// wins) or `set -P` in force.
fn cd_physical(set_p: bool, options: &[&str]) -> bool {
    let mut physical = set_p;
    for option in options {
        if *option == "--" {
            break;
        }
        for flag in option.chars().skip(1) {
            match flag {
                'P' => physical = true,
                'L' => physical = false,
                _ => {}
            }
        }
    }
    physical
}

/// `set -P` / `set -o physical` (and `+P`, `+o physical`) as given to `set`.
pub(super) fn set_physical(current: bool, words: &[&str]) -> bool {
    let mut physical = current;
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        let on = word.starts_with('-');
        if matches!(word, "-o" | "+o") {
            if words.get(i + 1) == Some(&"physical") {
                physical = on;
            }
            i += 2;
            continue;
        }
        if (on || word.starts_with('+')) && !word.starts_with("--") && word[1..].contains('P') {
            physical = on;
        }
        i += 1;
    }
    physical
}
