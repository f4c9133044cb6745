//! The budget file (SPEC §3–4): raw TOML schema → validated, compiled [`Budget`].
//!
//! CONTRACT (the public API other modules rely on; the implementation lives in submodules):
//! * [`locate`] finds the project root and budget files; [`load`] reads, validates and
//!   compiles them (user layer + repo layer, task overlay, packs merged in as rules with
//!   `Origin::Pack`), collecting every problem as a [`Diagnostic`].
//! * Each [`Layer`] answers per section with `Option<Hit>`: `None` = the layer abstains.
//!
//! Submodules: `raw` (serde schema) → `compile` (section-by-section deserialisation) →
//! `validate` (semantic checks into `spec`) → `spec` (task overlay); globs matched by `glob_match`, regexes compiled on need by
//! `lazy_regex`; what the compiled-budget cache reads back undecoded until a call consults
//! it: `rule_list` (`[run]` and stop commands, rule by rule), `path_list` (path rules, their
//! globs tokenized), `packed` (MCP servers, web hosts, tasks);
//! matching in `paths_rules`, `command_rules`, `mcp`, `web`; `packs` (built-in rules, constant data in `packs_data`);
//! `locate` (where the files are, layering); `diag` (byte offsets → line:column).

use crate::fsview::FsView;
use crate::verdict::{Hit, Origin, Verdict};
use rule_list::{RuleList, Slot};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

mod block;
mod command_rules;
mod compile;
mod coverage;
mod diag;
mod glob_match;
mod lazy_regex;
mod locate;
mod managed;
mod mcp;
mod packed;
mod packs;
mod path_list;
mod paths_rules;
mod raw;
mod rule_error;
mod rule_list;
mod sources;
mod spec;
mod validate;
mod validate_settings;
mod web;

pub use crate::packs::{PackRuleInfo, pack, pack_names, pack_rule, pack_rules};
pub use command_rules::{GlobalOptions, global_options_table};
pub use coverage::{PatternProbe, SCRATCH_DIR, scratch_note};
pub use lazy_regex::LazyRegex;
pub use managed::{DEFAULT_RETAIN_DAYS, file_hash};
pub use rule_error::{RuleError, RuleKind};
pub use sources::ParsedBudget;

/// Where the budget files of one hook call are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// `$CLAUDE_PROJECT_DIR`, else the nearest ancestor of `cwd` holding `.claude/budget.toml`
    /// (searching up to the git root), else the git root, else `cwd`.
    pub project_root: PathBuf,
    /// `<project_root>/.claude/budget.toml` when it exists.
    pub repo_budget: Option<PathBuf>,
    /// `<config dir>/claude-budget/budget.toml` when it exists (`$CLAUDE_BUDGET_CONFIG_DIR`
    /// overrides the config dir).
    pub user_budget: Option<PathBuf>,
    /// The managed budgets that exist: `<managed dir>/budget.toml` (`/etc/claude-budget` on
    /// Linux; `$CLAUDE_BUDGET_MANAGED_DIR` names another dir) — and the platform's own file
    /// as well when the variable points elsewhere, so no environment can switch it off.
    pub managed_budgets: Vec<PathBuf>,
}

impl Located {
    /// True when any budget file is in force here (the hooks then have an opinion).
    pub fn any(&self) -> bool {
        self.repo_budget.is_some() || self.user_budget.is_some() || !self.managed_budgets.is_empty()
    }
}

/// Finds the project root and the budget files in force.
pub fn locate(
    cwd: &Path,
    claude_project_dir: Option<&Path>,
    config_dir: Option<&Path>,
    fs: &dyn crate::fsview::FsView,
) -> Located {
    locate::locate(cwd, claude_project_dir, config_dir, fs)
}

