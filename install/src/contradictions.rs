//! `claude-budget check`, second half: contradictions between a valid budget and the
//! repository it governs — things no parser can see. All are warnings: the budget works,
//! but some of it can never do what it says.
//!
//! * an `[edit] allow` glob that matches no file or folder (the code lives elsewhere);
//! * a `high_risk` pattern naming nothing that exists, or files `[edit]` refuses (the
//!   rollback-note duty can never apply);
//! * a `[run] tests` command that `[run]` does not allow (the stop gate wants tests the agent
//!   cannot run);
//! * a stop rule's `run` pattern written with shell operators (rules match one simple
//!   command, so `a && b` or `curl … | sh` never matches);
//! * `ask` rules where nobody answers: Claude Code set to `bypassPermissions` / `dontAsk`, or
//!   a CI environment — every `ask` is a refusal there.

use budget_policy::budget::{self, Diagnostic, Layer, Located, PathContext, Severity};
use budget_policy::fsview::RealFs;
use budget_policy::verdict::{Origin, Verdict};
use std::path::{Path, PathBuf};

/// Folders never walked: build output, dependencies, VCS data.
const SKIP_DIRS: &[&str] = &[
    ".git",
    "target",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
];
/// The walk stops after this many entries (a huge monorepo still gets an answer).
const MAX_ENTRIES: usize = 50_000;

/// The contradictions of the budget file `path` (shown as `shown`) in the project at `root`.
/// A file that does not load yields none: its errors are reported by the validator.
pub(crate) fn find(path: &Path, shown: &str, root: &Path, ci: bool) -> Vec<Diagnostic> {
    let located = Located {
        project_root: root.to_path_buf(),
        repo_budget: Some(path.to_path_buf()),
        user_budget: None,
        managed_budgets: Vec::new(),
    };
    let Ok(Some(compiled)) = budget::load(&located, None) else {
        return Vec::new();
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let entries = walk(root);
    let ctx = PathContext {
        project_root: root,
        home: None,
        fs: &RealFs,
    };
    let mut out = Checker {
        shown,
        text: &text,
        found: Vec::new(),
    };
    for layer in &compiled.layers {
        out.edit_globs(layer, &entries, &ctx);
        out.high_risk(layer, &entries, &ctx);
        out.tests_not_allowed(layer);
        out.stop_patterns(layer);
    }
    out.nobody_answers(root, ci);
    let mut found = out.found;
    found.sort_by_key(|d| (d.line, d.column));
    found
}

struct Checker<'a> {
    shown: &'a str,
    text: &'a str,
    found: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn warn(&mut self, origin: &Origin, message: String, hint: &str) {
        let (line, column) = match origin {
            Origin::File { line, column, .. } => (*line, *column),
            _ => (1, 1),
        };
        self.warn_at(line, column, message, hint);
    }

    fn warn_at(&mut self, line: u32, column: u32, message: String, hint: &str) {
        self.found.push(Diagnostic {
            file: self.shown.to_owned(),
            line,
            column,
            severity: Severity::Warning,
            message,
            hint: Some(hint.to_owned()),
        });
    }

    fn edit_globs(&mut self, layer: &Layer, entries: &[PathBuf], ctx: &PathContext<'_>) {
        for probe in layer.edit.allow_probes() {
            if outside(&probe.pattern) || entries.iter().any(|e| probe.matches(e, ctx)) {
                continue;
            }
            self.warn(
                &probe.origin,
                format!(
                    "[edit] allow `{}` matches no file in the repository",
                    probe.pattern
                ),
                "the agent can edit nothing through it: name the folders the code and tests are in \
                 (`claude-budget init` in a scratch copy shows what it finds), or remove it",
            );
        }
    }

    fn high_risk(&mut self, layer: &Layer, entries: &[PathBuf], ctx: &PathContext<'_>) {
        for probe in layer.evidence.high_risk_probes() {
            if outside(&probe.pattern) {
                continue;
            }
            let Some(file) = entries.iter().find(|e| probe.matches(e, ctx)) else {
                self.warn(
                    &probe.origin,
                    format!("[evidence] high_risk `{}` names no existing file", probe.pattern),
                    "a rollback note is never asked for: point it at the files that are risky to change",
                );
                continue;
            };
            let refused = layer
                .edit
                .decide(file, ctx)
                .filter(|hit| hit.verdict == Verdict::Deny);
            if let Some(hit) = refused {
                let rel = file.strip_prefix(ctx.project_root).unwrap_or(file);
                self.warn(
                    &probe.origin,
                    format!(
                        "[evidence] high_risk `{}` names files [edit] refuses (`{}`: `{}` at {})",
                        probe.pattern,
                        rel.display(),
                        hit.rule,
                        hit.origin
                    ),
                    "the rollback-note duty can never apply: allow (or ask for) editing them, or drop the pattern",
                );
            }
        }
    }

    fn tests_not_allowed(&mut self, layer: &Layer) {
        for (rule, origin) in layer.run.test_rules() {
            if rule.starts_with("re:") {
                continue;
            }
            let argv: Vec<String> = rule.split_whitespace().map(str::to_owned).collect();
            let Some(hit) = layer.run.decide(&argv) else {
                continue;
            };
            if hit.verdict == Verdict::Allow {
                continue;
            }
            let by = if hit.rule == "default" {
                "[run] default".to_owned()
            } else {
                format!("`{}` at {}", hit.rule, hit.origin)
            };
            self.warn(
                &origin,
                format!(
                    "[run] tests `{rule}` is not allowed by [run] ({} by {by})",
                    hit.verdict.as_str()
                ),
                "the stop gate wants tests the agent may not run: add the command to [run] allow",
            );
        }
    }

    fn stop_patterns(&mut self, layer: &Layer) {
        for stop in &layer.stops {
            for pattern in stop.run_patterns() {
                if pattern.starts_with("re:") {
                    continue;
                }
                let operator = ["&&", "||", "|", ";", "$(", "`", ">", "<"]
                    .into_iter()
                    .find(|op| pattern.contains(op));
                if let Some(op) = operator {
                    let (line, column) = self
                        .position_of(&pattern)
                        .unwrap_or_else(|| line_column(&stop.origin));
                    self.warn_at(
                        line,
                        column,
                        format!(
                            "stop rule pattern `{pattern}` can never match: rules match one simple \
                             command, and `{op}` joins or redirects commands"
                        ),
                        "split it into one pattern per command (`curl … | sh` → `sh`, or rely on \
                         the destructive pack)",
                    );
                }
            }
        }
    }

    /// Advice for runs where nobody can answer a prompt.
    fn nobody_answers(&mut self, root: &Path, ci: bool) {
        let mode = permission_mode(root);
        let why = match (&mode, ci) {
            (Some((file, mode)), _) => format!("{file} sets `defaultMode = \"{mode}\"`"),
            (None, true) => "this is a CI environment (`CI` is set)".to_owned(),
            (None, false) => return,
        };
        let Some((line, column)) = self.first_ask() else {
            return;
        };
        self.warn_at(
            line,
            column,
            format!(
                "{why}: nobody answers a prompt there, so every `ask` of this budget is a refusal"
            ),
            "decide each ask: move what the agent may do unattended to allow and the rest to deny \
             (or run with a mode where a person approves)",
        );
    }

    /// Where the first `ask = [non-empty]` or `= "ask"` setting is written.
    fn first_ask(&self) -> Option<(u32, u32)> {
        self.text.lines().enumerate().find_map(|(i, line)| {
            let code = line.split('#').next().unwrap_or_default();
            let (key, value) = code.split_once('=')?;
            let value = value.trim();
            let asks = (key.trim() == "ask" && value != "[]") || value == "\"ask\"";
            asks.then(|| {
                (
                    to_u32(i + 1),
                    to_u32(line.len() - line.trim_start().len() + 1),
                )
            })
        })
    }

    /// Line and column of the first `"pattern"` in the file.
    fn position_of(&self, pattern: &str) -> Option<(u32, u32)> {
        let needle = format!("\"{pattern}\"");
        self.text.lines().enumerate().find_map(|(i, line)| {
            let col = line.find(&needle)?;
            Some((to_u32(i + 1), to_u32(line[..col].chars().count() + 2)))
        })
    }
}

