//! Limit checks on session facts (SPEC §6.2–6.3), pure, shared by `decide` (every
//! PreToolUse) and the stop hook: which limit is past, and the words the agent reads.
//!
//! A count limit is reached when the count already made equals it: with
//! `max_tool_calls = 600` the 601st call is refused, with `same_command_failures = 3` the
//! fourth attempt after three failures is refused.

use crate::budget::{OnExceed, RetryLimits, SpendLimits};
use crate::decide::SessionFacts;

/// A `[spend]` limit that is past.
#[derive(Clone, Debug, PartialEq)]
pub struct SpendBreach {
    /// The key: `max_usd`, `max_tokens`, `max_tool_calls`, `max_minutes`.
    pub limit: &'static str,
    /// `on_exceed = "halt"`: the run must stop (`continue: false`).
    pub halt: bool,
    /// What the agent reads.
    pub reason: String,
}

/// Used / limit pairs of every `[spend]` limit that is set, as fractions for `warn_at`.
fn spend_ratios(limits: &SpendLimits, facts: &SessionFacts) -> Vec<(&'static str, f64, String)> {
    let mut out = Vec::new();
    if let Some(max) = limits.max_usd {
        out.push((
            "max_usd",
            ratio(facts.spend_usd, max),
            format!("${:.2} of ${max:.2}", facts.spend_usd),
        ));
    }
    if let Some(max) = limits.max_tokens {
        out.push((
            "max_tokens",
            ratio(facts.spend_tokens as f64, max as f64),
            format!("{} of {max} tokens", facts.spend_tokens),
        ));
    }
    if let Some(max) = limits.max_tool_calls {
        out.push((
            "max_tool_calls",
            ratio(facts.tool_calls as f64, max as f64),
            format!("{} of {max} tool calls", facts.tool_calls),
        ));
    }
    if let Some(max) = limits.max_minutes {
        out.push((
            "max_minutes",
            ratio(facts.minutes as f64, max as f64),
            format!("{} of {max} minutes", facts.minutes),
        ));
    }
    out
}

fn ratio(used: f64, max: f64) -> f64 {
    if max <= 0.0 {
        f64::INFINITY
    } else {
        used / max
    }
}

/// The first `[spend]` limit that is reached, if any.
pub fn spend_exceeded(limits: &SpendLimits, facts: &SessionFacts) -> Option<SpendBreach> {
    let origin = limits
        .origin
        .as_ref()
        .map_or_else(|| "[spend]".to_owned(), ToString::to_string);
    spend_ratios(limits, facts).into_iter().find(|(_, r, _)| *r >= 1.0).map(|(limit, _, used)| {
        let halt = limits.on_exceed == OnExceed::Halt;
        let what_next = if halt {
            "The run must stop now: report what is done and what is left, and ask the user for a new budget."
        } else {
            "Further tool calls are refused: stop, report what is done and what is left, and ask the user to raise the limit."
        };
        SpendBreach { limit, halt, reason: format!("Spend limit `{limit}` reached ({used}; {origin}). {what_next}") }
    })
}

/// The one-time `warn_at` note, when a limit's fraction has reached `warn_at` and the
/// session was not warned yet (the caller then sets `spend_warned`).
pub fn spend_warning(limits: &SpendLimits, facts: &SessionFacts) -> Option<String> {
    let warn_at = limits.warn_at?;
    if facts.warned {
        return None;
    }
    let reached: Vec<String> = spend_ratios(limits, facts)
        .into_iter()
        .filter(|(_, r, _)| *r >= warn_at)
        .map(|(limit, _, used)| format!("{used} (`{limit}`)"))
        .collect();
    (!reached.is_empty()).then(|| {
        format!(
            "Budget warning: {} used, past the {:.0}% warning mark. Plan to finish soon and keep the remaining calls for verifying the work.",
            reached.join(", "),
            warn_at * 100.0
        )
    })
}

/// A `[retry]` limit that refuses a call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryBreach {
    /// `same_command_failures`, `failures` or `same_file_edits`.
    pub limit: &'static str,
    pub reason: String,
}

