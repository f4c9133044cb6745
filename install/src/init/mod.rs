//! `claude-budget init`: write a commented starter `.claude/budget.toml` that fits the
//! repository as an engineer would read it.
//!
//! Map: [`detect`] (ecosystems, workspace members, where code, tests and docs are, manifests)
//! → [`sources`] (the command lines the repo writes down: package.json scripts, Makefile and
//! justfile targets, tox/nox, pre-commit, CI `run:` steps, AGENTS.md/CLAUDE.md blocks) →
//! [`commands`] (those lines → `[run]` rules by purpose, through the shell analyser) →
//! [`render`] (the TOML text, with the everyday [`baseline`]).

mod baseline;
mod commands;
mod detect;
mod render;
mod sources;

use crate::{EXIT_OK, EXIT_USAGE, project};
use std::path::Path;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Overwrite an existing budget file.
    #[arg(long)]
    force: bool,
}

/// The starter budget tuned for the project at `root`.
pub(crate) fn starter_for(root: &Path) -> String {
    let layout = detect::layout(root);
    let found = sources::gather(root);
    let commands = commands::rules(root, &found);
    render::budget(&layout, &commands)
}

/// Makes `.claude/scratch/` with a `.gitignore` that keeps its files out of commits, so the
/// agent's repro scripts have a home inside the project (not `/tmp`).
fn make_scratch(root: &Path) -> std::io::Result<()> {
    let dir = root.join(".claude/scratch");
    std::fs::create_dir_all(&dir)?;
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(ignore, "# scratch files of agent runs: not committed\n*\n")?;
    }
    Ok(())
}

pub(crate) fn run(args: &Args) -> u8 {
    let root = project::locate().project_root;
    let path = root.join(".claude/budget.toml");
    if path.exists() && !args.force {
        eprintln!(
            "{} already exists (use --force to overwrite)",
            path.display()
        );
        return EXIT_USAGE;
    }
    let text = starter_for(&root);
    let written = std::fs::create_dir_all(root.join(".claude"))
        .and_then(|()| std::fs::write(&path, text))
        .and_then(|()| make_scratch(&root));
    match written {
        Ok(()) => {
            println!(
                "wrote {}; check it with `claude-budget check`",
                path.display()
            );
            EXIT_OK
        }
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            EXIT_USAGE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for (name, text) in files {
            let path = dir.path().join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
            }
            std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
        }
        dir
    }

    #[test]
    fn an_npm_project_gets_npm_test_commands_and_lock_files() {
        let dir = project(&[("package.json", "{}")]);
        let text = starter_for(dir.path());
        assert!(text.contains("tests = [\"npm test\""), "{text}");
        assert!(text.contains("package-lock.json"));
        assert!(!text.contains("\"cargo test\""));
    }

    #[test]
    fn every_starter_budget_is_valid() {
        for marker in [
            "Cargo.toml",
            "package.json",
            "pyproject.toml",
            "go.mod",
            "none",
        ] {
            let dir = project(&[(marker, "")]);
            let file = dir.path().join("budget.toml");
            std::fs::write(&file, starter_for(dir.path())).unwrap_or_else(|e| panic!("{e}"));
            let problems = budget_policy::budget::check_file(&file, "budget.toml");
            assert!(problems.is_empty(), "{marker}: {problems:?}");
        }
    }

    #[test]
    fn the_plain_starter_in_settings_templates_is_what_init_writes_for_an_unknown_repo() {
        let dir = project(&[]);
        let template = include_str!("../../../settings-templates/budget.toml");
        assert_eq!(starter_for(dir.path()), template);
    }
}
