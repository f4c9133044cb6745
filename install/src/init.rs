//! `claude-budget init`: write a commented starter `.claude/budget.toml`, tuned to what the
//! repository is (Cargo, npm, Python, Go): its test commands and lock files.

use crate::{EXIT_OK, EXIT_USAGE, project};
use std::path::Path;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Overwrite an existing budget file.
    #[arg(long)]
    force: bool,
}

const STARTER: &str = include_str!("../../settings-templates/budget.toml");

/// What kind of project this is, by its marker files.
struct Kind {
    marker: &'static str,
    run_allow: &'static str,
    tests: &'static str,
    ask_edit: &'static str,
}

const KINDS: &[Kind] = &[
    Kind {
        marker: "Cargo.toml",
        run_allow: r#""cargo test", "cargo build", "cargo clippy", "cargo fmt", "cargo check""#,
        tests: r#""cargo test", "cargo nextest run""#,
        ask_edit: r#""Cargo.toml", "Cargo.lock""#,
    },
    Kind {
        marker: "package.json",
        run_allow: r#""npm test", "npm run lint", "npm run build", "npx tsc""#,
        tests: r#""npm test", "npx vitest", "npx jest""#,
        ask_edit: r#""package.json", "package-lock.json", "pnpm-lock.yaml", "yarn.lock""#,
    },
    Kind {
        marker: "pyproject.toml",
        run_allow: r#""pytest", "python -m pytest", "ruff check", "mypy""#,
        tests: r#""pytest", "python -m pytest""#,
        ask_edit: r#""pyproject.toml", "uv.lock", "poetry.lock", "requirements*.txt""#,
    },
    Kind {
        marker: "go.mod",
        run_allow: r#""go test", "go build", "go vet", "gofmt""#,
        tests: r#""go test""#,
        ask_edit: r#""go.mod", "go.sum""#,
    },
];

/// The starter budget tuned for the project at `root`.
pub(crate) fn starter_for(root: &Path) -> String {
    let Some(kind) = KINDS.iter().find(|k| root.join(k.marker).exists()) else {
        return STARTER.to_owned();
    };
    let common = r#""git status", "git diff", "git log", "ls", "rg", "cat", "grep""#;
    STARTER
        .lines()
        .map(|line| {
            if line.starts_with("allow = [\"cargo test\"") {
                format!("allow = [{}, {common}]", kind.run_allow)
            } else if line.starts_with("tests = [") {
                format!("tests = [{}]", kind.tests)
            } else if line.starts_with("ask = [\"Cargo.toml\"") {
                format!("ask = [{}]", kind.ask_edit)
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
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
    let written =
        std::fs::create_dir_all(root.join(".claude")).and_then(|()| std::fs::write(&path, text));
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

    #[test]
    fn an_npm_project_gets_npm_test_commands_and_lock_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("package.json"), "{}").unwrap();
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
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join(marker), "").unwrap();
            let file = dir.path().join("budget.toml");
            std::fs::write(&file, starter_for(dir.path())).unwrap();
            let problems = budget_policy::budget::check_file(&file, "budget.toml");
            assert!(problems.is_empty(), "{marker}: {problems:?}");
        }
    }

    #[test]
    fn a_project_of_unknown_kind_gets_the_plain_starter() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(starter_for(dir.path()), STARTER);
    }
}
