//! Command rules (SPEC §4.3): shell words matched against one simple command's argv.
//!
//! * the first word is the program, compared by basename (`*` globs allowed);
//! * the other non-flag words are a prefix of the command's positional words (`*` in a word
//!   is a glob, a word `*` is any one word, `**` any number of words);
//! * flag words must appear somewhere, order-free, short clusters unbundled on both sides,
//!   `--flag` also meeting `--flag=value`;
//! * `re:` rules are regexes over the words joined by single spaces.
//!
//! Global options of well-known programs ([`global_options_table`]) are set aside first.
//! Positional words are compared with the command's non-flag words (flags left out, their
//! values kept). Deny/ask/stop rules match *erring*: they may also skip the word after a
//! flag (a possible value). Allow and test rules match *strictly*: they never do.

use super::lazy_regex::LazyRegex;
use super::rule_error::{RuleError, RuleKind};
use crate::verdict::Origin;

/// One command rule as written, compiled.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct CommandRule {
    pub text: String,
    pub origin: Origin,
    pattern: Pattern,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
enum Pattern {
    Words {
        program: String,
        positional: Vec<Positional>,
        flags: Vec<String>,
    },
    /// Compiled on first need; a regex that cannot be compiled matches when erring
    /// (deny/ask/stop) and not when strict (allow/tests): it fails closed.
    Regex(LazyRegex),
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Positional {
    Word(String),
    AnyOne,
    AnyMany,
}

pub(super) fn basename(word: &str) -> &str {
    let word = word.trim_start_matches('\\');
    word.rsplit('/').next().unwrap_or(word)
}

fn is_flag(word: &str) -> bool {
    word.len() > 1 && word.starts_with('-')
}

impl CommandRule {
    /// Compiles a rule; the error is a lowercase message for a diagnostic.
    pub(super) fn compile(text: &str, origin: Origin) -> Result<CommandRule, RuleError> {
        Self::compile_with(text, origin, LazyRegex::new)
    }

    /// A built-in pack's rule: its regex (checked by the tests) is parsed on first use.
    pub(super) fn compile_built_in(text: &str, origin: Origin) -> Result<CommandRule, RuleError> {
        Self::compile_with(text, origin, |re| Ok(LazyRegex::built_in(re)))
    }

    fn compile_with(
        text: &str,
        origin: Origin,
        regex: impl Fn(&str) -> Result<LazyRegex, RuleError>,
    ) -> Result<CommandRule, RuleError> {
        let pattern = if let Some(re) = text.strip_prefix("re:") {
            Pattern::Regex(regex(re).map_err(|e| {
                RuleError::new(text, RuleKind::Regex, format!("invalid regex `{re}`: {e}"))
            })?)
        } else {
            let words = shlex::split(text).ok_or_else(|| {
                RuleError::new(
                    text,
                    RuleKind::Command,
                    format!("unbalanced quotes in `{text}`"),
                )
            })?;
            let (program, rest) = words
                .split_first()
                .ok_or_else(|| RuleError::new(text, RuleKind::Command, "empty command rule"))?;
            let mut positional = Vec::new();
            let mut flags = Vec::new();
            for word in rest {
                match word.as_str() {
                    "*" => positional.push(Positional::AnyOne),
                    "**" => positional.push(Positional::AnyMany),
                    w if is_flag(w) => flags.push(w.to_string()),
                    w => positional.push(Positional::Word(w.to_string())),
                }
            }
            Pattern::Words {
                program: basename(program).to_string(),
                positional,
                flags,
            }
        };
        Ok(CommandRule {
            text: text.to_string(),
            origin,
            pattern,
        })
    }

    /// The one program this rule can meet (its basename), or `None` when it can meet others
    /// too (a regex, a `*` in the program word).
    pub(super) fn program(&self) -> Option<&str> {
        match &self.pattern {
            Pattern::Words { program, .. } if !program.contains('*') => Some(program),
            _ => None,
        }
    }

    /// Whether the rule meets `argv` (argv[0] the program). `erring`: deny/ask/stop mode.
    pub(super) fn matches(&self, argv: &[String], erring: bool) -> bool {
        let Some(name) = argv.first() else {
            return false;
        };
        match &self.pattern {
            Pattern::Regex(re) => re.try_is_match(&argv.join(" ")).unwrap_or(erring),
            Pattern::Words {
                program,
                positional,
                flags,
            } => {
                let name = basename(name);
                word_glob(program, name)
                    && may_meet(positional, flags, &argv[1..])
                    && words_meet(name, positional, flags, &argv[1..], erring)
            }
        }
    }

