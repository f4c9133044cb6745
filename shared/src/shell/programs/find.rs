//! GNU find's command line as find reads it: options before the starting points
//! (`-H`/`-L`/`-P`/`-D x`/`-Olevel`/`--`), every primary with the number of words it takes (so
//! `find . -gid -delete -print` is the malformed `-gid -delete`, which find refuses before
//! doing anything), `-exec`/`-execdir`/`-ok` with `{}` substituted inside words, and the name
//! tests (`-name`, `-iname`, `-path`, `-regex`, …) that narrow what an action touches. A
//! command run on the matches reads them: that is a folder read narrowed by the tests.

use super::folders::{FindTest, FolderRead, Visit};
use crate::paths::normalise;
use crate::shell::effects::Role;
use crate::shell::run::{Arg, basename};
use crate::shell::walk::{Output, Scope, Walker};
use std::path::Path;

/// Options read before the starting points, with their value count.
#[rustfmt::skip]
const LEADING: &[(&str, usize)] = &[("-H", 0), ("-L", 0), ("-P", 0), ("-D", 1)];

/// Every primary find knows and how many words follow it (actions that run a command
/// end at `;` or `+` and are handled apart).
#[rustfmt::skip]
const PRIMARIES: &[(&str, usize)] = &[
    // Tests and options taking one word.
    ("-name", 1),
    ("-iname", 1),
    ("-path", 1),
    ("-ipath", 1),
    ("-wholename", 1),
    ("-iwholename", 1),
    ("-regex", 1),
    ("-iregex", 1),
    ("-lname", 1),
    ("-ilname", 1),
    ("-type", 1),
    ("-xtype", 1),
    ("-user", 1),
    ("-group", 1),
    ("-uid", 1),
    ("-gid", 1),
    ("-perm", 1),
    ("-size", 1),
    ("-mtime", 1),
    ("-atime", 1),
    ("-ctime", 1),
    ("-mmin", 1),
    ("-amin", 1),
    ("-cmin", 1),
    ("-newer", 1),
    ("-anewer", 1),
    ("-cnewer", 1),
    ("-used", 1),
    ("-inum", 1),
    ("-links", 1),
    ("-samefile", 1),
    ("-fstype", 1),
    ("-context", 1),
    ("-maxdepth", 1),
    ("-mindepth", 1),
    ("-printf", 1),
    ("-regextype", 1),
    ("-files0-from", 1),
    // Writers: unanalysable (below), with their words.
    ("-fprint", 1),
    ("-fprint0", 1),
    ("-fls", 1),
    ("-fprintf", 2),
    // No word.
    ("-delete", 0),
    ("-print", 0),
    ("-print0", 0),
    ("-ls", 0),
    ("-prune", 0),
    ("-quit", 0),
    ("-true", 0),
    ("-false", 0),
    ("-empty", 0),
    ("-executable", 0),
    ("-readable", 0),
    ("-writable", 0),
    ("-nouser", 0),
    ("-nogroup", 0),
    ("-depth", 0),
    ("-d", 0),
    ("-mount", 0),
    ("-xdev", 0),
    ("-noleaf", 0),
    ("-ignore_readdir_race", 0),
    ("-noignore_readdir_race", 0),
    ("-follow", 0),
    ("-daystart", 0),
    ("-warn", 0),
    ("-nowarn", 0),
    ("-not", 0),
    ("!", 0),
    ("-a", 0),
    ("-and", 0),
    ("-o", 0),
    ("-or", 0),
    (",", 0),
    ("(", 0),
    (")", 0),
    ("-help", 0),
    ("--help", 0),
    ("-version", 0),
    ("--version", 0),
];

fn arity(word: &str) -> Option<usize> {
    if word.starts_with("-newer") && word.len() == 8 {
        // `-newerXY REF`.
        return Some(1);
    }
    PRIMARIES.iter().find(|(n, _)| *n == word).map(|(_, k)| *k)
}

