//! Limits checked on every call, whatever it is: `[spend]` (dollars, tokens, tool calls,
//! minutes, the `warn_at` note) and the run-wide `[retry] failures`. [`limit_reached`] asks
//! the same question for the stop gate and `status`, so they cannot disagree with the hook.

use super::calls::Decider;
use super::{Code, DecideContext, Decision, Finding, SessionFacts};
use crate::budget::{Budget, OnExceed};
use crate::verdict::{Hit, Origin, Verdict};

/// The `[spend]` limit or run-wide `[retry] failures` limit this session has reached, if
/// any: exactly the check every PreToolUse makes, for the stop gate and `claude-budget
/// status` (one mechanism, so they cannot disagree with the hook).
pub fn limit_reached(budget: &Budget, facts: &SessionFacts) -> Option<Hit> {
    // The limit checks never consult the file system or the call's surroundings.
    let fs = crate::fsview::RealFs;
    let ctx = DecideContext {
        cwd: budget.project_root.clone(),
        home: None,
        nobody_can_answer: false,
        protected_dirs: Vec::new(),
        current_branch: None,
        fs: &fs,
    };
    let mut d = Decider {
        budget,
        facts,
        ctx: &ctx,
        findings: Vec::new(),
        note: None,
        edit_key_seen: std::cell::RefCell::default(),
    };
    d.limits();
    Decision::from_findings(d.findings, false)
        .rule
        .filter(|hit| hit.verdict == Verdict::Deny)
}

impl Decider<'_> {
    /// Spend, tool-call and run-wide failure limits, checked on every call.
    pub(super) fn limits(&mut self) {
        let facts = self.facts;
        for layer in &self.budget.layers {
            let spend = &layer.spend;
            let origin = spend
                .origin
                .clone()
                .unwrap_or_else(|| Origin::builtin("spend"));
            let checks: [(Option<f64>, f64, &str, String); 4] = [
                (
                    spend.max_usd,
                    facts.spend_usd,
                    "max_usd",
                    format!("${:.2}", facts.spend_usd),
                ),
                (
                    spend.max_tokens.map(|t| t as f64),
                    facts.spend_tokens as f64,
                    "max_tokens",
                    format!("{} tokens", facts.spend_tokens),
                ),
                (
                    spend.max_tool_calls.map(|t| t as f64),
                    facts.tool_calls as f64,
                    "max_tool_calls",
                    format!("{} tool calls", facts.tool_calls),
                ),
                (
                    spend.max_minutes.map(|t| t as f64),
                    facts.minutes as f64,
                    "max_minutes",
                    format!("{} minutes", facts.minutes),
                ),
            ];
            for (limit, used, key, shown) in checks {
                let Some(limit) = limit else { continue };
                if used >= limit {
                    let halt = spend.on_exceed == OnExceed::Halt;
                    let reason = format!("the run used {shown}, past [spend] {key} = {limit}");
                    self.findings.push(Finding {
                        hit: Hit {
                            verdict: Verdict::Deny,
                            origin: spend
                                .origin_of(key)
                                .cloned()
                                .unwrap_or_else(|| origin.clone()),
                            section: "spend".into(),
                            rule: key.into(),
                        },
                        code: Code::SpendExceeded,
                        what: "this call".into(),
                        stop_reason: halt.then(|| reason.clone()),
                        detail: Some(format!("Spend limit reached: {reason}.")),
                    });
                } else if let Some(warn) = spend.warn_at
                    && !facts.warned
                    && used >= warn * limit
                    && self.note.is_none()
                {
                    self.note = Some(format!(
                        "claude-budget: this run has used {shown} of its [spend] {key} = {limit} \
                         ({:.0}%). Plan to finish soon and leave a summary for the user.",
                        100.0 * used / limit
                    ));
                }
            }
            // Spend that cannot be read is not zero (SPEC §6.2): past the grace, the limit
            // applies as if it were reached.
            if let Some(why) = &facts.spend_unreadable
                && (spend.max_usd.is_some() || spend.max_tokens.is_some())
            {
                let halt = spend.on_exceed == OnExceed::Halt;
                let reason = format!(
                    "the transcript could not be read ({why}), so the run's spend is unknown and [spend] max_usd/max_tokens cannot be checked"
                );
                self.findings.push(Finding {
                    hit: Hit {
                        verdict: Verdict::Deny,
                        origin: origin.clone(),
                        section: "spend".into(),
                        rule: "spend unreadable".into(),
                    },
                    code: Code::SpendExceeded,
                    what: "this call".into(),
                    stop_reason: halt.then(|| reason.clone()),
                    detail: Some(format!("Spend unknown: {reason}.")),
                });
            }
            if let Some(limit) = layer.retry.failures
                && facts.total_failures >= limit
            {
                self.findings.push(Finding::retry_limit(
                    layer,
                    "failures",
                    "this call".into(),
                    format!(
                        "The run has had {} failed tool calls; [retry] failures = {limit}.",
                        facts.total_failures
                    ),
                ));
            }
        }
    }
}
