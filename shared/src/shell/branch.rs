//! Branch switches inside one command (`git checkout main && git commit`): the budget's
//! protected branches are decided against the branch each command runs on
//! ([`crate::shell::SimpleCommand::git_branch`]), not only the one checked out when the
//! command started. A literal `git checkout B` / `git switch B` (`-b`/`-B`/`-c`/`-C B`)
//! moves to `B`; a switch we cannot read (a non-literal name, `-`, `--detach`, `--track`,
//! `gh pr checkout`, `git bisect`, a name that is also a path, operands from `xargs`) makes
//! the branch unknown.

use crate::paths::normalise;
use crate::shell::BranchContext;
use crate::shell::effects::git_subcommand;
use crate::shell::run::Arg;
use crate::shell::walk::{Scope, Walker};
use std::path::Path;

impl Walker<'_, '_> {
    /// Follows `git checkout B` / `git switch B` for the commands after this one.
    pub(super) fn note_branch_switch(
        &mut self,
        name: &str,
        args: &[Arg],
        scope: &Scope,
        more: bool,
    ) {
        let values: Vec<Option<&str>> = args
            .iter()
            .map(|a| a.value.as_deref().filter(|_| a.glob.is_none()))
            .collect();
        let names_path = |word: &str| {
            scope
                .cwd
                .as_deref()
                .is_none_or(|cwd| self.ctx.fs.exists(&normalise(Path::new(word), cwd)))
        };
        let Some(after) = switch_after(name, &values, &names_path, more) else {
            return;
        };
        self.switched = true;
        self.switched_in_repeat |= self.repeat_depth > 0;
        self.branch = Some(if self.branch_pinned {
            BranchContext::Unknown
        } else {
            after
        });
    }
}

/// The branch in force after this command when it switches branches; `None` when it
/// does not. `names_path(word)` says whether a word names an existing path (then
/// `git checkout X` may restore a file instead). `more_operands`: `xargs` adds operands.
pub fn switch_after(
    name: &str,
    args: &[Option<&str>],
    names_path: &dyn Fn(&str) -> bool,
    more_operands: bool,
) -> Option<BranchContext> {
    if name == "gh" {
        let words: Vec<&str> = args[1..]
            .iter()
            .flatten()
            .copied()
            .filter(|w| !w.starts_with('-'))
            .collect();
        return matches!(words.as_slice(), ["pr", "checkout", ..])
            .then_some(BranchContext::Unknown);
    }
    if name != "git" {
        return None;
    }
    let sub = git_subcommand(args)?;
    let rest = &args[sub + 1..];
    let Some(subcommand) = args[sub] else {
        // `git $cmd main`: may be a checkout.
        return Some(BranchContext::Unknown);
    };
    match subcommand {
        "checkout" | "switch" => {
            if more_operands {
                return Some(BranchContext::Unknown);
            }
            switch_target(subcommand, rest, names_path)
        }
        "bisect" | "symbolic-ref" => Some(BranchContext::Unknown),
        "rebase" if positionals(rest).len() >= 2 => Some(BranchContext::Unknown),
        "stash" if rest.first() == Some(&Some("branch")) => Some(BranchContext::Unknown),
        _ => None,
    }
}

/// The operands that are not options (`None` for non-literal words).
fn positionals<'a>(rest: &[Option<&'a str>]) -> Vec<Option<&'a str>> {
    rest.iter()
        .copied()
        .filter(|w| w.is_none_or(|w| !w.starts_with('-') || w == "-"))
        .collect()
}

fn switch_target(
    subcommand: &str,
    rest: &[Option<&str>],
    names_path: &dyn Fn(&str) -> bool,
) -> Option<BranchContext> {
    let creates: &[&str] = if subcommand == "checkout" {
        &["-b", "-B", "--orphan"]
    } else {
        &["-c", "-C", "--create", "--force-create", "--orphan"]
    };
    for (i, word) in rest.iter().enumerate() {
        let Some(word) = word else { continue };
        if creates.contains(word) {
            return Some(match rest.get(i + 1).copied().flatten() {
                Some(branch) => BranchContext::Known(branch.to_owned()),
                None => BranchContext::Unknown,
            });
        }
        if let Some((flag, branch)) = word.split_once('=')
            && creates.contains(&flag)
        {
            return Some(BranchContext::Known(branch.to_owned()));
        }
        if matches!(*word, "--detach" | "-d" | "-t" | "--track") || word.starts_with("--track=") {
            return Some(BranchContext::Unknown);
        }
    }
    if subcommand == "checkout" && rest.contains(&Some("--")) {
        // `git checkout -- f`, `git checkout main -- f`: files, not a switch.
        return None;
    }
    match positionals(rest).as_slice() {
        [] => None,
        // `git checkout main src/x`: files from `main`, not a switch.
        [_, _, ..] if subcommand == "checkout" => None,
        [Some("-")] | [None] => Some(BranchContext::Unknown),
        [Some(branch)] if subcommand == "checkout" && names_path(branch) => {
            Some(BranchContext::Unknown)
        }
        [Some(branch), ..] => Some(BranchContext::Known((*branch).to_owned())),
        [None, ..] => Some(BranchContext::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(command: &str) -> Option<BranchContext> {
        let words: Vec<Option<&str>> = command
            .split(' ')
            .map(|w| (!w.starts_with('$')).then_some(w))
            .collect();
        let name = words[0].unwrap_or_default();
        switch_after(name, &words, &|w| w == "README.md", false)
    }

    fn known(branch: &str) -> Option<BranchContext> {
        Some(BranchContext::Known(branch.into()))
    }

    #[test]
    fn literal_switches_name_the_branch_and_others_make_it_unknown() {
        let unknown = Some(BranchContext::Unknown);
        let rows: &[(&str, Option<BranchContext>)] = &[
            ("git checkout main", known("main")),
            ("git switch main", known("main")),
            ("git -C . checkout main", known("main")),
            ("git checkout -b fix main", known("fix")),
            ("git checkout -B main", known("main")),
            ("git switch -c fix", known("fix")),
            ("git switch --create=fix", known("fix")),
            ("git checkout $B", unknown.clone()),
            ("git switch -", unknown.clone()),
            ("git checkout --detach v1", unknown.clone()),
            ("git checkout --track origin/main", unknown.clone()),
            ("git checkout README.md", unknown.clone()),
            ("git $cmd main", unknown.clone()),
            ("gh pr checkout 12", unknown.clone()),
            ("git bisect start", unknown.clone()),
            ("git checkout -- src/x", None),
            ("git checkout main -- src/x", None),
            ("git checkout main src/x", None),
            ("git commit -m x", None),
            ("git status", None),
            ("ls main", None),
        ];
        for (command, want) in rows {
            assert_eq!(after(command), *want, "{command}");
        }
    }

    #[test]
    fn xargs_operands_make_any_switch_unknown() {
        let words = [Some("git"), Some("checkout")];
        assert_eq!(
            switch_after("git", &words, &|_| false, true),
            Some(BranchContext::Unknown)
        );
    }
}