impl Walker<'_, '_> {
    pub(in crate::shell) fn run_find(
        &mut self,
        args: &[Arg],
        scope: &mut Scope,
        text: &str,
    ) -> Option<Output> {
        let mut i = 1;
        // `find -L -D tree -O3 -- ROOT …`
        while i < args.len() {
            let shown = args[i].shown();
            if shown == "--" {
                i += 1;
                break;
            }
            if shown.starts_with("-O") && shown.len() > 2 {
                i += 1;
                continue;
            }
            match LEADING.iter().find(|(n, _)| *n == shown) {
                Some((_, k)) => i += 1 + k,
                None => break,
            }
        }
        let mut roots = Vec::new();
        while i < args.len() {
            let shown = args[i].shown();
            if (shown.starts_with('-') && shown.len() > 1) || matches!(shown, "(" | "!") {
                break;
            }
            roots.push(args[i].clone());
            i += 1;
        }
        if roots.is_empty() {
            roots.push(Arg::literal("."));
        }
        for root in &roots {
            self.operand(root, Role::Read, scope, text, "find");
        }
        let expression = &args[i..];
        let tests = narrowing_tests(expression);
        self.record_listing(&roots, &tests, scope, text);
        let mut filter = crate::shell::indirect::NameFilter::of_expression(expression);
        while i < args.len() {
            let shown = args[i].shown().to_owned();
            let first_new_effect = self.out.effects.len();
            match shown.as_str() {
                "-name" | "-iname" => {
                    filter.add(args.get(i + 1));
                    i += 1;
                }
                "-exec" | "-execdir" | "-ok" | "-okdir" => {
                    let start = i + 1;
                    let mut end = start;
                    while end < args.len() && !matches!(args[end].shown(), ";" | "+") {
                        end += 1;
                    }
                    if end == args.len() {
                        self.unanalysable(format!("`find {shown}` without `;` or `+`"), text);
                    }
                    self.find_exec(&shown, &args[start..end], &roots, &tests, scope, text);
                    if inner_names_only_matches(&args[start..end]) {
                        self.filter_deletes(first_new_effect, &filter);
                    }
                    i = end;
                }
                "-delete" => {
                    for root in &roots {
                        self.operand(root, Role::Delete { recursive: true }, scope, text, "find");
                    }
                    self.filter_deletes(first_new_effect, &filter);
                }
                // GNU find reads its starting points from the file (and prints the ones it
                // cannot open, so the file's lines reach the output).
                "-files0-from" => {
                    if let Some(list) = args.get(i + 1) {
                        self.operand(list, Role::Read, scope, text, "find");
                    }
                    i += 1;
                }
                "-fprint" | "-fprint0" | "-fprintf" | "-fls" => {
                    self.unanalysable(
                        format!("`find {shown}` writes files the analyser does not follow"),
                        text,
                    );
                    i += arity(&shown).unwrap_or(0);
                }
                other => match arity(other) {
                    Some(k) => i += k,
                    None if other.starts_with('-') => {
                        // find refuses an unknown primary before doing anything; a newer
                        // find may know it, so the model does not guess.
                        self.unanalysable(
                            format!("`find {other}` is not in the model of find"),
                            text,
                        );
                    }
                    None => {}
                },
            }
            i += 1;
        }
        Some(Output::Program("find".into()))
    }

    /// `-exec CMD … {} …`: CMD runs on each match; `{}` inside a word is substituted too
    /// (`{}/.env`). With `-execdir` CMD runs in the match's folder.
    fn find_exec(
        &mut self,
        action: &str,
        inner: &[Arg],
        roots: &[Arg],
        tests: &Option<Vec<FindTest>>,
        scope: &Scope,
        text: &str,
    ) {
        if inner.is_empty() {
            self.unanalysable(format!("`find {action}` without a command"), text);
            return;
        }
        let in_match_dir = matches!(action, "-execdir" | "-okdir");
        let mut words = Vec::new();
        let mut embedded = false;
        for arg in inner {
            let shown = arg.shown();
            if shown == "{}" {
                words.extend(roots.iter().cloned());
            } else if shown.contains("{}") {
                embedded = true;
                for root in roots {
                    let value = arg
                        .value
                        .as_ref()
                        .zip(root.value.as_ref())
                        .map(|(v, r)| v.replace("{}", r));
                    words.push(Arg {
                        raw: arg.raw.clone(),
                        value,
                        glob: None,
                    });
                }
            } else {
                if in_match_dir
                    && !shown.starts_with('-')
                    && !shown.starts_with('/')
                    && !words.is_empty()
                    && arg.value.is_some()
                {
                    self.unanalysable(
                        format!(
                            "`find {action}` runs `{}` in each match's folder: `{shown}` is relative to it",
                            inner[0].shown()
                        ),
                        text,
                    );
                }
                words.push(arg.clone());
            }
        }
        if embedded {
            self.unanalysable(
                format!(
                    "`find {action}` puts each match into a longer word (`{{}}` inside a word)"
                ),
                text,
            );
        }
        let program = inner[0].value.as_deref().map(basename).unwrap_or_default();
        let deletes = matches!(program, "rm" | "unlink" | "shred" | "rmdir");
        let mut inner_scope = scope.clone();
        self.run_argv(words, &mut inner_scope, text, &[], false);
        if deletes {
            for root in roots {
                self.operand(root, Role::Delete { recursive: true }, scope, text, "find");
            }
        }
        let passes_matches = inner.iter().skip(1).any(|a| a.shown().contains("{}"));
        if passes_matches && !crate::shell::effects::never_reads(program) && !deletes {
            self.find_reads_matches(roots, tests, scope, text);
        }
    }

