//! Wrappers that run their arguments as a command (`sudo`, `env`, `timeout 5`, `xargs`, …)
//! and builtins with no effect outside the shell. A wrapper is transparent: it is reported
//! (so a rule naming it can match) and the wrapped command is analysed as if written alone.

use crate::shell::wrapper_shapes::SHAPES;

/// Programs whose `-c STRING` (or `--command STRING`) is run by a shell: `su -c`,
/// `runuser -l u -c`, `script -c`, `flock FILE -c`, `sg GROUP -c`.
pub fn command_string_option<S: AsRef<str>>(name: &str, argv: &[S]) -> Option<Option<usize>> {
    // `npx -c 'cmd'`, `pnpm exec -c 'cmd'`.
    if let Some(at) =
        crate::shell::programs::runners::unwrap(name, argv).and_then(|r| r.shell_string)
    {
        return Some(Some(at));
    }
    if !matches!(name, "su" | "runuser" | "script" | "flock" | "sg") {
        return None;
    }
    let at = argv.iter().enumerate().skip(1).find_map(|(i, a)| {
        let a = a.as_ref();
        if matches!(a, "-c" | "--command" | "--session-command") {
            Some(Some(i + 1).filter(|&v| v < argv.len()))
        } else if a.starts_with('-')
            && !a.starts_with("--")
            && a.len() > 2
            && a.ends_with('c')
            && name != "flock"
        {
            // `su -lc 'cmd'`, `script -qc 'cmd'`.
            Some(Some(i + 1).filter(|&v| v < argv.len()))
        } else {
            None
        }
    })?;
    Some(at)
}

/// Builtins and utilities with no effect outside the shell (SPEC §5): transparent.
pub const EFFECT_FREE_BUILTINS: &[&str] = &[
    "cd", "pwd", "true", "false", ":", "test", "[", "[[", "set", "shopt", "export", "unset",
    "local", "declare", "typeset", "readonly", "read", "shift", "exit", "return", "wait", "pushd",
    "popd", "dirs", "break", "continue",
];

/// Wrappers whose exit status is the wrapped command's (so a test run under them still
/// decides the whole command's status); `xargs`, `parallel`, `watch`, `setsid` … do not.
pub fn passes_status(name: &str) -> bool {
    matches!(
        name,
        "timeout"
            | "nice"
            | "nohup"
            | "env"
            | "sudo"
            | "doas"
            | "command"
            | "builtin"
            | "exec"
            | "time"
            | "stdbuf"
            | "ionice"
            | "chrt"
            | "taskset"
            | "flock"
    )
}

/// What a wrapper wraps.
#[derive(Debug, PartialEq, Eq)]
pub struct Unwrapped {
    /// Index of the wrapped command's name in argv; `None` when there is none (`env` alone
    /// prints the environment and is then not a wrapper at all).
    pub start: Option<usize>,
    /// `env -C dir` / `sudo -D dir`: the wrapped command runs there.
    pub chdir: Option<String>,
    /// `xargs`: the wrapped command gets operands we cannot see.
    pub unknown_operands: bool,
    /// `env -S`: the wrapped command is a string we do not split.
    pub opaque: bool,
    /// Why what the wrapper runs is not known (`env -P altpath`, an unknown option).
    pub problem: Option<String>,
}

/// GNU env's options; BSD's `-P altpath` (search the command there) is refused apart.
const ENV_OPTIONS: &[&str] = &[
    "-i",
    "--ignore-environment",
    "-0",
    "--null",
    "-u",
    "--unset",
    "-C",
    "--chdir",
    "-S",
    "--split-string",
    "-v",
    "--debug",
    "--block-signal",
    "--default-signal",
    "--ignore-signal",
    "--list-signal-handling",
];

