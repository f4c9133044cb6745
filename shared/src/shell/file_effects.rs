//! The file and network effects of the program that finally runs: each operand's role
//! (read, write, delete) from [`super::effects`], globs expanded under the shell's options,
//! `git -C` bases, fetchers' hosts. Split from [`super::run`].

use crate::fsview::FsView;
use crate::paths::{Kernel, normalise, resolve_kernel};
use crate::shell::effects::{self, Role};
use crate::shell::run::Arg;
use crate::shell::walk::{Scope, Walker};
use crate::shell::words;
use crate::shell::{EffectKind, FileEffect, NetEffect, network};
use std::path::{Path, PathBuf};

impl Walker<'_, '_> {
    /// Whether `path` (relative to `base`) names an existing file once the kernel resolves
    /// it; a path into a process's own view counts as existing (its effect is then
    /// recorded, and found unanalysable).
    pub fn exists_resolved(&self, path: &Path, base: &Path) -> bool {
        let view = SameCommandLinks {
            fs: self.ctx.fs,
            links: &self.links,
        };
        match resolve_kernel(path, base, &view) {
            Kernel::Path(p) => view.exists(&p),
            Kernel::ProcessRelative(_) => true,
        }
    }

    /// Records one file effect, resolving a relative path against `base` as the kernel
    /// does ([`resolve_kernel`]).
    pub fn file_effect(&mut self, path: &Path, kind: EffectKind, base: Option<&Path>, text: &str) {
        let view = SameCommandLinks {
            fs: self.ctx.fs,
            links: &self.links,
        };
        let resolved = match (path.is_absolute(), base) {
            // The base matters for an absolute path only through `/proc/self/cwd`.
            (_, Some(base)) => resolve_kernel(path, base, &view),
            (true, None) if !crate::paths::names_call_cwd(path) => {
                resolve_kernel(path, Path::new("/"), &view)
            }
            (_, None) => {
                self.unanalysable(
                        format!("`{}` is relative to a directory the analyser cannot follow (a non-literal `cd`)", path.display()),
                        text,
                    );
                return;
            }
        };
        let absolute = match resolved {
            Kernel::Path(path) => path,
            Kernel::ProcessRelative(why) => {
                self.unanalysable(why, text);
                return;
            }
        };
        if is_device(&absolute) {
            return;
        }
        let effect = FileEffect {
            path: absolute,
            kind,
            command: text.to_owned(),
            name_filter: Vec::new(),
        };
        // Deduplicated through a key set: a linear scan per effect made thousands of
        // redirect targets quadratic (seconds). The key names the command text by its
        // address; a repeated key falls back to the exact comparison.
        let key = (
            effect.path.clone(),
            kind,
            text.as_ptr() as usize,
            text.len(),
        );
        if self.effect_keys.insert(key) || !self.out.effects.contains(&effect) {
            self.out.effects.push(effect);
        }
    }
    /// The effects of each operand by its role; returns the roles (the program's other
    /// effects start from them).
    pub(super) fn operand_effects(
        &mut self,
        name: &str,
        args: &[Arg],
        scope: &Scope,
        text: &str,
    ) -> Vec<Role> {
        let values: Vec<Option<&str>> = args.iter().map(|a| a.value.as_deref()).collect();
        let (roles, problems) = effects::roles(name, &values);
        for problem in problems {
            self.unanalysable(problem, text);
        }
        let git_base = if name == "git" {
            git_base(args, scope.cwd.as_deref(), self.ctx.fs)
        } else {
            None
        };
        let mut base_scope;
        let scope = if let Some(base) = git_base {
            base_scope = scope.clone();
            base_scope.cwd = base;
            &base_scope
        } else {
            scope
        };
        match effects::writes_into_folder(name, &values) {
            Some(Some(dir)) => self.operand(&args[dir], Role::Write, scope, text, name),
            Some(None) => self.file_effect(
                Path::new("."),
                EffectKind::Write,
                scope.cwd.as_deref(),
                text,
            ),
            None => {}
        }
        let symlink_copy = name == "cp"
            && args.iter().any(|a| {
                let v = a.shown();
                v == "--symbolic-link"
                    || v.starts_with('-') && !v.starts_with("--") && v.contains('s')
            });
        if name == "ln" || symlink_copy {
            self.record_links(args, scope, text);
        }
        let never_reads = effects::never_reads(name);
        for (i, arg) in args.iter().enumerate().skip(1) {
            if arg.value.is_none() {
                let after_message = i > 0
                    && args[i - 1]
                        .value
                        .as_deref()
                        .is_some_and(|flag| effects::is_message_option_of(name, flag));
                let data_flag =
                    arg.raw.starts_with('-') && arg.raw.contains('=') && !arg.raw.contains("=$(");
                if !never_reads && !after_message && !data_flag {
                    self.unanalysable(
                        format!("the operand `{}` of `{name}` is not a literal", arg.raw),
                        text,
                    );
                }
                continue;
            }
            self.operand(
                arg,
                roles.get(i).copied().unwrap_or(Role::Read),
                scope,
                text,
                name,
            );
        }
        roles
    }

