//! The built-in rule packs (SPEC §4.8), one file per pack: its rule data (constant, so a
//! budget that extends it parses nothing), its semantic checks (what the rule language cannot
//! express: they read the shell analysis's effects, stdin feeds and expanded paths) and the
//! messages of both. Every rule has a stable id: `pack:destructive/git-reset-hard`.
//!
//! * [`destructive`] — deleting outside the project, history rewrites, force pushes, devices,
//!   running fetched scripts, git config that runs programs.
//! * [`secrets`] — reading credentials; printing secret-named variables.
//! * [`deploy`] — commands that change shared infrastructure; dropping databases.
//!
//! `budget` merges the data into a layer; `decide` calls [`pack_hits`]. `shell` produces the
//! effects these checks read and never decides.

pub mod deploy;
pub mod destructive;
mod secret_flow;
pub mod secrets;

use crate::budget::{RuleError, RuleKind};
use crate::shell::{Analysis, ShellContext};
use crate::verdict::{Origin, Verdict};
use serde::Serialize;

const NAMES: &[&str] = &["deploy", "destructive", "secrets"];

/// The section a pack rule belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    Read,
    #[allow(dead_code, reason = "no built-in pack has edit rules yet")]
    Edit,
    Run,
}

impl Section {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Section::Read => "read",
            Section::Edit => "edit",
            Section::Run => "run",
        }
    }
}

/// One built-in pack.
pub(crate) struct PackData {
    pub name: &'static str,
    pub description: &'static str,
    pub rules: &'static [RuleData],
}

/// One rule of a built-in pack, as written.
pub(crate) struct RuleData {
    pub id: &'static str,
    pub section: Section,
    pub verdict: Verdict,
    /// A glob (`read`, `edit`) or command words (`run`).
    pub pattern: &'static str,
    pub message: &'static str,
}

/// The literal every match of a built-in `re:` rule must contain (what `regex-syntax` derives
/// from the pattern), as plain data: a hook then never parses a pack regex to find it. A
/// wrong literal would make a deny rule miss, so a test checks each row against the parser;
/// a pattern missing here is parsed on first use instead.
pub(crate) const REGEX_LITERALS: &[(&str, Option<&str>)] = &[(
    "^dd( .*)? of=/dev/(sd|hd|vd|xvd|nvme|mmcblk|disk|rdisk|md|dm-|loop|mapper/)",
    Some(" of=/dev/"),
)];

/// The names `extends` accepts.
pub fn pack_names() -> &'static [&'static str] {
    NAMES
}

/// One rule of a built-in pack, for `explain`, `touchmap` and denial messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PackRuleInfo {
    pub pack: String,
    pub id: String,
    /// `read`, `edit` or `run`.
    pub section: String,
    pub verdict: Verdict,
    /// The rule as written (a glob or command words).
    pub pattern: String,
    /// Why the rule exists and what to do instead.
    pub message: String,
}

impl PackRuleInfo {
    pub fn origin(&self) -> Origin {
        Origin::pack(&self.pack, &self.id)
    }
}

pub(crate) fn data(name: &str) -> Result<&'static PackData, RuleError> {
    [&deploy::PACK, &destructive::PACK, &secrets::PACK]
        .into_iter()
        .find(|p| p.name == name)
        .ok_or_else(|| RuleError::new(name, RuleKind::Pack, format!("unknown pack `{name}`")))
}

fn info(pack: &PackData, rule: &RuleData) -> PackRuleInfo {
    PackRuleInfo {
        pack: pack.name.to_string(),
        id: rule.id.to_string(),
        section: rule.section.as_str().to_string(),
        verdict: rule.verdict,
        pattern: rule.pattern.to_string(),
        message: rule.message.to_string(),
    }
}

/// A pack's description and rules; an error for an unknown name.
pub fn pack(name: &str) -> Result<(String, Vec<PackRuleInfo>), RuleError> {
    let pack = data(name)?;
    let rules = pack.rules.iter().map(|r| info(pack, r)).collect();
    Ok((pack.description.to_string(), rules))
}

/// Every rule of every pack.
pub fn pack_rules() -> Vec<PackRuleInfo> {
    NAMES
        .iter()
        .filter_map(|n| pack(n).ok())
        .flat_map(|(_, rules)| rules)
        .collect()
}

/// The pack rule an origin names (for the message of a denial).
pub fn pack_rule(pack_name: &str, id: &str) -> Option<PackRuleInfo> {
    let pack = data(pack_name).ok()?;
    let rule = pack.rules.iter().find(|r| r.id == id)?;
    Some(info(pack, rule))
}

/// One rule of a pack's data table.
pub(crate) const fn rule(
    id: &'static str,
    section: Section,
    verdict: Verdict,
    pattern: &'static str,
    message: &'static str,
) -> RuleData {
    RuleData {
        id,
        section,
        verdict,
        pattern,
        message,
    }
}

/// One pack check that matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackHit {
    /// The rule id inside the pack (`recursive-delete-root`): `pack:destructive/<id>`.
    pub id: String,
    pub verdict: Verdict,
    /// The exact part refused.
    pub what: String,
    /// What to do instead.
    pub instead: String,
}

pub(crate) fn hit(id: &str, what: impl Into<String>, instead: &str) -> PackHit {
    PackHit {
        id: id.into(),
        verdict: Verdict::Deny,
        what: what.into(),
        instead: instead.into(),
    }
}

/// The semantic checks of `pack` (`destructive`, `secrets`, `deploy`) on one analysis.
pub fn pack_hits(pack: &str, analysis: &Analysis, ctx: &ShellContext<'_>) -> Vec<PackHit> {
    let mut hits = match pack {
        "destructive" => destructive::checks(analysis, ctx),
        "secrets" => secrets::checks(analysis),
        "deploy" => deploy::checks(analysis),
        _ => Vec::new(),
    };
    hits.dedup();
    hits
}

/// Programs that fetch from the network (a script they print must not be run).
pub(crate) const FETCHERS: &[&str] = &[
    "curl", "wget", "http", "https", "xh", "nc", "ncat", "aria2c", "fetch", "lynx",
];
/// Programs that run a script they are given (on stdin, as an argument).
pub(crate) const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "fish", "busybox", "source", ".", "python",
    "python3", "perl", "ruby", "node",
];
