//! One simple command's argv after expansion: wrappers peeled off, shells and `eval`
//! parsed recursively, `find -exec`, `cd`, then the file and network effects of the
//! program that finally runs.

use crate::paths::{Kernel, normalise, resolve_kernel};
use crate::shell::effects::{self, Role};
use crate::shell::vars;
use crate::shell::walk::{Output, Scope, Walker};
use crate::shell::words::{self, Expanded};
use crate::shell::wrappers::{self, ShellMode};
use crate::shell::{EffectKind, NetEffect, StdinFeed, network};
use std::path::{Path, PathBuf};

/// One argument: its text as written and its literal value, if it has one.
#[derive(Clone, Debug)]
pub struct Arg {
    pub raw: String,
    pub value: Option<String>,
    pub glob: Option<String>,
}

impl From<&Expanded> for Arg {
    fn from(e: &Expanded) -> Arg {
        Arg {
            raw: e.raw.clone(),
            value: e.value.clone(),
            glob: e.glob.clone(),
        }
    }
}

impl Arg {
    pub(super) fn literal(text: &str) -> Arg {
        Arg {
            raw: text.to_owned(),
            value: Some(text.to_owned()),
            glob: None,
        }
    }
    pub(super) fn shown(&self) -> &str {
        self.value.as_deref().unwrap_or(&self.raw)
    }
}