/// One problem in a budget file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// As the user knows the file (`.claude/budget.toml`, or the path given to `check`).
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub severity: Severity,
    /// Lowercase, user input in backticks.
    pub message: String,
    /// One line saying how to fix it.
    pub hint: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A budget that failed to load: every error found (and warnings), never just the first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetError {
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads, validates and compiles the budgets found by [`locate`]. `Ok(None)`: no budget file
/// anywhere (the hooks then have no opinion). `task` is `$CLAUDE_BUDGET_TASK`; an unknown
/// task name is an error.
pub fn load(located: &Located, task: Option<&str>) -> Result<Option<Budget>, BudgetError> {
    load_with(located, task, &crate::fsview::RealFs)
}

/// [`load`], reading the files through `fs`.
pub fn load_with(
    located: &Located,
    task: Option<&str>,
    fs: &dyn crate::fsview::FsView,
) -> Result<Option<Budget>, BudgetError> {
    locate::load(located, task, fs)
}

/// Reads and validates the budgets found by [`locate`] without applying a task or building
/// the layers ([`ParsedBudget::into_budget`] does): what the compiled-budget cache keeps.
/// `Ok(None)`: no budget file anywhere.
pub fn parse_sources(
    located: &Located,
    fs: &dyn crate::fsview::FsView,
) -> Result<Option<ParsedBudget>, BudgetError> {
    sources::parse(located, fs)
}

/// Validates one file as `claude-budget check` does: every error and warning, in file order.
pub fn check_file(path: &Path, display: &str) -> Vec<Diagnostic> {
    locate::check_file(path, display, &crate::fsview::RealFs)
}

/// The compiled budgets in force: the managed layer (if any) first, then the user layer,
/// then the repo layer. Every decision takes the most restrictive layer's answer.
#[derive(Clone, Debug)]
pub struct Budget {
    pub layers: Vec<Layer>,
    pub task: Option<String>,
    pub project_root: PathBuf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LayerKind {
    /// Deployed by an organisation's IT/security team (`/etc/claude-budget/budget.toml`).
    Managed,
    User,
    Repo,
}

/// One compiled budget file (with the active task's overlay and its packs applied).
#[derive(Clone, Debug)]
pub struct Layer {
    pub kind: LayerKind,
    pub file: PathBuf,
    /// How messages name the file: `.claude/budget.toml` or the user budget's path.
    pub display: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Names from `extends`.
    pub packs: Vec<String>,
    pub read: PathRules,
    pub edit: PathRules,
    pub run: RunRules,
    pub mcp: McpRules,
    pub web: WebRules,
    pub spend: SpendLimits,
    pub retry: RetryLimits,
    pub merge: MergeRules,
    pub stops: Vec<StopRule>,
    pub evidence: Evidence,
    pub record: RecordSettings,
}

/// What path rules need to know about the call's surroundings.
pub struct PathContext<'a> {
    pub project_root: &'a Path,
    pub home: Option<&'a Path>,
    pub fs: &'a dyn FsView,
}

/// `[read]` or `[edit]`: gitignore-style globs (SPEC §4.2).
#[derive(Clone, Debug, Default)]
pub struct PathRules {
    section: String,
    allow: paths_rules::GlobList,
    /// Under a task: the base allow list, which must match as well (tasks only narrow).
    base_allow: Option<paths_rules::GlobList>,
    ask: paths_rules::GlobList,
    deny: paths_rules::GlobList,
    default: Option<(Verdict, Origin)>,
    outside_project: Option<(Verdict, Origin)>,
}

impl PathRules {
    /// Decides an absolute, lexically normalised path: deny > ask > allow, then `default`
    /// (inside the project) or `outside_project`. Symlinks (the path or a parent): both the
    /// literal path and its target are decided — deny/ask hit if either matches, allow needs
    /// both. `None`: this layer abstains.
    pub fn decide(&self, path: &Path, ctx: &PathContext<'_>) -> Option<Hit> {
        self.decide_impl(path, ctx)
    }
    /// Decides a recursive delete (or move) of the folder `dir`: an edit of the folder and
    /// everything under it (SPEC §4.8). The most restrictive of the folder's own decision
    /// and every deny/ask rule that may name a path under it: anchored rules by their text
    /// (`.github/workflows/**` is inside `.github`), un-anchored ones (`.env`, `*.pem`)
    /// against the files that exist there (a bounded walk; past the bound they count as
    /// matching). Allowed only when the folder is and no deny/ask rule reaches inside.
    pub fn decide_tree(&self, dir: &Path, ctx: &PathContext<'_>) -> Option<Hit> {
        self.decide_tree_impl(dir, ctx)
    }
    /// Decides a read (or listing) of the files the glob `glob` names under the folder
    /// `base` (Grep's `glob`, Glob's `pattern`; a glob without `/` means any depth): the
    /// literal text `base/glob` decided as a path, made stricter by every deny/ask rule
    /// whose own text the glob matches (`**/.env*` meets `.env`) when its last part names
    /// files (`*` and `**/*` single nothing out: they are decided like the folder).
    pub fn decide_glob(&self, base: &Path, glob: &str, ctx: &PathContext<'_>) -> Option<Hit> {
        self.decide_glob_impl(base, glob, ctx)
    }
    /// True when a *deny* rule names this path (used for "writing the rollback note is
    /// allowed unless a deny rule names it", SPEC §6.5).
    pub fn denies_explicitly(&self, path: &Path, ctx: &PathContext<'_>) -> bool {
        self.denies_explicitly_impl(path, ctx)
    }
}

/// `[run]`: command rules (SPEC §4.3).
#[derive(Clone, Debug, Default)]
pub struct RunRules {
    allow: RuleList,
    /// Under a task: the base allow list, which must match as well (tasks only narrow).
    base_allow: Option<RuleList>,
    ask: RuleList,
    deny: RuleList,
    tests: RuleList,
    default: Option<(Verdict, Origin)>,
    unparsed: Option<(Verdict, Origin)>,
}

impl RunRules {
    /// Decides one simple command's normalised words: deny > ask > allow, then `default`.
    /// Deny/ask rules err towards matching (they skip flags between positional words);
    /// allow rules skip only known global options.
    pub fn decide(&self, argv: &[String]) -> Option<Hit> {
        self.decide_named(argv).or_else(|| {
            self.default
                .as_ref()
                .map(|(v, o)| default_hit(*v, o.clone(), "run", "default"))
        })
    }

    /// [`RunRules::decide`] by the rules that name a command only, not `default`: what a
    /// wrapper or builtin (`env`, `command`, `cd`) is decided by, since the command it runs
    /// is decided on its own.
    pub fn decide_named(&self, argv: &[String]) -> Option<Hit> {
        self.decide_named_in(argv, true)
    }

    /// [`RunRules::decide_named`] over every rule, not only those indexed under the program:
    /// what the index must never change (tests).
    #[cfg(test)]
    pub(crate) fn decide_named_unindexed(&self, argv: &[String]) -> Option<Hit> {
        self.decide_named_in(argv, false)
    }

    /// Deny > ask > allow over each list's rules that may meet the program (all of them when
    /// not `indexed`).
    fn decide_named_in(&self, argv: &[String], indexed: bool) -> Option<Hit> {
        let hit = |rule: &command_rules::CommandRule, verdict| Hit {
            verdict,
            origin: rule.origin.clone(),
            section: "run".into(),
            rule: rule.text.clone(),
        };
        argv.first()?;
        for (list, verdict, erring) in [
            (&self.deny, Verdict::Deny, true),
            (&self.ask, Verdict::Ask, true),
            (&self.allow, Verdict::Allow, false),
        ] {
            let Some(slot) = list
                .candidates_for(argv, indexed)
                .find(|slot| slot.meets(argv, erring))
            else {
                continue;
            };
            let narrowed_away = verdict == Verdict::Allow
                && self.base_allow.as_ref().is_some_and(|base| {
                    !base
                        .candidates_for(argv, indexed)
                        .any(|slot| slot.meets(argv, false))
                });
            if narrowed_away {
                continue;
            }
            return Some(match slot {
                Slot::Rule(rule) => hit(rule, verdict),
                Slot::Damaged => Hit {
                    verdict,
                    origin: Origin::builtin("budget-cache"),
                    section: "run".into(),
                    rule: "a [run] rule of the compiled-budget cache that could not be read \
                           (ask the user to delete `claude-budget/cache` in the data dir: the \
                           budget files are then read again)"
                        .into(),
                },
            });
        }
        None
    }

    /// `[run] unparsed` (default `ask`), as a hit with its origin.
    pub fn unparsed(&self) -> Hit {
        match &self.unparsed {
            Some((verdict, origin)) => default_hit(*verdict, origin.clone(), "run", "unparsed"),
            None => default_hit(
                Verdict::Ask,
                Origin::builtin("unparsed-default"),
                "run",
                "unparsed",
            ),
        }
    }
    /// The `[run] tests` commands as written, for messages ("run `cargo test`").
    pub fn test_commands(&self) -> Vec<String> {
        self.tests.all().filter_map(Slot::text).collect()
    }

    /// The `[run] allow` rules as written, for messages ("allowed instead: `cargo test`").
    pub fn allow_commands(&self) -> Vec<String> {
        self.allow.all().filter_map(Slot::text).collect()
    }

    /// True when the command counts as running the tests (`[run] tests`).
    pub fn is_test(&self, argv: &[String]) -> bool {
        let Some(name) = argv.first() else {
            return false;
        };
        self.tests
            .for_program(command_rules::basename(name))
            .any(|slot| slot.meets(argv, false))
    }
}

/// `[mcp]` and `[mcp.servers.*]` (SPEC §4.4).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct McpRules {
    default: Option<(Verdict, Origin)>,
    /// Decoded from the cache when a call names an MCP tool (`None`: damaged, refuse).
    servers: packed::Packed<Vec<mcp::McpServer>>,
}

