//! A program's option table and the getopt-style reader every modelled program shares:
//! short clusters (`-rnw`, `-e PAT`, `-ePAT`), long options with `=` or a separate value,
//! long options abbreviated to any unambiguous prefix (GNU `getopt_long`, git's parser), and
//! `--`. An option the table does not list is reported, so a model never guesses.

/// What an option's value is to the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// The option takes no value.
    Flag,
    /// A value that names no file and runs nothing (a pattern, a count, a format).
    Data,
    /// A file the program reads.
    Read,
    /// A file the program writes.
    Write,
    /// A folder the program writes into.
    WriteDir,
    /// A command the program runs.
    Run,
    /// A value attached only (`--color[=WHEN]`): a separate word is not its value.
    Optional,
}

/// One option: every spelling (`-o`, `--output`) and what its value is.
#[derive(Clone, Copy, Debug)]
pub struct Opt {
    pub names: &'static [&'static str],
    pub value: Value,
}

/// Shorthand for table rows.
pub const fn opt(names: &'static [&'static str], value: Value) -> Opt {
    Opt { names, value }
}

/// One option as found in argv.
#[derive(Clone, Debug)]
pub struct Found<'t> {
    /// The index of the word holding the option.
    pub at: usize,
    /// The spelling the table lists (a prefix is resolved to its full name).
    pub name: &'static str,
    pub opt: &'t Opt,
    /// The value: the word index, and whether it is attached to the option word.
    pub value: Option<(usize, ValueText)>,
}

/// Where a value's text is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueText {
    /// The whole word at the index.
    Word,
    /// Attached to the option word (`--output=F`, `-oF`): the text itself.
    Attached(String),
}

/// What reading argv found.
#[derive(Clone, Debug, Default)]
pub struct Scanned<'t> {
    pub options: Vec<Found<'t>>,
    /// Indices of the operands (non-options, and everything after `--`).
    pub operands: Vec<usize>,
    /// Option words the table does not know (or an ambiguous prefix).
    pub unknown: Vec<String>,
}

impl Scanned<'_> {
    /// Whether an option with this spelling (or one of its aliases in the same table row)
    /// was given. A negated `--no-X` is not `X`.
    pub fn has(&self, name: &str) -> bool {
        self.options.iter().any(|f| f.opt.names.contains(&name))
    }
    /// How many times an option with this spelling was given (`-uu`).
    pub fn count(&self, name: &str) -> usize {
        self.options
            .iter()
            .filter(|f| f.opt.names.contains(&name))
            .count()
    }
    /// The values of every option with this spelling, as text.
    pub fn values<'a>(&'a self, name: &str, args: &'a [Option<&'a str>]) -> Vec<&'a str> {
        self.options
            .iter()
            .filter(|f| f.opt.names.contains(&name))
            .filter_map(|f| match &f.value {
                Some((_, ValueText::Attached(v))) => Some(v.as_str()),
                Some((i, ValueText::Word)) => args.get(*i).copied().flatten(),
                None => None,
            })
            .collect()
    }
}

/// How a program reads its argv.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Options may follow operands (GNU permutation); else the first operand ends them.
    pub permute: bool,
    /// Long options may be abbreviated to an unambiguous prefix.
    pub prefixes: bool,
    /// `--no-NAME` negates any long option (git's parse-options).
    pub negations: bool,
}

/// GNU tools: permutation and prefixes.
pub const GNU: Style = Style {
    permute: true,
    prefixes: true,
    negations: false,
};

/// git's parse-options: permutation, prefixes and `--no-` negations.
pub const GIT: Style = Style {
    permute: true,
    prefixes: true,
    negations: true,
};

