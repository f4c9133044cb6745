//! Pack checks the rule language cannot express (SPEC §4.8): they need the analysis
//! (effects, stdin feeds, expanded paths) rather than command words. The plain
//! command-word rules of the packs live with the budget's pack data.

use crate::shell::{Analysis, EffectKind, ShellContext, SimpleCommand};
use crate::verdict::Verdict;
use std::path::Path;

/// One pack check that matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackHit {
    /// The rule id inside the pack (`recursive-delete-root`): `pack:destructive/<id>`.
    pub id: String,
    pub verdict: Verdict,
    /// The exact part refused.
    pub what: String,
    /// What to do instead.
    pub instead: String,
}

fn hit(id: &str, what: impl Into<String>, instead: &str) -> PackHit {
    PackHit {
        id: id.into(),
        verdict: Verdict::Deny,
        what: what.into(),
        instead: instead.into(),
    }
}

/// The semantic checks of `pack` (`destructive`, `secrets`, `deploy`) on one analysis.
pub fn pack_hits(pack: &str, analysis: &Analysis, ctx: &ShellContext<'_>) -> Vec<PackHit> {
    let mut hits = match pack {
        "destructive" => destructive(analysis, ctx),
        "secrets" => secrets(analysis),
        "deploy" => deploy(analysis),
        _ => Vec::new(),
    };
    hits.dedup();
    hits
}

const FETCHERS: &[&str] = &[
    "curl", "wget", "http", "https", "xh", "nc", "ncat", "aria2c", "fetch", "lynx",
];
const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", "busybox", "source", ".", "python",
    "python3", "perl", "ruby", "node",
];

fn destructive(analysis: &Analysis, ctx: &ShellContext<'_>) -> Vec<PackHit> {
    let mut hits = Vec::new();
    let deleting: Vec<&SimpleCommand> = analysis
        .commands
        .iter()
        .filter(|c| {
            matches!(
                c.argv.first().map(String::as_str),
                Some("rm" | "find" | "shred")
            )
        })
        .collect();
    for effect in &analysis.effects {
        if effect.kind != (EffectKind::Delete { recursive: true })
            || !deleting.iter().any(|c| c.text == effect.command)
        {
            continue;
        }
        // `find . -name '*.o' -delete` removes matches, not the project: only the roots that
        // are out of bounds whatever the filter count then.
        let filtered = deleting.iter().any(|c| {
            c.text == effect.command
                && c.argv[0] == "find"
                && c.argv.iter().any(|a| {
                    matches!(
                        a.as_str(),
                        "-name"
                            | "-iname"
                            | "-path"
                            | "-ipath"
                            | "-regex"
                            | "-newer"
                            | "-mtime"
                            | "-size"
                    )
                })
        });
        let why =
            dangerous_target(&effect.path, ctx).filter(|why| !(filtered && *why == PROJECT_ROOT));
        if let Some(why) = why {
            hits.push(hit(
                "recursive-delete",
                format!(
                    "`{}` deletes {} recursively ({why})",
                    effect.command,
                    effect.path.display()
                ),
                "delete the specific files inside the project you mean, or ask the user",
            ));
        }
    }
    for command in &analysis.commands {
        let argv: Vec<&str> = command.argv.iter().map(String::as_str).collect();
        match argv.first().copied() {
            Some("git") => git_checks(&argv, command, &mut hits),
            Some(name) if name.starts_with("git-") => hits.push(hit(
                "git-dashed-executable",
                format!("`{}` runs git through its dashed executable", command.text),
                "use the `git <subcommand>` form, which the budget can decide",
            )),
            Some("dd") => {
                for a in &argv[1..] {
                    if let Some(target) = a.strip_prefix("of=")
                        && target.starts_with("/dev/")
                        && !matches!(target, "/dev/null" | "/dev/stdout" | "/dev/stderr")
                    {
                        hits.push(hit(
                            "dd-device",
                            format!("`{}` writes the device {target}", command.text),
                            "do not write raw devices; ask the user",
                        ));
                    }
                }
            }
            Some(shell)
                if (SHELLS.contains(&shell) || shell == "eval")
                    && argv[1..].iter().any(|a| {
                        ["$(curl", "$(wget", "`curl", "`wget"]
                            .iter()
                            .any(|p| a.contains(p))
                    }) =>
            {
                hits.push(pipe_to_shell(&command.text));
            }
            _ => {}
        }
    }
    for feed in &analysis.feeds {
        if SHELLS.contains(&feed.program.as_str()) && FETCHERS.contains(&feed.producer.as_str()) {
            hits.push(pipe_to_shell(&feed.command));
        }
    }
    hits
}

