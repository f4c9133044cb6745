//! Walks the parsed script: lists, pipelines, compound commands, substitutions (each a
//! nested parse), redirections and the `cd` base of relative paths. One command's argv is
//! handed to [`crate::shell::run`].

use crate::shell::adapter::{self, AndOr, Cmd, Pipeline, Redirect, Script, Simple, Word};
use crate::shell::braces;
use crate::shell::fs_memo;
use crate::shell::indirect;
use crate::shell::limits::{self, AnalysisLimits};
use crate::shell::split;
use crate::shell::status;
use crate::shell::vars::Reassigned;
use crate::shell::words::{self, Env, Expanded};
use crate::shell::wrappers;
use crate::shell::{
    Analysis, BranchContext, EffectKind, ShellContext, SimpleCommand, Unanalysable, ValueCopy,
};
use std::path::PathBuf;
use std::time::Duration;

/// What a command writes to its standard output, as far as a reader downstream cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// `echo`/`printf` of literal text.
    Literal(String),
    /// Another program's output (its basename).
    Program(String),
}

/// Where the walk stands: the base of relative paths (`None` after a `cd` we cannot follow),
/// how many parses deep we are, and what feeds standard input.
#[derive(Clone, Debug)]
pub struct Scope {
    pub cwd: Option<PathBuf>,
    pub depth: usize,
    pub stdin: Option<(String, Option<String>)>,
}

impl Scope {
    /// The same place with nothing on standard input: for text a shell runs from a string
    /// (`-c`, a fed script), whose own stdin is not this one's.
    pub fn without_stdin(&self) -> Scope {
        Scope {
            cwd: self.cwd.clone(),
            depth: self.depth,
            stdin: None,
        }
    }
}

pub struct Walker<'a, 'c> {
    pub ctx: &'a ShellContext<'c>,
    pub limits: AnalysisLimits,
    pub out: Analysis,
    /// Set when a global limit is passed: the whole analysis becomes this one reason.
    pub limit: Option<String>,
    /// Links made by `ln` in this command (link → what it points to).
    pub links: Vec<(PathBuf, PathBuf, String)>,
    /// Script files the command runs (`bash x.sh`, `./x.sh`, `. x`).
    pub executed: Vec<PathBuf>,
    /// Watched variables ([`crate::shell::vars`]) treated as unknown throughout this walk.
    pub unknown_vars: Reassigned,
    /// Watched variables this walk found the command assigning.
    pub reassigned: Reassigned,
    /// `set -e` / `set -o pipefail` as set so far by the top-level script.
    pub options: status::Options,
    /// The next script walked is one whose status is the whole command's.
    pub status_scope: bool,
    /// The simple command being walked decides the whole command's status.
    pub deciding: bool,
    /// The branch after the switches seen so far (`None`: no switch yet).
    pub branch: Option<BranchContext>,
    /// Second walk after a switch inside a loop or a function: every branch is unknown.
    pub branch_pinned: bool,
    /// How many loop or function bodies the walk is inside.
    pub repeat_depth: usize,
    /// A switch happened inside a loop or function body.
    pub switched_in_repeat: bool,
    /// A switch happened anywhere / a function was defined anywhere.
    pub switched: bool,
    pub defines_function: bool,
    /// `set -P` / `set -o physical` seen: `cd` resolves symlinks as the kernel does.
    pub physical_cd: bool,
    /// Literal values holding `$(`, backticks or `${` ([`crate::shell::later_eval`]).
    pub literal_code: Vec<String>,
    /// `shopt` glob options set so far ([`crate::shell::globopts`]).
    pub glob_options: crate::shell::globopts::GlobOptions,
    /// The first word or builtin giving a value the analyser cannot see (a command's
    /// output, `read` from a file), when there is one.
    pub unknown_values: Option<String>,
    /// The first context that makes bash evaluate a value, when there is one.
    pub evaluates: Option<String>,
    /// Keys of the effects recorded so far (see [`Walker::file_effect`]).
    pub effect_keys: std::collections::HashSet<(PathBuf, EffectKind, usize, usize)>,
}

/// Analyses `command` with each file-system question asked of `ctx.fs` once
/// ([`fs_memo`]).
pub fn analyse(command: &str, ctx: &ShellContext<'_>, time: Duration) -> Analysis {
    let memo = fs_memo::MemoFs::new(ctx.fs);
    let remembering = ShellContext {
        cwd: ctx.cwd.clone(),
        home: ctx.home.clone(),
        project_dir: ctx.project_dir.clone(),
        fs: &memo,
    };
    analyse_in(command, &remembering, time)
}

