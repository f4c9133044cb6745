//! MCP rules (SPEC §4.4): `[mcp.servers.<glob>]` entries matched on the server segment of
//! `mcp__<server>__<tool>`, tool globs in `read_only` / `write`.

use super::{McpRules, McpServerInfo};
use crate::verdict::{Hit, Origin, Verdict};
use globset::GlobMatcher;

/// One tool glob of a server entry.
#[derive(Clone, Debug)]
pub(crate) struct ToolPattern {
    pub pattern: String,
    pub matcher: GlobMatcher,
    pub origin: Origin,
}

/// One compiled `[mcp.servers.<glob>]` entry.
#[derive(Clone, Debug)]
pub(crate) struct McpServer {
    pub info: McpServerInfo,
    pub matcher: GlobMatcher,
    pub read_only: Vec<ToolPattern>,
    pub write: Vec<ToolPattern>,
    /// `write_decision`, default `ask` at the server's origin.
    pub write_decision: (Verdict, Origin),
    pub unlisted: Option<(Verdict, Origin)>,
    /// Where `enabled = false` was written, when it was.
    pub disabled_at: Option<Origin>,
}

/// Compiles an MCP glob (server key or tool pattern); `*` matches any characters.
pub(crate) fn matcher(pattern: &str) -> Result<GlobMatcher, String> {
    globset::GlobBuilder::new(pattern)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| e.kind().to_string())
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
    fn entry(&self, server: &str) -> Option<&McpServer> {
        self.servers.iter().find(|s| s.matcher.is_match(server))
    }

    pub(super) fn decide_impl(&self, server: &str, tool: &str) -> Option<Hit> {
        let fallback = || self.default.as_ref().map(|(v, o)| hit(*v, o, "default"));
        let Some(entry) = self.entry(server) else {
            return fallback();
        };
        if let Some(origin) = &entry.disabled_at {
            return Some(hit(Verdict::Deny, origin, "enabled = false"));
        }
        if let Some(p) = entry.read_only.iter().find(|p| p.matcher.is_match(tool)) {
            return Some(hit(Verdict::Allow, &p.origin, p.pattern.clone()));
        }
        if let Some(p) = entry.write.iter().find(|p| p.matcher.is_match(tool)) {
            let (verdict, _) = &entry.write_decision;
            return Some(hit(*verdict, &p.origin, p.pattern.clone()));
        }
        match &entry.unlisted {
            Some((verdict, origin)) => Some(hit(*verdict, origin, "unlisted")),
            None => fallback(),
        }
    }

    pub(super) fn server_impl(&self, server: &str) -> Option<McpServerInfo> {
        self.entry(server).map(|s| s.info.clone())
    }

    pub(super) fn servers_impl(&self) -> Vec<McpServerInfo> {
        self.servers.iter().map(|s| s.info.clone()).collect()
    }
}
