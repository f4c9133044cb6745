//! `[merge]` (SPEC §4.9): pushes, protected branches, PR merges.

use crate::budget::MergeRules;
use crate::shell::BranchContext;
use crate::verdict::{Hit, Verdict};

/// A merge finding: the hit and the exact thing refused.
pub struct MergeFinding {
    pub hit: Hit,
    pub what: String,
}

/// Git subcommands that move the branch checked out.
const MOVES_BRANCH: &[&str] = &[
    "commit",
    "merge",
    "rebase",
    "reset",
    "cherry-pick",
    "revert",
    "am",
    "pull",
];

/// Git global options that take a value as the next word: the same table command rules use
/// to set global options aside (`budget::global_options_table`).
fn git_value_options() -> &'static [&'static str] {
    crate::budget::global_options_table()
        .iter()
        .find(|g| g.program == "git")
        .map_or(&[], |g| g.with_value)
}

/// Splits `git [global options] sub args…` into the subcommand and its arguments.
pub fn git_subcommand(argv: &[String]) -> Option<(&str, &[String])> {
    let mut i = 1;
    while i < argv.len() {
        let word = argv[i].as_str();
        if git_value_options().contains(&word) {
            i += 2;
        } else if word.starts_with('-') {
            i += 1;
        } else {
            return Some((word, &argv[i + 1..]));
        }
    }
    None
}

/// The branches a `git push` writes to: refspec destinations, or the current branch.
fn push_targets(args: &[String], current: Option<&str>) -> Vec<String> {
    let positional: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let all = args
        .iter()
        .any(|a| a == "--all" || a == "--mirror" || a == "--branches");
    if all {
        return vec!["*".into()];
    }
    let refspecs = positional.get(1..).unwrap_or_default();
    if refspecs.is_empty() {
        return current.map(|c| vec![c.to_owned()]).unwrap_or_default();
    }
    refspecs
        .iter()
        .map(|spec| {
            let spec = spec.trim_start_matches('+');
            let dst = spec.rsplit_once(':').map_or(spec, |(_, d)| d);
            let dst = if dst.is_empty() || dst == "HEAD" {
                current.unwrap_or(dst)
            } else {
                dst
            };
            dst.trim_start_matches("refs/heads/").to_owned()
        })
        .collect()
}

/// [`check`] for a command that runs after a branch switch earlier in the same Bash
/// command (`git checkout main && git commit`): a known branch replaces the one checked out
/// (`repo_branch`); an unknown one denies every branch-moving command and every push of
/// the current branch while any branch is protected.
pub fn check_in(
    argv: &[String],
    rules: &MergeRules,
    switched: Option<&BranchContext>,
    repo_branch: Option<&str>,
) -> Vec<MergeFinding> {
    match switched {
        None => check(argv, rules, repo_branch),
        Some(BranchContext::Known(branch)) => check(argv, rules, Some(branch)),
        Some(BranchContext::Unknown) => {
            let mut found = check(argv, rules, None);
            if let Some((pattern, origin)) = rules.protected_branches.first()
                && let Some(sub) = moves_current_branch(argv)
            {
                found.push(protected_finding(
                    pattern,
                    origin,
                    format!(
                        "`git {sub}` after a branch switch the analyser cannot follow \
                         (it may be on a protected branch); switch with a literal \
                         `git switch BRANCH` or run it as a separate command"
                    ),
                ));
            }
            found
        }
    }
}

/// The subcommand when `argv` moves or pushes the branch checked out.
fn moves_current_branch(argv: &[String]) -> Option<&str> {
    if argv.first().map(String::as_str) != Some("git") {
        return None;
    }
    let (sub, args) = git_subcommand(argv)?;
    // A stand-in no branch can be named, to see whether the push targets the current one.
    const CURRENT: &str = "\u{0}current";
    let pushes_current = sub == "push"
        && push_targets(args, Some(CURRENT))
            .iter()
            .any(|t| t == CURRENT);
    (MOVES_BRANCH.contains(&sub) || pushes_current).then_some(sub)
}

