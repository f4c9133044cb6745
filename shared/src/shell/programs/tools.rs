//! Build, format and archive tools whose options write files or run programs (SPEC §5,
//! §5.1; issue 14 item 4): formatters rewrite their operands (`gofmt -w`, `go fmt`,
//! `cargo fmt`, `rustfmt`, `black`, `ruff format`, `prettier --write`, `eslint --fix`,
//! `clang-format -i`), output options are writes (`go build -o`, `go test -c -o`, `cc -o`,
//! `pytest --junitxml`, `ruff --output-file`), `python -m venv DIR` writes DIR, and options
//! that run a program (`sort --compress-program`, `tar --to-command`/`-I`/
//! `--checkpoint-action=exec`, `rsync -e`, `zip -TT`, `cargo --config …runner`) run it.

use super::{Model, Run};
use crate::shell::effects::Role;

/// Each row: program, the options whose value it writes (`-o`), and whether attached
/// short values (`-oFILE`) count.
const OUTPUT_OPTIONS: &[(&str, &[&str])] = &[
    ("go", &["-o"]),
    ("cc", &["-o"]),
    ("gcc", &["-o"]),
    ("g++", &["-o"]),
    ("c++", &["-o"]),
    ("clang", &["-o"]),
    ("clang++", &["-o"]),
    ("rustc", &["-o", "--out-dir"]),
    (
        "pytest",
        &["--junitxml", "--junit-xml", "--resultlog", "--basetemp"],
    ),
    ("ruff", &["--output-file", "-o"]),
    ("sort", &["-o", "--output"]),
    ("mypy", &["--junit-xml", "--html-report", "--txt-report"]),
    ("eslint", &["-o", "--output-file"]),
];

/// A formatter: its name, the options that make it write (`None`: it always does), and the
/// options that make it only check.
type Formatter = (
    &'static str,
    Option<&'static [&'static str]>,
    &'static [&'static str],
);

/// Formatters and when they write.
const FORMATTERS: &[Formatter] = &[
    ("gofmt", Some(&["-w"]), &[]),
    ("goimports", Some(&["-w"]), &[]),
    ("rustfmt", None, &["--check"]),
    ("black", None, &["--check", "--diff"]),
    ("isort", None, &["--check", "--check-only", "-c", "--diff"]),
    ("prettier", Some(&["--write", "-w"]), &[]),
    ("eslint", Some(&["--fix"]), &["--fix-dry-run"]),
    ("clang-format", Some(&["-i"]), &[]),
    ("autopep8", Some(&["-i", "--in-place"]), &[]),
    ("shfmt", Some(&["-w", "--write"]), &[]),
    ("stylua", None, &["--check"]),
];

/// Options that run a program, per program: `(program, option)`; `=` values included.
const RUNNERS: &[(&str, &str)] = &[
    ("sort", "--compress-program"),
    ("tar", "--to-command"),
    ("tar", "-I"),
    ("tar", "--use-compress-program"),
    ("tar", "--rsh-command"),
    ("tar", "--info-script"),
    ("tar", "--new-volume-script"),
    ("tar", "-F"),
    ("rsync", "-e"),
    ("rsync", "--rsh"),
    ("rsync", "--rsync-path"),
    ("zip", "-TT"),
    ("zip", "--unzip-command"),
];

fn has(args: &[Option<&str>], names: &[&str]) -> bool {
    args.iter()
        .flatten()
        .any(|a| names.contains(&a.split('=').next().unwrap_or(a)))
}

