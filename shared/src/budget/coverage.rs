//! What a budget names, seen from the repository: the scratch area the SessionStart message
//! points the agent to, and the patterns `claude-budget check` tests against the files that
//! exist (an `[edit] allow` glob that matches nothing, a `high_risk` path that does not exist
//! or cannot be edited, a `[run] tests` command `[run]` does not allow).

use super::paths_rules::{GlobList, PathRule};
use super::{Budget, Evidence, PathContext, PathRules, RunRules, StopRule};
use crate::fsview::FsView;
use crate::verdict::{Origin, Verdict};
use std::path::Path;

/// The folder repro scripts and notes belong in, inside the project.
pub const SCRATCH_DIR: &str = ".claude/scratch";

/// The SessionStart line naming the scratch area, when every layer lets the agent write
/// there (empty otherwise): without it agents put repro files in `/tmp`, outside the project.
pub fn scratch_note(budget: &Budget, fs: &dyn FsView) -> String {
    let probe = budget.project_root.join(SCRATCH_DIR).join("repro");
    let ctx = PathContext {
        project_root: &budget.project_root,
        home: None,
        fs,
    };
    let editable = !budget.layers.is_empty()
        && budget.layers.iter().all(|layer| {
            layer
                .edit
                .decide(&probe, &ctx)
                .is_none_or(|hit| hit.verdict == Verdict::Allow)
        });
    if editable {
        format!("\nScratch files (repro scripts, notes) go in `{SCRATCH_DIR}/`, not /tmp.")
    } else {
        String::new()
    }
}

/// One path pattern as written, able to say whether it names a path.
pub struct PatternProbe {
    pub pattern: String,
    pub origin: Origin,
    list: GlobList,
}

impl PatternProbe {
    fn new(rule: &PathRule) -> Option<PatternProbe> {
        let list = GlobList::build(vec![rule.clone()].into(), false).ok()?;
        Some(PatternProbe {
            pattern: rule.pattern.clone(),
            origin: rule.origin.clone(),
            list,
        })
    }

    /// True when the pattern names the absolute path `path`.
    pub fn matches(&self, path: &Path, ctx: &PathContext<'_>) -> bool {
        self.list.first_match_either(path, ctx).is_some()
    }
}

impl PathRules {
    /// The `allow` patterns as written, for "editable here" hints.
    pub fn allow_patterns(&self) -> Vec<String> {
        self.allow
            .list
            .written()
            .map(|r| r.pattern.clone())
            .collect()
    }

    /// The `allow` patterns, one probe each.
    pub fn allow_probes(&self) -> Vec<PatternProbe> {
        self.allow
            .list
            .written()
            .filter_map(PatternProbe::new)
            .collect()
    }
}

impl Evidence {
    /// The `high_risk` patterns, one probe each.
    pub fn high_risk_probes(&self) -> Vec<PatternProbe> {
        self.high_risk
            .list
            .rules()
            .filter_map(PatternProbe::new)
            .collect()
    }
}

impl RunRules {
    /// The `[run] tests` rules as written, with where they were written.
    pub fn test_rules(&self) -> Vec<(String, Origin)> {
        self.tests
            .all()
            .filter_map(|slot| match slot {
                super::rule_list::Slot::Rule(rule) => {
                    Some((rule.text.clone(), rule.origin.clone()))
                }
                super::rule_list::Slot::Damaged => None,
            })
            .collect()
    }
}

impl StopRule {
    /// The `run` patterns as written.
    pub fn run_patterns(&self) -> Vec<String> {
        self.run.all().filter_map(super::Slot::text).collect()
    }
}
