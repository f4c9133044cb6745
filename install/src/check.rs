//! `claude-budget check [FILE…]`: validate budget files (SPEC §8).

use crate::{EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, project};
use budget_policy::budget::{self, Severity};
use std::path::PathBuf;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Budget files to check (default: the budgets in force here).
    files: Vec<PathBuf>,
}

pub(crate) fn run(args: &Args) -> u8 {
    let files: Vec<(PathBuf, String)> = if args.files.is_empty() {
        let located = project::locate();
        let mut found = Vec::new();
        for managed in located.managed_budgets {
            let shown = managed.display().to_string();
            found.push((managed, shown));
        }
        if let Some(user) = located.user_budget {
            let shown = user.display().to_string();
            found.push((user, shown));
        }
        if let Some(repo) = located.repo_budget {
            let shown = repo
                .strip_prefix(project::cwd())
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| repo.display().to_string());
            found.push((repo, shown));
        }
        if found.is_empty() {
            eprintln!(
                "no budget file found: expected .claude/budget.toml in this project \
                 (create one with `claude-budget init`) or a user budget"
            );
            return EXIT_USAGE;
        }
        found
    } else {
        args.files
            .iter()
            .map(|f| (f.clone(), f.display().to_string()))
            .collect()
    };
    let here = project::locate();
    let root = here.project_root;
    // A user budget applies to every project: its globs are not judged by this one's files.
    let is_user_budget = |path: &PathBuf| here.user_budget.as_ref() == Some(path);
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    let mut errors = 0;
    for (path, shown) in &files {
        if !path.is_file() {
            eprintln!("{shown}: cannot read the file");
            return EXIT_USAGE;
        }
        let mut diagnostics = budget::check_file(path, shown);
        if !is_user_budget(path) && diagnostics.iter().all(|d| d.severity != Severity::Error) {
            diagnostics.extend(crate::contradictions::find(path, shown, &root, ci));
            diagnostics.sort_by_key(|d| (d.line, d.column));
        }
        for d in &diagnostics {
            println!("{d}");
        }
        let count = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        errors += count;
        if count == 0 {
            println!("{shown}: ok");
        }
    }
    if errors == 0 { EXIT_OK } else { EXIT_PROBLEMS }
}