/// What the budget says about one MCP server (for messages, the touchmap and the packet).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct McpServerInfo {
    pub pattern: String,
    pub owner: Option<String>,
    pub purpose: Option<String>,
    pub exposes: Option<String>,
    pub enabled: bool,
    pub read_only: Vec<String>,
    pub write: Vec<String>,
}

impl McpRules {
    /// `read_only` → allow, `write` → `write_decision`, else `unlisted` (default: `[mcp]
    /// default`); `enabled = false` → deny (rule `enabled = false`). `None`: abstain.
    pub fn decide(&self, server: &str, tool: &str) -> Option<Hit> {
        self.decide_impl(server, tool)
    }
    /// The first `[mcp.servers.*]` entry whose glob matches `server`.
    pub fn server(&self, server: &str) -> Option<McpServerInfo> {
        self.server_impl(server)
    }
    pub fn servers(&self) -> Vec<McpServerInfo> {
        self.servers_impl()
    }
}

/// `[web]` (SPEC §4.5).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct WebRules {
    /// Decoded from the cache when a call names a host (`None`: damaged, refuse).
    allow: packed::Packed<Vec<web::HostRule>>,
    ask: packed::Packed<Vec<web::HostRule>>,
    deny: packed::Packed<Vec<web::HostRule>>,
    default: Option<(Verdict, Origin)>,
    search: Option<(Verdict, Origin)>,
}