/// [`analyse`] asking `ctx.fs` itself (the memo's tests compare the two).
pub(super) fn analyse_in(command: &str, ctx: &ShellContext<'_>, time: Duration) -> Analysis {
    if command.len() > limits::MAX_INPUT_BYTES {
        return single(
            format!(
                "the command is {} bytes long (the analyser stops at {} bytes)",
                command.len(),
                limits::MAX_INPUT_BYTES
            ),
            command,
        );
    }
    let limits = AnalysisLimits::new(time);
    let mut unknown_vars = Reassigned::default();
    let mut branch_pinned = false;
    let mut walker = loop {
        let mut walker = Walker {
            ctx,
            limits: limits.clone(),
            out: Analysis::default(),
            limit: None,
            links: Vec::new(),
            executed: Vec::new(),
            unknown_vars,
            reassigned: Reassigned::default(),
            options: status::Options::default(),
            status_scope: true,
            deciding: false,
            branch: branch_pinned.then_some(BranchContext::Unknown),
            branch_pinned,
            repeat_depth: 0,
            switched_in_repeat: false,
            switched: false,
            defines_function: false,
            physical_cd: false,
            effect_keys: Default::default(),
            literal_code: Vec::new(),
            evaluates: None,
            unknown_values: None,
            glob_options: Default::default(),
        };
        let scope = Scope {
            cwd: Some(ctx.cwd.clone()),
            depth: 0,
            stdin: None,
        };
        walker.parse_and_walk(command, &scope, "the command");
        // A reassigned `HOME`/`PWD`/…: walk again with those names unknown from the start
        // (loops and functions may run the earlier text after the assignment). The set
        // only grows, so this ends after at most one pass per watched name.
        // Likewise a branch switch inside a loop or function body (or any switch when a
        // function is defined): walk again with every command's branch unknown.
        let pin = !branch_pinned
            && (walker.switched_in_repeat || walker.switched && walker.defines_function);
        if unknown_vars.covers(walker.reassigned) && !pin || walker.stopped() {
            break walker;
        }
        unknown_vars = unknown_vars.union(walker.reassigned);
        branch_pinned |= pin;
    };
    walker.finish_later_code(&Scope {
        cwd: Some(ctx.cwd.clone()),
        depth: 0,
        stdin: None,
    });
    if walker.limits.expired() && walker.limit.is_none() {
        walker.limit = Some(limits::TIME_REASON.into());
    }
    indirect::follow_links(&mut walker.out, &walker.links);
    for script in &walker.executed {
        if walker
            .out
            .effects
            .iter()
            .any(|e| e.kind == EffectKind::Write && &e.path == script)
        {
            walker.out.unanalysable.push(Unanalysable {
                reason: format!(
                    "it runs `{}`, a script the same command writes",
                    script.display()
                ),
                text: command.chars().take(200).collect(),
            });
        }
    }
    walker.out.defines_function = walker.defines_function;
    // A cut analysis keeps what it found: the effects before the cut still decide (a
    // `rm -rf ~` before 3,000 redirects is denied), the cut itself is unanalysable.
    if let Some(reason) = walker.limit {
        walker.out.unanalysable.push(Unanalysable {
            reason,
            text: command.chars().take(200).collect(),
        });
    }
    walker.out
}

fn single(reason: String, command: &str) -> Analysis {
    let text: String = command.chars().take(200).collect();
    Analysis {
        unanalysable: vec![Unanalysable { reason, text }],
        ..Analysis::default()
    }
}

impl Walker<'_, '_> {
    pub fn stopped(&self) -> bool {
        self.limit.is_some()
    }

    pub fn unanalysable(&mut self, reason: impl Into<String>, text: &str) {
        let reason = reason.into();
        if !self
            .out
            .unanalysable
            .iter()
            .any(|u| u.reason == reason && u.text == text)
        {
            self.out.unanalysable.push(Unanalysable {
                reason,
                text: text.to_owned(),
            });
        }
    }

    pub fn env<'s>(&'s self, scope: &'s Scope) -> Env<'s> {
        Env {
            home: self.ctx.home.as_deref(),
            pwd: scope.cwd.as_deref(),
            project_dir: &self.ctx.project_dir,
            reassigned: self.unknown_vars,
        }
    }

    /// Parses `text` one level deeper than `scope` and walks it.
    pub fn parse_and_walk(&mut self, text: &str, scope: &Scope, what: &str) -> Option<Output> {
        if self.stopped() {
            return None;
        }
        if scope.depth >= limits::MAX_NESTED_PARSES {
            self.limit = Some(format!(
                "it nests more than {} parses deep",
                limits::MAX_NESTED_PARSES
            ));
            return None;
        }
        match adapter::parse_script(text, &self.limits) {
            Ok(script) => {
                let mut inner = Scope {
                    cwd: scope.cwd.clone(),
                    depth: scope.depth + 1,
                    stdin: scope.stdin.clone(),
                };
                self.walk_script(&script, &mut inner)
            }
            Err(failure) => {
                if failure.0 == limits::TIME_REASON
                    || failure.0.contains("nests") && scope.depth == 0
                {
                    self.limit = Some(failure.0);
                    return None;
                }
                self.unanalysable(format!("{what} could not be parsed: {}", failure.0), text);
                if let Some(parts) = split::top_level_parts(text) {
                    self.walk_parts(&parts, scope);
                }
                None
            }
        }
    }

