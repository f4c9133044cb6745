//! What each known program does to the operands it is given: which it writes or deletes,
//! which are data, and which of its own script languages we refuse to re-implement
//! (`sed` `e`/`w`, `awk` `system`/redirections, `find -fprint`). Operands not classified
//! here are reads when they name an existing path (SPEC §5).

pub use crate::shell::programs::git::git_subcommand;
use crate::shell::wrappers::EFFECT_FREE_BUILTINS;
use crate::shell::{operands, scripts, viewers};
pub use operands::{operand_path, writes_into_folder};

/// What an operand is to its program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Read when it names an existing path.
    Read,
    Write,
    Delete {
        recursive: bool,
    },
    /// Written only when it names an existing path (`git checkout NAME` without `--`:
    /// a file if one exists, else a branch).
    WriteIfExists,
    /// `git show REV:path`: a file read out of git's history, whether or not it exists
    /// in the work tree; the path is relative to the repository root.
    ReadFromHistory,
    /// Not a path at all (a flag, a flag's value, a message, a pattern, a script).
    Data,
    /// A hard link's source (`ln a b`, `cp -l a b`, `link a b`): writing through the link
    /// later rewrites it, and reading the link reads it.
    ReadAndWrite,
    /// A source moved away (`mv a b`, `git mv`, `rsync --remove-source-files`): deleted
    /// where it was and its contents readable where it lands.
    ReadAndDelete {
        recursive: bool,
    },
}

/// Commands whose operands are never read as files (SPEC §5).
pub fn never_reads(name: &str) -> bool {
    matches!(
        name,
        "echo" | "printf" | "ls" | "stat" | "test" | "[" | "realpath" | "basename" | "dirname"
    ) || EFFECT_FREE_BUILTINS.contains(&name)
}

/// Options whose value is a message (data, never a path or code).
pub fn is_message_option(flag: &str) -> bool {
    matches!(
        flag,
        "-m" | "--message" | "--body" | "--title" | "--subject"
    )
}

/// [`is_message_option`] for one program: the short `-m` is a message only for version
/// control programs (`git commit -m`); elsewhere it is a flag or takes a file (`sort -m .env`
/// merges and prints `.env`, `file -m .env` prints its lines in warnings).
pub fn is_message_option_of(program: &str, flag: &str) -> bool {
    is_message_option(flag)
        && (flag != "-m"
            || matches!(
                program,
                "git" | "hg" | "svn" | "jj" | "bzr" | "fossil" | "cvs"
            ))
}

