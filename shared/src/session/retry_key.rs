//! The retry key of a Bash call (SPEC §6.3): what runs, not how it is spelled. After three
//! `cargo build` failures, `cargo build;`, `cargo build 2>&1`, `env X=1 cargo build`,
//! `command cargo build`, `'cargo' build`, `/usr/bin/cargo build`, `timeout 600 cargo
//! build`, `cd . && cargo build`, `cargo build --color=never` and `cargo build # again` are
//! the same command and share one count.
//!
//! Built from the shell analysis: the simple commands' normalised argv (wrappers and
//! effect-free builtins such as `cd` are their own transparent commands and are left out;
//! redirections, comments, quoting and separators never reach argv), with cosmetic flags
//! (colour, verbosity) dropped. A command the analysis could not take apart keys on its
//! whitespace-normalised text ([`super::fingerprint`]).

use super::facts::fingerprint;
use crate::shell::Analysis;

/// Flags that change how output looks, never what runs, for every program.
const COSMETIC_LONG: &[&str] = &[
    "--color",
    "--colour",
    "--no-color",
    "--no-colour",
    "--verbose",
    "--quiet",
    "--ansi",
    "--no-ansi",
    "--progress",
    "--no-progress",
];

/// Programs whose `-v`/`-q` clusters are verbosity (for `grep -v` they are not).
const VERBOSITY_SHORT: &[&str] = &[
    "cargo", "pytest", "go", "npm", "yarn", "pnpm", "make", "mvn", "gradle", "jest", "vitest",
    "mocha", "nextest", "tox", "pip",
];

/// The retry key of `command` given its analysis.
pub fn command_fingerprint(analysis: &Analysis, command: &str) -> String {
    if !analysis.unanalysable.is_empty() {
        return fingerprint(command);
    }
    let parts: Vec<String> = analysis
        .commands
        .iter()
        .filter(|c| !c.transparent)
        .map(|c| essential_words(&c.argv).join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return fingerprint(command);
    }
    parts.join(" ; ")
}

/// `argv` without its cosmetic flags (and the value of a separate `--color always`).
fn essential_words(argv: &[String]) -> Vec<&str> {
    let program = argv.first().map_or("", String::as_str);
    let verbosity = VERBOSITY_SHORT.contains(&program);
    let mut out = Vec::with_capacity(argv.len());
    let mut skip_value = false;
    for (i, word) in argv.iter().enumerate() {
        let word = word.as_str();
        if std::mem::take(&mut skip_value) && matches!(word, "always" | "never" | "auto") {
            continue;
        }
        let name = word.split_once('=').map_or(word, |(n, _)| n);
        if i > 0 && COSMETIC_LONG.contains(&name) {
            skip_value = !word.contains('=');
            continue;
        }
        let short_cluster = |letters: &str| {
            word.len() > 1
                && word.starts_with('-')
                && !word.starts_with("--")
                && word[1..].chars().all(|c| letters.contains(c))
        };
        if i > 0 && verbosity && short_cluster("vq") {
            continue;
        }
        out.push(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsview::RealFs;
    use crate::shell::{self, ShellContext};
    use std::path::PathBuf;

    fn key(command: &str) -> String {
        let ctx = ShellContext {
            cwd: PathBuf::from("/p"),
            home: Some(PathBuf::from("/home/u")),
            project_dir: PathBuf::from("/p"),
            fs: &RealFs,
        };
        command_fingerprint(&shell::analyse(command, &ctx), command)
    }

    #[test]
    fn respellings_of_one_command_share_its_key() {
        let base = key("cargo build");
        for spelling in [
            "cargo build;",
            "cargo build 2>&1",
            "env X=1 cargo build",
            "command cargo build",
            "'cargo' build",
            "/usr/bin/cargo build",
            "timeout 600 cargo build",
            "cd . && cargo build",
            "cargo build --color=never",
            "cargo build --color never",
            "cargo build # again",
            "cargo  build -v",
            "X=1 cargo build",
        ] {
            assert_eq!(key(spelling), base, "{spelling}");
        }
    }

    #[test]
    fn different_commands_keep_different_keys() {
        let base = key("cargo build");
        for other in ["cargo build --release", "cargo test", "cargo build -p x"] {
            assert_ne!(key(other), base, "{other}");
        }
        assert_ne!(
            key("grep -v x f"),
            key("grep x f"),
            "grep -v is not verbosity"
        );
    }
}