    /// The matches a command is given are read: every file under the roots that passes the
    /// name tests (all of them when the expression has alternatives).
    fn find_reads_matches(
        &mut self,
        roots: &[Arg],
        tests: &Option<Vec<FindTest>>,
        scope: &Scope,
        text: &str,
    ) {
        let Some(cwd) = scope.cwd.as_deref() else {
            return;
        };
        for root in roots.iter().filter_map(|r| r.value.as_deref()) {
            let path = normalise(Path::new(root), cwd);
            // `ROOT/PATTERN` as a path too: a rule whose text the pattern meets (`*.pem`
            // meets `**/*.pem`) decides it even past the walk's bound.
            for test in tests.iter().flatten() {
                let (FindTest::Name(pattern, _) | FindTest::Path(pattern, _)) = test else {
                    continue;
                };
                let named = if pattern.contains('/') {
                    normalise(Path::new(pattern), cwd)
                } else {
                    path.join(pattern)
                };
                self.file_effect(&named, crate::shell::EffectKind::Read, None, text);
            }
            if !self.ctx.fs.is_dir(&path) {
                continue;
            }
            let read = FolderRead {
                path,
                program: "find".into(),
                visit: Visit {
                    hidden: true,
                    find_tests: tests.clone().unwrap_or_default(),
                    find_root: root.to_owned(),
                    leave_out: "add `-not -name '{}'` before the action".into(),
                    ..Visit::default()
                },
                command: text.to_owned(),
            };
            if !self.out.folder_reads.contains(&read) {
                self.out.folder_reads.push(read);
            }
        }
    }
}

impl Walker<'_, '_> {
    /// What find prints, for a reader fed its output (`find … | xargs wc -l`).
    fn record_listing(
        &mut self,
        roots: &[Arg],
        tests: &Option<Vec<FindTest>>,
        scope: &Scope,
        text: &str,
    ) {
        let Some(cwd) = scope.cwd.as_deref() else {
            self.out.listings.push(Vec::new());
            return;
        };
        let reads = roots
            .iter()
            .filter_map(|r| r.value.as_deref())
            .map(|root| FolderRead {
                path: normalise(Path::new(root), cwd),
                program: "find".into(),
                visit: Visit {
                    hidden: true,
                    find_tests: tests.clone().unwrap_or_default(),
                    find_root: root.to_owned(),
                    leave_out: "add `-not -name '{}'` to the find".into(),
                    ..Visit::default()
                },
                command: text.to_owned(),
            })
            .collect();
        self.out.listings.push(reads);
    }
}

/// The name tests of a plain conjunction (`None` with `-o`, `!`, `-not`, `,` or
/// parentheses: any entry may match).
fn narrowing_tests(expression: &[Arg]) -> Option<Vec<FindTest>> {
    let alternatives = expression.iter().any(|a| {
        matches!(
            a.shown(),
            "-o" | "-or" | "!" | "-not" | "," | "(" | ")" | "\\(" | "\\)"
        )
    });
    if alternatives {
        return None;
    }
    let mut tests = Vec::new();
    for pair in expression.windows(2) {
        let Some(value) = pair[1].value.clone() else {
            continue;
        };
        let test = match pair[0].shown() {
            "-name" => FindTest::Name(value, false),
            "-iname" => FindTest::Name(value, true),
            "-path" | "-wholename" => FindTest::Path(value, false),
            "-ipath" | "-iwholename" => FindTest::Path(value, true),
            "-regex" => FindTest::Regex(value, false),
            "-iregex" => FindTest::Regex(value, true),
            _ => continue,
        };
        tests.push(test);
    }
    Some(tests)
}

/// True when the words of a `-exec` command name no path but `{}` (and flags): it acts only
/// on what matched.
fn inner_names_only_matches(inner: &[Arg]) -> bool {
    inner
        .iter()
        .skip(1)
        .all(|a| a.shown() == "{}" || a.shown().starts_with('-'))
}
