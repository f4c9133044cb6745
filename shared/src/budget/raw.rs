//! Phase one of loading: the serde schema of a budget file, exactly as written.
//!
//! Every table denies unknown keys; every value that gets a semantic check later (globs,
//! regexes, verdict words, amounts) is `Spanned` so the check can point at it. No
//! `untagged`/`flatten`: they lose positions. The top level and `[tasks]` are walked by hand
//! in `compile.rs` so that one broken section does not hide the problems of the others.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

pub(crate) type Words = Option<Vec<Spanned<String>>>;
pub(crate) type Word = Option<Spanned<String>>;

/// The top-level keys, for "did you mean" hints.
pub(crate) const TOP_LEVEL_KEYS: &[&str] = &[
    "version", "extends", "read", "edit", "run", "mcp", "web", "spend", "retry", "merge", "stop",
    "evidence", "record", "tasks",
];

/// `[read]` and `[edit]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPathSection {
    pub allow: Words,
    pub ask: Words,
    pub deny: Words,
    pub default: Word,
    pub outside_project: Word,
}

/// `[run]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRunSection {
    pub allow: Words,
    pub ask: Words,
    pub deny: Words,
    pub default: Word,
    pub unparsed: Word,
    pub tests: Words,
}

/// `[mcp]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMcp {
    pub default: Word,
    pub servers: Option<BTreeMap<Spanned<String>, RawMcpServer>>,
}

/// `[mcp.servers.<glob>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMcpServer {
    pub owner: Option<String>,
    pub purpose: Option<String>,
    pub exposes: Option<String>,
    pub read_only: Words,
    pub write: Words,
    pub write_decision: Word,
    pub unlisted: Word,
    pub enabled: Option<Spanned<bool>>,
}

/// `[web]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawWeb {
    pub allow: Words,
    pub ask: Words,
    pub deny: Words,
    pub default: Word,
    pub search: Word,
}

/// `[spend]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSpend {
    pub max_usd: Option<Spanned<f64>>,
    pub max_tokens: Option<Spanned<i64>>,
    pub max_tool_calls: Option<Spanned<i64>>,
    pub max_minutes: Option<Spanned<i64>>,
    pub warn_at: Option<Spanned<f64>>,
    pub on_exceed: Word,
    pub prices: Option<BTreeMap<Spanned<String>, RawPrice>>,
}

/// `[spend.prices.<model>]`: USD per million tokens.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPrice {
    pub input: Option<Spanned<f64>>,
    pub output: Option<Spanned<f64>>,
    pub cache_write_5m: Option<Spanned<f64>>,
    pub cache_write_1h: Option<Spanned<f64>>,
    pub cache_read: Option<Spanned<f64>>,
}

/// `[retry]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRetry {
    pub same_command_failures: Option<Spanned<i64>>,
    pub failures: Option<Spanned<i64>>,
    pub same_file_edits: Option<Spanned<i64>>,
    pub stop_blocks: Option<Spanned<i64>>,
}

/// `[merge]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMerge {
    pub push: Word,
    pub protected_branches: Words,
    pub pr_merge: Word,
}

/// One `[[stop]]` table (or an entry of a task's `stop = [...]`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawStop {
    pub edit: Words,
    pub run: Words,
    pub reason: Word,
}

/// `[evidence]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEvidence {
    pub tests_after_edit: Option<bool>,
    pub high_risk: Words,
    pub rollback_note: Word,
    pub rollback_fields: Words,
}

/// `[record]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRecord {
    pub redact: Words,
    pub dir: Word,
    pub retain_days: Option<Spanned<i64>>,
}

/// The rule lists a task may narrow (`edit.allow = [...]`, `run.deny = [...]`, ...).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawRuleLists {
    pub allow: Words,
    pub ask: Words,
    pub deny: Words,
}

/// `[tasks.<name>]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTask {
    pub read: Option<RawRuleLists>,
    pub edit: Option<RawRuleLists>,
    pub run: Option<RawRuleLists>,
    pub stop: Option<Vec<Spanned<RawStop>>>,
}
