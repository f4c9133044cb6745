//! Package runners that run their arguments as a command (SPEC §5): `npx`, `npm exec`/`x`,
//! `pnpm exec`/`dlx`, `yarn exec`/`dlx`, `bunx`, `uv run`, `poetry run`, `pipx run`. Each is a
//! wrapper: the command it runs is decided. Their `-c`/`--call`/`--shell-mode` run a shell
//! string; an option the table does not know makes the part unanalysable.

use super::options::{GNU, Opt, Value, opt, scan};

/// What a runner runs.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Runner {
    /// Index of the command's name.
    pub start: Option<usize>,
    /// `pnpm -C dir exec`, `uv run --directory dir`.
    pub chdir: Option<String>,
    /// Index of a shell string (`npx -c 'cmd'`).
    pub shell_string: Option<usize>,
    /// Why the part is unanalysable.
    pub problem: Option<String>,
}

#[rustfmt::skip]
const NPX: &[Opt] = &[
    opt(&["-p", "--package", "-w", "--workspace"], Value::Data),
    opt(&["-c", "--call"], Value::Run),
    opt(&["-y", "--yes", "--no", "-q", "--quiet", "--ws", "--workspaces"], Value::Flag),
    opt(&["--include-workspace-root", "--prefer-online", "--prefer-offline"], Value::Flag),
];

#[rustfmt::skip]
const PNPM_EXEC: &[Opt] = &[
    opt(&["-c", "--shell-mode"], Value::Flag),
    opt(&["--filter", "-F", "--resume-from", "--package", "--allow-build"], Value::Data),
    opt(&["-C", "--dir"], Value::Data),
    opt(&["-r", "--recursive", "--parallel", "--no-reporter-hide-prefix", "--silent"], Value::Flag),
    opt(&["-w", "--workspace-root", "--report-summary", "--no-bail", "--bail"], Value::Flag),
];

#[rustfmt::skip]
const YARN: &[Opt] = &[
    opt(&["-p", "--package"], Value::Data),
    opt(&["-q", "--quiet"], Value::Flag),
];

#[rustfmt::skip]
const BUNX: &[Opt] = &[
    opt(&["-p", "--package"], Value::Data),
    opt(&["--bun", "--silent", "--verbose", "--no-install"], Value::Flag),
];

#[rustfmt::skip]
const UV_RUN: &[Opt] = &[
    opt(&["--directory", "--project"], Value::Data),
    opt(&["--env-file", "--with-requirements", "--config-file"], Value::Read),
    opt(&["-m", "--module", "-s", "--script", "--gui-script"], Value::Run),
    opt(&["--with", "--with-editable", "-p", "--python", "--extra", "--group"], Value::Data),
    opt(&["--package", "--index", "--index-url", "--default-index", "--extra-index-url"], Value::Data),
    opt(&["-f", "--find-links", "--cache-dir", "--no-group", "--only-group"], Value::Data),
    opt(&["--no-extra", "--color", "-P", "--upgrade-package", "--reinstall-package"], Value::Data),
    opt(&["--resolution", "--prerelease", "--exclude-newer", "--link-mode", "--index-strategy"], Value::Data),
    opt(&["--all-extras", "--no-dev", "--dev", "--frozen", "--locked", "--isolated"], Value::Flag),
    opt(&["--no-sync", "--active", "--no-project", "--offline", "-q", "--quiet", "-v"], Value::Flag),
    opt(&["--verbose", "-n", "--no-cache", "--no-env-file", "--all-packages", "--exact"], Value::Flag),
    opt(&["--inexact", "--only-dev", "--no-default-groups", "--all-groups", "--no-editable"], Value::Flag),
    opt(&["--reinstall", "-U", "--upgrade", "--refresh", "--no-build", "--no-binary"], Value::Flag),
    opt(&["--native-tls", "--compile-bytecode", "--no-config", "--no-python-downloads"], Value::Flag),
    opt(&["--managed-python", "--no-managed-python", "--preview"], Value::Flag),
];

#[rustfmt::skip]
const POETRY: &[Opt] = &[
    opt(&["-C", "--directory", "-P", "--project"], Value::Data),
    opt(&["-q", "--quiet", "-v", "-vv", "-vvv", "--verbose", "-n"], Value::Flag),
    opt(&["--no-interaction", "--ansi", "--no-ansi", "--no-plugins", "--no-cache"], Value::Flag),
];

#[rustfmt::skip]
const PIPX_RUN: &[Opt] = &[
    opt(&["--spec", "--python", "--pip-args", "--index-url", "-i", "--backend"], Value::Data),
    opt(&["--no-cache", "--path", "--pypackages", "-v", "--verbose", "-q", "--quiet"], Value::Flag),
    opt(&["-e", "--editable", "--system-site-packages", "--preinstall"], Value::Flag),
];

/// The runner `name` is (with its subcommand), or `None`.
pub fn unwrap<S: AsRef<str>>(name: &str, argv: &[S]) -> Option<Runner> {
    let word = |i: usize| argv.get(i).map(AsRef::as_ref);
    let (from, table, label): (usize, &[Opt], &str) = match (name, word(1)) {
        ("npx", _) => (1, NPX, "npx"),
        ("npm", Some("exec" | "x")) => (2, NPX, "npm exec"),
        ("pnpm", Some("exec" | "dlx")) => (2, PNPM_EXEC, "pnpm exec"),
        ("pnpx", _) => (1, PNPM_EXEC, "pnpx"),
        ("yarn", Some("exec" | "dlx")) => (2, YARN, "yarn exec"),
        ("bunx", _) => (1, BUNX, "bunx"),
        ("bun", Some("x")) => (2, BUNX, "bun x"),
        ("uv", Some("run")) => (2, UV_RUN, "uv run"),
        ("uvx", _) => (1, PIPX_RUN, "uvx"),
        ("poetry", Some("run")) => (2, POETRY, "poetry run"),
        ("pipx", Some("run")) => (2, PIPX_RUN, "pipx run"),
        _ => return None,
    };
    let args: Vec<Option<&str>> = argv.iter().map(|a| Some(a.as_ref())).collect();
    // The command's own options follow it: stop at the first operand.
    let s = scan(
        &args,
        from,
        table,
        super::options::Style {
            permute: false,
            ..GNU
        },
    );
    let mut out = Runner {
        start: s.operands.first().copied(),
        ..Runner::default()
    };
    if let Some(word) = s.unknown.first() {
        out.problem = Some(format!(
            "`{label}` option `{word}` is not in the model of `{label}`"
        ));
    }
    for f in &s.options {
        match (f.name, &f.value) {
            ("-c" | "--call", Some((i, super::options::ValueText::Word)))
                if std::ptr::eq(table, NPX) =>
            {
                out.shell_string = Some(*i);
            }
            ("-c" | "--shell-mode", _) if std::ptr::eq(table, PNPM_EXEC) => {
                // The rest is joined and run by a shell: one word is the common case.
                match s.operands.as_slice() {
                    [one] => out.shell_string = Some(*one),
                    _ => out.problem = Some(format!("`{label} -c` runs its words with a shell")),
                }
            }
            ("-m" | "--module" | "-s" | "--script" | "--gui-script", _) => {
                out.problem = Some(format!(
                    "`{label} {}` runs Python code the analyser does not read",
                    f.name
                ));
            }
            _ => {}
        }
    }
    for name in ["--directory", "-C", "--dir"] {
        if let Some(dir) = s.values(name, &args).first() {
            out.chdir = Some((*dir).to_owned());
        }
    }
    if out.shell_string.is_some() {
        out.start = None;
    }
    Some(out)
}
