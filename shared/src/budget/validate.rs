//! Phase two of loading: raw sections → validated rule lists ([`LayerSpec`]), reporting every
//! bad glob, regex, decision word, amount and pack name with its position.

use super::command_rules::CommandRule;
use super::compile::{FileInfo, ParsedFile};
use super::diag::{SourceFile, closest};
use super::mcp::{McpServer, ToolPattern, matcher};
use super::path_list::PathList;
use super::paths_rules::{self, PathRule};
use super::raw::{self, Words};
use super::rule_error::RuleError;
use super::spec::{LayerSpec, Lists, PathSpec, RunSpec, Setting, StopSpec, TaskSpec};
use super::web::HostRule;
use super::{
    Evidence, McpRules, McpServerInfo, MergeRules, RecordSettings, RetryLimits, SpendLimits,
    WebRules, packs,
};
use crate::verdict::{Origin, Verdict};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

const VERDICT_HINT: &str = "use `allow`, `ask` or `deny`";
use super::DEFAULT_ROLLBACK_FIELDS;
pub(crate) const DEFAULT_ROLLBACK_NOTE: &str = ".claude/rollback.md";

/// Builds a [`LayerSpec`] from raw sections, reporting into the file's diagnostics.
pub(crate) struct Validator<'f, 't> {
    pub(super) file: &'f mut SourceFile<'t>,
    pub(super) spec: LayerSpec,
    extends: Vec<Spanned<String>>,
    /// Where the section being validated starts (origin of `[spend]`, `[retry]`, ...).
    pub(super) section: Origin,
}

impl<'f, 't> Validator<'f, 't> {
    pub(super) fn new(
        file: &'f mut SourceFile<'t>,
        info: &FileInfo<'_>,
        text: &str,
    ) -> Validator<'f, 't> {
        let sha256 = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let spec = LayerSpec {
            kind: info.kind,
            file: info.path.clone(),
            display: info.display.to_string(),
            sha256,
            packs: Vec::new(),
            read: PathSpec::default(),
            edit: PathSpec::default(),
            run: RunSpec::default(),
            mcp: McpRules::default(),
            web: WebRules::default(),
            spend: SpendLimits::default(),
            retry: RetryLimits::default(),
            merge: MergeRules::default(),
            stops: Vec::new(),
            evidence: Evidence {
                rollback_note: DEFAULT_ROLLBACK_NOTE.into(),
                rollback_fields: DEFAULT_ROLLBACK_FIELDS
                    .iter()
                    .map(|s| (*s).to_string())
                    .collect(),
                ..Evidence::default()
            },
            high_risk: PathList::default(),
            record: RecordSettings::default(),
        };
        let section = Origin::file(info.display, 1, 1);
        Validator {
            file,
            spec,
            extends: Vec::new(),
            section,
        }
    }

    /// Notes where the next section starts.
    pub(super) fn section_at(&mut self, span: &Range<usize>) {
        self.section = self.file.origin(span);
    }