    /// [`CommandRule::matches`] without the [`may_meet`] shortcut, for the test that shows
    /// the shortcut changes no answer.
    #[cfg(test)]
    pub(super) fn matches_without_shortcut(&self, argv: &[String], erring: bool) -> bool {
        match (&self.pattern, argv.first()) {
            (
                Pattern::Words {
                    program,
                    positional,
                    flags,
                },
                Some(name),
            ) => {
                let name = basename(name);
                word_glob(program, name) && words_meet(name, positional, flags, &argv[1..], erring)
            }
            _ => self.matches(argv, erring),
        }
    }
}

/// The full match of a words rule against a command's arguments (global options set aside).
fn words_meet(
    name: &str,
    positional: &[Positional],
    flags: &[String],
    args: &[String],
    erring: bool,
) -> bool {
    let args = set_aside_global_options(name, args);
    let positional_words: Vec<&str> = if erring {
        args.clone()
    } else {
        args.iter().copied().filter(|a| !is_flag(a)).collect()
    };
    positional_prefix(positional, &positional_words, erring)
        && flags.iter().all(|flag| has_flag(flag, &args))
}

impl CommandRule {}

/// A necessary condition for a match, checked before anything is allocated: each of the
/// rule's words must meet some argument, and each of its flags must be among them. Both
/// only look for presence, and setting global options aside only removes arguments, so
/// whatever fails here fails the full match too. Most rules a command is checked against
/// name the same program with another subcommand (`git push --force` for `git status`).
fn may_meet(positional: &[Positional], flags: &[String], args: &[String]) -> bool {
    let words = positional.iter().all(|p| match p {
        Positional::Word(w) => args.iter().any(|a| word_glob(w, a)),
        Positional::AnyOne | Positional::AnyMany => true,
    });
    words
        && (flags.is_empty() || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            flags.iter().all(|flag| has_flag(flag, &args))
        })
}

/// `*` inside a word matches any run of characters (no other metacharacters).
fn word_glob(pattern: &str, word: &str) -> bool {
    let Some((first, rest)) = pattern.split_once('*') else {
        return pattern == word;
    };
    let Some(mut remaining) = word.strip_prefix(first) else {
        return false;
    };
    let mut parts: Vec<&str> = rest.split('*').collect();
    let last = parts.pop().unwrap_or("");
    for part in parts {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

/// Dynamic programming over (pattern suffix, argument suffix), so hostile commands with
/// thousands of flags stay linear in `pattern × args`.
fn positional_prefix(pattern: &[Positional], args: &[&str], erring: bool) -> bool {
    let (p, n) = (pattern.len(), args.len());
    let width = n + 1;
    let mut table = vec![false; (p + 1) * width];
    for j in 0..=n {
        table[p * width + j] = true;
    }
    for i in (0..p).rev() {
        for j in (0..=n).rev() {
            let here = match &pattern[i] {
                Positional::AnyMany => {
                    table[(i + 1) * width + j] || (j < n && table[i * width + j + 1])
                }
                word => {
                    j < n && {
                        let arg = args[j];
                        let meets = match word {
                            Positional::Word(w) => word_glob(w, arg),
                            _ => true,
                        };
                        (meets && table[(i + 1) * width + j + 1])
                            || (erring
                                && is_flag(arg)
                                && (table[i * width + j + 1]
                                    || (j + 2 <= n && table[i * width + j + 2])))
                    }
                }
            };
            table[i * width + j] = here;
        }
    }
    table[0]
}

fn short_cluster(word: &str) -> Option<&str> {
    word.strip_prefix('-')
        .filter(|rest| !rest.is_empty() && !rest.starts_with('-'))
}

fn has_flag(flag: &str, args: &[&str]) -> bool {
    let literal = args.iter().any(|arg| {
        word_glob(flag, arg)
            || (flag.starts_with("--")
                && arg.strip_prefix(flag).is_some_and(|v| v.starts_with('=')))
    });
    if literal {
        return true;
    }
    let Some(letters) = short_cluster(flag) else {
        return false;
    };
    if letters.contains('*') || letters.contains('=') {
        return false;
    }
    letters.chars().all(|letter| {
        args.iter()
            .filter_map(|a| short_cluster(a))
            .any(|cluster| cluster.contains(letter))
    })
}

/// Global options of one well-known multi-command program.
#[derive(Debug)]
pub struct GlobalOptions {
    pub program: &'static str,
    /// Options taking a value (`-C dir`, `--context=c`, `-nprod`).
    pub with_value: &'static [&'static str],
    /// Options without a value.
    pub switches: &'static [&'static str],
    /// Word prefixes that are options by themselves (`+nightly`, `-chdir=infra`).
    pub prefixes: &'static [&'static str],
    /// Whether the program accepts them after the subcommand too (`kubectl apply -n prod`);
    /// otherwise only before the first other word.
    pub anywhere: bool,
}

const fn opts(
    program: &'static str,
    with_value: &'static [&'static str],
    switches: &'static [&'static str],
    prefixes: &'static [&'static str],
    anywhere: bool,
) -> GlobalOptions {
    GlobalOptions {
        program,
        with_value,
        switches,
        prefixes,
        anywhere,
    }
}

