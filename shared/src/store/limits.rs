//! `[spend]` limit checks on session facts (SPEC §6.2), pure: used where `decide` does not
//! run — the stop hook (spend is checked at Stop too) and `claude-budget status`. `decide`
//! applies the same limits to every PreToolUse.
//!
//! A limit is reached when the amount already used equals it: with `max_tool_calls = 600`
//! the 601st call is refused.

use crate::budget::{OnExceed, SpendLimits};
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