fn pipe_to_shell(text: &str) -> PackHit {
    hit(
        "pipe-to-shell",
        format!("`{text}` runs a script fetched from the network"),
        "download the script to a file, read it, and ask the user before running it",
    )
}

const PROJECT_ROOT: &str = "the project root or a parent of it";

/// Why deleting `path` recursively is out of bounds, if it is.
fn dangerous_target(path: &Path, ctx: &ShellContext<'_>) -> Option<&'static str> {
    if path == Path::new("/") {
        return Some("the filesystem root");
    }
    if ctx
        .home
        .as_deref()
        .is_some_and(|home| home.starts_with(path))
    {
        return Some("the home directory or a parent of it");
    }
    if ctx.project_dir.starts_with(path) {
        return Some(PROJECT_ROOT);
    }
    if !path.starts_with(&ctx.project_dir) {
        return Some("outside the project");
    }
    None
}

/// Config keys that make git run a program or read other config.
pub fn runs_programs(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    let exact = [
        "core.pager",
        "core.editor",
        "sequence.editor",
        "core.sshcommand",
        "core.hookspath",
        "core.fsmonitor",
        "diff.external",
        "credential.helper",
        "include.path",
        "core.gitproxy",
        "gpg.program",
    ];
    exact.contains(&key.as_str())
        || ["alias.", "pager.", "filter.", "includeif.", "credential."]
            .iter()
            .any(|p| key.starts_with(p))
        || key.starts_with("diff.") && key.ends_with(".textconv")
        || key.starts_with("diff.") && key.ends_with(".command")
        || key.starts_with("merge.") && key.ends_with(".driver")
}

fn git_checks(argv: &[&str], command: &SimpleCommand, hits: &mut Vec<PackHit>) {
    let config = |key: &str| {
        hit(
            "git-config-runs-programs",
            format!(
                "`{}` sets `{key}`, which makes git run a program",
                command.text
            ),
            "leave git's program-running configuration alone; ask the user",
        )
    };
    let mut i = 1;
    while i < argv.len() {
        match argv[i] {
            "-c" | "--config-env" => {
                if let Some(setting) = argv.get(i + 1) {
                    let key = setting.split('=').next().unwrap_or(setting);
                    if runs_programs(key) {
                        hits.push(config(key));
                    }
                }
                i += 2;
            }
            "-C" | "--git-dir" | "--work-tree" | "--namespace" => i += 2,
            a if a.starts_with("--config-env=") => {
                let key = a
                    .trim_start_matches("--config-env=")
                    .split('=')
                    .next()
                    .unwrap_or("");
                if runs_programs(key) {
                    hits.push(config(key));
                }
                i += 1;
            }
            a if a.starts_with('-') => i += 1,
            _ => break,
        }
    }
    let rest = &argv[i.min(argv.len())..];
    match rest.first().copied() {
        Some("config") => {
            let operands: Vec<&str> = rest[1..]
                .iter()
                .copied()
                .filter(|a| !a.starts_with('-'))
                .collect();
            let reading = rest.iter().any(|a| {
                matches!(
                    *a,
                    "--get" | "--get-all" | "--list" | "-l" | "--get-regexp" | "get" | "list"
                )
            });
            let (key, has_value) = match operands.first() {
                Some(&"set") => (operands.get(1).copied(), operands.len() > 2),
                Some(k) => (Some(*k), operands.len() > 1 || rest.contains(&"--add")),
                None => (None, false),
            };
            if let Some(key) = key.filter(|_| has_value && !reading)
                && runs_programs(key)
            {
                hits.push(config(key));
            }
        }
        Some("push") => {
            for flag in rest[1..].iter().filter(|a| a.starts_with("--")) {
                let flag = flag.split('=').next().unwrap_or(flag);
                // git accepts unique prefixes of long options: `--forc`, `--for`, `--del`.
                let prefix_of = |long: &str, shortest: usize| {
                    flag.len() >= shortest && long.starts_with(flag) && flag != long
                };
                if prefix_of("--force", 5)
                    || prefix_of("--force-with-lease", 8)
                    || flag == "--mirror"
                {
                    hits.push(hit(
                        "git-push-force",
                        format!("`{}` force-pushes (`{flag}`)", command.text),
                        "push without forcing; rebase or merge instead, or ask the user",
                    ));
                }
            }
            for refspec in rest[1..].iter().filter(|a| !a.starts_with('-')).skip(1) {
                if refspec.starts_with('+') {
                    hits.push(hit(
                        "git-push-force",
                        format!("`{}` force-pushes `{refspec}`", command.text),
                        "push without `+`; rebase or merge instead, or ask the user",
                    ));
                } else if let Some(branch) = refspec.strip_prefix(':') {
                    hits.push(hit(
                        "git-push-delete",
                        format!("`{}` deletes the remote branch `{}`", command.text, branch),
                        "ask the user to delete remote branches",
                    ));
                }
            }
        }
        _ => {}
    }
}

/// Whether a variable name looks like it holds a secret.
pub fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "KEY",
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "CREDENTIAL",
        "PRIVATE",
        "COOKIE",
        "SESSION",
    ]
    .iter()
    .any(|w| upper.contains(w))
}

