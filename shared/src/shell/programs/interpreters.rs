//! Interpreter code given inline (SPEC §5): `python -c`, `python3 -` or a script fed on
//! standard input, `node -e/-p`, `perl -e/-E`, `ruby -e`, `php -r`, `deno eval`, `bun -e`,
//! `make --eval`. The analyser does not read these languages, so such a part is unanalysable
//! unless a `[run]` allow rule names the interpreter with its code flag (`python3 -c`): the
//! decision checks that ([`InlineCode`]).

use serde::Serialize;

/// Inline code run by an interpreter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InlineCode {
    /// The interpreter's name (`python3`).
    pub program: String,
    /// The flag that gives the code (`-c`, `-e`, `--eval`), or `-` for a script read on
    /// standard input.
    pub flag: String,
    pub command: String,
}

/// `python`, `python3`, `python3.12`, `pypy3`.
pub fn is_python(name: &str) -> bool {
    name.strip_prefix("python")
        .or_else(|| name.strip_prefix("pypy"))
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Python options that take the next word as their value.
const PYTHON_VALUES: &str = "WX";

/// The code flag of an inline-code invocation, if `argv` is one. `stdin_fed`: the command's
/// standard input is a pipe or a here-document.
pub fn inline_flag(name: &str, argv: &[&str], stdin_fed: bool) -> Option<String> {
    let mut i = 1;
    match name {
        n if is_python(n) => {
            while i < argv.len() {
                let a = argv[i];
                if a == "-" {
                    return Some("-".into());
                }
                if a == "--" {
                    return (argv.get(i + 1) == Some(&"-")).then(|| "-".into());
                }
                if !a.starts_with('-') {
                    // A script file runs: not inline code.
                    return None;
                }
                if a.starts_with("--") {
                    i += 1;
                    continue;
                }
                let body = &a[1..];
                for (k, c) in body.char_indices() {
                    match c {
                        'c' => return Some("-c".into()),
                        'm' => return None,
                        _ if PYTHON_VALUES.contains(c) => {
                            if k + 1 == body.len() {
                                i += 1;
                            }
                            break;
                        }
                        _ => {}
                    }
                }
                i += 1;
            }
            stdin_fed.then(|| "-".into())
        }
        "node" | "nodejs" | "bun" => {
            while i < argv.len() {
                let a = argv[i];
                match a {
                    "-e" | "--eval" | "-p" | "--print" | "-pe" => return Some(a.into()),
                    "-" => return Some("-".into()),
                    "-r" | "--require" | "--import" | "--loader" | "--experimental-loader" => {
                        i += 1
                    }
                    _ if a.starts_with("--eval=") || a.starts_with("--print=") => {
                        return Some(a.split('=').next().unwrap_or(a).into());
                    }
                    _ if !a.starts_with('-') => return None,
                    _ => {}
                }
                i += 1;
            }
            (stdin_fed && name != "bun").then(|| "-".into())
        }
        "perl" | "ruby" => {
            while i < argv.len() {
                let a = argv[i];
                if a == "-" {
                    return Some("-".into());
                }
                if a == "--" || !a.starts_with('-') {
                    return None;
                }
                if !a.starts_with("--")
                    && let Some(c) = a[1..].chars().find(|c| matches!(c, 'e' | 'E'))
                {
                    return Some(format!("-{c}"));
                }
                i += 1;
            }
            stdin_fed.then(|| "-".into())
        }
        "php" => {
            while i < argv.len() {
                let a = argv[i];
                if a == "-r" || a.starts_with("-r") && !a.starts_with("--") {
                    return Some("-r".into());
                }
                if !a.starts_with('-') {
                    return None;
                }
                i += 1;
            }
            stdin_fed.then(|| "-".into())
        }
        "deno" => (argv.get(1) == Some(&"eval")).then(|| "eval".into()),
        "make" | "gmake" => argv.iter().skip(1).find_map(|a| {
            (*a == "-E" || a.starts_with("--eval") || a.starts_with("-E")).then(|| {
                if a.starts_with("--eval") {
                    "--eval".into()
                } else {
                    "-E".into()
                }
            })
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::inline_flag;

    #[test]
    fn inline_code_is_found_by_the_interpreters_own_flags() {
        let rows: &[(&str, bool, Option<&str>)] = &[
            ("python3 -c print(1)", false, Some("-c")),
            ("python3 -Ic x", false, Some("-c")),
            ("python3 -", false, Some("-")),
            ("python3", true, Some("-")),
            ("python3 script.py", true, None),
            ("python3 -m pytest", true, None),
            ("python3 -W ignore -c x", false, Some("-c")),
            ("node -e x", false, Some("-e")),
            ("node --eval=x", false, Some("--eval")),
            ("node app.js -e", false, None),
            ("perl -ne print", false, Some("-e")),
            ("perl -pi -e s/a/b/ f", false, Some("-e")),
            ("perl script.pl", false, None),
            ("ruby -e x", false, Some("-e")),
            ("php -r x", false, Some("-r")),
            ("deno eval x", false, Some("eval")),
            ("make --eval=x:;rm", false, Some("--eval")),
            ("make test", false, None),
        ];
        for (text, fed, want) in rows {
            let argv: Vec<&str> = text.split(' ').collect();
            assert_eq!(
                inline_flag(argv[0], &argv, *fed).as_deref(),
                *want,
                "{text}"
            );
        }
    }
}
