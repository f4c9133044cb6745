//! Bash analysis: the one module that imports brush-parser (SPEC §5).
//!
//! A command string becomes an [`Analysis`]: the simple commands it runs, the files it reads,
//! writes and deletes, the network hosts it fetches, and the parts it could not analyse.
//! Rules never look at raw text; they consume this.
//!
//! Map: [`adapter`] (the only file importing brush-parser: AST → a small walkable form),
//! [`limits`] (size, depth, count and time bounds; the pre-scan that keeps the parser away
//! from exponential inputs), [`words`] (quotes, escapes, `~`/`$HOME` expansion, globs),
//! [`braces`] (brace expansion, before everything else), [`walk`] (lists, pipelines, compound commands, substitutions, `cd`), [`redirects`],
//! [`run`] (one command's argv: wrappers, shells, `eval`), [`cd`] (directory changes),
//! [`file_effects`] (the file and network effects of the program that runs), [`fs_memo`]
//! (each file-system question asked once per analysis),
//! [`indirect`] (`find -exec`, links and scripts made by the same command), [`wrappers`] (with its table [`wrapper_shapes`]), [`effects`] (per-program operand roles; [`programs`] per-program option models; [`viewers`] for jq, tree and file), [`operands`] (paths inside option words,
//! folder writers), [`scripts`] (sed/awk scripts we refuse), [`network`] (hosts),
//! [`copies`] (values copied by `read`, `set --`, `printf -v`), [`globopts`] (`shopt` glob options), [`funsub`] (bash 5.3 `${ cmd; }`), [`later_eval`] (values bash evaluates later: arithmetic, subscripts),
//! [`split`] (the parts of a command that does not parse as a whole), [`status`] (which
//! commands' exit status is the whole command's), [`branch`] (branch switches inside one
//! command), [`vars`] (commands that
//! reassign `HOME`, `PWD`, `CLAUDE_PROJECT_DIR`, `CDPATH`).

mod adapter;
mod braces;
mod branch;
mod cd;
mod copies;
mod effects;
mod file_effects;
#[cfg(test)]
mod flow_tests;
mod fs_memo;
#[cfg(test)]
mod fs_memo_tests;
mod funsub;
mod globopts;
mod indirect;
mod later_eval;
mod limits;
mod network;
mod operands;
pub mod programs;
mod redirects;
mod run;
mod scripts;
pub use adapter::caught_parser_panics;
pub use fs_memo::MemoFs;
mod split;
mod status;
mod vars;
mod viewers;
mod walk;
mod words;
mod wrapper_shapes;
mod wrappers;

use crate::fsview::FsView;
use serde::Serialize;
use std::path::PathBuf;

/// Where the command runs: the base of relative paths, and how `~`, `$HOME`, `$PWD` and
/// `$CLAUDE_PROJECT_DIR` expand.
pub struct ShellContext<'a> {
    pub cwd: PathBuf,
    pub home: Option<PathBuf>,
    pub project_dir: PathBuf,
    /// Existence checks and glob expansion ("every literal operand naming an existing path
    /// is a read").
    pub fs: &'a dyn FsView,
}

/// Everything a command line does, as far as the budget cares.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Analysis {
    pub commands: Vec<SimpleCommand>,
    pub effects: Vec<FileEffect>,
    pub network: Vec<NetEffect>,
    pub unanalysable: Vec<Unanalysable>,
    /// What feeds each command's standard input when it is another command's output or
    /// literal text (`curl … | sh`, `psql <<< 'DROP …'`): the pack checks read it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub feeds: Vec<StdinFeed>,
    /// Words whose value is passed on without a program's argv: variable assignments
    /// (`x=$TOKEN`) and here-strings (`cat <<< "$TOKEN"`). The secrets pack follows a secret
    /// variable through them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub copies: Vec<ValueCopy>,
    /// Whole folders read by a program that visits what is in them (`grep -r`, `rg`,
    /// `cp -r`, `tar c`): decided file by file ([`programs::folders`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub folder_reads: Vec<programs::folders::FolderRead>,
    /// Interpreter code given inline (`python3 -c …`): unanalysable unless a `[run]`
    /// allow rule names the interpreter with its code flag.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub inline_code: Vec<programs::interpreters::InlineCode>,
    /// Paths named by words of programs the analyser does not model (SPEC §5.1).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub named_paths: Vec<programs::unmodelled::NamedPath>,
    /// What each `find` of the line lists (for `find … | xargs wc -l`); not decided itself.
    #[serde(skip)]
    pub listings: Vec<Vec<programs::folders::FolderRead>>,
    /// The command defines a shell function: a later `cargo test` may run the function, not
    /// the program (so its exit status and output prove nothing about the tests).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub defines_function: bool,
}

/// A word's value copied into a variable or fed as a here-string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValueCopy {
    /// The variable assigned; `None` for a here-string.
    pub variable: Option<String>,
    /// The word as written (`"$GITHUB_TOKEN"`).
    pub word: String,
    /// The text of the command it belongs to.
    pub command: String,
}