/// `Some` when `name` is a wrapper.
pub fn unwrap<S: AsRef<str>>(name: &str, argv: &[S]) -> Option<Unwrapped> {
    if let Some(runner) = crate::shell::programs::runners::unwrap(name, argv) {
        return Some(Unwrapped {
            start: runner.start,
            chdir: runner.chdir,
            unknown_operands: false,
            opaque: false,
            problem: runner.problem,
        });
    }
    let shape = SHAPES.iter().find(|s| s.name == name)?;
    let mut out = Unwrapped {
        start: None,
        chdir: None,
        unknown_operands: matches!(name, "xargs" | "parallel"),
        opaque: false,
        problem: None,
    };
    let mut i = 1;
    let mut positionals = shape.positionals;
    while i < argv.len() {
        let arg = argv[i].as_ref();
        if arg == "--" {
            i += 1;
            break;
        }
        if name == "command" && matches!(arg, "-v" | "-V") {
            return Some(out);
        }
        if name == "env" {
            // `env -` is `env -i`.
            let flag = arg.split('=').next().unwrap_or(arg);
            if arg == "-" {
                i += 1;
                continue;
            }
            if flag == "-P" || flag.starts_with("-P") && !flag.starts_with("--") {
                out.problem = Some(
                    "`env -P` looks the command up in another PATH, which the analyser does not follow"
                        .into(),
                );
                return Some(out);
            }
            let known = ENV_OPTIONS.contains(&flag)
                || !flag.starts_with("--")
                    && flag.len() > 1
                    && flag[1..].chars().all(|c| "i0v".contains(c))
                || ["-u", "-C", "-S"].iter().any(|o| flag.starts_with(o));
            if flag.starts_with('-') && flag.len() > 1 && !known {
                out.problem = Some(format!(
                    "`env {arg}` is not an option the analyser knows; what env runs is not known"
                ));
                return Some(out);
            }
        }
        if arg.starts_with('-')
            && arg.len() > 1
            && !(name == "nice" && arg[1..].chars().all(|c| c.is_ascii_digit()))
        {
            let (flag, attached) = match arg.split_once('=') {
                Some((flag, value)) if arg.starts_with("--") => (flag, Some(value.to_owned())),
                _ if !arg.starts_with("--")
                    && arg.len() > 2
                    && shape.value_options.contains(&&arg[..2]) =>
                {
                    (&arg[..2], Some(arg[2..].to_owned()))
                }
                _ => (arg, None),
            };
            let takes_value = shape.value_options.contains(&flag);
            let value = if takes_value && attached.is_none() {
                i += 1;
                argv.get(i).map(|a| a.as_ref().to_owned())
            } else {
                attached
            };
            if takes_value {
                match flag {
                    "-C" | "--chdir" if name == "env" => out.chdir = value,
                    "-D" | "--chdir" if name == "sudo" => out.chdir = value,
                    "-S" | "--split-string" if name == "env" => out.opaque = true,
                    _ => {}
                }
            }
            i += 1;
            continue;
        }
        if name == "nice" && arg.starts_with('-') {
            i += 1;
            continue;
        }
        if shape.assignments && is_assignment(arg) {
            i += 1;
            continue;
        }
        if positionals > 0 {
            positionals -= 1;
            i += 1;
            continue;
        }
        break;
    }
    if i < argv.len() {
        out.start = Some(i);
    }
    Some(out)
}