/// Decides one simple command against one layer's `[merge]`.
pub fn check(argv: &[String], rules: &MergeRules, current: Option<&str>) -> Vec<MergeFinding> {
    let mut found = Vec::new();
    let program = argv.first().map(String::as_str).unwrap_or_default();
    if program == "gh" || program == "glab" {
        let words: Vec<&str> = argv[1..]
            .iter()
            .map(String::as_str)
            .filter(|w| !w.starts_with('-'))
            .collect();
        let merges = matches!(words.as_slice(), ["pr", "merge", ..] | ["mr", "merge", ..]);
        if merges && let Some(hit) = &rules.pr_merge {
            found.push(MergeFinding {
                hit: hit.clone(),
                what: argv.join(" "),
            });
        }
        return found;
    }
    if program != "git" {
        return found;
    }
    let Some((sub, args)) = git_subcommand(argv) else {
        return found;
    };
    if sub == "push" {
        if let Some(hit) = &rules.push {
            found.push(MergeFinding {
                hit: hit.clone(),
                what: argv.join(" "),
            });
        }
        for target in push_targets(args, current) {
            let protected = if target == "*" {
                rules.protected_branches.first()
            } else {
                rules.protected(&target)
            };
            if let Some((pattern, origin)) = protected {
                found.push(protected_finding(
                    pattern,
                    origin,
                    format!("pushing to the protected branch `{target}`"),
                ));
            }
        }
    } else if MOVES_BRANCH.contains(&sub)
        && let Some(branch) = current
        && let Some((pattern, origin)) = rules.protected(branch)
    {
        found.push(protected_finding(
            pattern,
            origin,
            format!("`git {sub}` on the protected branch `{branch}`"),
        ));
    }
    found
}

/// A push to, or a move of, a protected branch: denied by its `protected_branches` entry.
fn protected_finding(pattern: &str, origin: &crate::verdict::Origin, what: String) -> MergeFinding {
    MergeFinding {
        hit: Hit {
            verdict: Verdict::Deny,
            origin: origin.clone(),
            section: "merge".into(),
            rule: format!("protected_branches: {pattern}"),
        },
        what,
    }
}

/// The branch checked out in the repository at `root`, following worktree `.git` files.
pub fn current_branch(root: &std::path::Path, fs: &dyn crate::fsview::FsView) -> Option<String> {
    let dot_git = root.join(".git");
    let head = if fs.is_dir(&dot_git) {
        fs.read_small(&dot_git.join("HEAD"), 4096)?
    } else {
        let pointer = fs.read_small(&dot_git, 4096)?;
        let gitdir = pointer.trim().strip_prefix("gitdir:")?.trim();
        let gitdir = crate::paths::normalise(std::path::Path::new(gitdir), root);
        fs.read_small(&gitdir.join("HEAD"), 4096)?
    };
    head.trim()
        .strip_prefix("ref: refs/heads/")
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn push_targets_come_from_refspecs_or_the_current_branch() {
        let rows: &[(&str, &[&str])] = &[
            ("git push", &["feature"]),
            ("git push origin", &["feature"]),
            ("git push origin main", &["main"]),
            ("git push origin +main", &["main"]),
            ("git push origin HEAD:main", &["main"]),
            ("git push origin :main", &["main"]),
            (
                "git push origin refs/heads/release/1:refs/heads/release/1",
                &["release/1"],
            ),
            ("git push --force origin dev main", &["dev", "main"]),
            ("git push --all", &["*"]),
        ];
        for (cmd, want) in rows {
            let argv = words(cmd);
            let (_, args) = git_subcommand(&argv).unwrap_or(("", &[]));
            assert_eq!(push_targets(args, Some("feature")), *want, "{cmd}");
        }
    }

    #[test]
    fn global_options_are_skipped_to_find_the_subcommand() {
        let argv = words("git -C repo -c user.name=x --no-pager push origin main");
        assert_eq!(git_subcommand(&argv).map(|(s, _)| s), Some("push"));
    }
}