    /// Walks a script. Its status is the whole command's only when the caller set
    /// `status_scope` just before (the top level, a subshell or brace group that decides).
    pub fn walk_script(&mut self, script: &Script, scope: &mut Scope) -> Option<Output> {
        let owner = std::mem::take(&mut self.status_scope);
        let outer_deciding = std::mem::take(&mut self.deciding);
        let mut last = None;
        let count = script.0.len();
        for (index, and_or) in script.0.iter().enumerate() {
            let deciding = if owner && !and_or.1.0 {
                status::deciding_pipelines(&and_or.0, index + 1 == count, self.options.errexit)
            } else {
                vec![false; and_or.0.len()]
            };
            for (pipeline, decides) in and_or.0.iter().zip(deciding) {
                last = self.walk_pipeline(pipeline, decides, scope);
            }
            if owner {
                self.note_set_options(and_or);
            }
        }
        self.deciding = outer_deciding;
        last
    }

    /// A top-level `set -e` / `set -o pipefail` changes which later statuses decide.
    fn note_set_options(&mut self, and_or: &AndOr) {
        if let [Pipeline(commands, _)] = and_or.0.as_slice()
            && let [Cmd::Simple(simple)] = commands.as_slice()
            && simple.words.first().is_some_and(|w| w.0 == "set")
        {
            let words: Vec<&str> = simple.words.iter().map(|w| w.0.as_str()).collect();
            self.options.apply_set(&words);
        }
    }

    fn walk_pipeline(
        &mut self,
        pipeline: &Pipeline,
        decides: bool,
        scope: &mut Scope,
    ) -> Option<Output> {
        let commands = &pipeline.0;
        if commands.len() == 1 {
            return self.walk_command(&commands[0], decides, scope);
        }
        let mut previous: Option<Output> = None;
        for (index, command) in commands.iter().enumerate() {
            let decides = decides && (index + 1 == commands.len() || self.options.pipefail);
            let mut own = scope.clone();
            if index > 0 {
                own.stdin = Some(match previous.take() {
                    Some(Output::Literal(text)) => ("echo".into(), Some(text)),
                    Some(Output::Program(name)) => (name, None),
                    None => ("a command".into(), None),
                });
            }
            previous = self.walk_command(command, decides, &mut own);
        }
        previous
    }

    fn walk_command(&mut self, command: &Cmd, decides: bool, scope: &mut Scope) -> Option<Output> {
        if self.stopped() {
            return None;
        }
        match command {
            Cmd::Simple(simple) => {
                self.deciding = decides;
                let output = self.walk_simple(simple, scope);
                self.deciding = false;
                output
            }
            Cmd::Reparse(text) => {
                self.status_scope = decides;
                let output = self.parse_and_walk(text, scope, "a nested subshell");
                self.status_scope = false;
                output
            }
            Cmd::Compound {
                bodies,
                words,
                redirects,
                is_test,
                subshell,
                loop_var,
                repeats,
                evaluates,
            } => {
                if *is_test {
                    self.out.commands.push(SimpleCommand {
                        argv: vec!["[[".into()],
                        transparent: true,
                        text: "[[ … ]]".into(),
                        status_decides: false,
                        git_branch: self.branch.clone(),
                        expands: Vec::new(),
                        reports: Vec::new(),
                    });
                }
                let expanded: Vec<_> = words
                    .iter()
                    .filter_map(|word| self.expand_for_substitutions(word, scope))
                    .collect();
                if *evaluates {
                    self.test_evaluates(&expanded, scope);
                }
                if let Some(name) = loop_var {
                    self.reassigned.note(name);
                    // `for t in "$GITHUB_TOKEN"`: the loop variable holds each word.
                    for word in words {
                        self.out.copies.push(ValueCopy {
                            variable: Some(name.clone()),
                            word: word.0.clone(),
                            command: "a for loop".into(),
                        });
                    }
                }
                let text = "a compound command";
                self.apply_redirects(redirects, scope, text);
                let before = scope.cwd.clone();
                let mut inner = scope.clone();
                let mut last = None;
                // A subshell or brace group passes the decision on to its body.
                let passes_status = decides && bodies.len() == 1 && words.is_empty() && !*repeats;
                self.repeat_depth += usize::from(*repeats);
                // A function body: one brace group, no loop variable or words.
                self.defines_function |=
                    *repeats && loop_var.is_none() && words.is_empty() && bodies.len() == 1;
                for body in bodies {
                    self.status_scope = passes_status;
                    last = self.walk_script(body, &mut inner);
                    self.status_scope = false;
                }
                self.repeat_depth -= usize::from(*repeats);
                if !*subshell {
                    let straight_line = bodies.len() == 1 && words.is_empty();
                    scope.cwd = if straight_line || inner.cwd == before {
                        inner.cwd
                    } else {
                        None
                    };
                }
                last.or(Some(Output::Program("a compound command".into())))
            }
        }
    }