impl WebRules {
    /// Decides a normalised host (lower-case, no port/userinfo/trailing dot).
    pub fn decide_host(&self, host: &str) -> Option<Hit> {
        self.decide_host_impl(host)
    }
    /// `[web] search` for WebSearch.
    pub fn decide_search(&self) -> Option<Hit> {
        self.decide_search_impl()
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnExceed {
    #[default]
    Deny,
    Halt,
}

/// `[spend]` (SPEC §6.2). `None` = no limit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SpendLimits {
    pub max_usd: Option<f64>,
    pub max_tokens: Option<u64>,
    pub max_tool_calls: Option<u64>,
    pub max_minutes: Option<u64>,
    pub warn_at: Option<f64>,
    pub on_exceed: OnExceed,
    /// `[spend.prices.<model family>]` overrides, USD per million tokens.
    pub prices: Vec<PriceOverride>,
    /// Where `[spend]` was written (for messages).
    pub origin: Option<Origin>,
    /// Where each limit key was written (`max_usd` → its line), so a message points at the
    /// line that set the limit, not at the section header.
    #[serde(
        serialize_with = "sources::write_limit_key_origins",
        deserialize_with = "sources::limit_key_origins"
    )]
    pub key_origins: Vec<(&'static str, Origin)>,
}

impl SpendLimits {
    /// The line of `key`, else the section's.
    pub fn origin_of(&self, key: &str) -> Option<&Origin> {
        key_origin(&self.key_origins, key).or(self.origin.as_ref())
    }
}

/// The origin recorded for `key`, if it was written.
fn key_origin<'a>(origins: &'a [(&'static str, Origin)], key: &str) -> Option<&'a Origin> {
    origins.iter().find(|(k, _)| *k == key).map(|(_, o)| o)
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PriceOverride {
    /// Model family or id prefix, e.g. `claude-opus-4`.
    pub model: String,
    pub input: Option<f64>,
    pub output: Option<f64>,
    pub cache_write_5m: Option<f64>,
    pub cache_write_1h: Option<f64>,
    pub cache_read: Option<f64>,
}

/// `[retry]` (SPEC §6.3). `None` = no limit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryLimits {
    pub same_command_failures: Option<u32>,
    pub failures: Option<u32>,
    pub same_file_edits: Option<u32>,
    /// Default 3 when unset.
    pub stop_blocks: Option<u32>,
    pub origin: Option<Origin>,
    /// Where each limit key was written (see [`SpendLimits::key_origins`]).
    #[serde(
        serialize_with = "sources::write_limit_key_origins",
        deserialize_with = "sources::limit_key_origins"
    )]
    pub key_origins: Vec<(&'static str, Origin)>,
}

impl RetryLimits {
    /// The line of `key` (`same_command_failures = 3`), else the `[retry]` header's.
    pub fn origin_of(&self, key: &str) -> Option<&Origin> {
        key_origin(&self.key_origins, key).or(self.origin.as_ref())
    }
}

/// `[merge]` (SPEC §4.9).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MergeRules {
    /// `push = …` as a hit (rule `push`).
    pub push: Option<Hit>,
    /// `pr_merge = …` as a hit (rule `pr_merge`).
    pub pr_merge: Option<Hit>,
    /// Protected branch globs with their origin.
    pub protected_branches: Vec<(String, Origin)>,
    /// Parsed `protected_branches`, index for index.
    protected_globs: Vec<glob_match::Glob>,
}

