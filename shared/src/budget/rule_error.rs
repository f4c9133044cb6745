//! [`RuleError`]: why one rule of a budget cannot be used, keeping the pattern as written so a
//! diagnostic (or a caller) can quote it. Its text is the reason alone; the caller frames it
//! (`invalid glob `src/[`: unclosed character class`).

/// What kind of pattern a rule is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// A path or name glob (`src/**`, `search_*`).
    Glob,
    /// A regex (`re:` command rules, `[record] redact`).
    Regex,
    /// Command words (`git push`).
    Command,
    /// A host pattern (`*.rust-lang.org`).
    Host,
    /// A built-in pack name or one of its rules.
    Pack,
}

/// One rule that does not compile.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct RuleError {
    /// The rule as written.
    pub pattern: String,
    pub kind: RuleKind,
    /// What is wrong with it, lowercase.
    pub reason: String,
}

impl RuleError {
    pub(crate) fn new(pattern: &str, kind: RuleKind, reason: impl Into<String>) -> RuleError {
        RuleError {
            pattern: pattern.to_owned(),
            kind,
            reason: reason.into(),
        }
    }
}
