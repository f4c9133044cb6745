//! Pack `destructive`: commands that destroy work (rule data), and what words cannot
//! express (semantic checks): recursive deletes outside the project, git config that runs
//! programs, force pushes by refspec, raw device writes, fetched scripts run by a shell.

use super::{FETCHERS, PackData, PackHit, SHELLS, Section, hit, rule};
use crate::shell::{Analysis, EffectKind, ShellContext, SimpleCommand};
use crate::verdict::Verdict::Deny;
use std::path::Path;

/// Built-in pack `destructive`: commands that destroy work or history.
/// Rules are written in the budget file's command language (SPEC §4.3). The semantic checks
/// that words cannot express (recursive deletes outside the project, `+refspec` pushes,
/// pipe-to-shell, git config keys that run programs) live in the shell analysis.
pub(crate) const PACK: PackData = PackData {
    name: "destructive",
    description: "commands that destroy work, history or disks",
    rules: &[
        rule(
            "git-reset-hard",
            Section::Run,
            Deny,
            "git reset --hard",
            "discards uncommitted work; use `git stash` or ask the user",
        ),
        rule(
            "git-clean-force",
            Section::Run,
            Deny,
            "git clean -f",
            "deletes untracked files; list them with `git clean -n` and ask the user",
        ),
        rule(
            "git-clean-force-long",
            Section::Run,
            Deny,
            "git clean --force",
            "deletes untracked files; list them with `git clean -n` and ask the user",
        ),
        rule(
            "git-checkout-dot",
            Section::Run,
            Deny,
            "git checkout ** .",
            "discards every uncommitted change; restore single files you changed yourself",
        ),
        rule(
            "git-restore-dot",
            Section::Run,
            Deny,
            "git restore ** .",
            "discards every uncommitted change; restore single files you changed yourself",
        ),
        rule(
            "git-push-force",
            Section::Run,
            Deny,
            "git push --force",
            "rewrites shared history; push without force or ask the user",
        ),
        rule(
            "git-push-force-short",
            Section::Run,
            Deny,
            "git push -f",
            "rewrites shared history; push without force or ask the user",
        ),
        rule(
            "git-push-force-with-lease",
            Section::Run,
            Deny,
            "git push --force-with-lease",
            "rewrites shared history; push without force or ask the user",
        ),
        rule(
            "git-branch-force-delete",
            Section::Run,
            Deny,
            "git branch -D",
            "deletes a branch even when unmerged; use `git branch -d` or ask the user",
        ),
        rule(
            "git-branch-delete-force",
            Section::Run,
            Deny,
            "git branch -d -f",
            "deletes a branch even when unmerged; use `git branch -d` or ask the user",
        ),
        rule(
            "git-branch-delete-force-long",
            Section::Run,
            Deny,
            "git branch --delete --force",
            "deletes a branch even when unmerged; use `git branch -d` or ask the user",
        ),
        rule(
            "git-stash-drop",
            Section::Run,
            Deny,
            "git stash drop",
            "loses stashed work; leave the stash in place",
        ),
        rule(
            "git-stash-clear",
            Section::Run,
            Deny,
            "git stash clear",
            "loses all stashed work; leave the stash in place",
        ),
        rule(
            "chmod-recursive-777",
            Section::Run,
            Deny,
            "chmod -R 777",
            "makes a whole tree world-writable; set the permissions a file needs",
        ),
        rule(
            "chmod-recursive-777-long",
            Section::Run,
            Deny,
            "chmod --recursive 777",
            "makes a whole tree world-writable; set the permissions a file needs",
        ),
        rule(
            "chmod-recursive-a-rwx",
            Section::Run,
            Deny,
            "chmod -R a+rwx",
            "makes a whole tree world-writable; set the permissions a file needs",
        ),
        rule(
            "mkfs",
            Section::Run,
            Deny,
            "mkfs*",
            "formats a file system; stop and ask the user",
        ),
        rule(
            "dd-to-device",
            Section::Run,
            Deny,
            "re:^dd( .*)? of=/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|md|dm-|loop|mapper/)",
            "overwrites a block device; stop and ask the user",
        ),
    ],
};