/// Variables that change which program runs, what it loads, or make an allowed program run
/// code or write files (SPEC §5.1: `PATH`, `LD_PRELOAD`, `BASH_ENV`, `GIT_EXTERNAL_DIFF`,
/// `EDITOR`, `GIT_TRACE`, `CARGO_*_RUNNER`, `RUSTC_WRAPPER`, `XDG_CONFIG_HOME`, …): setting
/// them is not an "ordinary" assignment.
pub fn changes_what_runs(name: &str) -> bool {
    matches!(
        name,
        "PATH"
            | "BASH_ENV"
            | "ENV"
            | "NODE_OPTIONS"
            | "NODE_PATH"
            | "PYTHONSTARTUP"
            | "PYTHONPATH"
            | "PYTHONHOME"
            | "PERL5OPT"
            | "PERL5LIB"
            | "RUBYOPT"
            | "RUBYLIB"
            | "PROMPT_COMMAND"
            | "GIT_SSH"
            | "GIT_SSH_COMMAND"
            | "GIT_EXEC_PATH"
            | "GIT_CONFIG_GLOBAL"
            | "GIT_CONFIG_SYSTEM"
            | "GIT_EXTERNAL_DIFF"
            | "GIT_EDITOR"
            | "GIT_SEQUENCE_EDITOR"
            | "EDITOR"
            | "VISUAL"
            | "PAGER"
            | "GIT_PAGER"
            | "MANPAGER"
            | "GIT_ASKPASS"
            | "SSH_ASKPASS"
            | "GIT_DIR"
            | "GIT_WORK_TREE"
            | "GIT_TEMPLATE_DIR"
            | "XDG_CONFIG_HOME"
            | "HOME"
            | "RUSTC_WRAPPER"
            | "RUSTC_WORKSPACE_WRAPPER"
            | "RUSTC"
            | "RUSTDOC"
            | "CARGO_HOME"
            | "CARGO_BUILD_RUSTC_WRAPPER"
            | "IFS"
            | "CDPATH"
            | "SHELLOPTS"
            | "BASHOPTS"
    ) || name.starts_with("LD_")
        || name.starts_with("DYLD_")
        || name.starts_with("GIT_CONFIG_")
        || name.starts_with("GIT_TRACE")
        || name.starts_with("CARGO_") && (name.ends_with("_RUNNER") || name.ends_with("_LINKER"))
}

/// Variables that, exported, change which program later commands of the same line run
/// (`export PATH=…`); the editors and pagers of [`changes_what_runs`] are left to the
/// command they precede.
pub fn changes_what_later_runs(name: &str) -> bool {
    matches!(
        name,
        "PATH"
            | "BASH_ENV"
            | "ENV"
            | "NODE_OPTIONS"
            | "PYTHONSTARTUP"
            | "PYTHONPATH"
            | "PERL5OPT"
            | "RUBYOPT"
            | "PROMPT_COMMAND"
            | "GIT_SSH"
            | "GIT_SSH_COMMAND"
            | "GIT_EXEC_PATH"
            | "GIT_EXTERNAL_DIFF"
            | "IFS"
            | "CDPATH"
            | "SHELLOPTS"
    ) || name.starts_with("LD_")
        || name.starts_with("DYLD_")
        || name.starts_with("GIT_CONFIG_")
}

/// Search-path variables whose value, a list of literal relative folders without `..`,
/// only adds code the project itself holds (`PYTHONPATH=src python -m pytest`).
fn project_search_path(name: &str, value: &str) -> bool {
    matches!(name, "PYTHONPATH" | "NODE_PATH" | "PERL5LIB" | "RUBYLIB")
        && !value.is_empty()
        && value.split(':').all(|dir| {
            !dir.is_empty()
                && !dir.starts_with('/')
                && !dir.starts_with('~')
                && dir
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
                && !dir.split('/').any(|part| part == "..")
        })
}

/// Whether `NAME=raw_value` before a command makes the part unanalysable.
pub fn assignment_runs_code(name: &str, raw_value: &str) -> bool {
    changes_what_runs(name) && !project_search_path(name, raw_value)
}

/// Proxy variables (`https_proxy`, `ALL_PROXY`, …): a fetcher's traffic goes to their host.
pub fn names_a_proxy(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with("_proxy") && lower != "no_proxy"
}

/// `NAME=value` with a valid shell name.
pub fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            !name.is_empty()
                && !name.starts_with(|c: char| c.is_ascii_digit())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => false,
    }
}

/// Shells whose `-c STRING` or standard input is a script.
pub fn is_shell(name: &str) -> bool {
    matches!(
        name,
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "ash" | "mksh" | "fish" | "busybox"
    )
}