/// A command whose standard input (or, for `bash <(…)`, whose script) comes from somewhere
/// the budget may care about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StdinFeed {
    /// The reading program's basename (`sh`, `psql`).
    pub program: String,
    /// Who produces the input: a program's basename (`curl`), `here-document`,
    /// `here-string`, or `file`.
    pub producer: String,
    /// The literal text fed, when known.
    pub text: Option<String>,
    /// The reading command's text.
    pub command: String,
}

/// One simple command after normalisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SimpleCommand {
    /// Normalised words: `argv[0]` is the program's basename with quoting and escapes
    /// removed (`\rm`, `/bin/rm`, `'r''m'` → `rm`); leading `VAR=x` assignments dropped.
    pub argv: Vec<String>,
    /// Wrappers (`sudo`, `timeout 5`, `env`, …) and effect-free builtins (`cd`, `true`, …):
    /// decided only when a rule names them; they add no `default` decision of their own.
    pub transparent: bool,
    /// The command's source text, for messages.
    pub text: String,
    /// `true` only when this command's exit status is the exit status of the whole Bash
    /// command, so a whole status of 0 proves it succeeded: the last command of the
    /// top-level list or of its trailing `&&` chain (`cargo fmt && cargo test`), not after
    /// `||`, `;`, `|` (without `pipefail`), `&` or `!` (see the `status` module).
    pub status_decides: bool,
    /// The branch this command runs on when an earlier part of the same command switched
    /// branches (`git checkout main && git commit`); `None` when nothing switched (the
    /// branch checked out in the repository applies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git_branch: Option<BranchContext>,
    /// The variables its words expand when it runs (`echo "$X"`), as opposed to text that
    /// only looks like one (`echo '$X'`, `echo \$X`, which print the name).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expands: Vec<String>,
    /// Variables whose value bash itself prints while expanding the words, whatever the
    /// program: `: "${A:?$GITHUB_TOKEN}"` prints the token when `A` is unset.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<String>,
}

/// The variables a word as written expands, quote-aware (`"$X"` yes, `'$X'` no); `None`
/// when it does not parse as a word.
pub fn expanded_variables(word: &str) -> Option<Vec<String>> {
    words::variables_of(word).map(|(expands, _)| expands)
}

/// The branch a command runs on after a switch earlier in the same command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BranchContext {
    /// A literal `git checkout B` / `git switch B` (`-b`/`-c B`) moved to `B`.
    Known(String),
    /// A switch the analyser cannot follow (`git checkout "$B"`, `git switch -`).
    Unknown,
}

/// What a file effect does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EffectKind {
    Read,
    Write,
    /// `rm`, `rmdir`, `unlink`, `shred`, `find -delete`; `recursive` for `rm -r` and friends
    /// (an edit of the folder and everything under it).
    Delete {
        recursive: bool,
    },
}

impl EffectKind {
    /// Writes and deletes are decided by `[edit]`; reads by `[read]`.
    pub fn is_edit(self) -> bool {
        !matches!(self, EffectKind::Read)
    }
}

/// A file the command reads, writes or deletes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileEffect {
    /// Absolute, resolved as the kernel does (each `..` applied to the real folder before
    /// it, see [`crate::paths::resolve_kernel`]); symlinks after the last `..` are kept: the
    /// path rules check the literal and the resolved path themselves.
    pub path: PathBuf,
    pub kind: EffectKind,
    /// The text of the command that causes it.
    pub command: String,
    /// For a delete by `find ROOT -name PATTERN … -delete` (or `-exec rm {} +`): only the
    /// entries under `path` whose name matches one of these globs (and what is under them)
    /// are deleted. Empty: everything under `path` may be.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub name_filter: Vec<String>,
}

/// A host a known fetcher (`curl`, `wget`, `http`, `nc`, …) talks to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NetEffect {
    /// Lower-case, no port, no userinfo, no trailing dot.
    pub host: String,
    pub url: String,
    pub command: String,
}

/// A part of the command we could not analyse statically, decided by `[run] unparsed`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unanalysable {
    /// Why, in words an agent understands: "the command name `$cmd` is not a literal".
    pub reason: String,
    /// The part of the source text concerned.
    pub text: String,
}

/// Analyses one Bash command string. Never panics, never hangs: anything it does not
/// understand, or that goes past the limits of SPEC §5, comes back as [`Unanalysable`].
pub fn analyse(command: &str, ctx: &ShellContext<'_>) -> Analysis {
    analyse_within(command, ctx, limits::TIME_BUDGET)
}

/// [`analyse`] with an explicit time budget (tests and benchmarks).
pub fn analyse_within(
    command: &str,
    ctx: &ShellContext<'_>,
    time: std::time::Duration,
) -> Analysis {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        walk::analyse(command, ctx, time)
    }));
    outcome.unwrap_or_else(|_| Analysis {
        unanalysable: vec![Unanalysable {
            reason: "the analyser failed on this command".into(),
            text: command.chars().take(200).collect(),
        }],
        ..Analysis::default()
    })
}
