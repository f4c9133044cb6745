//! Budget regexes (`re:` command rules, `[record] redact`) checked when the budget loads but
//! compiled only when a text could match.
//!
//! Compiling a regex costs the hook more than everything else it does (a case-insensitive
//! alternation is ~2 M instructions; `^aws .* delete` ~1.7 M, mostly building a full DFA),
//! and most calls never need it. So loading only *parses* the pattern (every syntax error is
//! still reported where it was written); a pattern large enough that compiling could hit the
//! size limit is compiled at once, as before, so its error is reported at load too. The
//! regex is then built on first use, and not even then when the text lacks a literal every
//! match must contain (`=` in `token=\S+`).

use super::rule_error::{RuleError, RuleKind};
use regex::{Regex, RegexBuilder, Replacer};
use regex_syntax::hir::{Class, Hir, HirKind};
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

/// The size limit of compiled `re:` and `redact` regexes (hostile budgets cannot make a hook
/// allocate without bound).
pub(crate) const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Patterns whose estimated compiled size is above this are compiled when the budget loads.
/// The estimate is an over-estimate: the smallest patterns we know to exceed the size limit
/// (`\w{40}`, `\pL{30}`, `.{3000}`, `a{60000}`) all weigh over 100 000.
const EAGER_WEIGHT: u64 = 16_384;

/// A regex validated up front and compiled on first need. Cloning shares the compiled form.
#[derive(Clone, Debug)]
pub struct LazyRegex {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    pattern: String,
    /// Bytes every match contains; a text without them cannot match. Found when the
    /// pattern is parsed (at once, or on first use for a built-in pattern).
    required: OnceLock<Option<String>>,
    /// `None` inside: the regex failed to compile (only past the size limit).
    compiled: OnceLock<Option<Regex>>,
}

impl LazyRegex {
    /// Parses `pattern` (and compiles it when it is large); the error is the message a
    /// diagnostic shows, as `regex` words it.
    pub fn new(pattern: &str) -> Result<LazyRegex, RuleError> {
        let hir = regex_syntax::ParserBuilder::new()
            .build()
            .parse(pattern)
            .map_err(|e| {
                RuleError::new(pattern, RuleKind::Regex, syntax_message(&e.to_string()))
            })?;
        let compiled = OnceLock::new();
        if weight(&hir) > EAGER_WEIGHT {
            let _ = compiled.set(Some(compile(pattern)?));
        }
        Ok(LazyRegex {
            inner: Arc::new(Inner {
                pattern: pattern.to_string(),
                required: OnceLock::from(required_text(&hir)),
                compiled,
            }),
        })
    }

    /// A built-in pattern (covered by the tests): never parsed to load it; its required
    /// literal comes from the packs' table ([`crate::packs::REGEX_LITERALS`]), else it is
    /// parsed on first use.
    pub(crate) fn built_in(pattern: &str) -> LazyRegex {
        let required = crate::packs::REGEX_LITERALS
            .iter()
            .find(|(p, _)| *p == pattern)
            .map(|(_, literal)| OnceLock::from(literal.map(str::to_string)))
            .unwrap_or_default();
        LazyRegex {
            inner: Arc::new(Inner {
                pattern: pattern.to_string(),
                required,
                compiled: OnceLock::new(),
            }),
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.inner.pattern
    }

    /// The literal every match contains (`None`: no such literal), derived once.
    fn required(&self) -> Option<&str> {
        self.inner
            .required
            .get_or_init(|| {
                let hir = regex_syntax::Parser::new()
                    .parse(&self.inner.pattern)
                    .ok()?;
                required_text(&hir)
            })
            .as_deref()
    }

    /// The compiled regex when `haystack` could hold a match.
    fn for_text(&self, haystack: &str) -> Result<Option<&Regex>, ()> {
        if let Some(literal) = self.required()
            && !haystack.contains(literal)
        {
            return Ok(None);
        }
        let compiled = self
            .inner
            .compiled
            .get_or_init(|| compile(&self.inner.pattern).ok());
        compiled.as_ref().map(Some).ok_or(())
    }

    /// Whether the regex matches somewhere in `haystack`; `Err` when it could not be compiled
    /// (callers decide which way to fail).
    pub(crate) fn try_is_match(&self, haystack: &str) -> Result<bool, ()> {
        Ok(self
            .for_text(haystack)?
            .is_some_and(|re| re.is_match(haystack)))
    }

    /// Every match replaced, as `Regex::replace_all`. A regex that cannot be compiled
    /// replaces the whole text (redaction fails closed).
    pub fn replace_all<'h, R: Replacer>(&self, haystack: &'h str, rep: R) -> Cow<'h, str> {
        match self.for_text(haystack) {
            Ok(Some(re)) => re.replace_all(haystack, rep),
            Ok(None) => Cow::Borrowed(haystack),
            Err(()) => Cow::Owned("[REDACTED]".into()),
        }
    }
}

/// Stored in the compiled-budget cache as the pattern and its required literal, so a hook
/// reading the cache parses no regex syntax. Only a pattern [`LazyRegex::new`] accepted (or a
/// built-in one) is ever stored; it is compiled on first need as usual.
impl serde::Serialize for LazyRegex {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (self.as_str(), self.required()).serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for LazyRegex {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<LazyRegex, D::Error> {
        let (pattern, required) = <(String, Option<String>)>::deserialize(deserializer)?;
        Ok(LazyRegex {
            inner: Arc::new(Inner {
                pattern,
                required: OnceLock::from(required),
                compiled: OnceLock::new(),
            }),
        })
    }
}

/// Compiles with the size limit every budget regex gets.
fn compile(pattern: &str) -> Result<Regex, RuleError> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            let reason = match e {
                regex::Error::Syntax(s) => syntax_message(&s),
                regex::Error::CompiledTooBig(_) => "the regex is too large once compiled".into(),
                other => other.to_string(),
            };
            RuleError::new(pattern, RuleKind::Regex, reason)
        })
}

