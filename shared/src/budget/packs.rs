//! Merging a built-in pack's rules (data in `crate::packs`) into a layer's sections
//! without parsing.

use super::command_rules::CommandRule;
use super::paths_rules::PathRule;
use super::rule_error::{RuleError, RuleKind};
use super::spec::LayerSpec;
use crate::packs::{Section, data};
use crate::verdict::{Origin, Verdict};

/// Adds a pack's rules to a layer's sections. The data is checked by the tests; an error
/// names the broken rule all the same.
pub(crate) fn merge_into(name: &str, spec: &mut LayerSpec) -> Result<(), RuleError> {
    let pack = data(name)?;
    for rule in pack.rules {
        let origin = Origin::pack(pack.name, rule.id);
        let path_section = match rule.section {
            Section::Run => {
                let compiled =
                    CommandRule::compile_built_in(rule.pattern, origin).map_err(|e| {
                        RuleError::new(
                            rule.pattern,
                            RuleKind::Pack,
                            format!("pack `{name}` rule `{}`: {e}", rule.id),
                        )
                    })?;
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
    use crate::packs::{pack, pack_names, pack_rule};

    #[test]
    fn every_pack_parses_and_every_rule_id_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for name in pack_names() {
            let (description, rules) = pack(name).unwrap();
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
                    CommandRule::compile(&rule.pattern, rule.origin()).unwrap();
                } else {
                    paths_rules::validate(&rule.pattern).unwrap();
                }
            }
        }
    }

    #[test]
    fn a_pack_rule_is_found_by_its_origin() {
        let rule = pack_rule("destructive", "git-reset-hard").expect("missing");
        assert_eq!(rule.pattern, "git reset --hard");
        assert_eq!(rule.origin().to_string(), "pack:destructive/git-reset-hard");
        assert!(pack_rule("destructive", "no-such-rule").is_none());
    }
}