impl MergeRules {
    /// The protected-branch pattern that matches `branch`, if any.
    pub fn protected(&self, branch: &str) -> Option<&(String, Origin)> {
        let index = self
            .protected_globs
            .iter()
            .position(|g| g.try_matches(branch.as_bytes()).unwrap_or(true))?;
        self.protected_branches.get(index)
    }
}

/// One `[[stop]]` rule (or a task's `stop = [...]` entry).
#[derive(Clone, Debug)]
pub struct StopRule {
    pub reason: String,
    pub origin: Origin,
    edit: paths_rules::GlobList,
    /// Decoded from the cache rule by rule, for the programs a call runs.
    run: RuleList,
}

impl StopRule {
    /// True when an edit of `path` meets one of the rule's `edit` globs.
    pub fn matches_edit(&self, path: &Path, ctx: &PathContext<'_>) -> bool {
        self.edit.first_match_either(path, ctx).is_some()
    }
    /// True when a simple command meets one of the rule's `run` patterns (erring towards
    /// matching, like deny rules).
    /// When a part of the rule could not be read back from the compiled-budget cache (it
    /// then meets every edit or command, failing closed): what the agent is told beside the
    /// stop, so the user can have the cache deleted. Looked at only once the rule met.
    pub fn cache_note(&self) -> Option<String> {
        let damaged = self.run.all().any(|slot| matches!(slot, Slot::Damaged))
            || (self.edit.list.rules()).any(|rule| std::ptr::eq(rule, &*path_list::DAMAGED_RULE));
        damaged.then(|| format!("The stop rule met through {}.", packed::DAMAGED))
    }

    pub fn matches_command(&self, argv: &[String]) -> bool {
        // A rule the cache could not decode meets every command (`Slot::meets`, erring).
        match argv.first() {
            Some(program) => (self.run)
                .for_program(command_rules::basename(program))
                .any(|slot| slot.meets(argv, true)),
            None => self.run.all().any(|slot| slot.meets(argv, true)),
        }
    }
}

/// The fields a rollback note needs when the budget names none (SPEC §4 example).
pub const DEFAULT_ROLLBACK_FIELDS: &[&str] = &[
    "Change",
    "Undo path",
    "Data risk",
    "Trigger",
    "Owner",
    "Stop before",
];

/// `[evidence]` (SPEC §6.5–6.6).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Evidence {
    pub tests_after_edit: bool,
    /// Path of the rollback note relative to the project root (default `.claude/rollback.md`).
    pub rollback_note: String,
    /// Default: Change, Undo path, Data risk, Trigger, Owner, Stop before.
    pub rollback_fields: Vec<String>,
    pub origin: Option<Origin>,
    /// Set from the spec's `high_risk` rules when the layer is built (empty in a spec).
    #[serde(skip)]
    high_risk: paths_rules::GlobList,
}

impl Evidence {
    /// The `high_risk` glob that `path` meets, if any.
    pub fn high_risk(&self, path: &Path, ctx: &PathContext<'_>) -> Option<(String, Origin)> {
        let rule = self.high_risk.first_match_either(path, ctx)?;
        Some((rule.pattern.clone(), rule.origin.clone()))
    }

    /// True when `high_risk` names any path (the rollback note then matters).
    pub fn has_high_risk(&self) -> bool {
        !self.high_risk.list.is_empty()
    }
}

/// `[record]`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RecordSettings {
    /// Extra redaction regexes (validated; compiled when a text could match).
    pub redact: Vec<LazyRegex>,
    /// `dir`, relative to the project root, when records are kept in the repo.
    pub dir: Option<PathBuf>,
    /// `retain_days`: run records older than this many days are pruned (SPEC §7).
    pub retain_days: Option<u64>,
}

/// The verdict a section gives when only its `default` applies, as a hit (helper for
/// implementations and tests).
pub fn default_hit(verdict: Verdict, origin: Origin, section: &str, rule: &str) -> Hit {
    Hit {
        verdict,
        origin,
        section: section.into(),
        rule: rule.into(),
    }
}

impl std::fmt::Display for Diagnostic {
    /// `file:line:column: error: message` and, when there is one, `  hint: …` on the next
    /// line — the form `claude-budget check` prints and the hooks put in denials.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {level}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
