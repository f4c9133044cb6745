//! Built-in rule packs (SPEC §4.8) as data: `packs/*.toml`, embedded in the binaries and
//! compiled by the same functions as budget files, every rule with a stable id
//! (`pack:destructive/git-reset-hard`). What words cannot express is in `crate::shell`.

use super::command_rules::CommandRule;
use super::paths_rules::{self, PathRule};
use super::raw::RawPack;
use super::spec::LayerSpec;
use crate::verdict::{Origin, Verdict};
use serde::Serialize;

const PACKS: &[(&str, &str)] = &[
    ("deploy", include_str!("packs/deploy.toml")),
    ("destructive", include_str!("packs/destructive.toml")),
    ("secrets", include_str!("packs/secrets.toml")),
];

const NAMES: &[&str] = &["deploy", "destructive", "secrets"];

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

/// A pack's description and rules; an error names the broken rule (a bug in our data,
/// caught by the tests).
pub fn pack(name: &str) -> Result<(String, Vec<PackRuleInfo>), String> {
    let text = PACKS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| format!("unknown pack `{name}`"))?;
    let raw: RawPack =
        toml::from_str(text).map_err(|e| format!("pack `{name}` is broken: {}", e.message()))?;
    let mut rules = Vec::with_capacity(raw.rule.len());
    for rule in raw.rule {
        let verdict = Verdict::parse(&rule.verdict).ok_or_else(|| {
            format!(
                "pack `{name}` rule `{}`: bad verdict `{}`",
                rule.id, rule.verdict
            )
        })?;
        if !matches!(rule.section.as_str(), "read" | "edit" | "run") {
            return Err(format!(
                "pack `{name}` rule `{}`: bad section `{}`",
                rule.id, rule.section
            ));
        }
        rules.push(PackRuleInfo {
            pack: name.to_string(),
            id: rule.id,
            section: rule.section,
            verdict,
            pattern: rule.pattern,
            message: rule.message,
        });
    }
    Ok((raw.description, rules))
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
    pack(pack_name).ok()?.1.into_iter().find(|r| r.id == id)
}

/// Adds a pack's rules to a layer's sections.
pub(crate) fn merge_into(name: &str, spec: &mut LayerSpec) -> Result<(), String> {
    for rule in pack(name)?.1 {
        let origin = rule.origin();
        let broken = |e: String| format!("pack `{name}` rule `{}`: {e}", rule.id);
        if rule.section == "run" {
            let compiled = CommandRule::compile(&rule.pattern, origin).map_err(broken)?;
            let list = match rule.verdict {
                Verdict::Deny => &mut spec.run.deny,
                Verdict::Ask => &mut spec.run.ask,
                Verdict::Allow => &mut spec.run.allow,
            };
            list.push(compiled);
        } else {
            paths_rules::validate(&rule.pattern).map_err(broken)?;
            let section = if rule.section == "read" {
                &mut spec.read
            } else {
                &mut spec.edit
            };
            let list = match rule.verdict {
                Verdict::Deny => &mut section.deny,
                Verdict::Ask => &mut section.ask,
                Verdict::Allow => &mut section.allow,
            };
            list.push(PathRule {
                pattern: rule.pattern,
                origin,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