/// The last line of regex-syntax's multi-line message, without its `error: ` prefix.
fn syntax_message(full: &str) -> String {
    let last = full.lines().last().unwrap_or("syntax error").trim();
    last.strip_prefix("error: ").unwrap_or(last).to_string()
}

/// A generous estimate of the compiled size: Unicode classes expand into many UTF-8 byte
/// ranges and counted repetitions copy their body.
fn weight(hir: &Hir) -> u64 {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 1,
        HirKind::Literal(lit) => 4 * lit.0.len() as u64,
        HirKind::Class(Class::Bytes(c)) => 8 + c.ranges().len() as u64,
        HirKind::Class(Class::Unicode(c)) => 8 * (4 + c.ranges().len() as u64),
        HirKind::Repetition(rep) => {
            let copies = u64::from(rep.max.unwrap_or(rep.min).max(rep.min)) + 1;
            weight(&rep.sub).saturating_mul(copies)
        }
        HirKind::Capture(cap) => weight(&cap.sub).saturating_add(2),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => subs
            .iter()
            .fold(subs.len() as u64, |sum, s| sum.saturating_add(weight(s))),
    }
}

fn required_text(hir: &Hir) -> Option<String> {
    required_literal(hir).and_then(|bytes| String::from_utf8(bytes).ok())
}

/// The longest literal that every match of `hir` contains, if there is one.
fn required_literal(hir: &Hir) -> Option<Vec<u8>> {
    match hir.kind() {
        HirKind::Literal(lit) => Some(lit.0.to_vec()),
        HirKind::Capture(cap) => required_literal(&cap.sub),
        HirKind::Repetition(rep) if rep.min > 0 => required_literal(&rep.sub),
        HirKind::Concat(subs) => subs
            .iter()
            .filter_map(required_literal)
            .max_by_key(Vec::len),
        _ => None,
    }
    .filter(|lit| !lit.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_like_the_compiled_regex_with_or_without_the_literal_gate() {
        let rows = [
            (
                r"(?i)(api[_-]?key|token|secret|password)=\S+",
                "export TOKEN=abc",
                true,
            ),
            (
                r"(?i)(api[_-]?key|token|secret|password)=\S+",
                "echo token abc",
                false,
            ),
            (r"^aws .* delete", "aws s3 delete x", true),
            (r"^aws .* delete", "cargo test", false),
            (r"INV-\d{6}", "invoice INV-123456", true),
            (r"(a|b)c", "xbc", true),
            (r"x*", "", true),
        ];
        for (pattern, text, want) in rows {
            let lazy = LazyRegex::new(pattern).unwrap();
            assert_eq!(lazy.try_is_match(text), Ok(want), "{pattern} on {text}");
            let full = Regex::new(pattern).unwrap();
            assert_eq!(full.is_match(text), want, "{pattern}");
        }
    }

    /// The packs' literal table says exactly what the parser derives: a longer or wrong
    /// literal would let a matching command skip a deny rule.
    #[test]
    fn every_built_in_regex_literal_is_what_the_parser_derives() {
        let mut regex_rules = 0;
        for rule in crate::packs::pack_rules() {
            let Some(pattern) = rule.pattern.strip_prefix("re:") else {
                continue;
            };
            regex_rules += 1;
            let hir = regex_syntax::Parser::new().parse(pattern).unwrap();
            let row = crate::packs::REGEX_LITERALS
                .iter()
                .find(|(p, _)| *p == pattern)
                .unwrap_or_else(|| panic!("{} has no row in REGEX_LITERALS", rule.id));
            assert_eq!(row.1.map(str::to_string), required_text(&hir), "{pattern}");
            let built_in = LazyRegex::built_in(pattern);
            assert!(built_in.inner.required.get().is_some(), "known at load");
        }
        assert_eq!(
            regex_rules,
            crate::packs::REGEX_LITERALS.len(),
            "no stale rows"
        );
    }

    #[test]
    fn a_text_without_the_required_literal_does_not_compile_the_regex() {
        let lazy = LazyRegex::new(r"(?i)secret=\S+").unwrap();
        assert_eq!(lazy.replace_all("plain text", "[R]"), "plain text");
        assert!(lazy.inner.compiled.get().is_none(), "not compiled yet");
        assert_eq!(lazy.replace_all("SECRET=x y", "[R]"), "[R] y");
        assert!(lazy.inner.compiled.get().is_some(), "compiled on need");
    }

    #[test]
    fn syntax_and_size_errors_are_reported_when_the_budget_loads() {
        let rows = [
            ("(unclosed", "unclosed group"),
            (r"\w{40}", "the regex is too large once compiled"),
            (r"a{60000}", "the regex is too large once compiled"),
        ];
        for (pattern, want) in rows {
            let error = LazyRegex::new(pattern)
                .err()
                .map(|e| e.reason)
                .unwrap_or_default();
            assert_eq!(error, want, "{pattern}");
        }
    }

    #[test]
    fn every_pattern_past_the_size_limit_weighs_more_than_the_eager_bar() {
        for pattern in [
            r"\w{40}",
            r"\pL{30}",
            r".{3000}",
            r"a{60000}",
            r"(?i)a{20000}",
        ] {
            assert!(compile(pattern).is_err(), "{pattern} is too large");
            let hir = regex_syntax::Parser::new().parse(pattern).unwrap();
            assert!(weight(&hir) > EAGER_WEIGHT * 4, "{pattern}");
        }
    }
}