    /// Expands a word only for the substitutions it runs (loop values, case words, tests).
    pub(super) fn expand_for_substitutions(
        &mut self,
        word: &Word,
        scope: &Scope,
    ) -> Option<Expanded> {
        match words::expand(&word.0, &self.env(scope)) {
            Ok(expanded) => {
                self.note_later_code(&expanded);
                self.reassigned = self.reassigned.union(expanded.assigns);
                for script in &expanded.substitutions {
                    self.parse_and_walk(script, scope, "a command substitution");
                }
                Some(expanded)
            }
            Err(failure) => {
                self.unanalysable(failure.0, &word.0);
                None
            }
        }
    }

    fn walk_simple(&mut self, simple: &Simple, scope: &mut Scope) -> Option<Output> {
        self.limits.commands += 1;
        if self.limits.commands > limits::MAX_SIMPLE_COMMANDS {
            self.limit = Some(format!(
                "it has more than {} simple commands",
                limits::MAX_SIMPLE_COMMANDS
            ));
            return None;
        }
        if self.limits.expired() {
            self.limit = Some(limits::TIME_REASON.into());
            return None;
        }
        for (name, values) in &simple.assigns {
            for value in values {
                self.expand_for_substitutions(value, scope);
                self.out.copies.push(ValueCopy {
                    variable: Some(name.clone()),
                    word: value.0.clone(),
                    command: simple.text.clone(),
                });
            }
            // `HOME=. cmd` as much as `HOME=.`: a nested shell or `eval` sees the value.
            self.reassigned.note(name);
            self.note_globignore(name);
            if values
                .iter()
                .any(|v| wrappers::assignment_runs_code(name, &v.0))
                && !simple.words.is_empty()
            {
                self.unanalysable(
                    format!("`{name}=…` changes which program actually runs"),
                    &simple.text,
                );
            }
            if wrappers::names_a_proxy(name) && !simple.words.is_empty() {
                // `https_proxy=http://evil.example curl …`: the traffic goes to the proxy.
                self.unanalysable(
                    format!("`{name}=…` sends the command's traffic through a proxy"),
                    &simple.text,
                );
            }
        }
        let mut expanded = Vec::with_capacity(simple.words.len());
        for word in &simple.words {
            if !word.0.contains('{') {
                // No brace: brace expansion gives the word back as it is.
                match self.expand_for_substitutions(word, scope) {
                    Some(e) => expanded.push(e),
                    None => return None,
                }
                continue;
            }
            // Brace expansion comes first and works on the word as written.
            let words = match braces::expand(&word.0) {
                Ok(words) => words,
                Err(too_many) => {
                    self.unanalysable(too_many.0, &simple.text);
                    return None;
                }
            };
            for word in words {
                match self.expand_for_substitutions(&Word(word), scope) {
                    Some(e) => expanded.push(e),
                    None => return None,
                }
            }
        }
        let stdin = self.apply_redirects(&simple.redirects, scope, &simple.text);
        if expanded.is_empty() {
            return None;
        }
        let process_subs = simple.redirects.iter().filter_map(|r| match r {
            Redirect::ProcessSub(script) => Some(first_program(script)),
            _ => None,
        });
        let process_subs: Vec<String> = process_subs.flatten().collect();
        // The command runs in `scope` with its own standard input, when a redirection gives
        // one; of what it changes only the directory (`cd`) outlives it (nothing below
        // changes `scope` but its `cwd`), so the outer input is put back after it.
        let outer_stdin = stdin.map(|feed| scope.stdin.replace(feed));
        let output = self.run_command(expanded, scope, &simple.text, &process_subs);
        if let Some(outer) = outer_stdin {
            scope.stdin = outer;
        }
        output
    }
}

/// The first program a script runs (for `bash <(curl …)`).
fn first_program(script: &Script) -> Option<String> {
    let first = script.0.first()?.0.first()?.0.first()?;
    match first {
        Cmd::Simple(simple) => {
            let word = simple.words.first()?;
            let name = word.0.rsplit('/').next().unwrap_or(&word.0);
            Some(name.trim_start_matches('\\').to_owned())
        }
        Cmd::Compound { .. } | Cmd::Reparse(_) => Some("a compound command".into()),
    }
}