/// The semantic checks of the pack on one analysis.
pub(crate) fn checks(analysis: &Analysis, ctx: &ShellContext<'_>) -> Vec<PackHit> {
    let mut hits = Vec::new();
    let deleting: Vec<&SimpleCommand> = analysis
        .commands
        .iter()
        .filter(|c| {
            matches!(
                c.argv.first().map(String::as_str),
                Some("rm" | "find" | "shred")
            )
        })
        .collect();
    for effect in &analysis.effects {
        if effect.kind != (EffectKind::Delete { recursive: true })
            || !deleting.iter().any(|c| c.text == effect.command)
        {
            continue;
        }
        // `find . -name '*.o' -delete` removes matches, not the project: only the roots that
        // are out of bounds whatever the filter count then.
        let filtered = deleting.iter().any(|c| {
            c.text == effect.command
                && c.argv[0] == "find"
                && c.argv.iter().any(|a| {
                    matches!(
                        a.as_str(),
                        "-name"
                            | "-iname"
                            | "-path"
                            | "-ipath"
                            | "-regex"
                            | "-newer"
                            | "-mtime"
                            | "-size"
                    )
                })
        });
        let why =
            dangerous_target(&effect.path, ctx).filter(|why| !(filtered && *why == PROJECT_ROOT));
        if let Some(why) = why {
            hits.push(hit(
                "recursive-delete",
                format!(
                    "`{}` deletes {} recursively ({why})",
                    effect.command,
                    effect.path.display()
                ),
                "delete the specific files inside the project you mean, or ask the user",
            ));
        }
    }
    for command in &analysis.commands {
        let argv: Vec<&str> = command.argv.iter().map(String::as_str).collect();
        match argv.first().copied() {
            Some("git") => git_checks(&argv, command, &mut hits),
            Some(name) if name.starts_with("git-") => hits.push(hit(
                "git-dashed-executable",
                format!("`{}` runs git through its dashed executable", command.text),
                "use the `git <subcommand>` form, which the budget can decide",
            )),
            Some("dd") => {
                for a in &argv[1..] {
                    if let Some(target) = a.strip_prefix("of=")
                        && target.starts_with("/dev/")
                        && !matches!(target, "/dev/null" | "/dev/stdout" | "/dev/stderr")
                    {
                        hits.push(hit(
                            "dd-device",
                            format!("`{}` writes the device {target}", command.text),
                            "do not write raw devices; ask the user",
                        ));
                    }
                }
            }
            Some(shell)
                if (SHELLS.contains(&shell) || shell == "eval")
                    && argv[1..].iter().any(|a| {
                        ["$(curl", "$(wget", "`curl", "`wget"]
                            .iter()
                            .any(|p| a.contains(p))
                    }) =>
            {
                hits.push(pipe_to_shell(&command.text));
            }
            _ => {}
        }
    }
    for feed in &analysis.feeds {
        if SHELLS.contains(&feed.program.as_str()) && FETCHERS.contains(&feed.producer.as_str()) {
            hits.push(pipe_to_shell(&feed.command));
        }
    }
    hits
}

fn pipe_to_shell(text: &str) -> PackHit {
    hit(
        "pipe-to-shell",
        format!("`{text}` runs a script fetched from the network"),
        "download the script to a file, read it, and ask the user before running it",
    )
}

const PROJECT_ROOT: &str = "the project root or a parent of it";