    pub(super) fn operand(&mut self, arg: &Arg, role: Role, scope: &Scope, text: &str, name: &str) {
        match role {
            Role::ReadAndWrite => {
                self.operand(arg, Role::Read, scope, text, name);
                return self.operand(arg, Role::Write, scope, text, name);
            }
            Role::ReadAndDelete { recursive } => {
                self.operand(arg, Role::Read, scope, text, name);
                return self.operand(arg, Role::Delete { recursive }, scope, text, name);
            }
            _ => {}
        }
        let Some(value) = arg.value.as_deref() else {
            if role != Role::Data {
                self.unanalysable(
                    format!("the operand `{}` of `{name}` is not a literal", arg.raw),
                    text,
                );
            }
            return;
        };
        let Some(value) = effects::operand_path(name, role, value) else {
            return;
        };
        let kind = match role {
            Role::Data => return,
            Role::ReadFromHistory => {
                // Relative to the repository root unless written `./x` or `../x`.
                let base = if value.starts_with("./") || value.starts_with("../") {
                    scope.cwd.clone()
                } else {
                    Some(self.ctx.project_dir.clone())
                };
                self.file_effect(Path::new(value), EffectKind::Read, base.as_deref(), text);
                return;
            }
            Role::Read => EffectKind::Read,
            Role::Write => EffectKind::Write,
            Role::WriteIfExists => {
                let exists = scope
                    .cwd
                    .as_deref()
                    .is_some_and(|base| self.exists_resolved(Path::new(value), base));
                if !exists {
                    return;
                }
                EffectKind::Write
            }
            Role::Delete { recursive } => EffectKind::Delete { recursive },
            Role::ReadAndWrite | Role::ReadAndDelete { .. } => return,
        };
        let paths: Vec<PathBuf> = match (&arg.glob, scope.cwd.as_deref()) {
            (Some(pattern), Some(base)) => {
                let pattern = pattern.strip_prefix("of=").unwrap_or(pattern);
                if let Some(why) = self.glob_options.refuses(pattern) {
                    self.unanalysable(why, text);
                    return;
                }
                match words::expand_glob_with(pattern, base, self.ctx.fs, self.glob_options) {
                    Some(paths) => {
                        if let EffectKind::Delete { recursive: true } = kind {
                            // `rm -rf *` at a root is a delete of the root's contents: say so.
                            let parent = normalise(Path::new(pattern), base);
                            if let Some(dir) = parent.parent()
                                && pattern.rsplit('/').next() == Some("*")
                            {
                                self.file_effect(dir, kind, Some(base), text);
                            }
                        }
                        paths
                    }
                    None => {
                        self.unanalysable(
                            format!("the glob `{}` of `{name}` matches too many files", arg.raw),
                            text,
                        );
                        return;
                    }
                }
            }
            _ => vec![PathBuf::from(value)],
        };
        for path in paths {
            if kind == EffectKind::Read {
                let exists = match scope.cwd.as_deref() {
                    Some(base) => self.exists_resolved(&path, base),
                    None if path.is_absolute() => self.exists_resolved(&path, Path::new("/")),
                    None => {
                        self.file_effect(&path, kind, None, text);
                        continue;
                    }
                };
                if !exists {
                    continue;
                }
            }
            self.file_effect(&path, kind, scope.cwd.as_deref(), text);
        }
    }

