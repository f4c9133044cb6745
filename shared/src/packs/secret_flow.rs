//! Pack `secrets`, issue 9 classes 7 and 8: secrets printed by bash itself or by programs
//! that print an argument, whole-environment dumps in their less common shapes, and the
//! line between a variable that is expanded and text that only looks like one
//! (`echo '$GITHUB_TOKEN'` prints the name, never the value).

use super::{PackHit, hit};
use crate::shell::{Analysis, SimpleCommand};

/// Options whose value a program prints (a format string): `git log --format=…`,
/// `--pretty=…`, `stat --printf=…`, `find -printf …`.
const FORMAT_OPTIONS: &[&str] = &[
    "--format", "--pretty", "--printf", "-printf", "-fprintf", "-c",
];

/// Programs that print a format option's value.
const FORMAT_PRINTERS: &[&str] = &["git", "stat", "find", "date", "jq", "docker", "kubectl"];

/// Names referenced in a word as written, quote-aware; an unparsable word counts every
/// `$NAME` in it (erring towards the secret).
pub(super) fn referenced(word: &str) -> Vec<String> {
    crate::shell::expanded_variables(word).unwrap_or_else(|| lexical_references(word))
}

fn lexical_references(word: &str) -> Vec<String> {
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

/// `declare` / `typeset` (alone, or with only listing options such as `-x`, `-xp`, `-p`):
/// every variable with its value.
pub(super) fn lists_variables(argv: &[&str]) -> bool {
    let Some((program, rest)) = argv.split_first() else {
        return false;
    };
    match *program {
        "declare" | "typeset" => rest.iter().all(|a| {
            a.starts_with('-') && a.len() > 1 && a[1..].chars().all(|c| "xpraAiltug".contains(c))
        }),
        "export" => rest.iter().all(|a| *a == "-p"),
        _ => false,
    }
}

/// `env` with nothing to run: `env`, `env FOO=bar`, `env -u PATH`, `env -i` print the
/// (changed) environment.
pub(super) fn env_prints_all(argv: &[&str]) -> bool {
    if argv.first() != Some(&"env") {
        return false;
    }
    let mut rest = argv[1..].iter();
    while let Some(word) = rest.next() {
        match *word {
            "-u" | "--unset" | "-C" | "--chdir" | "-S" | "--split-string" => {
                rest.next();
            }
            w if w.starts_with('-') => {}
            w if w.contains('=') && !w.starts_with('=') => {}
            _ => return false,
        }
    }
    true
}

/// The checks added by issue 9; `is_secret` knows secret names and their copies.
pub(super) fn checks(analysis: &Analysis, is_secret: &dyn Fn(&String) -> bool) -> Vec<PackHit> {
    let mut hits = Vec::new();
    for command in &analysis.commands {
        for name in command.reports.iter().filter(|n| is_secret(n)) {
            hits.push(hit(
                "secret-variable",
                format!(
                    "`{}` makes bash print `${name}` as an error message (`${{X:?…}}`)",
                    command.text
                ),
                "use the variable without printing it",
            ));
        }
        for name in format_printed(command).iter().filter(|n| is_secret(n)) {
            hits.push(hit(
                "secret-variable",
                format!("`{}` prints `${name}` as a format string", command.text),
                "use the variable without printing it",
            ));
        }
    }
    hits
}

/// Secret candidates a program prints through a format option.
fn format_printed(command: &SimpleCommand) -> Vec<String> {
    let Some(program) = command.argv.first() else {
        return Vec::new();
    };
    if !FORMAT_PRINTERS.contains(&program.as_str()) || command.expands.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, arg) in command.argv.iter().enumerate().skip(1) {
        let option = arg.split('=').next().unwrap_or_default();
        let is_format = FORMAT_OPTIONS.contains(&option) && arg.contains('=')
            || i > 1 && FORMAT_OPTIONS.contains(&command.argv[i - 1].as_str())
            || program == "date" && arg.starts_with('+')
            || arg.starts_with("format:");
        if is_format {
            out.extend(
                referenced(arg)
                    .into_iter()
                    .filter(|n| command.expands.contains(n)),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_listings_are_recognised() {
        for argv in [
            &["declare"][..],
            &["typeset"],
            &["declare", "-xp"],
            &["declare", "-p"],
            &["export", "-p"],
        ] {
            assert!(lists_variables(argv), "{argv:?}");
        }
        assert!(!lists_variables(&["declare", "-x", "FOO=1"]));
        assert!(!lists_variables(&["declare", "-f"]));
        for argv in [
            &["env"][..],
            &["env", "FOO=bar"],
            &["env", "-u", "PATH"],
            &["env", "-i"],
        ] {
            assert!(env_prints_all(argv), "{argv:?}");
        }
        assert!(!env_prints_all(&["env", "FOO=bar", "make"]));
    }

    #[test]
    fn only_expanded_names_are_references() {
        assert_eq!(referenced("\"$GITHUB_TOKEN\""), vec!["GITHUB_TOKEN"]);
        assert!(referenced("'$GITHUB_TOKEN'").is_empty());
        assert!(referenced("\\$GITHUB_TOKEN").is_empty());
        assert_eq!(referenced("${X:-$KEY}"), vec!["X", "KEY"]);
    }
}
