//! Per-program option models (SPEC §5.1): for each modelled program a table of every option
//! it knows and what its value is (data, a file read, a file written, a command run), so a
//! missing option is visible in review, and an option the table does not know makes the
//! part unanalysable instead of being taken as data.
//!
//! [`model`] is the one entry: the role of each word, the problems that make the part
//! unanalysable, the whole folders the program reads ([`folders`]) and the commands its
//! options run. [`crate::shell::effects::roles`] takes the roles and problems;
//! [`Walker::program_effects`] the rest (one call in `run.rs`).

pub mod fetchers;
mod find;
pub mod folders;
pub mod git;
mod git_options;
mod grep;
pub mod interpreters;
mod options;
pub mod runners;
mod sed;
mod tools;
pub mod unmodelled;

use crate::paths::normalise;
use crate::shell::effects::Role;
use crate::shell::run::Arg;
use crate::shell::walk::{Scope, Walker};
use folders::{FolderRead, Visit};
use options::{Scanned, Value, ValueText};
use std::path::Path;

/// What a modelled program does with its argv.
#[derive(Debug, Default)]
pub struct Model {
    /// One per word; index 0 (the program) is `Data`.
    pub roles: Vec<Role>,
    /// Why the part is unanalysable (an unknown option, a script read from a file …).
    pub problems: Vec<String>,
    /// Files named inside option words (`--file=F`, `-fF`): path and role.
    pub attached: Vec<(String, Role)>,
    /// The folders the program reads whole.
    pub folders: Option<FolderScan>,
    /// Commands the program's options run.
    pub runs: Vec<Run>,
}

/// The folders a program reads whole, and how it walks them.
#[derive(Debug)]
pub struct FolderScan {
    pub visit: Visit,
    /// Word indices of the roots (only those naming a folder count).
    pub roots: Vec<usize>,
    /// No root given: the current folder.
    pub default_root: bool,
}

/// A command an option runs.
#[derive(Debug)]
pub enum Run {
    /// A program run with the given words after it (`rg --pre CMD` runs `CMD FILE`).
    Argv {
        program: String,
        operands: Vec<usize>,
        why: String,
    },
    /// A string run by a shell (`git rebase --exec`, `tar --to-command`).
    Script { script: String, why: String },
}

impl Model {
    /// Every word data (options and patterns), to be refined.
    fn data(n: usize) -> Model {
        Model {
            roles: vec![Role::Data; n],
            ..Model::default()
        }
    }

    /// Gives each option's value its role; unknown options become problems.
    fn apply_options(&mut self, s: &Scanned<'_>, program: &str, args: &[Option<&str>]) {
        for f in &s.options {
            let role = match f.opt.value {
                Value::Read => Role::Read,
                Value::Write | Value::WriteDir => Role::Write,
                Value::Run => {
                    match value_text(f.value.as_ref(), args) {
                        Some(command) => self.runs.push(Run::Argv {
                            program: command.to_owned(),
                            operands: Vec::new(),
                            why: format!("`{program} {}` runs it", f.name),
                        }),
                        None => self.problems.push(format!(
                            "`{program} {}` runs a command that is not a literal",
                            f.name
                        )),
                    }
                    continue;
                }
                Value::Flag | Value::Data | Value::Optional => continue,
            };
            match &f.value {
                Some((i, ValueText::Word)) => {
                    if let Some(r) = self.roles.get_mut(*i) {
                        *r = role;
                    }
                }
                Some((_, ValueText::Attached(v))) => self.attached.push((v.clone(), role)),
                None => {}
            }
        }
        for word in &s.unknown {
            self.problems.push(format!(
                "`{program}` option `{word}` is not in the model of `{program}` (it may take a file or a command)"
            ));
        }
    }
}

