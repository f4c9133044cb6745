//! MCP rules (SPEC §4.4): `[mcp.servers.<glob>]` entries matched on the server segment of
//! `mcp__<server>__<tool>`, tool globs in `read_only` / `write`.

use super::glob_match::{Glob, GlobOptions};
use super::packed;
use super::rule_error::RuleError;
use super::{McpRules, McpServerInfo};
use crate::verdict::{Hit, Origin, Verdict};

/// One tool glob of a server entry.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct ToolPattern {
    pub pattern: String,
    pub matcher: Glob,
    pub origin: Origin,
}

/// One compiled `[mcp.servers.<glob>]` entry.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct McpServer {
    pub info: McpServerInfo,
    pub matcher: Glob,
    pub read_only: Vec<ToolPattern>,
    pub write: Vec<ToolPattern>,
    /// `write_decision`, default `ask` at the server's origin.
    pub write_decision: (Verdict, Origin),
    pub unlisted: Option<(Verdict, Origin)>,
    /// Where `enabled = false` was written, when it was.
    pub disabled_at: Option<Origin>,
}

/// The servers of a compiled-budget cache entry could not be read.
struct Damaged;

/// `globset`'s defaults: `*` matches any characters, `\\` escapes.
const NAME_GLOBS: GlobOptions = GlobOptions {
    literal_separator: false,
    backslash_escape: true,
    empty_alternates: false,
};

/// Parses an MCP glob (server key or tool pattern).
pub(crate) fn matcher(pattern: &str) -> Result<Glob, RuleError> {
    Glob::new(pattern, NAME_GLOBS)
}

/// Whether a name glob meets `name`; `broken`: the answer when `globset` cannot build it.
fn meets(glob: &Glob, name: &str, broken: bool) -> bool {
    glob.try_matches(name.as_bytes()).unwrap_or(broken)
}

fn hit(verdict: Verdict, origin: &Origin, rule: impl Into<String>) -> Hit {
    Hit {
        verdict,
        origin: origin.clone(),
        section: "mcp".into(),
        rule: rule.into(),
    }
}

impl McpRules {
    /// The first entry whose glob matches `server`; `Err` when the servers could not be
    /// read back from the compiled-budget cache.
    fn entry(&self, server: &str) -> Result<Option<&McpServer>, Damaged> {
        let servers = self.servers.get().ok_or(Damaged)?;
        Ok(servers.iter().find(|s| meets(&s.matcher, server, false)))
    }

    pub(super) fn decide_impl(&self, server: &str, tool: &str) -> Option<Hit> {
        let fallback = || self.default.as_ref().map(|(v, o)| hit(*v, o, "default"));
        let Ok(entry) = self.entry(server) else {
            // Fails closed: no server entry could allow what the lost ones refused.
            return Some(hit(
                Verdict::Deny,
                &Origin::builtin("budget-cache"),
                packed::DAMAGED,
            ));
        };
        let Some(entry) = entry else {
            return fallback();
        };
        if let Some(origin) = &entry.disabled_at {
            return Some(hit(Verdict::Deny, origin, "enabled = false"));
        }
        if let Some(p) = entry
            .read_only
            .iter()
            .find(|p| meets(&p.matcher, tool, false))
        {
            return Some(hit(Verdict::Allow, &p.origin, p.pattern.clone()));
        }
        if let Some(p) = entry.write.iter().find(|p| meets(&p.matcher, tool, true)) {
            let (verdict, _) = &entry.write_decision;
            return Some(hit(*verdict, &p.origin, p.pattern.clone()));
        }
        match &entry.unlisted {
            Some((verdict, origin)) => Some(hit(*verdict, origin, "unlisted")),
            None => fallback(),
        }
    }

    pub(super) fn server_impl(&self, server: &str) -> Option<McpServerInfo> {
        self.entry(server).ok().flatten().map(|s| s.info.clone())
    }

    pub(super) fn servers_impl(&self) -> Vec<McpServerInfo> {
        (self.servers.get().into_iter().flatten())
            .map(|s| s.info.clone())
            .collect()
    }
}
