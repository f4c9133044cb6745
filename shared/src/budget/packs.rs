//! Built-in rule packs (SPEC §4.8): their rules are constant data (`packs_data.rs`) merged
//! into a layer without parsing, every rule with a stable id (`pack:destructive/git-reset-hard`).
//! What words cannot express is in `crate::shell`.

use super::command_rules::CommandRule;
use super::packs_data::PACKS;
use super::paths_rules::PathRule;
use super::spec::LayerSpec;
use crate::verdict::{Origin, Verdict};
use serde::Serialize;

const NAMES: &[&str] = &["deploy", "destructive", "secrets"];

/// The section a pack rule belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Section {
    Read,
    #[allow(dead_code, reason = "no built-in pack has edit rules yet")]
    Edit,
    Run,
}

impl Section {
    fn as_str(self) -> &'static str {
        match self {
            Section::Read => "read",
            Section::Edit => "edit",
            Section::Run => "run",
        }
    }
}

/// One built-in pack.
pub(super) struct PackData {
    pub name: &'static str,
    pub description: &'static str,
    pub rules: &'static [RuleData],
}

/// One rule of a built-in pack, as written.
pub(super) struct RuleData {
    pub id: &'static str,
    pub section: Section,
    pub verdict: Verdict,
    /// A glob (`read`, `edit`) or command words (`run`).
    pub pattern: &'static str,
    pub message: &'static str,
}

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

fn data(name: &str) -> Result<&'static PackData, String> {
    PACKS
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| format!("unknown pack `{name}`"))
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
pub fn pack(name: &str) -> Result<(String, Vec<PackRuleInfo>), String> {
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

/// Adds a pack's rules to a layer's sections. The data is checked by the tests; an error
/// names the broken rule all the same.
pub(crate) fn merge_into(name: &str, spec: &mut LayerSpec) -> Result<(), String> {
    let pack = data(name)?;
    for rule in pack.rules {
        let origin = Origin::pack(pack.name, rule.id);
        let path_section = match rule.section {
            Section::Run => {
                let compiled = CommandRule::compile_built_in(rule.pattern, origin)
                    .map_err(|e| format!("pack `{name}` rule `{}`: {e}", rule.id))?;
                let list = match rule.verdict {
                    Verdict::Deny => &mut spec.run.deny,
                    Verdict::Ask => &mut spec.run.ask,
                    Verdict::Allow => &mut spec.run.allow,
                };
                list.push(compiled);
                continue;
            }
            Section::Read => &mut spec.read,
            Section::Edit => &mut spec.edit,
        };
        let list = match rule.verdict {
            Verdict::Deny => &mut path_section.deny,
            Verdict::Ask => &mut path_section.ask,
            Verdict::Allow => &mut path_section.allow,
        };
        list.push(PathRule {
            pattern: rule.pattern.to_string(),
            origin,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::paths_rules;

    #[test]
    fn every_pack_parses_and_every_rule_id_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for name in pack_names() {
            let (description, rules) = pack(name).unwrap_or_else(|e| panic!("{e}"));
            assert!(!description.is_empty(), "{name} has a description");
            assert!(!rules.is_empty(), "{name} has rules");
            for rule in rules {
                assert!(
                    seen.insert(format!("{name}/{}", rule.id)),
                    "duplicate id {}",
                    rule.id
                );
                assert!(
                    matches!(rule.section.as_str(), "read" | "edit" | "run"),
                    "{}",
                    rule.id
                );
                if rule.section == "run" {
                    CommandRule::compile(&rule.pattern, rule.origin())
                        .unwrap_or_else(|e| panic!("{e}"));
                } else {
                    paths_rules::validate(&rule.pattern).unwrap_or_else(|e| panic!("{e}"));
                }
            }
        }
    }

    #[test]
    fn a_pack_rule_is_found_by_its_origin() {
        let rule = pack_rule("destructive", "git-reset-hard").unwrap_or_else(|| panic!("missing"));
        assert_eq!(rule.pattern, "git reset --hard");
        assert_eq!(rule.origin().to_string(), "pack:destructive/git-reset-hard");
        assert!(pack_rule("destructive", "no-such-rule").is_none());
    }
}
