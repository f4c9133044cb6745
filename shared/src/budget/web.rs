//! Web rules (SPEC §4.5): host patterns. `docs.rs` is exactly that host; `*.docs.rs` any
//! subdomain of it but not the apex. Hosts arrive normalised (lower-case, no port, userinfo
//! or trailing dot); patterns are normalised the same way when compiled.

use super::WebRules;
use super::rule_error::{RuleError, RuleKind};
use crate::verdict::{Hit, Origin, Verdict};

/// One host pattern as written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct HostRule {
    pub pattern: String,
    /// Lower-case, without a trailing dot; `Some(suffix)` for `*.suffix`.
    exact: String,
    subdomains_of: Option<String>,
    pub origin: Origin,
}

impl HostRule {
    pub(super) fn compile(pattern: &str, origin: Origin) -> Result<HostRule, RuleError> {
        let normal = pattern.trim_end_matches('.').to_ascii_lowercase();
        let (exact, subdomains_of) = match normal.strip_prefix("*.") {
            Some(suffix) => (String::new(), Some(suffix.to_string())),
            None => (normal.clone(), None),
        };
        let host = subdomains_of.as_deref().unwrap_or(&exact);
        let valid = !host.is_empty()
            && host.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_')
            });
        if !valid {
            return Err(RuleError::new(
                pattern,
                RuleKind::Host,
                format!("invalid host pattern `{pattern}`"),
            ));
        }
        Ok(HostRule {
            pattern: pattern.to_string(),
            exact,
            subdomains_of,
            origin,
        })
    }

    pub(super) fn matches(&self, host: &str) -> bool {
        match &self.subdomains_of {
            Some(suffix) => host
                .strip_suffix(suffix.as_str())
                .is_some_and(|head| head.len() > 1 && head.ends_with('.')),
            None => host == self.exact,
        }
    }
}

fn hit(verdict: Verdict, origin: &Origin, rule: &str) -> Hit {
    Hit {
        verdict,
        origin: origin.clone(),
        section: "web".into(),
        rule: rule.into(),
    }
}

impl WebRules {
    pub(super) fn decide_host_impl(&self, host: &str) -> Option<Hit> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        for (list, verdict) in [
            (&self.deny, Verdict::Deny),
            (&self.ask, Verdict::Ask),
            (&self.allow, Verdict::Allow),
        ] {
            let Some(list) = list.get() else {
                // A list the compiled-budget cache could not read back: a deny or ask list
                // meets every host, an allow list none (fails closed).
                if verdict == Verdict::Allow {
                    continue;
                }
                return Some(hit(
                    verdict,
                    &Origin::builtin("budget-cache"),
                    super::packed::DAMAGED,
                ));
            };
            if let Some(rule) = list.iter().find(|r| r.matches(&host)) {
                return Some(hit(verdict, &rule.origin, &rule.pattern));
            }
        }
        self.default.as_ref().map(|(v, o)| hit(*v, o, "default"))
    }

    pub(super) fn decide_search_impl(&self) -> Option<Hit> {
        self.search.as_ref().map(|(v, o)| hit(*v, o, "search"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(allow: &[&str], deny: &[&str]) -> WebRules {
        let compile = |list: &[&str]| {
            list.iter()
                .map(|p| HostRule::compile(p, Origin::builtin("t")).unwrap())
                .collect::<Vec<_>>()
        };
        WebRules {
            allow: compile(allow).into(),
            deny: compile(deny).into(),
            ..WebRules::default()
        }
    }

    #[test]
    fn host_patterns_match_as_documented() {
        let web = rules(
            &["docs.rs", "*.rust-lang.org", "127.0.0.1"],
            &["evil.docs.rs"],
        );
        let rows: &[(&str, Option<Verdict>)] = &[
            ("docs.rs", Some(Verdict::Allow)),
            ("DOCS.RS.", Some(Verdict::Allow)),
            ("sub.docs.rs", None),
            ("evil.docs.rs", Some(Verdict::Deny)),
            ("blog.rust-lang.org", Some(Verdict::Allow)),
            ("a.b.rust-lang.org", Some(Verdict::Allow)),
            ("rust-lang.org", None),
            ("evilrust-lang.org", None),
            ("127.0.0.1", Some(Verdict::Allow)),
            ("docs.rs.evil.example", None),
        ];
        for (host, want) in rows {
            assert_eq!(
                web.decide_host_impl(host).map(|h| h.verdict),
                *want,
                "{host}"
            );
        }
    }

    #[test]
    fn default_and_search_answer_when_set() {
        let mut web = rules(&[], &[]);
        assert_eq!(web.decide_host_impl("x.example"), None);
        assert_eq!(web.decide_search_impl(), None);
        web.default = Some((Verdict::Ask, Origin::builtin("d")));
        web.search = Some((Verdict::Allow, Origin::builtin("s")));
        assert_eq!(
            web.decide_host_impl("x.example").map(|h| h.rule),
            Some("default".into())
        );
        assert_eq!(
            web.decide_search_impl().map(|h| h.verdict),
            Some(Verdict::Allow)
        );
    }

    #[test]
    fn malformed_host_patterns_are_rejected() {
        for bad in ["", "*.", "https://docs.rs", "docs.rs/path", "a*b.com"] {
            assert!(
                HostRule::compile(bad, Origin::builtin("t")).is_err(),
                "{bad}"
            );
        }
    }
}