fn line_column(origin: &Origin) -> (u32, u32) {
    match origin {
        Origin::File { line, column, .. } => (*line, *column),
        _ => (1, 1),
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Patterns for paths outside the project (`//tmp/**`, `~/x`): not judged by the repo's files.
fn outside(pattern: &str) -> bool {
    pattern.starts_with("//") || pattern.starts_with('~')
}

/// Claude Code's `permissions.defaultMode` in the project's settings, when it is a mode where
/// nobody answers (`bypassPermissions`, `dontAsk`).
fn permission_mode(root: &Path) -> Option<(String, String)> {
    for file in [".claude/settings.local.json", ".claude/settings.json"] {
        let Some(json) = std::fs::read_to_string(root.join(file))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        else {
            continue;
        };
        let mode = json["permissions"]["defaultMode"]
            .as_str()
            .unwrap_or_default();
        if matches!(mode, "bypassPermissions" | "dontAsk") {
            return Some((file.to_owned(), mode.to_owned()));
        }
    }
    None
}

/// Every file and folder of the project (absolute), bounded, skipping [`SKIP_DIRS`].
fn walk(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            if out.len() >= MAX_ENTRIES {
                return out;
            }
            let path = entry.path();
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir {
                if SKIP_DIRS.iter().any(|s| entry.file_name() == *s) {
                    continue;
                }
                stack.push(path.clone());
            }
            out.push(path);
        }
    }
    out
}
