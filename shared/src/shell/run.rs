//! One simple command's argv after expansion: wrappers peeled off, shells and `eval`
//! parsed recursively, `find -exec`, `cd`, then the file and network effects of the
//! program that finally runs.

use crate::shell::cd::set_physical;
use crate::shell::effects;
use crate::shell::vars;
use crate::shell::walk::{Output, Scope, Walker};
use crate::shell::words::{self, Expanded};
use crate::shell::wrappers::{self, ShellMode};
use crate::shell::{StdinFeed, network};
use std::path::Path;

/// One argument: its text as written and its literal value, if it has one.
#[derive(Clone, Debug)]
pub struct Arg {
    pub raw: String,
    pub value: Option<String>,
    pub glob: Option<String>,
}

impl From<Expanded> for Arg {
    fn from(e: Expanded) -> Arg {
        Arg {
            raw: e.raw,
            value: e.value,
            glob: e.glob,
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
        expanded: Vec<Expanded>,
        scope: &mut Scope,
        text: &str,
        process_subs: &[String],
    ) -> Option<Output> {
        let args: Vec<Arg> = expanded.into_iter().map(Arg::from).collect();
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
            let Some(name_value) = first.value.as_deref().filter(|_| first.glob.is_none()) else {
                self.unanalysable(
                    format!("the command name `{}` is not a literal", first.raw),
                    text,
                );
                return None;
            };
            let name = basename(name_value).to_owned();
            let shown: Vec<&str> = args.iter().map(Arg::shown).collect();
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
            if unwrapped.start.is_none()
                && name == "env"
                && !unwrapped.opaque
                && unwrapped.problem.is_none()
            {
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
            if let Some(problem) = unwrapped.problem.clone() {
                self.unanalysable(problem, text);
                return None;
            }
            if let Some(dir) = &unwrapped.chdir {
                // `env -C DIR` is a `chdir(2)`: the kernel resolves it.
                scope.cwd = scope
                    .cwd
                    .as_deref()
                    .and_then(|c| self.directory_after_cd(Path::new(dir), c, true));
            }
            let Some(start) = unwrapped.start else {
                if from_xargs {
                    // `xargs sudo --`: the program itself comes from xargs's input.
                    self.unanalysable(
                        format!("`xargs {name}` runs a program named by its input"),
                        text,
                    );
                }
                return None;
            };
            for arg in &args[1..start] {
                let assigned = arg.shown().split_once('=').map(|(n, _)| n);
                if let Some(n) = assigned
                    && wrappers::is_assignment(arg.shown())
                {
                    // `env HOME=. sh -c 'cat ~/.env'`
                    self.reassigned.note(n);
                    self.note_globignore(n);
                }
                if assigned.is_some_and(|n| {
                    wrappers::is_assignment(arg.shown())
                        && wrappers::assignment_runs_code(
                            n,
                            arg.shown().split_once('=').map_or("", |(_, v)| v),
                        )
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
        ) && args[1..].iter().any(|a| {
            wrappers::changes_what_later_runs(a.shown().split('=').next().unwrap_or_default())
        });
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
        if from_xargs && !effects::never_reads(&name) && !self.xargs_reads_listing(&name, scope) {
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
        let roles = self.operand_effects(&name, &args, scope, text);
        self.program_effects(&name, &args, roles, scope, text);
        self.network_effects(&name, &argv_values, text);
        Some(output_of(&name, &args))
    }

    fn push_command(&mut self, args: &[Arg], transparent: bool, text: &str) {
        let mut argv: Vec<String> = args.iter().map(|a| a.shown().to_owned()).collect();
        if let Some(first) = argv.first_mut() {
            *first = basename(first).to_owned();
        }
        crate::shell::programs::canonical_argv(&mut argv);
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

    fn run_shell(
        &mut self,
        name: &str,
        args: &[Arg],
        scope: &mut Scope,
        text: &str,
        process_subs: &[String],
    ) {
        let shown: Vec<&str> = args.iter().map(Arg::shown).collect();
        self.apply_shell_options(&shown);
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
