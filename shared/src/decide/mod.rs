//! (call, budget, session facts) → [`Decision`]. Pure: no clock, no printing; the file
//! system is only consulted through [`FsView`] (existence, symlinks, the rollback note).
//!
//! * `calls` — one function per kind of tool call, each producing findings.
//! * `limits` — `[spend]` and run-wide `[retry]` limits, checked on every call.
//! * [`merge`] — `[merge]`: pushes, protected branches, PR merges.
//! * [`protect`] — self-protection of the budget, settings, state and persistence files.
//! * [`rollback`] — the rollback-note check.
//! * `messages` — every sentence the agent reads, in one place.
//! * [`url`] — URL host extraction for `[web]`.

mod bash;
mod calls;
mod limits;
pub mod merge;
mod messages;
pub mod protect;
pub mod rollback;
pub mod url;

/// The session facts a decision reads (defined by the session model, one layer beside).
pub use crate::session::{FailureFact, SessionFacts, StopFact, fingerprint};
/// The decision codes (defined with the verdicts, one layer down, for every layer's use).
pub use crate::verdict::Code;
pub use calls::decide;
pub use limits::limit_reached;

use crate::fsview::FsView;
use crate::verdict::{Hit, Origin, Verdict};
use serde::Serialize;
use std::path::PathBuf;

/// Everything outside the call that the decision depends on.
pub struct DecideContext<'a> {
    pub cwd: PathBuf,
    pub home: Option<PathBuf>,
    /// `permission_mode` is `bypassPermissions` or `dontAsk`: `ask` becomes `deny`.
    pub nobody_can_answer: bool,
    /// The state/record directory in use, the hook executables' directory, the user
    /// budget's folder and `$CLAUDE_CONFIG_DIR`'s settings files (see
    /// `store::protected_dirs`): protected. A `settings*.json` entry is protected as Claude
    /// Code's settings, any other as claude-budget's own files.
    pub protected_dirs: Vec<PathBuf>,
    /// The branch checked out (from `.git/HEAD`), for protected branches.
    pub current_branch: Option<String>,
    pub fs: &'a dyn FsView,
}

/// The answer to one call.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// `None`: no opinion (every layer abstained) — exit 0 with empty stdout.
    pub verdict: Option<Verdict>,
    pub code: Code,
    /// The rule that decided (the most restrictive hit).
    pub rule: Option<Hit>,
    /// What the agent reads: what was refused, by which rule, what to do instead.
    pub reason: String,
    /// Set when the run must stop (`continue: false` + `stopReason`).
    pub stop_reason: Option<String>,
    /// A one-time note for the agent (`additionalContext`), e.g. the spend warning.
    pub note: Option<String>,
    /// Every rule that matched, for `explain` and the record.
    pub hits: Vec<Hit>,
}

/// One reason to decide something: a matched rule, what exactly it refused, and the advice.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub hit: Hit,
    pub code: Code,
    /// The exact part concerned: a path, a command, a host, a tool.
    pub what: String,
    /// Set by stop rules and `on_exceed = "halt"`: the run must end.
    pub stop_reason: Option<String>,
    /// Extra advice (rollback template, last error line, …) appended to the message.
    pub detail: Option<String>,
}

impl Finding {
    /// A `[retry]` limit reached: `key` is the limit's name, `detail` says what happened.
    pub fn retry_limit(
        layer: &crate::budget::Layer,
        key: &str,
        what: String,
        detail: String,
    ) -> Finding {
        let origin = layer
            .retry
            .origin
            .clone()
            .unwrap_or_else(|| Origin::builtin("retry"));
        Finding {
            hit: Hit {
                verdict: Verdict::Deny,
                origin,
                section: "retry".into(),
                rule: key.into(),
            },
            code: Code::RetryLimit,
            what,
            stop_reason: None,
            detail: Some(detail),
        }
    }
}

impl Decision {
    /// No layer had an opinion.
    pub fn no_opinion() -> Decision {
        Decision {
            verdict: None,
            code: Code::NoOpinion,
            rule: None,
            reason: String::new(),
            stop_reason: None,
            note: None,
            hits: Vec::new(),
        }
    }

    /// Combines findings: the most restrictive wins (a stop beats everything, then
    /// deny > ask > allow; among equal verdicts the most specific finding, see
    /// [`specificity`]); `ask` becomes `deny` when nobody can answer a prompt.
    pub fn from_findings(mut findings: Vec<Finding>, nobody_can_answer: bool) -> Decision {
        let hits = findings.iter().map(|f| f.hit.clone()).collect();
        let rank = |f: &Finding| (f.stop_reason.is_some(), f.hit.verdict, specificity(f));
        // The first of the most restrictive findings (stable: analysis order).
        let Some(best) = findings
            .iter()
            .enumerate()
            .max_by(|(ia, a), (ib, b)| rank(a).cmp(&rank(b)).then(ib.cmp(ia)))
            .map(|(i, _)| i)
        else {
            return Decision::no_opinion();
        };
        let winner = findings.swap_remove(best);
        let mut verdict = winner.hit.verdict;
        let mut code = winner.code;
        let mut reason = messages::reason(&winner);
        if verdict == Verdict::Ask && nobody_can_answer {
            verdict = Verdict::Deny;
            code = Code::ApprovalNeeded;
            reason = messages::approval_needed(&winner);
        }
        Decision {
            verdict: Some(verdict),
            code,
            rule: Some(winner.hit.clone()),
            reason,
            stop_reason: winner.stop_reason.clone(),
            note: None,
            hits,
        }
    }
}

/// Which of equally restrictive findings explains the decision best: what the product
/// itself found (pack and semantic checks, self-protection, limits, what cannot be
/// analysed) over an explicit rule of the budget over a section's `default` or
/// `outside_project`. So `eval $X` is reported as unparsed, not as `[run] default`.
fn specificity(finding: &Finding) -> u8 {
    let fallback = matches!(finding.hit.rule.as_str(), "default" | "outside_project");
    match (&finding.hit.origin, finding.code) {
        (_, Code::UnparsedCommand) | (Origin::Pack { .. }, _) => 2,
        _ if fallback => 0,
        (Origin::Builtin { .. }, _) => 2,
        (Origin::File { .. }, _) => 1,
    }
}

#[cfg(test)]
mod tests;