/// The text of an option's value.
fn value_text<'a>(v: Option<&'a (usize, ValueText)>, args: &[Option<&'a str>]) -> Option<&'a str> {
    match v? {
        (_, ValueText::Attached(t)) => Some(t.as_str()),
        (i, ValueText::Word) => args.get(*i).copied().flatten(),
    }
}

/// The model of `name`, when this module models it.
pub fn model(name: &str, args: &[Option<&str>]) -> Option<Model> {
    if grep::models(name) {
        return Some(grep::model(name, args));
    }
    if name == "git" {
        return Some(git::model(args));
    }
    if matches!(name, "sed" | "gsed") {
        return Some(sed::model(args));
    }
    None
}

/// Roles and problems added by the tools whose options write or run (formatters, build
/// outputs, `tar --to-command`, …) on top of `roles`.
pub fn refine_roles(
    name: &str,
    args: &[Option<&str>],
    roles: &mut Vec<Role>,
    problems: &mut Vec<String>,
) {
    if let Some(t) = tools::refine(name, args, roles.clone()) {
        *roles = t.roles;
        problems.extend(t.problems);
    }
}

/// A command's words as the program reads them, for rules to match: git's long options
/// spelled in full (`git reset --ha` is `git reset --hard`).
pub fn canonical_argv(argv: &mut [String]) {
    if argv.first().is_some_and(|a| a == "git") {
        git::canonical(argv);
    }
}

/// The folder walk of a copier or archiver given a whole folder (`cp -r`, `tar c`,
/// `zip -r`, `rsync -r`, `scp -r`): every read operand that is a folder is read whole.
fn copier_visit(name: &str, args: &[Option<&str>]) -> Option<Visit> {
    let words: Vec<&str> = args.iter().skip(1).flatten().copied().collect();
    let short = |c: char| {
        words
            .iter()
            .any(|w| w.starts_with('-') && !w.starts_with("--") && w.contains(c))
    };
    let long = |l: &str| words.contains(&l);
    let values_of = |prefix: &str| -> Vec<String> {
        let mut out = Vec::new();
        for (k, w) in words.iter().enumerate() {
            if let Some(v) = w.strip_prefix(&format!("{prefix}=")) {
                out.push(v.to_owned());
            } else if *w == prefix
                && let Some(v) = words.get(k + 1)
            {
                out.push((*v).to_owned());
            }
        }
        out
    };
    let mut visit = Visit {
        hidden: true,
        ..Visit::default()
    };
    match name {
        "cp" if short('r')
            || short('R')
            || short('a')
            || long("--recursive")
            || long("--archive") =>
        {
            visit.leave_out = "copy the files you need by name instead of `{}`'s folder".into();
        }
        "scp" if short('r') => {
            visit.leave_out = "copy the files you need by name instead of `{}`'s folder".into();
        }
        "rsync" if short('r') || short('a') || long("--recursive") || long("--archive") => {
            visit.exclude_paths = values_of("--exclude");
            visit.leave_out = "--exclude={}".into();
        }
        "tar" | "bsdtar" | "gtar" => {
            visit.exclude_paths = values_of("--exclude");
            visit.leave_out = "--exclude={}".into();
        }
        "zip" if short('r') || long("--recurse-paths") => {
            for (k, w) in words.iter().enumerate() {
                if matches!(*w, "-x" | "--exclude") {
                    visit.exclude_paths.extend(
                        words[k + 1..]
                            .iter()
                            .take_while(|v| !v.starts_with('-'))
                            .map(|v| (*v).to_owned()),
                    );
                }
            }
            visit.leave_out = "-x {}".into();
        }
        _ => return None,
    }
    Some(visit)
}

impl Walker<'_, '_> {
    /// The effects a program's options have beyond its operands' roles: files named inside
    /// option words, whole folders read, commands run by options.
    pub(in crate::shell) fn program_effects(
        &mut self,
        name: &str,
        args: &[Arg],
        roles: Vec<Role>,
        scope: &mut Scope,
        text: &str,
    ) {
        let values: Vec<Option<&str>> = args.iter().map(|a| a.value.as_deref()).collect();
        let words: Vec<&str> = args.iter().map(Arg::shown).collect();
        let fed = scope
            .stdin
            .as_ref()
            .is_some_and(|(producer, _)| producer != "file");
        if let Some(flag) = interpreters::inline_flag(name, &words, fed) {
            let code = interpreters::InlineCode {
                program: name.to_owned(),
                flag,
                command: text.to_owned(),
            };
            if !self.out.inline_code.contains(&code) {
                self.out.inline_code.push(code);
            }
        }
        // Modelling is pure: one model serves both questions.
        let modelled = model(name, &values);
        if !unmodelled::is_known(name)
            && !crate::shell::wrappers::is_shell(name)
            && modelled.is_none()
        {
            self.note_named_paths(name, args, scope, text);
        }
        let (folders, attached, runs) = match modelled {
            Some(m) => (m.folders, m.attached, m.runs),
            None => {
                // `roles` are `effects::roles(name, &values)`, as the operands were decided.
                let (attached, runs) = match tools::refine(name, &values, roles.clone()) {
                    Some(t) => (t.attached, t.runs),
                    None => (Vec::new(), Vec::new()),
                };
                let scan = copier_visit(name, &values).map(|visit| FolderScan {
                    visit,
                    roots: (1..args.len())
                        .filter(|&i| matches!(roles[i], Role::Read | Role::ReadAndDelete { .. }))
                        .collect(),
                    default_root: false,
                });
                (scan, attached, runs)
            }
        };
        // `git -C dir`: git's own paths are relative to dir (the scope is copied only then).
        let mut git_scope;
        let git_scope = if name == "git" {
            git_scope = scope.clone();
            for dir in git::chdirs(&values) {
                git_scope.cwd = match (dir, git_scope.cwd.as_deref()) {
                    (Some(d), Some(c)) => Some(normalise(Path::new(d), c)),
                    _ => None,
                };
            }
            &git_scope
        } else {
            &*scope
        };
        for (path, role) in attached {
            self.operand(&Arg::literal(&path), role, git_scope, text, name);
        }
        if let Some(scan) = folders {
            self.note_folder_reads(name, args, &scan, git_scope, text);
        }
        for run in runs {
            match run {
                Run::Argv {
                    program,
                    operands,
                    why,
                } => {
                    let mut argv = vec![Arg::literal(&program)];
                    argv.extend(operands.iter().filter_map(|&i| args.get(i).cloned()));
                    let _ = why;
                    let mut inner = scope.without_stdin();
                    self.run_argv(argv, &mut inner, text, &[], false);
                }
                Run::Script { script, why } => {
                    let inner = scope.without_stdin();
                    self.parse_and_walk(&script, &inner, &why);
                }
            }
        }
    }

    /// The words of a program the analyser does not model that name a path (SPEC §5.1).
    fn note_named_paths(&mut self, name: &str, args: &[Arg], scope: &Scope, text: &str) {
        let Some(cwd) = scope.cwd.as_deref() else {
            return;
        };
        for arg in args.iter().skip(1) {
            let Some(word) = arg.value.as_deref() else {
                continue;
            };
            let candidate = unmodelled::path_word(word).or_else(|| {
                (!word.starts_with('-')
                    && !word.is_empty()
                    && self.ctx.fs.exists(&normalise(Path::new(word), cwd)))
                .then_some(word)
            });
            let Some(candidate) = candidate else {
                continue;
            };
            let path = match (candidate.strip_prefix("~/"), self.ctx.home.as_deref()) {
                (Some(rest), Some(home)) => home.join(rest),
                _ => normalise(Path::new(candidate), cwd),
            };
            let named = unmodelled::NamedPath {
                path,
                program: name.to_owned(),
                command: text.to_owned(),
            };
            if !self.out.named_paths.contains(&named) {
                self.out.named_paths.push(named);
            }
        }
    }

    /// `find … | xargs READER`: the reader gets the files find lists, which the last
    /// find of the line recorded (its starting points narrowed by its name tests). True
    /// when that stands in for the xargs operands.
    pub(in crate::shell) fn xargs_reads_listing(&mut self, name: &str, scope: &Scope) -> bool {
        let from_find = scope
            .stdin
            .as_ref()
            .is_some_and(|(producer, _)| producer == "find");
        let reader = matches!(
            name,
            "wc" | "cat"
                | "head"
                | "tail"
                | "grep"
                | "egrep"
                | "fgrep"
                | "rg"
                | "md5sum"
                | "sha1sum"
                | "sha256sum"
                | "ls"
                | "stat"
                | "file"
                | "du"
                | "jq"
                | "less"
        );
        if !(from_find && reader) {
            return false;
        }
        let Some(listing) = self.out.listings.last().cloned() else {
            return false;
        };
        for mut read in listing {
            read.program = name.to_owned();
            if !self.out.folder_reads.contains(&read) {
                self.out.folder_reads.push(read);
            }
        }
        true
    }

    fn note_folder_reads(
        &mut self,
        name: &str,
        args: &[Arg],
        scan: &FolderScan,
        scope: &Scope,
        text: &str,
    ) {
        let Some(cwd) = scope.cwd.as_deref() else {
            return;
        };
        let mut roots: Vec<&str> = scan
            .roots
            .iter()
            .filter_map(|&i| args.get(i)?.value.as_deref())
            .collect();
        if scan.default_root {
            roots.push(".");
        }
        for root in roots {
            let path = normalise(Path::new(root), cwd);
            if !self.ctx.fs.is_dir(&path) {
                continue;
            }
            let read = FolderRead {
                path,
                program: name.to_owned(),
                visit: scan.visit.clone(),
                command: text.to_owned(),
            };
            if !self.out.folder_reads.contains(&read) {
                self.out.folder_reads.push(read);
            }
        }
    }
}
