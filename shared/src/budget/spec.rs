//! The validated, not-yet-compiled form of one budget file: rule lists with their origins.
//! Tasks and packs are merged at this level, then [`LayerSpec::into_layer`] builds every
//! `GlobSet` once.

use super::command_rules::CommandRule;
use super::path_list::PathList;
use super::paths_rules::{GlobList, PathRule};
use super::rule_error::RuleError;
use super::rule_list::RuleList;
use super::{
    Evidence, Layer, LayerKind, McpRules, MergeRules, PathRules, RecordSettings, RetryLimits,
    RunRules, SpendLimits, StopRule, WebRules,
};
use crate::verdict::{Origin, Verdict};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub(crate) type Setting = Option<(Verdict, Origin)>;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct PathSpec {
    pub allow: PathList,
    /// Under a task: the base file's allow list, which the task's allow list narrows (a path
    /// is allowed only when both name it).
    pub base_allow: Option<PathList>,
    pub ask: PathList,
    pub deny: PathList,
    pub default: Setting,
    pub outside_project: Setting,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct RunSpec {
    pub allow: RuleList,
    /// Under a task: the base allow list the task's allow list narrows.
    pub base_allow: Option<RuleList>,
    pub ask: RuleList,
    pub deny: RuleList,
    pub tests: RuleList,
    pub default: Setting,
    pub unparsed: Setting,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct StopSpec {
    pub reason: String,
    pub origin: Origin,
    pub edit: PathList,
    pub run: RuleList,
}

/// A task's lists: `allow` (when given) replaces the base list, `ask`/`deny` add to it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Lists<T> {
    pub allow: Option<Vec<T>>,
    pub ask: Vec<T>,
    pub deny: Vec<T>,
}

impl<T> Default for Lists<T> {
    fn default() -> Self {
        Lists {
            allow: None,
            ask: Vec::new(),
            deny: Vec::new(),
        }
    }
}

/// A task's path lists, kept packed like the base ones: applying the task appends them
/// without decoding or copying a rule.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct PathLists {
    pub allow: Option<PathList>,
    pub ask: PathList,
    pub deny: PathList,
}

impl From<Lists<PathRule>> for PathLists {
    fn from(lists: Lists<PathRule>) -> PathLists {
        PathLists {
            allow: lists.allow.map(PathList::from),
            ask: lists.ask.into(),
            deny: lists.deny.into(),
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct TaskSpec {
    pub read: PathLists,
    pub edit: PathLists,
    pub run: Lists<CommandRule>,
    pub stops: Vec<StopSpec>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct LayerSpec {
    pub kind: LayerKind,
    pub file: PathBuf,
    pub display: String,
    pub sha256: String,
    pub packs: Vec<String>,
    pub read: PathSpec,
    pub edit: PathSpec,
    pub run: RunSpec,
    pub mcp: McpRules,
    pub web: WebRules,
    pub spend: SpendLimits,
    pub retry: RetryLimits,
    pub merge: MergeRules,
    pub stops: Vec<StopSpec>,
    pub evidence: Evidence,
    pub high_risk: PathList,
    pub record: RecordSettings,
}

/// Applies a task's lists (SPEC §4.7): a task can only narrow. Its allow list replaces the
/// base one for naming the rule, but the base list is kept and must match too — otherwise a
/// task allowing `**` would widen a base that allows only `src/**`. The base lists are moved
/// and appended to, not copied (a list read from the cache stays undecoded).
fn narrow(spec: &mut PathSpec, task: &PathLists) {
    if let Some(task_allow) = &task.allow {
        let base = std::mem::replace(&mut spec.allow, task_allow.clone());
        spec.base_allow = Some(base);
    }
    spec.ask.append(&task.ask);
    spec.deny.append(&task.deny);
}

impl PathSpec {
    pub(super) fn compile(self, section: &str) -> Result<PathRules, RuleError> {
        Ok(PathRules {
            section: section.into(),
            allow: GlobList::build(self.allow, false)?,
            base_allow: self
                .base_allow
                .map(|b| GlobList::build(b, false))
                .transpose()?,
            ask: GlobList::build(self.ask, true)?,
            deny: GlobList::build(self.deny, true)?,
            default: self.default,
            outside_project: self.outside_project,
        })
    }
}

impl StopSpec {
    fn compile(self) -> Result<StopRule, RuleError> {
        Ok(StopRule {
            reason: self.reason,
            origin: self.origin,
            edit: GlobList::build(self.edit, true)?,
            run: self.run,
        })
    }
}

impl LayerSpec {
    /// Applies the task overlay (if this file defines the active task) and compiles every
    /// glob list once. The error is a message for a diagnostic (only a pathological glob set
    /// can fail here: each glob was already validated).
    pub(super) fn into_layer(mut self, task: Option<&TaskSpec>) -> Result<Layer, RuleError> {
        if let Some(task) = task {
            narrow(&mut self.read, &task.read);
            narrow(&mut self.edit, &task.edit);
            let run = &mut self.run;
            if let Some(task_allow) = &task.run.allow {
                let base = std::mem::replace(&mut run.allow, task_allow.clone().into());
                run.base_allow = Some(base);
            }
            run.ask.extend(task.run.ask.iter().cloned());
            run.deny.extend(task.run.deny.iter().cloned());
            self.stops.extend(task.stops.iter().cloned());
        }
        let mut evidence = self.evidence;
        evidence.high_risk = GlobList::build(self.high_risk, true)?;
        let run = self.run;
        Ok(Layer {
            kind: self.kind,
            file: self.file,
            display: self.display,
            sha256: self.sha256,
            packs: self.packs,
            read: self.read.compile("read")?,
            edit: self.edit.compile("edit")?,
            run: RunRules {
                allow: run.allow,
                base_allow: run.base_allow,
                ask: run.ask,
                deny: run.deny,
                tests: run.tests,
                default: run.default,
                unparsed: run.unparsed,
            },
            mcp: self.mcp,
            web: self.web,
            spend: self.spend,
            retry: self.retry,
            merge: self.merge,
            stops: self
                .stops
                .into_iter()
                .map(StopSpec::compile)
                .collect::<Result<_, _>>()?,
            evidence,
            record: self.record,
        })
    }
}
