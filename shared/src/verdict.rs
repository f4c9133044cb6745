//! Verdicts and where they come from.
//!
//! Every decision names the rule that produced it, so the agent (and the reviewer) can see
//! *which* line of which budget, or which pack rule, refused a call.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The answer to one tool call, ordered by restrictiveness (`Allow < Ask < Deny`), so
/// "most restrictive wins" is simply `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Allow,
    Ask,
    Deny,
}

impl Verdict {
    /// The lowercase word Claude Code expects in `permissionDecision`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allow => "allow",
            Verdict::Ask => "ask",
            Verdict::Deny => "deny",
        }
    }

    /// Parses `allow`/`ask`/`deny` (as written in budget files).
    pub fn parse(word: &str) -> Option<Verdict> {
        match word {
            "allow" => Some(Verdict::Allow),
            "ask" => Some(Verdict::Ask),
            "deny" => Some(Verdict::Deny),
            _ => None,
        }
    }
}

/// A stable kebab-case code for every kind of decision and hook outcome (DESIGN §1). Every
/// code string in records, messages and replies is derived from here ([`Code::as_str`]);
/// `tests/tests/it/cli/codes.rs` snapshots the list with one message of each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    Allowed,
    NoOpinion,
    PathDenied,
    PathAsk,
    CommandDenied,
    CommandAsk,
    UnparsedCommand,
    McpDenied,
    McpAsk,
    WebDenied,
    WebAsk,
    MergeDenied,
    SpendExceeded,
    RetryLimit,
    StopRule,
    RollbackNoteMissing,
    SelfProtection,
    BudgetInvalid,
    HookInternalError,
    ApprovalNeeded,
    /// A protected file changed behind the hooks' back (the tripwire).
    TamperDetected,
    /// A secret showed up in a tool's output (the tripwire).
    SecretExposed,
    /// The hooks were switched off or bypassed (the tripwire).
    GateOff,
}

impl Code {
    /// Every code, in declaration order.
    pub const ALL: [Code; 23] = [
        Code::Allowed,
        Code::NoOpinion,
        Code::PathDenied,
        Code::PathAsk,
        Code::CommandDenied,
        Code::CommandAsk,
        Code::UnparsedCommand,
        Code::McpDenied,
        Code::McpAsk,
        Code::WebDenied,
        Code::WebAsk,
        Code::MergeDenied,
        Code::SpendExceeded,
        Code::RetryLimit,
        Code::StopRule,
        Code::RollbackNoteMissing,
        Code::SelfProtection,
        Code::BudgetInvalid,
        Code::HookInternalError,
        Code::ApprovalNeeded,
        Code::TamperDetected,
        Code::SecretExposed,
        Code::GateOff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Allowed => "allowed",
            Code::NoOpinion => "no-opinion",
            Code::PathDenied => "path-denied",
            Code::PathAsk => "path-ask",
            Code::CommandDenied => "command-denied",
            Code::CommandAsk => "command-ask",
            Code::UnparsedCommand => "unparsed-command",
            Code::McpDenied => "mcp-denied",
            Code::McpAsk => "mcp-ask",
            Code::WebDenied => "web-denied",
            Code::WebAsk => "web-ask",
            Code::MergeDenied => "merge-denied",
            Code::SpendExceeded => "spend-exceeded",
            Code::RetryLimit => "retry-limit",
            Code::StopRule => "stop-rule",
            Code::RollbackNoteMissing => "rollback-note-missing",
            Code::SelfProtection => "self-protection",
            Code::BudgetInvalid => "budget-invalid",
            Code::HookInternalError => "hook-internal-error",
            Code::ApprovalNeeded => "approval-needed",
            Code::TamperDetected => "tamper-detected",
            Code::SecretExposed => "secret-exposed",
            Code::GateOff => "gate-off",
        }
    }

    /// The code a string names (`path-denied` → [`Code::PathDenied`]), as records store it.
    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a rule was written. In JSON (records, reports) tagged with `kind`: `{"kind":
/// "file", "file": …, "line": …, "column": …}`; see `origin_serde`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A line of a budget file. `file` is shown as the user knows it
    /// (`.claude/budget.toml` relative to the project, or the user budget's path).
    File {
        /// Shared: every rule of a file names the same one (the compiled-budget cache reads
        /// hundreds of origins back on every call; see `origin_serde`).
        file: Arc<str>,
        line: u32,
        column: u32,
    },
    /// A rule of a built-in pack: `pack:destructive/git-reset-hard`.
    Pack { pack: Arc<str>, id: String },
    /// A behaviour built into the product (self-protection, fail-closed, limits):
    /// `builtin:self-protection`.
    Builtin { id: String },
}

#[path = "verdict_origin_serde.rs"]
mod origin_serde;

impl Origin {
    pub fn file(file: impl Into<String>, line: u32, column: u32) -> Origin {
        Origin::File {
            file: Arc::from(file.into()),
            line,
            column,
        }
    }
    pub fn pack(pack: impl Into<String>, id: impl Into<String>) -> Origin {
        Origin::Pack {
            pack: Arc::from(pack.into()),
            id: id.into(),
        }
    }
    pub fn builtin(id: impl Into<String>) -> Origin {
        Origin::Builtin { id: id.into() }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { file, line, column } => write!(f, "{file}:{line}:{column}"),
            Origin::Pack { pack, id } => write!(f, "pack:{pack}/{id}"),
            Origin::Builtin { id } => write!(f, "builtin:{id}"),
        }
    }
}

/// One rule that matched: its verdict, where it was written, and the rule text as written
/// (a glob, command words, a host pattern, or `default`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    pub verdict: Verdict,
    pub origin: Origin,
    /// The section it belongs to: `read`, `edit`, `run`, `mcp`, `web`, `merge`, `stop`, ...
    pub section: String,
    /// The rule as written (`migrations/**`, `git push`, `default`, `outside_project`).
    pub rule: String,
}
