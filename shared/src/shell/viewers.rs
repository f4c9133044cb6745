//! Read-only utilities of the everyday baseline (`claude-budget init` allows them) whose
//! options read another file, write one, or print the environment: `jq` (`env`, `$ENV`,
//! `-f`), `tree -o`, `file -m`/`-C`, `diff -r`. Everything else they are given is decided
//! as usual (an operand naming an existing path is a read).

use crate::shell::effects::Role;

/// Adjusts the roles of `args` (index 0 is the program) and adds what cannot be analysed.
pub fn roles(name: &str, roles: &mut [Role], args: &[Option<&str>], problems: &mut Vec<String>) {
    let n = args.len();
    let get = |i: usize| args.get(i).copied().flatten().unwrap_or("");
    match name {
        "tree" => {
            // `tree -o FILE` writes the listing to FILE.
            for i in 1..n.saturating_sub(1) {
                if get(i) == "-o" {
                    roles[i + 1] = Role::Write;
                }
            }
        }
        "file" => {
            for i in 1..n {
                if matches!(get(i), "-m" | "--magic-file") && i + 1 < n {
                    roles[i + 1] = Role::Read;
                }
                if matches!(get(i), "-C" | "--compile") {
                    problems.push("`file -C` writes a compiled magic file beside it".into());
                }
            }
        }
        "diff" => {
            // `diff -r` reads every file under its folders (`diff -rN . empty/` prints them
            // all, `.env` included); the folders are not walked here.
            let recursive = args.iter().skip(1).flatten().any(|a| {
                *a == "--recursive"
                    || (a.starts_with('-') && !a.starts_with("--") && a.contains(['r', 'R']))
            });
            if recursive {
                problems.push("`diff -r` reads every file under its folders".into());
            }
        }
        _ => {
            // jq and its clones: `env` / `$ENV` print the environment (secrets included);
            // a filter read from a file or a module is not seen.
            for i in 1..n {
                let a = get(i);
                let filter_like = !a.starts_with('-') && (reads_env(a) || loads_module(a));
                if matches!(a, "-f" | "--from-file") || filter_like {
                    problems.push(format!(
                        "the jq argument `{a}` reads the environment or a filter file"
                    ));
                }
            }
        }
    }
}

/// Whether a jq filter loads a module (`import "m" as x;`, `include "m";`): code we do not see.
fn loads_module(filter: &str) -> bool {
    ["import", "include"].iter().any(|directive| {
        filter.match_indices(directive).any(|(at, _)| {
            let rest = filter[at + directive.len()..].trim_start();
            rest.starts_with('"') && (at == 0 || !filter[..at].ends_with(['.', '_']))
        })
    })
}

/// Whether a jq filter names `$ENV` or the builtin `env` as a word (not `.environment`).
fn reads_env(filter: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
    filter.contains("$ENV")
        || filter.match_indices("env").any(|(at, _)| {
            let before = filter[..at].chars().next_back();
            let after = filter[at + 3..].chars().next();
            !word(before) && !word(after)
        })
}

#[cfg(test)]
mod tests {
    use super::{loads_module, reads_env};

    #[test]
    fn jq_modules_are_found_but_fields_named_like_them_are_not() {
        for (filter, expected) in [
            ("import \"lib\" as l; l::f", true),
            ("include \"lib\"; f", true),
            (".include", false),
            (".imports[]", false),
        ] {
            assert_eq!(loads_module(filter), expected, "{filter}");
        }
    }

    #[test]
    fn jq_env_is_found_as_a_word_only() {
        for (filter, expected) in [
            ("env", true),
            ("env.HOME", true),
            ("$ENV.X", true),
            ("[env | keys]", true),
            (".environment", false),
            (".dev_env", false),
            (".name", false),
        ] {
            assert_eq!(reads_env(filter), expected, "{filter}");
        }
    }
}