/// Reads `args` (index 0 is the program) from `start` with `table`.
pub fn scan<'t>(
    args: &[Option<&str>],
    start: usize,
    table: &'t [Opt],
    style: Style,
) -> Scanned<'t> {
    let mut out = Scanned::default();
    let get = |i: usize| args.get(i).copied().flatten();
    let mut i = start;
    let mut done = false;
    while i < args.len() {
        let Some(word) = get(i) else {
            out.operands.push(i);
            i += 1;
            continue;
        };
        if done || word == "-" || !word.starts_with('-') {
            out.operands.push(i);
            if !style.permute {
                done = true;
            }
            i += 1;
            continue;
        }
        if word == "--" {
            done = true;
            i += 1;
            continue;
        }
        if let Some(long) = word.strip_prefix("--") {
            let (name, attached) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            let negated = style.negations
                && find_long(table, name, style.prefixes).is_none()
                && name.starts_with("no-");
            let found = if negated {
                // `--no-verify`, `--no-ver`: the negation takes no value.
                find_long(table, &name[3..], style.prefixes).map(|(f, _)| (f, &NEGATED))
            } else {
                find_long(table, name, style.prefixes)
            };
            match found {
                Some((full, opt)) => {
                    let value = match (opt.value, attached) {
                        (Value::Flag, _) => None,
                        (_, Some(v)) => Some((i, ValueText::Attached(v.to_owned()))),
                        (Value::Optional, None) => None,
                        (_, None) if i + 1 < args.len() => {
                            i += 1;
                            Some((i, ValueText::Word))
                        }
                        (_, None) => None,
                    };
                    out.options.push(Found {
                        at: i - usize::from(matches!(value, Some((_, ValueText::Word)))),
                        name: full,
                        opt,
                        value,
                    });
                }
                None => out.unknown.push(word.to_owned()),
            }
            i += 1;
            continue;
        }
        // A short cluster.
        let body = &word[1..];
        let at = i;
        for (k, c) in body.char_indices() {
            let Some((full, opt)) = find_short(table, c) else {
                out.unknown.push(format!("-{c}"));
                // An unknown letter may take the rest as its value: nothing after it is known.
                break;
            };
            if matches!(opt.value, Value::Flag) {
                out.options.push(Found {
                    at,
                    name: full,
                    opt,
                    value: None,
                });
                continue;
            }
            let rest = &body[k + c.len_utf8()..];
            let value = if !rest.is_empty() {
                Some((at, ValueText::Attached(rest.to_owned())))
            } else if matches!(opt.value, Value::Optional) {
                None
            } else if i + 1 < args.len() {
                i += 1;
                Some((i, ValueText::Word))
            } else {
                None
            };
            out.options.push(Found {
                at,
                name: full,
                opt,
                value,
            });
            break;
        }
        i += 1;
    }
    out
}

/// The row a negated option (`--no-X`) is read as: a flag.
static NEGATED: Opt = opt(&[], Value::Flag);

fn find_short(table: &[Opt], c: char) -> Option<(&'static str, &Opt)> {
    table.iter().find_map(|o| {
        o.names
            .iter()
            .find(|n| n.len() == 2 && n.starts_with('-') && n[1..].starts_with(c))
            .map(|n| (*n, o))
    })
}

/// A long option by its full name, or by an unambiguous prefix when `prefixes`.
pub fn find_long<'t>(
    table: &'t [Opt],
    name: &str,
    prefixes: bool,
) -> Option<(&'static str, &'t Opt)> {
    let spelled = |n: &str| n.strip_prefix("--").map(str::to_owned);
    let exact = table.iter().find_map(|o| {
        o.names
            .iter()
            .find(|n| spelled(n).as_deref() == Some(name))
            .map(|n| (*n, o))
    });
    if exact.is_some() || !prefixes || name.is_empty() {
        return exact;
    }
    let mut hits = table.iter().flat_map(|o| {
        o.names
            .iter()
            .filter(move |n| spelled(n).is_some_and(|s| s.starts_with(name)))
            .map(move |n| (*n, o))
    });
    let first = hits.next()?;
    // A prefix of two spellings is ambiguous (git and getopt refuse it).
    if hits.any(|(n, _)| n != first.0) {
        return None;
    }
    Some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &[Opt] = &[
        opt(&["-f", "--force"], Value::Flag),
        opt(&["--format"], Value::Data),
        opt(&["-o", "--output"], Value::Write),
        opt(&["-v", "--verbose"], Value::Flag),
        opt(&["--hard"], Value::Flag),
    ];

    fn words(text: &str) -> Vec<Option<&str>> {
        text.split(' ').map(Some).collect()
    }

    #[test]
    fn long_prefixes_resolve_only_when_unambiguous() {
        assert_eq!(find_long(T, "ha", true).map(|f| f.0), Some("--hard"));
        assert_eq!(find_long(T, "fo", true).map(|f| f.0), None);
        assert_eq!(find_long(T, "forc", true).map(|f| f.0), Some("--force"));
        assert_eq!(find_long(T, "out", true).map(|f| f.0), Some("--output"));
        assert_eq!(find_long(T, "out", false).map(|f| f.0), None);
    }

    #[test]
    fn clusters_and_attached_values_are_read_as_getopt_does() {
        let args = words("x -vfoOUT a --out=B -o C -- -f");
        let s = scan(&args, 1, T, GNU);
        assert_eq!(s.values("-o", &args), vec!["OUT", "B", "C"]);
        assert!(s.has("-f") && s.has("-v"));
        assert_eq!(s.operands, vec![2, 7]);
        let args = words("x -vz a");
        assert_eq!(scan(&args, 1, T, GNU).unknown, vec!["-z"]);
    }
}
