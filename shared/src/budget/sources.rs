//! The budget files read and validated (phases one and two for every located file), before
//! the active task is applied and the layers are built: [`ParsedBudget`]. Splitting
//! [`super::load`] here lets the hooks keep this form in the compiled-budget cache
//! (`store::budget_cache`) and skip TOML parsing and validation while no file changed; the
//! task overlay and layer building ([`ParsedBudget::into_budget`]) run on every call either
//! way, so the cache never depends on `CLAUDE_BUDGET_TASK`.

use super::compile::{FileInfo, ParsedFile, parse_file};
use super::locate::read_error;
use super::packed::Packed;
use super::{Budget, BudgetError, Diagnostic, LayerKind, Located, Severity};
use crate::fsview::FsView;
use crate::verdict::Origin;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::path::PathBuf;

/// Every located budget file, validated, in layer order (managed, user, repo).
#[derive(Serialize, Deserialize)]
pub struct ParsedBudget {
    files: Vec<ParsedFile>,
}

/// The files `located` names, in layer order, with how messages show them.
fn files_of(located: &Located) -> Vec<(LayerKind, &PathBuf, String)> {
    let mut files: Vec<(LayerKind, &PathBuf, String)> = Vec::new();
    for managed in &located.managed_budgets {
        files.push((LayerKind::Managed, managed, managed.display().to_string()));
    }
    if let Some(user) = &located.user_budget {
        files.push((LayerKind::User, user, user.display().to_string()));
    }
    if let Some(repo) = &located.repo_budget {
        let display = repo.strip_prefix(&located.project_root).unwrap_or(repo);
        files.push((LayerKind::Repo, repo, display.display().to_string()));
    }
    files
}

fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// Reads and validates every located file. `Ok(None)`: no budget file anywhere; `Err`: every
/// error (and warning) of every file. Warnings of a valid budget are not kept: the hooks do
/// not show them (`claude-budget check` does, through `check_file`).
pub(super) fn parse(
    located: &Located,
    fs: &dyn FsView,
) -> Result<Option<ParsedBudget>, BudgetError> {
    let files = files_of(located);
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
    if has_errors(&diagnostics) {
        return Err(BudgetError { diagnostics });
    }
    Ok(Some(ParsedBudget { files: parsed }))
}

impl ParsedBudget {
    /// `first`'s files (the managed layers), then `then`'s, in layer order.
    pub fn layered(first: Option<ParsedBudget>, then: ParsedBudget) -> ParsedBudget {
        let mut files = first.map(|f| f.files).unwrap_or_default();
        files.extend(then.files);
        ParsedBudget { files }
    }

    /// The SHA-256 (hex) of each file's bytes as they were validated, in layer order.
    pub fn file_hashes(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|f| f.base.sha256.as_str())
    }

    /// Applies the task (`CLAUDE_BUDGET_TASK`; an unknown name is an error) and builds the
    /// layers.
    pub fn into_budget(self, located: &Located, task: Option<&str>) -> Result<Budget, BudgetError> {
        let task = task.filter(|t| !t.is_empty());
        let parsed = self.files;
        let mut diagnostics = Vec::new();
        if let Some(name) = task
            && !parsed.iter().any(|p| p.tasks.contains_key(name))
        {
            let known: Vec<String> = parsed
                .iter()
                .flat_map(|p| p.tasks.keys().map(|k| format!("`{k}`")))
                .collect();
            let hint = if known.is_empty() {
                "no task is defined; unset CLAUDE_BUDGET_TASK or add a `[tasks.NAME]` table"
                    .to_string()
            } else {
                format!(
                    "set CLAUDE_BUDGET_TASK to one of {} or unset it",
                    known.join(", ")
                )
            };
            let file = parsed
                .last()
                .map(|p| p.base.display.clone())
                .unwrap_or_default();
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
            let display = file.base.display.clone();
            let overlay = match task.and_then(|t| file.tasks.get(t)).map(Packed::get) {
                None => None,
                Some(Some(overlay)) => Some(overlay),
                Some(None) => {
                    // Fails closed: the budget is refused as a whole, never loaded without
                    // the task's narrowing.
                    diagnostics.push(Diagnostic {
                        file: display,
                        line: 1,
                        column: 1,
                        severity: Severity::Error,
                        message: format!(
                            "the active task of the compiled-budget cache could not be read: {}",
                            super::packed::DAMAGED
                        ),
                        hint: Some(
                            "ask the user to delete `claude-budget/cache` in the data dir".into(),
                        ),
                    });
                    continue;
                }
            };
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
        Ok(Budget {
            layers,
            task: task.map(str::to_string),
            project_root: located.project_root.clone(),
        })
    }
}

/// The limit keys a `[spend]` or `[retry]` origin can be recorded for (`key_origins`).
const LIMIT_KEYS: &[&str] = &[
    "max_usd",
    "max_tokens",
    "max_tool_calls",
    "max_minutes",
    "same_command_failures",
    "failures",
    "same_file_edits",
    "stop_blocks",
];

/// Writes `key_origins`: in binary formats (the cache) each key as its index in
/// [`LIMIT_KEYS`], read back without a string per key.
pub(super) fn write_limit_key_origins<S: Serializer>(
    origins: &[(&'static str, Origin)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    if serializer.is_human_readable() {
        return origins.serialize(serializer);
    }
    let indexed = origins.iter().map(|(key, origin)| {
        LIMIT_KEYS
            .iter()
            .position(|k| k == key)
            .and_then(|at| u8::try_from(at).ok())
            .map(|at| (at, origin))
            .ok_or_else(|| serde::ser::Error::custom(format!("unknown limit key `{key}`")))
    });
    let indexed: Vec<(u8, &Origin)> = indexed.collect::<Result<_, S::Error>>()?;
    indexed.serialize(serializer)
}

/// Reads `key_origins` back: each key must be one the validator records.
pub(super) fn limit_key_origins<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(&'static str, Origin)>, D::Error> {
    if !deserializer.is_human_readable() {
        let stored = Vec::<(u8, Origin)>::deserialize(deserializer)?;
        return stored
            .into_iter()
            .map(|(at, origin)| {
                LIMIT_KEYS
                    .get(usize::from(at))
                    .map(|k| (*k, origin))
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown limit key {at}")))
            })
            .collect();
    }
    let stored = Vec::<(String, Origin)>::deserialize(deserializer)?;
    stored
        .into_iter()
        .map(|(key, origin)| {
            LIMIT_KEYS
                .iter()
                .find(|k| **k == key)
                .map(|k| (*k, origin))
                .ok_or_else(|| serde::de::Error::custom(format!("unknown limit key `{key}`")))
        })
        .collect()
}