/// How a shell was asked to run: `-c STRING`, a script file, or its standard input.
#[derive(Debug, PartialEq, Eq)]
pub enum ShellMode {
    /// Index of the `-c` string in argv.
    String(usize),
    /// `-c` with nothing after it.
    MissingString,
    /// Index of the script file operand.
    File(usize),
    Stdin,
}

/// Reads a shell's options: clusters (`-lc`, `-ec`), separate flags (`-e -c`), `-o opt`,
/// `--login`, `--`.
pub fn shell_mode<S: AsRef<str>>(argv: &[S]) -> ShellMode {
    let mut i = 1;
    let mut wants_string = false;
    // `busybox sh -c …`
    if argv.first().is_some_and(|a| a.as_ref() == "busybox") {
        i = 2;
    }
    while i < argv.len() {
        let arg = argv[i].as_ref();
        if arg == "--" || arg == "-" {
            i += 1;
            break;
        }
        if arg.starts_with("--") {
            i += if matches!(arg, "--rcfile" | "--init-file") {
                2
            } else {
                1
            };
            continue;
        }
        if (arg.starts_with('-') || arg.starts_with('+')) && arg.len() > 1 {
            if arg[1..].contains('c') && arg.starts_with('-') {
                wants_string = true;
            }
            if arg[1..].contains('o') || arg[1..].contains('O') {
                i += 1;
            }
            i += 1;
            continue;
        }
        break;
    }
    match (wants_string, i < argv.len()) {
        (true, true) => ShellMode::String(i),
        (true, false) => ShellMode::MissingString,
        (false, true) => ShellMode::File(i),
        (false, false) => ShellMode::Stdin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(text: &str) -> Vec<String> {
        text.split(' ').map(String::from).collect()
    }

    #[test]
    fn wrappers_find_the_command_they_run() {
        let rows: &[(&str, Option<&str>)] = &[
            ("sudo rm -rf /", Some("rm")),
            ("sudo -u root rm x", Some("rm")),
            ("sudo -E -u root -- rm x", Some("rm")),
            ("env -i A=1 B=2 rm x", Some("rm")),
            ("env -u X rm x", Some("rm")),
            ("env", None),
            ("timeout 5 rm x", Some("rm")),
            ("timeout -s KILL 10s rm x", Some("rm")),
            ("timeout --kill-after=2 5 rm x", Some("rm")),
            ("nice -n 10 rm x", Some("rm")),
            ("nice -10 rm x", Some("rm")),
            ("stdbuf -oL rm x", Some("rm")),
            ("stdbuf -o L rm x", Some("rm")),
            ("xargs -0 -I {} rm {}", Some("rm")),
            ("xargs -n1 -P4 rm", Some("rm")),
            ("command -v rm", None),
            ("command rm x", Some("rm")),
            ("exec -a name rm x", Some("rm")),
            ("nohup rm x", Some("rm")),
            ("time -p rm x", Some("rm")),
            ("doas -u root rm x", Some("rm")),
        ];
        for (text, want) in rows {
            let words = argv(text);
            let got = unwrap(&words[0], &words).unwrap_or_else(|| panic!("{text}: not a wrapper"));
            assert_eq!(got.start.map(|i| words[i].as_str()), *want, "{text}");
        }
    }

    #[test]
    fn shells_find_their_script() {
        let rows: &[(&str, ShellMode)] = &[
            ("bash -c x", ShellMode::String(2)),
            ("sh -lc x", ShellMode::String(2)),
            ("bash -e -c x", ShellMode::String(3)),
            ("bash -o pipefail -c x", ShellMode::String(4)),
            ("bash --login -c x", ShellMode::String(3)),
            ("bash script.sh", ShellMode::File(1)),
            ("bash", ShellMode::Stdin),
            ("bash -s", ShellMode::Stdin),
            ("bash -c", ShellMode::MissingString),
        ];
        for (text, want) in rows {
            assert_eq!(shell_mode(&argv(text)), *want, "{text}");
        }
    }
}