/// Extra roles, problems and runs for these tools, added to the roles the program already
/// has (`roles` is that starting point).
#[expect(
    clippy::needless_range_loop,
    reason = "roles run in parallel with args, indexed together"
)]
pub fn refine(name: &str, args: &[Option<&str>], mut roles: Vec<Role>) -> Option<Model> {
    let mut m = Model::data(args.len());
    let n = args.len();
    let get = |i: usize| args.get(i).copied().flatten().unwrap_or("");
    let mut touched = false;
    if let Some((_, writes, checks)) = FORMATTERS.iter().find(|(p, _, _)| *p == name) {
        touched = true;
        let writing = writes.is_none_or(|w| has(args, w)) && !has(args, checks);
        for i in 1..n {
            if !get(i).starts_with('-') && roles[i] == Role::Read && writing {
                roles[i] = Role::Write;
            }
        }
    }
    let sub = get(1);
    if name == "go" && sub == "fmt"
        || name == "ruff" && sub == "format" && !has(args, &["--check", "--diff"])
        || name == "ruff" && sub == "check" && has(args, &["--fix"])
    {
        touched = true;
        let mut any = false;
        for i in 2..n {
            let a = get(i);
            if !a.starts_with('-') {
                any = true;
                roles[i] = Role::Write;
                if let Some(dir) = a.strip_suffix("/...").or((a == "...").then_some(".")) {
                    m.attached.push((dir.to_owned(), Role::Write));
                    roles[i] = Role::Data;
                }
            }
        }
        if !any {
            m.attached.push((".".into(), Role::Write));
        }
    }
    if name == "cargo" && get(1) == "fmt" && !has(args, &["--check"]) {
        // `cargo fmt -- FILE…` hands the files to rustfmt, which rewrites them. (Without
        // files it rewrites the crate's own sources: not modelled as edits, so
        // `cargo fmt && cargo test` still proves the tests ran after the last edit.)
        if let Some(dd) = (2..n).find(|&i| get(i) == "--") {
            for i in dd + 1..n {
                if !get(i).starts_with('-') {
                    touched = true;
                    roles[i] = Role::Write;
                }
            }
        }
    }
    if let Some((_, options)) = OUTPUT_OPTIONS.iter().find(|(p, _)| *p == name) {
        for i in 1..n {
            let a = get(i);
            for o in *options {
                if a == *o && i + 1 < n {
                    touched = true;
                    roles[i + 1] = Role::Write;
                } else if let Some(v) = a.strip_prefix(&format!("{o}=")) {
                    touched = true;
                    m.attached.push((v.to_owned(), Role::Write));
                } else if o.len() == 2 && a.starts_with(o) && a.len() > 2 && !a.starts_with("--") {
                    touched = true;
                    m.attached.push((a[2..].to_owned(), Role::Write));
                }
            }
        }
    }
    if super::interpreters::is_python(name) && get(1) == "-m" && get(2) == "venv" {
        touched = true;
        for i in 3..n {
            if !get(i).starts_with('-') {
                roles[i] = Role::Write;
            }
        }
    }
    for (program, option) in RUNNERS.iter().filter(|(p, _)| *p == name) {
        for i in 1..n {
            let a = get(i);
            let value = if a == *option {
                args.get(i + 1).copied().flatten()
            } else if let Some(v) = a.strip_prefix(&format!("{option}=")) {
                Some(v)
            } else if option.len() == 2
                && a.starts_with(option)
                && a.len() > 2
                && !a.starts_with("--")
            {
                Some(&a[2..])
            } else {
                continue;
            };
            touched = true;
            if a == *option && i + 1 < n {
                roles[i + 1] = Role::Data;
            }
            match value {
                Some(v) => m.runs.push(Run::Script {
                    script: v.to_owned(),
                    why: format!("the program `{program} {option}` runs"),
                }),
                None => m.problems.push(format!(
                    "`{program} {option}` runs a program that is not a literal"
                )),
            }
        }
    }
    if name == "tar" {
        for a in args.iter().flatten() {
            if let Some(action) = a.strip_prefix("--checkpoint-action=") {
                touched = true;
                if let Some(command) = action.strip_prefix("exec=") {
                    m.runs.push(Run::Script {
                        script: command.to_owned(),
                        why: "`tar --checkpoint-action=exec` runs it".into(),
                    });
                }
            }
        }
    }
    if name == "cargo" {
        for (i, a) in args.iter().enumerate().skip(1) {
            let value = match a {
                Some("--config") => args.get(i + 1).copied().flatten(),
                Some(w) => w.strip_prefix("--config="),
                None => None,
            };
            if let Some(v) = value {
                touched = true;
                let key = v.split('=').next().unwrap_or(v).to_ascii_lowercase();
                let runs = [
                    "runner",
                    "wrapper",
                    "rustc",
                    "linker",
                    "alias",
                    "credential",
                    "rustdoc",
                ]
                .iter()
                .any(|k| key.contains(k));
                if runs || !v.contains('=') {
                    m.problems.push(format!(
                        "`cargo --config {v}` can name a program cargo runs (or a config file that does)"
                    ));
                }
            }
        }
    }
    touched.then(|| {
        m.roles = roles;
        m
    })
}