/// Checks a call against `[retry]`: `fingerprint` is the call's failure key (see
/// `PostEvent::fingerprint`), `edited` the absolute paths it would edit.
pub fn retry_exceeded(
    limits: &RetryLimits,
    facts: &SessionFacts,
    fingerprint: Option<&str>,
    edited: &[String],
) -> Option<RetryBreach> {
    let origin = limits
        .origin
        .as_ref()
        .map_or_else(|| "[retry]".to_owned(), ToString::to_string);
    if let (Some(max), Some(key)) = (limits.same_command_failures, fingerprint)
        && let Some(failure) = facts.failures.get(key)
        && failure.count >= max
    {
        let last = if failure.last_error_line.is_empty() {
            String::new()
        } else {
            format!(" Last error: {}", failure.last_error_line)
        };
        return Some(RetryBreach {
            limit: "same_command_failures",
            reason: format!(
                "`{key}` already failed {} times (limit {max}, {origin}).{last} Stop retrying it: change the approach, or report the failure and its evidence to the user and ask how to proceed.",
                failure.count
            ),
        });
    }
    if let Some(max) = limits.failures
        && facts.total_failures >= max
    {
        return Some(RetryBreach {
            limit: "failures",
            reason: format!(
                "This run has had {} failed tool calls (limit {max}, {origin}). Stop and report to the user what fails and why, and ask how to proceed.",
                facts.total_failures
            ),
        });
    }
    if let Some(max) = limits.same_file_edits {
        for path in edited {
            if let Some(count) = facts.edits.get(path)
                && *count >= max
            {
                return Some(RetryBreach {
                    limit: "same_file_edits",
                    reason: format!(
                        "`{path}` was already edited {count} times (limit {max}, {origin}). Stop editing it in circles: summarise what you tried and ask the user."
                    ),
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decide::FailureFact;

    fn facts() -> SessionFacts {
        SessionFacts::default()
    }

    #[test]
    fn spend_limits_trip_when_reached_and_say_which() {
        let limits = SpendLimits {
            max_usd: Some(10.0),
            max_tool_calls: Some(600),
            ..SpendLimits::default()
        };
        let rows: &[(f64, u64, Option<&str>)] = &[
            (9.99, 599, None),
            (10.0, 0, Some("max_usd")),
            (0.0, 600, Some("max_tool_calls")),
            (12.0, 700, Some("max_usd")),
        ];
        for (usd, calls, expected) in rows {
            let f = SessionFacts {
                spend_usd: *usd,
                tool_calls: *calls,
                ..facts()
            };
            assert_eq!(
                spend_exceeded(&limits, &f).map(|b| b.limit),
                *expected,
                "{usd} {calls}"
            );
        }
    }

    #[test]
    fn halt_is_carried_in_the_breach() {
        let limits = SpendLimits {
            max_tokens: Some(10),
            on_exceed: OnExceed::Halt,
            ..SpendLimits::default()
        };
        let breach = spend_exceeded(
            &limits,
            &SessionFacts {
                spend_tokens: 10,
                ..facts()
            },
        );
        assert!(breach.is_some_and(|b| b.halt && b.reason.contains("must stop")));
    }

    #[test]
    fn the_warning_comes_once_past_warn_at() {
        let limits = SpendLimits {
            max_usd: Some(10.0),
            warn_at: Some(0.8),
            ..SpendLimits::default()
        };
        assert_eq!(
            spend_warning(
                &limits,
                &SessionFacts {
                    spend_usd: 7.9,
                    ..facts()
                }
            ),
            None
        );
        assert!(
            spend_warning(
                &limits,
                &SessionFacts {
                    spend_usd: 8.0,
                    ..facts()
                }
            )
            .is_some_and(|n| n.contains("80%"))
        );
        assert_eq!(
            spend_warning(
                &limits,
                &SessionFacts {
                    spend_usd: 9.0,
                    warned: true,
                    ..facts()
                }
            ),
            None
        );
    }

    #[test]
    fn a_command_that_failed_too_often_is_refused_with_its_last_error() {
        let limits = RetryLimits {
            same_command_failures: Some(3),
            ..RetryLimits::default()
        };
        let mut f = facts();
        f.failures.insert(
            "cargo build".into(),
            FailureFact {
                count: 3,
                last_error_line: "error[E0308]: mismatched types".into(),
            },
        );
        let breach = retry_exceeded(&limits, &f, Some("cargo build"), &[]);
        assert!(
            breach
                .as_ref()
                .is_some_and(|b| b.reason.contains("3 times") && b.reason.contains("E0308")),
            "{breach:?}"
        );
        assert_eq!(retry_exceeded(&limits, &f, Some("cargo test"), &[]), None);
        f.failures.insert(
            "cargo build".into(),
            FailureFact {
                count: 2,
                last_error_line: String::new(),
            },
        );
        assert_eq!(retry_exceeded(&limits, &f, Some("cargo build"), &[]), None);
    }

    #[test]
    fn run_wide_failures_and_same_file_edits_are_limited() {
        let limits = RetryLimits {
            failures: Some(20),
            same_file_edits: Some(2),
            ..RetryLimits::default()
        };
        let f = SessionFacts {
            total_failures: 20,
            ..facts()
        };
        assert_eq!(
            retry_exceeded(&limits, &f, None, &[]).map(|b| b.limit),
            Some("failures")
        );
        let mut f = facts();
        f.edits.insert("/p/a.rs".into(), 2);
        assert_eq!(
            retry_exceeded(&limits, &f, None, &["/p/a.rs".into()]).map(|b| b.limit),
            Some("same_file_edits")
        );
        assert_eq!(retry_exceeded(&limits, &f, None, &["/p/b.rs".into()]), None);
    }
}
