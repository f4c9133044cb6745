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
        if let Some((seen, key)) = self.edit_key_seen.borrow().as_ref()
            && seen == path
        {
            return key.clone();
        }
        let resolved = resolve_target(path, self.ctx.fs)
            .unwrap_or_else(|| path.to_path_buf())
            .display()
            .to_string();
        let key = crate::redact::for_budget(self.budget)
            .text(&resolved)
            .into_owned();
        *self.edit_key_seen.borrow_mut() = Some((path.to_path_buf(), key.clone()));
        key
    }

    /// `[retry] same_command_failures` for an edit tool on this file.
    pub(super) fn edit_retries(&mut self, tool: &str, path: &Path, what: &str) {
        if self.facts.failures.is_empty() {
            return;
        }
        // `edit_key` is already redacted; the key is redacted again like any failure key,
        // which changes nothing.
        let key = format!("{tool} {}", self.edit_key(path));
        self.failure_limit(&key, what.to_owned(), |count, limit, last| {
            format!(
                "This {tool} already failed {count} times on the file (limit {limit}); last error: {last}. Read the file again before editing it"
            )
        });
    }

    /// `[retry] same_command_failures`: one finding per layer whose limit the failures
    /// counted under `key` have reached. Failures are stored under the redacted key (no
    /// secret reaches the state file), so they are looked up the same way — and only when
    /// something failed at all, so the common call pays no redaction.
    pub(super) fn failure_limit(
        &mut self,
        key: &str,
        what: String,
        message: impl Fn(u32, u32, &str) -> String,
    ) {
        if self.facts.failures.is_empty() {
            return;
        }
        let key = crate::redact::for_budget(self.budget)
            .text(key)
            .into_owned();
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
                    what.clone(),
                    message(failed.count, limit, &failed.last_error_line),
                ));
            }
        }
    }
}