    pub(super) fn file(&mut self) -> &mut SourceFile<'t> {
        self.file
    }

    pub(super) fn origin(&self, span: &Range<usize>) -> Origin {
        self.file.origin(span)
    }

    pub(super) fn version(&mut self, version: &Spanned<i64>) {
        if *version.get_ref() != 1 {
            let message = format!("unsupported budget version `{}`", version.get_ref());
            self.file
                .error(&version.span(), message, Some("write `version = 1`".into()));
        }
    }

    pub(super) fn extends(&mut self, names: &[Spanned<String>]) {
        for name in names {
            if crate::packs::pack_names().contains(&name.get_ref().as_str()) {
                self.extends.push(name.clone());
            } else {
                let hint = match closest(name.get_ref(), crate::packs::pack_names()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!(
                        "built-in packs: `{}`",
                        crate::packs::pack_names().join("`, `")
                    ),
                };
                self.file.error(
                    &name.span(),
                    format!("unknown pack `{}`", name.get_ref()),
                    Some(hint),
                );
            }
        }
    }

    pub(super) fn verdict(&mut self, word: &Option<Spanned<String>>) -> Setting {
        let word = word.as_ref()?;
        match Verdict::parse(word.get_ref()) {
            Some(verdict) => Some((verdict, self.origin(&word.span()))),
            None => {
                let message = format!("unknown decision `{}`", word.get_ref());
                self.file
                    .error(&word.span(), message, Some(VERDICT_HINT.into()));
                None
            }
        }
    }

    pub(super) fn paths(&mut self, words: &Words) -> Vec<PathRule> {
        let mut rules = Vec::new();
        for word in words.iter().flatten() {
            let pattern = word.get_ref();
            match paths_rules::validate(pattern) {
                Ok(()) => rules.push(PathRule {
                    pattern: pattern.clone(),
                    origin: self.origin(&word.span()),
                }),
                Err(reason) => {
                    let hint = "globs use `*`, `**`, `?`, `[abc]` and `{a,b}`; escape a literal one with `\\`";
                    self.file.error(
                        &word.span(),
                        format!("invalid glob `{pattern}`: {reason}"),
                        Some(hint.into()),
                    );
                }
            }
        }
        rules
    }

    fn commands(&mut self, words: &Words) -> Vec<CommandRule> {
        let mut rules = Vec::new();
        for word in words.iter().flatten() {
            match CommandRule::compile(word.get_ref(), self.origin(&word.span())) {
                Ok(rule) => rules.push(rule),
                Err(message) => {
                    let hint = if word.get_ref().starts_with("re:") {
                        "`re:` rules use Rust regex syntax; in a TOML \"...\" string write `\\\\` for one backslash"
                    } else {
                        "write the command as shell words, e.g. `git push`"
                    };
                    self.file
                        .error(&word.span(), message.to_string(), Some(hint.into()));
                }
            }
        }
        rules
    }

    /// Warns about allow entries a deny or ask entry of the same section always beats.
    fn shadowed_allows(&mut self, allow: &Words, stricter: &[&Words]) {
        for entry in allow.iter().flatten() {
            let beaten = stricter
                .iter()
                .flat_map(|w| w.iter().flatten())
                .any(|s| s.get_ref() == entry.get_ref());
            if beaten {
                let message = format!(
                    "allow rule `{}` never applies: a deny or ask rule names the same pattern",
                    entry.get_ref()
                );
                self.file.warning(
                    &entry.span(),
                    message,
                    Some("remove one of the two entries".into()),
                );
            }
        }
    }

    fn path_section(&mut self, raw: raw::RawPathSection) -> PathSpec {
        self.shadowed_allows(&raw.allow, &[&raw.deny, &raw.ask]);
        PathSpec {
            allow: self.paths(&raw.allow).into(),
            base_allow: None,
            ask: self.paths(&raw.ask).into(),
            deny: self.paths(&raw.deny).into(),
            default: self.verdict(&raw.default),
            outside_project: self.verdict(&raw.outside_project),
        }
    }

    pub(super) fn read(&mut self, raw: raw::RawPathSection) {
        self.spec.read = self.path_section(raw);
    }

    pub(super) fn edit(&mut self, raw: raw::RawPathSection) {
        self.spec.edit = self.path_section(raw);
    }

    pub(super) fn run(&mut self, raw: raw::RawRunSection) {
        self.shadowed_allows(&raw.allow, &[&raw.deny, &raw.ask]);
        self.spec.run = RunSpec {
            allow: self.commands(&raw.allow).into(),
            base_allow: None,
            ask: self.commands(&raw.ask).into(),
            deny: self.commands(&raw.deny).into(),
            tests: self.commands(&raw.tests).into(),
            default: self.verdict(&raw.default),
            unparsed: self.verdict(&raw.unparsed),
        };
    }

    fn tool_patterns(&mut self, words: &Words) -> Vec<ToolPattern> {
        let mut out = Vec::new();
        for word in words.iter().flatten() {
            match matcher(word.get_ref()) {
                Ok(m) => out.push(ToolPattern {
                    pattern: word.get_ref().clone(),
                    matcher: m,
                    origin: self.origin(&word.span()),
                }),
                Err(reason) => self.bad_glob(word, &reason),
            }
        }
        out
    }

    pub(super) fn bad_glob(&mut self, word: &Spanned<String>, reason: &RuleError) {
        let message = format!("invalid glob `{}`: {reason}", word.get_ref());
        self.file.error(
            &word.span(),
            message,
            Some("globs use `*`, `?`, `[abc]` and `{a,b}`".into()),
        );
    }

    pub(super) fn mcp(&mut self, raw: raw::RawMcp) {
        self.spec.mcp.default = self.verdict(&raw.default);
        let mut servers: Vec<_> = raw.servers.unwrap_or_default().into_iter().collect();
        servers.sort_by_key(|(key, _)| key.span().start);
        let mut compiled = Vec::with_capacity(servers.len());
        for (key, server) in servers {
            let origin = self.origin(&key.span());
            let Ok(server_matcher) = matcher(key.get_ref()).map_err(|e| self.bad_glob(&key, &e))
            else {
                continue;
            };
            let read_only = self.tool_patterns(&server.read_only);
            let write = self.tool_patterns(&server.write);
            let write_decision = self
                .verdict(&server.write_decision)
                .unwrap_or((Verdict::Ask, origin.clone()));
            let unlisted = self.verdict(&server.unlisted);
            let enabled = server.enabled.as_ref().is_none_or(|e| *e.get_ref());
            let disabled_at = server
                .enabled
                .filter(|e| !*e.get_ref())
                .map(|e| self.origin(&e.span()));
            let info = McpServerInfo {
                pattern: key.get_ref().clone(),
                owner: server.owner,
                purpose: server.purpose,
                exposes: server.exposes,
                enabled,
                read_only: read_only.iter().map(|p| p.pattern.clone()).collect(),
                write: write.iter().map(|p| p.pattern.clone()).collect(),
            };
            compiled.push(McpServer {
                info,
                matcher: server_matcher,
                read_only,
                write,
                write_decision,
                unlisted,
                disabled_at,
            });
        }
        self.spec.mcp.servers = compiled.into();
    }

    fn hosts(&mut self, words: &Words) -> Vec<HostRule> {
        let mut out = Vec::new();
        for word in words.iter().flatten() {
            match HostRule::compile(word.get_ref(), self.origin(&word.span())) {
                Ok(rule) => out.push(rule),
                Err(message) => {
                    let hint = "write a host (`docs.rs`) or its subdomains (`*.docs.rs`), without scheme or path";
                    self.file
                        .error(&word.span(), message.to_string(), Some(hint.into()));
                }
            }
        }
        out
    }

    pub(super) fn web(&mut self, raw: raw::RawWeb) {
        self.shadowed_allows(&raw.allow, &[&raw.deny, &raw.ask]);
        self.spec.web = WebRules {
            allow: self.hosts(&raw.allow).into(),
            ask: self.hosts(&raw.ask).into(),
            deny: self.hosts(&raw.deny).into(),
            default: self.verdict(&raw.default),
            search: self.verdict(&raw.search),
        };
    }

    fn stop(&mut self, raw: Spanned<raw::RawStop>) -> Option<StopSpec> {
        let span = raw.span();
        let raw = raw.into_inner();
        let edit = self.paths(&raw.edit);
        let run = self.commands(&raw.run);
        let Some(reason) = raw.reason else {
            let hint = "add `reason = \"...\"`: the agent is told it when the run stops";
            self.file
                .error(&span, "stop rule without a `reason`", Some(hint.into()));
            return None;
        };
        if raw.edit.is_none() && raw.run.is_none() {
            let hint = "add `edit = [globs]` or `run = [commands]`";
            self.file.warning(
                &span,
                "stop rule names neither `edit` nor `run`: it never applies",
                Some(hint.into()),
            );
        }
        Some(StopSpec {
            origin: self.origin(&reason.span()),
            reason: reason.into_inner(),
            edit: edit.into(),
            run: run.into(),
        })
    }

    pub(super) fn stops(&mut self, raw: Vec<Spanned<raw::RawStop>>) {
        for stop in raw {
            if let Some(spec) = self.stop(stop) {
                self.spec.stops.push(spec);
            }
        }
    }

    fn lists<T>(
        &mut self,
        raw: Option<raw::RawRuleLists>,
        compile: fn(&mut Self, &Words) -> Vec<T>,
    ) -> Lists<T> {
        let raw = raw.unwrap_or_default();
        Lists {
            allow: raw.allow.as_ref().map(|_| compile(self, &raw.allow)),
            ask: compile(self, &raw.ask),
            deny: compile(self, &raw.deny),
        }
    }

    pub(super) fn task(&mut self, raw: raw::RawTask, _name_span: &Range<usize>) -> TaskSpec {
        TaskSpec {
            read: self.lists(raw.read, Self::paths).into(),
            edit: self.lists(raw.edit, Self::paths).into(),
            run: self.lists(raw.run, Self::commands),
            stops: raw
                .stop
                .unwrap_or_default()
                .into_iter()
                .filter_map(|s| self.stop(s))
                .collect(),
        }
    }

    /// Merges the packs named in `extends`, adds the cross-section warnings, and hands back
    /// the file's spec.
    pub(super) fn finish(
        mut self,
        tasks: BTreeMap<String, super::packed::Packed<TaskSpec>>,
    ) -> Option<ParsedFile> {
        for name in std::mem::take(&mut self.extends) {
            if let Err(message) = packs::merge_into(name.get_ref(), &mut self.spec) {
                self.file.error(&name.span(), message.to_string(), None);
            }
            self.spec.packs.push(name.into_inner());
        }
        self.warn_denied_rollback_note();
        Some(ParsedFile {
            base: self.spec,
            tasks,
        })
    }

    /// SPEC §6.5: writing the rollback note is allowed unless a deny rule names it — almost
    /// always a mistake, so `check` says so.
    fn warn_denied_rollback_note(&mut self) {
        let note = self.spec.evidence.rollback_note.clone();
        let deny_only = PathSpec {
            deny: self.spec.edit.deny.clone(),
            ..PathSpec::default()
        };
        let Ok(rules) = deny_only.compile("edit") else {
            return;
        };
        if let Some(rule) = rules.denies_relative(&note)
            && let Origin::File { line, column, .. } = rule.origin
        {
            self.file.diagnostics.push(super::Diagnostic {
                    file: self.file.display.to_string(),
                    line,
                    column,
                    severity: super::Severity::Warning,
                    message: format!("edit deny rule `{}` names the rollback note `{note}`", rule.pattern),
                    hint: Some("the agent cannot write the rollback note high-risk edits need; narrow the rule".into()),
                });
        }
    }
}