    pub(super) fn network_effects(&mut self, name: &str, values: &[Option<&str>], text: &str) {
        if !network::is_fetcher(name) {
            return;
        }
        for url in network::targets(name, values) {
            if let Some(path) = network::file_url_path(&url) {
                // `curl file:///…/.env` reads a local file.
                self.file_effect(Path::new(&path), EffectKind::Read, None, text);
                continue;
            }
            if let Some(host) = network::host_of(&url) {
                let effect = NetEffect {
                    host,
                    url,
                    command: text.to_owned(),
                };
                if !self.out.network.contains(&effect) {
                    self.out.network.push(effect);
                }
            }
        }
    }
}

/// `git -C a -C b`: the directory git's paths are relative to.
fn git_base(
    args: &[Arg],
    cwd: Option<&Path>,
    fs: &dyn crate::fsview::FsView,
) -> Option<Option<PathBuf>> {
    let mut base = cwd.map(Path::to_path_buf);
    let mut changed = false;
    let mut i = 1;
    while i + 1 < args.len() && args[i].shown().starts_with('-') {
        if args[i].shown() == "-C" {
            changed = true;
            base = match (&args[i + 1].value, base) {
                // `git -C` is a `chdir(2)`: resolved as the kernel does.
                (Some(dir), Some(b)) => match resolve_kernel(Path::new(dir), &b, fs) {
                    Kernel::Path(path) => Some(path),
                    Kernel::ProcessRelative(_) => None,
                },
                (Some(dir), None)
                    if dir.starts_with('/') && !crate::paths::names_call_cwd(Path::new(dir)) =>
                {
                    match resolve_kernel(Path::new(dir), Path::new("/"), fs) {
                        Kernel::Path(path) => Some(path),
                        Kernel::ProcessRelative(_) => None,
                    }
                }
                _ => None,
            };
            i += 2;
        } else if matches!(
            args[i].shown(),
            "-c" | "--git-dir" | "--work-tree" | "--config-env"
        ) {
            i += 2;
        } else {
            i += 1;
        }
    }
    changed.then_some(base)
}

fn is_device(path: &Path) -> bool {
    let text = path.to_string_lossy();
    matches!(
        text.as_ref(),
        "/dev/null" | "/dev/stdout" | "/dev/stderr" | "/dev/tty" | "/dev/stdin"
    ) || text.starts_with("/dev/fd/")
}

/// The file system as it will be when the command runs, as far as `..` cares: links the
/// same command makes (`ln -s secrets/sub l; cat l/../k.pem`) already resolve to their
/// targets. Everything else is the real view.
struct SameCommandLinks<'a> {
    fs: &'a dyn FsView,
    links: &'a [(PathBuf, PathBuf, String)],
}

impl SameCommandLinks<'_> {
    fn through_links(&self, path: &Path, hops: usize) -> Option<PathBuf> {
        let (link, target) = self
            .links
            .iter()
            .rev()
            .find(|(link, _, _)| path.starts_with(link))
            .map(|(link, target, _)| (link, target))?;
        let rest = path.strip_prefix(link).ok()?;
        let mapped = normalise(&target.join(rest), Path::new("/"));
        if hops < 8
            && let Some(further) = self.through_links(&mapped, hops + 1)
        {
            return Some(further);
        }
        Some(self.fs.canonicalize(&mapped).unwrap_or(mapped))
    }
}

impl FsView for SameCommandLinks<'_> {
    fn exists(&self, path: &Path) -> bool {
        self.fs.exists(path)
            || self
                .through_links(path, 0)
                .is_some_and(|p| self.fs.exists(&p))
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.fs.is_dir(path)
    }
    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        self.through_links(path, 0)
            .or_else(|| self.fs.canonicalize(path))
    }
    fn read_small(&self, path: &Path, max_bytes: u64) -> Option<String> {
        self.fs.read_small(path, max_bytes)
    }
    fn list_dir(&self, path: &Path) -> Option<Vec<String>> {
        self.fs.list_dir(path)
    }
}
