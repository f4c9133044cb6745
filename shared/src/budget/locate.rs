//! Where the budgets are (SPEC §3) and loading them as layers: the user budget first, then
//! the repo budget, the active task applied to each file that defines it. Every file-system
//! look-up goes through the [`FsView`] the caller passes; the environment (config dir, task)
//! comes in as arguments.

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
    }
}

fn read_error(display: &str, error: &std::io::Error) -> Diagnostic {
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
    let task = task.filter(|t| !t.is_empty());
    let mut files: Vec<(LayerKind, &PathBuf, String)> = Vec::new();
    if let Some(user) = &located.user_budget {
        files.push((LayerKind::User, user, user.display().to_string()));
    }
    if let Some(repo) = &located.repo_budget {
        let display = repo.strip_prefix(&located.project_root).unwrap_or(repo);
        files.push((LayerKind::Repo, repo, display.display().to_string()));
    }
    if files.is_empty() {
        return Ok(None);
    }
    let mut diagnostics = Vec::new();
    let mut parsed = Vec::new();
    for (kind, path, display) in &files {
        match fs.read_text(path) {
            Ok(text) => {
                let info = FileInfo {
                    kind: *kind,
                    path: (*path).clone(),
                    display,
                };
                let (file, found) = parse_file(&text, &info);
                diagnostics.extend(found);
                parsed.extend(file);
            }
            Err(e) => diagnostics.push(read_error(display, &e)),
        }
    }
    let has_errors = |d: &[Diagnostic]| d.iter().any(|d| d.severity == Severity::Error);
    if has_errors(&diagnostics) {
        return Err(BudgetError { diagnostics });
    }
    if let Some(name) = task
        && !parsed.iter().any(|p| p.tasks.contains_key(name))
    {
        let known: Vec<String> = parsed
            .iter()
            .flat_map(|p| p.tasks.keys().map(|k| format!("`{k}`")))
            .collect();
        let hint = if known.is_empty() {
            "no task is defined; unset CLAUDE_BUDGET_TASK or add a `[tasks.NAME]` table".to_string()
        } else {
            format!(
                "set CLAUDE_BUDGET_TASK to one of {} or unset it",
                known.join(", ")
            )
        };
        let file = files.last().map(|(_, _, d)| d.clone()).unwrap_or_default();
        diagnostics.push(Diagnostic {
            file,
            line: 1,
            column: 1,
            severity: Severity::Error,
            message: format!("unknown task `{name}` (from CLAUDE_BUDGET_TASK)"),
            hint: Some(hint),
        });
        return Err(BudgetError { diagnostics });
    }
    let mut layers = Vec::with_capacity(parsed.len());
    for file in parsed {
        let overlay = task.and_then(|t| file.tasks.get(t));
        let display = file.base.display.clone();
        match file.base.into_layer(overlay) {
            Ok(layer) => layers.push(layer),
            Err(message) => diagnostics.push(Diagnostic {
                file: display,
                line: 1,
                column: 1,
                severity: Severity::Error,
                message: message.to_string(),
                hint: Some("simplify the globs of this file".into()),
            }),
        }
    }
    if has_errors(&diagnostics) {
        return Err(BudgetError { diagnostics });
    }
    Ok(Some(Budget {
        layers,
        task: task.map(str::to_string),
        project_root: located.project_root.clone(),
    }))
}