/// Why deleting `path` recursively is out of bounds, if it is.
fn dangerous_target(path: &Path, ctx: &ShellContext<'_>) -> Option<&'static str> {
    if path == Path::new("/") {
        return Some("the filesystem root");
    }
    if ctx
        .home
        .as_deref()
        .is_some_and(|home| home.starts_with(path))
    {
        return Some("the home directory or a parent of it");
    }
    if ctx.project_dir.starts_with(path) {
        return Some(PROJECT_ROOT);
    }
    if !path.starts_with(&ctx.project_dir) {
        return Some("outside the project");
    }
    None
}

/// Config keys that make git run a program or read other config.
pub fn runs_programs(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    let exact = [
        "core.pager",
        "core.editor",
        "sequence.editor",
        "core.sshcommand",
        "core.hookspath",
        "core.fsmonitor",
        "diff.external",
        "credential.helper",
        "include.path",
        "core.gitproxy",
        "gpg.program",
    ];
    exact.contains(&key.as_str())
        || ["alias.", "pager.", "filter.", "includeif.", "credential."]
            .iter()
            .any(|p| key.starts_with(p))
        || key.starts_with("diff.") && key.ends_with(".textconv")
        || key.starts_with("diff.") && key.ends_with(".command")
        || key.starts_with("merge.") && key.ends_with(".driver")
}

fn git_checks(argv: &[&str], command: &SimpleCommand, hits: &mut Vec<PackHit>) {
    let config = |key: &str| {
        hit(
            "git-config-runs-programs",
            format!(
                "`{}` sets `{key}`, which makes git run a program",
                command.text
            ),
            "leave git's program-running configuration alone; ask the user",
        )
    };
    let mut i = 1;
    while i < argv.len() {
        match argv[i] {
            "-c" | "--config-env" => {
                if let Some(setting) = argv.get(i + 1) {
                    let key = setting.split('=').next().unwrap_or(setting);
                    if runs_programs(key) {
                        hits.push(config(key));
                    }
                }
                i += 2;
            }
            "-C" | "--git-dir" | "--work-tree" | "--namespace" => i += 2,
            a if a.starts_with("--config-env=") => {
                let key = a
                    .trim_start_matches("--config-env=")
                    .split('=')
                    .next()
                    .unwrap_or("");
                if runs_programs(key) {
                    hits.push(config(key));
                }
                i += 1;
            }
            a if a.starts_with('-') => i += 1,
            _ => break,
        }
    }
    let rest = &argv[i.min(argv.len())..];
    match rest.first().copied() {
        Some("config") => {
            let operands: Vec<&str> = rest[1..]
                .iter()
                .copied()
                .filter(|a| !a.starts_with('-'))
                .collect();
            let reading = rest.iter().any(|a| {
                matches!(
                    *a,
                    "--get" | "--get-all" | "--list" | "-l" | "--get-regexp" | "get" | "list"
                )
            });
            let (key, has_value) = match operands.first() {
                Some(&"set") => (operands.get(1).copied(), operands.len() > 2),
                Some(k) => (Some(*k), operands.len() > 1 || rest.contains(&"--add")),
                None => (None, false),
            };
            if let Some(key) = key.filter(|_| has_value && !reading)
                && runs_programs(key)
            {
                hits.push(config(key));
            }
        }
        Some("push") => {
            for flag in rest[1..].iter().filter(|a| a.starts_with("--")) {
                let flag = flag.split('=').next().unwrap_or(flag);
                // git accepts unique prefixes of long options: `--forc`, `--for`, `--del`.
                let prefix_of = |long: &str, shortest: usize| {
                    flag.len() >= shortest && long.starts_with(flag) && flag != long
                };
                if prefix_of("--force", 5)
                    || prefix_of("--force-with-lease", 8)
                    || flag == "--mirror"
                {
                    hits.push(hit(
                        "git-push-force",
                        format!("`{}` force-pushes (`{flag}`)", command.text),
                        "push without forcing; rebase or merge instead, or ask the user",
                    ));
                }
            }
            for refspec in rest[1..].iter().filter(|a| !a.starts_with('-')).skip(1) {
                if refspec.starts_with('+') {
                    hits.push(hit(
                        "git-push-force",
                        format!("`{}` force-pushes `{refspec}`", command.text),
                        "push without `+`; rebase or merge instead, or ask the user",
                    ));
                } else if let Some(branch) = refspec.strip_prefix(':') {
                    hits.push(hit(
                        "git-push-delete",
                        format!("`{}` deletes the remote branch `{}`", command.text, branch),
                        "ask the user to delete remote branches",
                    ));
                }
            }
        }
        _ => {}
    }
}
