//! Retry limits of edit tools (SPEC §6.3): an Edit that failed `same_command_failures` times
//! on one file (`old_string` not found, again and again) is refused like a failing command,
//! and `same_file_edits` counts the resolved file, so a symlink alias or `./x` is no fresh
//! start. The keys match what `session::observe` counted.

use super::Finding;
use super::calls::Decider;
use crate::paths::resolve_target;
use std::path::Path;

impl Decider<'_> {
    /// The key edits of `path` are counted under: the file with symlinks resolved, redacted
    /// as `session::observe` stores it.
    pub(super) fn edit_key(&self, path: &Path) -> String {
        let resolved = resolve_target(path, self.ctx.fs)
            .unwrap_or_else(|| path.to_path_buf())
            .display()
            .to_string();
        crate::redact::for_budget(self.budget)
            .text(&resolved)
            .into_owned()
    }

    /// `[retry] same_command_failures` for an edit tool on this file.
    pub(super) fn edit_retries(&mut self, tool: &str, path: &Path, what: &str) {
        if self.facts.failures.is_empty() {
            return;
        }
        let redactor = crate::redact::for_budget(self.budget);
        let key = redactor
            .text(&format!("{tool} {}", self.edit_key(path)))
            .into_owned();
        // `edit_key` is already redacted; redacting again changes nothing.
        let Some(failed) = self.facts.failures.get(&key) else {
            return;
        };
        for layer in &self.budget.layers {
            let Some(limit) = layer.retry.same_command_failures else {
                continue;
            };
            if failed.count >= limit {
                self.findings.push(Finding::retry_limit(
                    layer,
                    "same_command_failures",
                    what.to_owned(),
                    format!(
                        "This {tool} already failed {} times on the file (limit {limit}); last error: {}. Read the file again before editing it",
                        failed.count, failed.last_error_line
                    ),
                ));
            }
        }
    }
}