/// The role of every argument (index 0 is the program name and is `Data`), plus reasons the
/// program's own script makes it unanalysable.
#[expect(
    clippy::needless_range_loop,
    reason = "roles run in parallel with args, indexed together"
)]
pub fn roles(name: &str, args: &[Option<&str>]) -> (Vec<Role>, Vec<String>) {
    let n = args.len();
    let mut roles = vec![Role::Read; n];
    if n > 0 {
        roles[0] = Role::Data;
    }
    let mut problems = Vec::new();
    if never_reads(name) {
        return (vec![Role::Data; n], problems);
    }
    if let Some(model) = crate::shell::programs::model(name, args) {
        return (model.roles, model.problems);
    }
    let get = |i: usize| args.get(i).copied().flatten().unwrap_or("");
    let flags_and_operands = |roles: &mut Vec<Role>, value_options: &[&str]| -> Vec<usize> {
        let mut operands = Vec::new();
        let mut i = 1;
        let mut options_done = false;
        while i < n {
            let a = get(i);
            if !options_done && a == "--" {
                roles[i] = Role::Data;
                options_done = true;
            } else if !options_done && a.starts_with('-') && a.len() > 1 {
                roles[i] = Role::Data;
                if value_options.contains(&a) && i + 1 < n {
                    i += 1;
                    roles[i] = Role::Data;
                }
            } else {
                operands.push(i);
            }
            i += 1;
        }
        operands
    };
    let has_flag = |short: char, long: &str| {
        args.iter().skip(1).flatten().any(|a| {
            *a == long || (a.starts_with('-') && !a.starts_with("--") && a[1..].contains(short))
        })
    };
    match name {
        "rm" | "unlink" | "shred" | "rmdir" | "srm" => {
            let recursive =
                name == "rm" && (has_flag('r', "--recursive") || has_flag('R', "--recursive"));
            for i in flags_and_operands(&mut roles, &["-n", "--iterations", "-s", "--size"]) {
                roles[i] = Role::Delete { recursive };
            }
        }
        "touch" | "truncate" | "chmod" | "chown" | "chgrp" | "tee" => {
            let values: &[&str] = &["-r", "-d", "-t", "-s", "--size", "--reference", "--date"];
            let operands = flags_and_operands(&mut roles, values);
            let skip = usize::from(matches!(name, "chmod" | "chown" | "chgrp"));
            for (k, i) in operands.into_iter().enumerate() {
                roles[i] = if k < skip { Role::Data } else { Role::Write };
            }
        }
        "cp" | "mv" | "install" | "ln" | "rsync" | "scp" => {
            let values: &[&str] = &[
                "-t",
                "--target-directory",
                "-m",
                "--mode",
                "-o",
                "-g",
                "-S",
                "-e",
                "--suffix",
            ];
            let target_flag = (1..n).find(|&i| matches!(get(i), "-t" | "--target-directory"));
            // `--target-directory=DIR` / `-tDIR`: the option word itself names the target.
            let attached_target = (1..n).find(|&i| {
                get(i).starts_with("--target-directory=")
                    || get(i).starts_with("-t") && get(i).len() > 2 && !get(i).starts_with("--")
            });
            let operands = flags_and_operands(&mut roles, values);
            let symbolic = name == "ln" && has_flag('s', "--symbolic");
            let hard_link =
                (name == "ln" && !symbolic) || (name == "cp" && has_flag('l', "--link"));
            let moves_sources = name == "mv"
                || name == "rsync"
                    && args
                        .iter()
                        .flatten()
                        .any(|a| matches!(*a, "--remove-source-files" | "--remove-sent-files"));
            let directories_only = name == "install" && has_flag('d', "--directory");
            let last = operands.last().copied();
            for &i in &operands {
                let is_target =
                    target_flag.is_none() && attached_target.is_none() && Some(i) == last;
                roles[i] = if is_target || directories_only {
                    Role::Write
                } else if moves_sources {
                    Role::ReadAndDelete { recursive: true }
                } else if hard_link {
                    Role::ReadAndWrite
                } else if symbolic {
                    // A symlink's target is resolved from the link's folder: run.rs reads it.
                    Role::Data
                } else {
                    Role::Read
                };
                if get(i).contains(':') && matches!(name, "rsync" | "scp") {
                    roles[i] = Role::Data;
                }
            }
            if let Some(t) = target_flag.filter(|t| t + 1 < n) {
                roles[t + 1] = Role::Write;
            }
            if let Some(t) = attached_target {
                roles[t] = Role::Write;
            }
        }
        "link" => {
            // `link FILE LINK`: a hard link, like `ln` without options.
            let operands = flags_and_operands(&mut roles, &[]);
            if let [source, link] = operands[..] {
                roles[source] = Role::ReadAndWrite;
                roles[link] = Role::Write;
            }
        }
        "mkdir" | "mkfifo" | "mknod" => {
            for i in flags_and_operands(&mut roles, &["-m", "--mode", "-Z", "--context"]) {
                roles[i] = Role::Write;
            }
            if name == "mknod" {
                // `mknod NAME TYPE [MAJOR MINOR]`: only the name is a path.
                let operands: Vec<usize> = (1..n).filter(|&i| roles[i] == Role::Write).collect();
                for &i in operands.iter().skip(1) {
                    roles[i] = Role::Data;
                }
            }
        }
        "tar" | "bsdtar" | "gtar" => operands::tar_roles(&mut roles, args),
        "unzip" => {
            let dest = (1..n).find(|&i| get(i) == "-d").map(|i| i + 1);
            let listing = (1..n).any(|i| matches!(get(i), "-l" | "-t" | "-v" | "-p" | "-Z"));
            for i in flags_and_operands(&mut roles, &["-d", "-x", "-P"]) {
                roles[i] = Role::Read;
            }
            if let Some(d) = dest.filter(|&d| d < n && !listing) {
                roles[d] = Role::Write;
            }
        }
        "zip" => {
            let operands = flags_and_operands(&mut roles, &["-b", "-n", "-t", "-tt", "-x", "-i"]);
            if let Some(&archive) = operands.first() {
                roles[archive] = Role::Write;
            }
        }
        "gzip" | "gunzip" | "bzip2" | "bunzip2" | "xz" | "unxz" | "lzma" | "unlzma" | "zstd"
        | "unzstd" | "lz4" | "compress" | "uncompress" | "brotli" => {
            let to_stdout = has_flag('c', "--stdout") || has_flag('t', "--test");
            let listing = has_flag('l', "--list");
            for i in flags_and_operands(&mut roles, &["-S", "--suffix", "-o", "-T"]) {
                // Without `-c` the file is replaced by its (de)compressed version.
                roles[i] = if to_stdout || listing {
                    Role::Read
                } else {
                    Role::Write
                };
            }
        }
        "split" => {
            let operands = flags_and_operands(
                &mut roles,
                &["-a", "-b", "-C", "-l", "-n", "-t", "--additional-suffix"],
            );
            if let Some(&prefix) = operands.get(1) {
                roles[prefix] = Role::Write;
            }
        }
        "csplit" => {
            for i in 1..n {
                if matches!(get(i), "-f" | "--prefix") && i + 1 < n {
                    roles[i + 1] = Role::Write;
                }
            }
        }
        "patch" => {
            let operands = flags_and_operands(
                &mut roles,
                &[
                    "-p",
                    "-i",
                    "--input",
                    "-o",
                    "--output",
                    "-d",
                    "--directory",
                    "-F",
                    "-B",
                    "-r",
                ],
            );
            for i in 1..n {
                if matches!(get(i), "-o" | "--output") && i + 1 < n {
                    roles[i + 1] = Role::Write;
                }
                if matches!(get(i), "-i" | "--input") && i + 1 < n {
                    roles[i + 1] = Role::Read;
                }
            }
            match operands.first() {
                Some(&target) => roles[target] = Role::Write,
                None if !has_flag('o', "--output") && !has_flag('C', "--dry-run") => problems.push(
                    "`patch` writes the files its patch names, which the analyser does not read"
                        .into(),
                ),
                None => {}
            }
        }
        "perl" => {
            let in_place = args
                .iter()
                .skip(1)
                .flatten()
                .any(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('i'));
            let mut i = 1;
            while i < n {
                let a = get(i);
                if a.starts_with('-') {
                    roles[i] = Role::Data;
                    if a.ends_with('e') || a.ends_with('E') {
                        i += 1;
                        if i < n {
                            roles[i] = Role::Data;
                        }
                    }
                } else if in_place {
                    roles[i] = Role::Write;
                }
                i += 1;
            }
        }
        "dd" => {
            for i in 1..n {
                let a = get(i);
                roles[i] = if a.starts_with("of=") {
                    Role::Write
                } else if a.starts_with("if=") {
                    Role::Read
                } else {
                    Role::Data
                };
            }
        }
        "sort" => {
            for i in 1..n {
                if matches!(get(i), "-o" | "--output") && i + 1 < n {
                    roles[i + 1] = Role::Write;
                } else if get(i).starts_with("-o") && get(i).len() > 2
                    || get(i).starts_with("--output=")
                {
                    roles[i] = Role::Write;
                }
            }
        }
        "uniq" => {
            let operands = flags_and_operands(&mut roles, &["-f", "-s", "-w"]);
            if operands.len() >= 2 {
                roles[operands[1]] = Role::Write;
            }
        }
        "awk" | "gawk" | "mawk" | "nawk" | "busybox-awk" => {
            scripts::awk_roles(&mut roles, args, &mut problems)
        }
        "curl" | "wget" => {
            crate::shell::programs::fetchers::roles(name, args, &mut roles, &mut problems)
        }
        "jq" | "gojq" | "jaq" | "tree" | "file" | "diff" => {
            viewers::roles(name, &mut roles, args, &mut problems);
        }
        _ => {}
    }
    crate::shell::programs::refine_roles(name, args, &mut roles, &mut problems);
    // Message option values are data, whatever the program.
    for i in 1..n.saturating_sub(1) {
        if is_message_option_of(name, get(i)) && roles[i + 1] == Role::Read {
            roles[i + 1] = Role::Data;
        }
    }
    (roles, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writers_write_their_targets_and_read_the_rest() {
        let rows: &[(&[&str], &[Role])] = &[
            (&["cp", "a", "b"], &[Role::Data, Role::Read, Role::Write]),
            (
                &["mv", "a", "b"],
                &[
                    Role::Data,
                    Role::ReadAndDelete { recursive: true },
                    Role::Write,
                ],
            ),
            (
                &["rsync", "--remove-source-files", "a", "b"],
                &[
                    Role::Data,
                    Role::Data,
                    Role::ReadAndDelete { recursive: true },
                    Role::Write,
                ],
            ),
            (&["rsync", "a", "b"], &[Role::Data, Role::Read, Role::Write]),
            (
                &["ln", "a", "b"],
                &[Role::Data, Role::ReadAndWrite, Role::Write],
            ),
            (
                &["ln", "-P", "a", "b"],
                &[Role::Data, Role::Data, Role::ReadAndWrite, Role::Write],
            ),
            (
                &["cp", "-al", "a", "b"],
                &[Role::Data, Role::Data, Role::ReadAndWrite, Role::Write],
            ),
            (
                &["cp", "--link", "a", "b"],
                &[Role::Data, Role::Data, Role::ReadAndWrite, Role::Write],
            ),
            (
                &["link", "a", "b"],
                &[Role::Data, Role::ReadAndWrite, Role::Write],
            ),
            (
                &["rm", "-rf", "a"],
                &[Role::Data, Role::Data, Role::Delete { recursive: true }],
            ),
            (
                &["rm", "a"],
                &[Role::Data, Role::Delete { recursive: false }],
            ),
            (
                &["tee", "-a", "x", "y"],
                &[Role::Data, Role::Data, Role::Write, Role::Write],
            ),
            (
                &["sed", "-i", "s/a/b/", "f"],
                &[Role::Data, Role::Data, Role::Data, Role::Write],
            ),
            (
                &["sed", "-i", "", "s/a/b/", "f"],
                &[Role::Data, Role::Data, Role::Data, Role::Data, Role::Write],
            ),
            (
                &["sed", "s/a/b/", "f"],
                &[Role::Data, Role::Data, Role::Read],
            ),
            (
                &["dd", "if=a", "of=b"],
                &[Role::Data, Role::Read, Role::Write],
            ),
            (
                &["sort", "-o", "o", "i"],
                &[Role::Data, Role::Read, Role::Write, Role::Read],
            ),
            (
                &["git", "checkout", "--", "f"],
                &[Role::Data, Role::Data, Role::Data, Role::Write],
            ),
            (
                &["git", "commit", "-m", "x"],
                &[Role::Data, Role::Data, Role::Data, Role::Data],
            ),
            (&["echo", "x"], &[Role::Data, Role::Data]),
            (
                &["ln", "-s", "t", "l"],
                &[Role::Data, Role::Data, Role::Data, Role::Write],
            ),
        ];
        for (argv, want) in rows {
            let args: Vec<Option<&str>> = argv.iter().map(|a| Some(*a)).collect();
            assert_eq!(roles(argv[0], &args).0, *want, "{argv:?}");
        }
    }
}