/// Names referenced as `$NAME` or `${NAME…}` in a word as written.
fn referenced_variables(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let body = rest
            .strip_prefix('{')
            .unwrap_or(rest)
            .trim_start_matches('!');
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

/// `${!name}`: the value of the variable whose name `name` holds (not `${!prefix*}` or
/// `${!prefix@}`, which list names).
fn indirect_expansion(word: &str) -> bool {
    word.match_indices("${!").any(|(at, _)| {
        let body: String = word[at + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let next = word[at + 3 + body.len()..].chars().next();
        !body.is_empty() && !matches!(next, Some('*' | '@'))
    })
}

/// Programs that print (or pass on) what they read on standard input.
const STDIN_PRINTERS: &[&str] = &[
    "cat", "tee", "head", "tail", "tac", "rev", "nl", "od", "xxd", "hexdump", "base64", "base32",
    "basenc", "strings", "tr", "cut", "sort", "uniq", "fold", "fmt", "paste", "column", "sed",
    "awk", "gawk", "mawk", "jq", "less", "more", "xargs", "dd", "iconv",
];

/// Variables that hold a copy of a secret-named one (`x=$GITHUB_TOKEN`, `export T="$KEY"`,
/// copies of copies), by name.
fn copied_secrets(analysis: &Analysis) -> Vec<String> {
    let exported = analysis.commands.iter().filter(|c| {
        matches!(
            c.argv.first().map(String::as_str),
            Some("export" | "declare" | "typeset" | "local" | "readonly")
        )
    });
    let assignments: Vec<(&str, &str)> = analysis
        .copies
        .iter()
        .filter_map(|c| Some((c.variable.as_deref()?, c.word.as_str())))
        .chain(
            exported
                .flat_map(|c| c.argv[1..].iter())
                .filter_map(|a| a.split_once('=')),
        )
        .collect();
    let mut copied: Vec<String> = Vec::new();
    // Each round adds a name or stops: at most one round per assignment.
    loop {
        let before = copied.len();
        for (name, word) in &assignments {
            let secret = |v: &String| secret_name(v) || copied.contains(v);
            if !secret_name(name)
                && !copied.iter().any(|c| c == name)
                && referenced_variables(word).iter().any(secret)
            {
                copied.push((*name).to_owned());
            }
        }
        if copied.len() == before {
            return copied;
        }
    }
}

fn secrets(analysis: &Analysis) -> Vec<PackHit> {
    let mut hits = Vec::new();
    let copied = copied_secrets(analysis);
    let is_secret = |name: &String| secret_name(name) || copied.contains(name);
    for copy in analysis.copies.iter().filter(|c| c.variable.is_none()) {
        let printers = analysis.feeds.iter().filter(|f| {
            matches!(f.producer.as_str(), "here-string" | "here-document")
                && f.command == copy.command
                && STDIN_PRINTERS.contains(&f.program.as_str())
        });
        if printers.count() == 0 {
            continue;
        }
        for name in referenced_variables(&copy.word)
            .iter()
            .filter(|n| is_secret(n))
        {
            hits.push(hit(
                "secret-variable",
                format!("`{}` prints `${name}` fed as a here-string", copy.command),
                "use the variable without printing it",
            ));
        }
    }
    for effect in &analysis.effects {
        // `/proc/<pid>/environ` is a process's whole environment.
        let mut parts = effect
            .path
            .components()
            .map(|c| c.as_os_str().to_string_lossy());
        if effect.kind == EffectKind::Read
            && parts.nth(1).is_some_and(|p| p == "proc")
            && effect.path.file_name().is_some_and(|f| f == "environ")
        {
            hits.push(hit(
                "environment-dump",
                format!("`{}` reads a process's whole environment", effect.command),
                "print only the variables you need, by name, if they are not secret",
            ));
        }
    }
    let dump = |text: &str| {
        hit(
            "environment-dump",
            format!("`{text}` prints the whole environment"),
            "print only the variables you need, by name, if they are not secret",
        )
    };
    for command in &analysis.commands {
        let argv: Vec<&str> = command.argv.iter().map(String::as_str).collect();
        let operands: Vec<&str> = argv
            .iter()
            .skip(1)
            .copied()
            .filter(|a| !a.starts_with('-'))
            .collect();
        match argv.first().copied() {
            Some("env" | "printenv") if operands.is_empty() && !command.transparent => {
                hits.push(dump(&command.text))
            }
            Some("export" | "declare" | "typeset")
                if operands.is_empty()
                    && argv[1..].iter().any(|a| matches!(*a, "-p" | "-x" | "-px"))
                    || argv == ["export"] =>
            {
                hits.push(dump(&command.text))
            }
            Some("set") if argv.len() == 1 => hits.push(dump(&command.text)),
            Some("declare" | "typeset" | "export" | "readonly" | "local")
                if argv[1..]
                    .iter()
                    .any(|a| a.starts_with('-') && a.contains('p')) =>
            {
                // `declare -p GITHUB_TOKEN` prints the value.
                for name in operands.iter().filter(|n| secret_name(n)) {
                    hits.push(hit(
                        "secret-variable",
                        format!("`{}` prints `{name}`", command.text),
                        "use the variable without printing it",
                    ));
                }
            }
            Some("ps")
                if argv[1..].iter().any(|a| {
                    !a.starts_with('-')
                        && a.chars().all(|c| c.is_ascii_alphabetic())
                        && a.contains('e')
                }) =>
            {
                // BSD-style `ps e` / `ps auxe` / `ps eww` shows every process's environment.
                hits.push(dump(&command.text));
            }
            Some("printenv") => {
                for name in operands.iter().filter(|n| secret_name(n)) {
                    hits.push(hit(
                        "secret-variable",
                        format!("`{}` prints `{name}`", command.text),
                        "use the variable without printing it",
                    ));
                }
            }
            Some("echo" | "printf") if argv[1..].iter().any(|a| indirect_expansion(a)) => {
                hits.push(hit(
                    "secret-variable",
                    format!(
                        "`{}` prints a variable chosen at run time (`${{!name}}`)",
                        command.text
                    ),
                    "print variables by name, and not secret ones",
                ));
            }
            Some("echo" | "printf") => {
                for name in argv[1..]
                    .iter()
                    .flat_map(|a| referenced_variables(a))
                    .filter(is_secret)
                {
                    hits.push(hit(
                        "secret-variable",
                        format!("`{}` prints `${name}`", command.text),
                        "use the variable without printing it",
                    ));
                }
            }
            _ => {}
        }
    }
    hits
}

const DATABASES: &[&str] = &[
    "psql",
    "mysql",
    "mariadb",
    "sqlite3",
    "sqlite",
    "mongosh",
    "mongo",
    "redis-cli",
    "sqlcmd",
    "clickhouse-client",
    "cockroach",
    "duckdb",
    "cqlsh",
    "pgcli",
    "mycli",
];

fn destroys_data(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    upper
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .any(|w| {
            matches!(
                w,
                "DROP" | "TRUNCATE" | "FLUSHALL" | "FLUSHDB" | "DROPDATABASE"
            )
        })
        || upper.contains(".DROP(")
}

fn deploy(analysis: &Analysis) -> Vec<PackHit> {
    let mut hits = Vec::new();
    let refuse = |text: &str| {
        hit(
            "database-drop",
            format!("`{text}` drops or truncates data"),
            "write a migration for review, or ask the user",
        )
    };
    for command in &analysis.commands {
        let is_db = command
            .argv
            .first()
            .is_some_and(|n| DATABASES.contains(&n.as_str()));
        if is_db && command.argv[1..].iter().any(|a| destroys_data(a)) {
            hits.push(refuse(&command.text));
        }
    }
    for feed in &analysis.feeds {
        if DATABASES.contains(&feed.program.as_str())
            && feed.text.as_deref().is_some_and(destroys_data)
        {
            hits.push(refuse(&feed.command));
        }
    }
    hits
}