static GLOBAL_OPTIONS: &[GlobalOptions] = &[
    opts(
        "git",
        &[
            "-C",
            "-c",
            "--git-dir",
            "--work-tree",
            "--namespace",
            "--config-env",
            "--exec-path",
        ],
        &[
            "--no-pager",
            "-P",
            "-p",
            "--paginate",
            "--bare",
            "--no-replace-objects",
            "--literal-pathspecs",
            "--glob-pathspecs",
            "--noglob-pathspecs",
            "--icase-pathspecs",
            "--no-optional-locks",
        ],
        &[],
        false,
    ),
    opts(
        "kubectl",
        &[
            "-n",
            "--namespace",
            "--context",
            "--kubeconfig",
            "--cluster",
            "--user",
            "-s",
            "--server",
            "--token",
            "--as",
            "--as-group",
            "--request-timeout",
        ],
        &["--insecure-skip-tls-verify"],
        &["-v="],
        true,
    ),
    opts(
        "helm",
        &[
            "-n",
            "--namespace",
            "--kube-context",
            "--kubeconfig",
            "--registry-config",
            "--repository-config",
            "--repository-cache",
        ],
        &["--debug"],
        &[],
        true,
    ),
    opts(
        "docker",
        &["-H", "--host", "--context", "--config", "-l", "--log-level"],
        &["-D", "--debug", "--tls", "--tlsverify"],
        &[],
        false,
    ),
    opts(
        "cargo",
        &["--color", "--config", "-Z"],
        &[
            "-v",
            "-vv",
            "--verbose",
            "-q",
            "--quiet",
            "--frozen",
            "--locked",
            "--offline",
        ],
        &["+"],
        false,
    ),
    opts("terraform", &[], &[], &["-chdir="], false),
    opts("tofu", &[], &[], &["-chdir="], false),
    opts("gh", &["-R", "--repo"], &[], &[], true),
    opts("glab", &["-R", "--repo"], &[], &[], true),
    opts("npm", &["--prefix", "-w", "--workspace"], &[], &[], true),
    opts("pnpm", &["-C", "--dir"], &[], &[], false),
    opts("yarn", &["--cwd"], &[], &[], false),
    opts("make", &["-C", "--directory"], &[], &[], false),
    opts(
        "aws",
        &[
            "--profile",
            "--region",
            "--endpoint-url",
            "--output",
            "--query",
            "--ca-bundle",
            "--cli-read-timeout",
            "--cli-connect-timeout",
            "--color",
        ],
        &[
            "--debug",
            "--no-verify-ssl",
            "--no-paginate",
            "--no-cli-pager",
            "--no-sign-request",
        ],
        &[],
        true,
    ),
    opts(
        "gcloud",
        &[
            "--project",
            "--account",
            "--configuration",
            "--format",
            "--verbosity",
            "--impersonate-service-account",
            "--billing-project",
        ],
        &["--quiet", "-q"],
        &[],
        true,
    ),
    opts(
        "az",
        &["--subscription", "--output", "-o", "--query"],
        &["--only-show-errors"],
        &[],
        true,
    ),
];

/// The known global options of well-known programs (shown by `claude-budget explain`).
pub fn global_options_table() -> &'static [GlobalOptions] {
    GLOBAL_OPTIONS
}

impl GlobalOptions {
    /// How many words starting at `args[0]` are one global option (0: none).
    fn option_len(&self, args: &[String]) -> usize {
        let Some(word) = args.first() else { return 0 };
        if self.switches.contains(&word.as_str())
            || self
                .prefixes
                .iter()
                .any(|p| word.len() > p.len() && word.starts_with(p))
        {
            return 1;
        }
        for option in self.with_value {
            if word == option {
                return args.len().min(2);
            }
            if let Some(rest) = word.strip_prefix(option) {
                let short = option.len() == 2 && !option.starts_with("--");
                if rest.starts_with('=') || (short && !rest.is_empty()) {
                    return 1;
                }
            }
        }
        0
    }
}

/// The arguments with the program's known global options (and their values) set aside.
fn set_aside_global_options<'a>(program: &str, args: &'a [String]) -> Vec<&'a str> {
    let Some(table) = GLOBAL_OPTIONS.iter().find(|g| g.program == program) else {
        return args.iter().map(String::as_str).collect();
    };
    let mut kept = Vec::with_capacity(args.len());
    let mut i = 0;
    let mut leading = true;
    while let Some(word) = args.get(i) {
        if word == "--" {
            kept.extend(args[i..].iter().map(String::as_str));
            break;
        }
        if leading || table.anywhere {
            let skip = table.option_len(&args[i..]);
            if skip > 0 {
                i += skip;
                continue;
            }
        }
        leading = false;
        kept.push(word.as_str());
        i += 1;
    }
    kept
}

#[cfg(test)]
#[path = "command_rules_tests.rs"]
mod tests;
