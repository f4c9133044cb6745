//! Where the budgets are (SPEC §3) and loading them as layers: the managed budgets first, then
//! the user budget, then the repo budget, the active task applied to each file that defines it.
//! Every file-system look-up goes through the [`FsView`] the caller passes; the environment
//! (config dir, managed dirs, task) comes in as arguments.

use super::compile::{FileInfo, parse_file};
use super::{Budget, BudgetError, Diagnostic, LayerKind, Located, Severity};
use crate::fsview::FsView;
use std::path::{Path, PathBuf};

const REPO_BUDGET: &str = ".claude/budget.toml";

/// The nearest ancestor of `cwd` holding `.claude/budget.toml`, not looking past the git
/// root; else the git root; else `cwd`.
fn project_root(cwd: &Path, fs: &dyn FsView) -> PathBuf {
    for dir in cwd.ancestors() {
        if fs.is_file(&dir.join(REPO_BUDGET)) {
            return dir.to_path_buf();
        }
        if fs.exists(&dir.join(".git")) {
            return dir.to_path_buf();
        }
    }
    cwd.to_path_buf()
}

pub(super) fn locate(
    cwd: &Path,
    claude_project_dir: Option<&Path>,
    config: Option<&Path>,
    fs: &dyn FsView,
) -> Located {
    let project_root = match claude_project_dir {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => project_root(cwd, fs),
    };
    let repo_budget = Some(project_root.join(REPO_BUDGET)).filter(|p| fs.is_file(p));
    let user_budget = config
        .map(|c| c.join("claude-budget").join("budget.toml"))
        .filter(|p| fs.is_file(p));
    Located {
        project_root,
        repo_budget,
        user_budget,
        managed_budgets: Vec::new(),
    }
}

pub(super) fn read_error(display: &str, error: &std::io::Error) -> Diagnostic {
    Diagnostic {
        file: display.to_string(),
        line: 1,
        column: 1,
        severity: Severity::Error,
        message: format!(
            "cannot read the budget file: {}",
            error.to_string().to_lowercase()
        ),
        hint: Some("check that the file exists and is readable".into()),
    }
}

pub(super) fn check_file(path: &Path, display: &str, fs: &dyn FsView) -> Vec<Diagnostic> {
    match fs.read_text(path) {
        Ok(text) => {
            let info = FileInfo {
                kind: LayerKind::Repo,
                path: path.to_path_buf(),
                display,
            };
            parse_file(&text, &info).1
        }
        Err(e) => vec![read_error(display, &e)],
    }
}

pub(super) fn load(
    located: &Located,
    task: Option<&str>,
    fs: &dyn FsView,
) -> Result<Option<Budget>, BudgetError> {
    match super::sources::parse(located, fs)? {
        Some(parsed) => parsed.into_budget(located, task).map(Some),
        None => Ok(None),
    }
}
