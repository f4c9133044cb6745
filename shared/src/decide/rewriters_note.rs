//! A formatter or fixer (`cargo clippy --fix`, `cargo fmt`) rewrites files it does not name,
//! so under a budget with `high_risk` paths it may rewrite one of them: like any high-risk
//! edit it needs a complete rollback note first (SPEC §6.5).

use super::calls::Decider;
use super::{Code, Finding, rollback};
use crate::paths::normalise;
use crate::session::rewriters::rewrites_files;
use crate::shell::SimpleCommand;
use crate::verdict::{Hit, Verdict};
use std::path::Path;

impl Decider<'_> {
    /// The rollback-note check for a command that rewrites files across its directory.
    pub(super) fn rewriter_note(&mut self, cmd: &SimpleCommand, what: &str) {
        if !rewrites_files(&cmd.argv) {
            return;
        }
        let budget = self.budget;
        for layer in &budget.layers {
            if !layer.evidence.has_high_risk() {
                continue;
            }
            let note = normalise(
                Path::new(&layer.evidence.rollback_note),
                &budget.project_root,
            );
            let text = self.rollback_note_text(&note);
            let missing = rollback::missing_fields(&text, &layer.evidence.rollback_fields);
            if missing.is_empty() {
                continue;
            }
            self.findings.push(Finding {
                hit: Hit {
                    verdict: Verdict::Deny,
                    origin: layer
                        .evidence
                        .origin
                        .clone()
                        .unwrap_or_else(|| crate::verdict::Origin::builtin("evidence")),
                    section: "evidence".into(),
                    rule: "high_risk: files a formatter or fixer rewrites".into(),
                },
                code: Code::RollbackNoteMissing,
                what: what.to_owned(),
                stop_reason: None,
                detail: Some(format!(
                    "It rewrites files it does not name, which may include high-risk paths. The rollback note `{}` is {}; missing: {}. Template:\n{}",
                    self.show(&note),
                    if text.is_empty() { "missing" } else { "incomplete" },
                    missing.join(", "),
                    rollback::template(&layer.evidence.rollback_fields)
                )),
            });
        }
    }
}