/// The program name as rules compare it: the basename, quotes and escapes already gone.
pub fn basename(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

impl Walker<'_, '_> {
    pub fn run_command(
        &mut self,
        expanded: &[Expanded],
        scope: &mut Scope,
        text: &str,
        process_subs: &[String],
    ) -> Option<Output> {
        let args: Vec<Arg> = expanded.iter().map(Arg::from).collect();
        self.run_argv(args, scope, text, process_subs, false)
    }

    pub(super) fn run_argv(
        &mut self,
        mut args: Vec<Arg>,
        scope: &mut Scope,
        text: &str,
        process_subs: &[String],
        from_xargs: bool,
    ) -> Option<Output> {
        let mut from_xargs = from_xargs;
        loop {
            let first = args.first()?;
            let Some(name_value) = first.value.clone().filter(|_| first.glob.is_none()) else {
                self.unanalysable(
                    format!("the command name `{}` is not a literal", first.raw),
                    text,
                );
                return None;
            };
            let name = basename(&name_value).to_owned();
            let shown: Vec<String> = args.iter().map(|a| a.shown().to_owned()).collect();
            if let Some(at) = wrappers::command_string_option(&name, &shown) {
                // `su -c 'rm -rf /'`, `script -qc …`, `flock f -c …`: a shell runs the string.
                self.push_command(&args, true, text);
                match at.and_then(|i| args[i].value.clone()) {
                    Some(script) => {
                        let inner = scope.without_stdin();
                        self.parse_and_walk(
                            &script,
                            &inner,
                            &format!("the command given to `{name} -c`"),
                        );
                    }
                    None => self.unanalysable(
                        format!("`{name} -c` with a command that is not a literal"),
                        text,
                    ),
                }
                return Some(Output::Program(name));
            }
            let Some(unwrapped) = wrappers::unwrap(&name, &shown) else {
                break;
            };
            if name == "parallel"
                && unwrapped
                    .start
                    .is_none_or(|i| matches!(args[i].shown(), ":::" | "::::" | ":::+"))
            {
                self.push_command(&args, true, text);
                self.unanalysable(
                    "`parallel` runs commands given as arguments or on its input",
                    text,
                );
                return None;
            }
            if unwrapped.start.is_none() && name == "env" && !unwrapped.opaque {
                break;
            }
            self.push_command(&args, true, text);
            if !wrappers::passes_status(&name) || unwrapped.unknown_operands {
                // `xargs cargo test` exits 0 when nothing ran.
                self.deciding = false;
            }
            if unwrapped.opaque {
                self.unanalysable(
                    "`env -S` runs a command string the analyser does not split",
                    text,
                );
                return None;
            }
            if let Some(dir) = &unwrapped.chdir {
                // `env -C DIR` is a `chdir(2)`: the kernel resolves it.
                scope.cwd = scope
                    .cwd
                    .as_deref()
                    .and_then(|c| self.directory_after_cd(Path::new(dir), c, true));
            }
            let start = unwrapped.start?;
            for arg in &args[1..start] {
                let assigned = arg.shown().split_once('=').map(|(n, _)| n);
                if let Some(n) = assigned
                    && wrappers::is_assignment(arg.shown())
                {
                    // `env HOME=. sh -c 'cat ~/.env'`
                    self.reassigned.note(n);
                }
                if assigned.is_some_and(|n| {
                    wrappers::is_assignment(arg.shown()) && wrappers::changes_what_runs(n)
                }) {
                    self.unanalysable(
                        format!("`{}` changes which program actually runs", arg.shown()),
                        text,
                    );
                }
            }
            // `watch CMD…` joins its arguments and runs them with `sh -c` (unless `-x`).
            if name == "watch" && !args.iter().any(|a| matches!(a.shown(), "-x" | "--exec")) {
                match args[start..]
                    .iter()
                    .map(|a| a.value.clone())
                    .collect::<Option<Vec<_>>>()
                {
                    Some(words) => {
                        self.parse_and_walk(
                            &words.join(" "),
                            scope,
                            "the command given to `watch`",
                        );
                    }
                    None => self.unanalysable("`watch` of a command that is not a literal", text),
                }
                return Some(Output::Program(name));
            }
            from_xargs |= unwrapped.unknown_operands;
            if unwrapped.unknown_operands {
                // xargs reads its operands from standard input.
            }
            args = args.split_off(start);
        }
        let first = args.first()?;
        let name = basename(first.value.as_deref().unwrap_or_default()).to_owned();
        // A word with glob characters that matches no file stays as written, so for the
        // network check a URL like `https://evil.example/?q` or `https://[::1]/` is itself.
        let argv_values: Vec<Option<&str>> = args
            .iter()
            .map(|a| {
                if a.glob.is_some() && !(network::is_fetcher(&name) && a.shown().contains(':')) {
                    None
                } else {
                    a.value.as_deref()
                }
            })
            .collect();
        // `export PATH=…`, `export LD_PRELOAD=…` are not ordinary variables: not transparent.
        let assigns_special = matches!(
            name.as_str(),
            "export" | "local" | "declare" | "typeset" | "readonly" | "unset"
        ) && args[1..]
            .iter()
            .any(|a| wrappers::changes_what_runs(a.shown().split('=').next().unwrap_or_default()));
        let transparent =
            wrappers::EFFECT_FREE_BUILTINS.contains(&name.as_str()) && !assigns_special;
        if assigns_special && name != "unset" {
            self.unanalysable(
                format!("`{name}` sets a variable that changes which program later commands run"),
                text,
            );
        }
        let values: Vec<Option<&str>> = args.iter().map(|a| a.value.as_deref()).collect();
        self.builtin_evaluates(&name, &values, scope);
        self.note_builtin_copies(&name, &args, text);
        match name.as_str() {
            "shopt" => self.apply_shopt(&values),
            "export" | "declare" | "typeset" | "local" | "readonly" => {
                for value in values.iter().skip(1).flatten() {
                    if let Some((assigned, _)) = value.split_once('=') {
                        self.note_globignore(assigned);
                    }
                }
            }
            _ => {}
        }
        let words: Vec<&str> = args.iter().map(Arg::shown).collect();
        self.reassigned = self
            .reassigned
            .union(vars::assigned_by_builtin(&name, &words));
        self.push_command(&args, transparent, text);
        self.note_branch_switch(&name, &args, scope, from_xargs);
        if let Some((producer, fed)) = &scope.stdin {
            self.out.feeds.push(StdinFeed {
                program: name.clone(),
                producer: producer.clone(),
                text: fed.clone(),
                command: text.to_owned(),
            });
        }
        if from_xargs && !effects::never_reads(&name) {
            self.unanalysable(
                format!("`xargs` passes `{name}` operands read from its input"),
                text,
            );
        }
        match name.as_str() {
            "cd" | "pushd" => {
                self.change_directory(&args, scope);
                return Some(Output::Program(name));
            }
            "popd" => scope.cwd = None,
            "set" => {
                let words: Vec<&str> = args[1..].iter().map(Arg::shown).collect();
                self.physical_cd = set_physical(self.physical_cd, &words);
            }
            "eval" => {
                match args[1..]
                    .iter()
                    .map(|a| a.value.clone())
                    .collect::<Option<Vec<_>>>()
                {
                    Some(values) => {
                        self.parse_and_walk(&values.join(" "), scope, "the text given to `eval`");
                        if values
                            .iter()
                            .any(|v| v.contains("cd") || v.contains("pushd"))
                        {
                            // A `cd` inside `eval` moves later relative paths; we do not
                            // follow it.
                            scope.cwd = None;
                        }
                    }
                    None => self.unanalysable("`eval` of text that is not a literal", text),
                }
                return Some(Output::Program(name));
            }
            "source" | "." if !process_subs.is_empty() => {
                self.feed_from_process_subs(&name, process_subs, text);
            }
            "source" | "." => self.note_executed(args.get(1), scope),
            _ if first.value.as_deref().is_some_and(|v| v.contains('/')) => {
                self.note_executed(args.first(), scope)
            }
            "find" => {
                // `find -exec` statuses do not reach find's own.
                self.deciding = false;
                return self.run_find(&args, scope, text);
            }
            _ => {}
        }
        if wrappers::is_shell(&name) {
            self.run_shell(&name, &args, scope, text, process_subs);
        }
        self.operand_effects(&name, &args, scope, text);
        self.network_effects(&name, &argv_values, text);
        Some(output_of(&name, &args))
    }

    fn push_command(&mut self, args: &[Arg], transparent: bool, text: &str) {
        let mut argv: Vec<String> = args.iter().map(|a| a.shown().to_owned()).collect();
        if let Some(first) = argv.first_mut() {
            *first = basename(first).to_owned();
        }
        let (mut expands, mut reports) = (Vec::new(), Vec::new());
        for arg in args.iter().filter(|a| a.value.is_none()) {
            // A word that does not parse was refused already; as written it names what
            // it may expand.
            let (e, r) = words::variables_of(&arg.raw).unwrap_or_default();
            expands.extend(e);
            reports.extend(r);
        }
        self.out.commands.push(crate::shell::SimpleCommand {
            argv,
            transparent,
            text: text.to_owned(),
            status_decides: self.deciding,
            git_branch: self.branch.clone(),
            expands,
            reports,
        });
    }

    fn feed_from_process_subs(&mut self, name: &str, process_subs: &[String], text: &str) {
        for producer in process_subs {
            self.out.feeds.push(StdinFeed {
                program: name.to_owned(),
                producer: producer.clone(),
                text: None,
                command: text.to_owned(),
            });
        }
        self.unanalysable(
            format!(
                "`{name}` runs a script produced by `{}`",
                process_subs.join("`, `")
            ),
            text,
        );
    }

    fn change_directory(&mut self, args: &[Arg], scope: &mut Scope) {
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
    fn directory_after_cd(&self, dir: &Path, base: &Path, physical: bool) -> Option<PathBuf> {
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

    fn run_shell(
        &mut self,
        name: &str,
        args: &[Arg],
        scope: &mut Scope,
        text: &str,
        process_subs: &[String],
    ) {
        let shown: Vec<String> = args.iter().map(|a| a.shown().to_owned()).collect();
        match wrappers::shell_mode(&shown) {
            ShellMode::String(i) => match &args[i].value {
                Some(script) => {
                    let inner = scope.without_stdin();
                    self.parse_and_walk(
                        script,
                        &inner,
                        &format!("the script given to `{name} -c`"),
                    );
                }
                None => self.unanalysable(
                    format!(
                        "`{name} -c` with a script that is not a literal ({})",
                        args[i].raw
                    ),
                    text,
                ),
            },
            ShellMode::File(i) => self.note_executed(args.get(i), scope),
            ShellMode::MissingString => {}
            ShellMode::Stdin => {
                if !process_subs.is_empty() {
                    self.feed_from_process_subs(name, process_subs, text);
                    return;
                }
                match scope.stdin.clone() {
                    Some((_, Some(script))) => {
                        let inner = scope.without_stdin();
                        self.parse_and_walk(
                            &script,
                            &inner,
                            &format!("the script fed to `{name}`"),
                        );
                    }
                    Some((producer, None)) if producer != "file" => {
                        self.unanalysable(
                            format!("`{name}` runs a script read from `{producer}`"),
                            text,
                        );
                    }
                    _ => {}
                }
            }
        }
    }

    fn operand_effects(&mut self, name: &str, args: &[Arg], scope: &Scope, text: &str) {
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
                        .is_some_and(effects::is_message_option);
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

    fn network_effects(&mut self, name: &str, values: &[Option<&str>], text: &str) {
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
fn set_physical(current: bool, words: &[&str]) -> bool {
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
                (Some(dir), None) if dir.starts_with('/') => {
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

/// What a command prints, when a shell downstream might run it.
fn output_of(name: &str, args: &[Arg]) -> Output {
    let values: Option<Vec<&str>> = args[1..].iter().map(|a| a.value.as_deref()).collect();
    match (name, values) {
        ("echo", Some(values)) => {
            let mut words: &[&str] = &values;
            let mut interpret = false;
            while let Some((first, rest)) = words.split_first() {
                if matches!(*first, "-n" | "-e" | "-E" | "-ne" | "-en") {
                    interpret |= first.contains('e');
                    words = rest;
                } else {
                    break;
                }
            }
            let text = words.join(" ");
            Output::Literal(
                if interpret {
                    words::decode_ansi_c(&text)
                } else {
                    text
                } + "\n",
            )
        }
        ("printf", Some(values)) if values.first().is_some_and(|f| !f.contains('%')) => {
            Output::Literal(words::decode_ansi_c(values[0]))
        }
        _ => Output::Program(name.to_owned()),
    }
}
