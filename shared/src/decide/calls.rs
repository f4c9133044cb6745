//! One function per kind of tool call; each turns the call into [`Finding`]s, which
//! [`Decision::from_findings`] combines. Bash calls continue in `bash.rs`.

use super::{
    Code, DecideContext, Decision, Finding, SessionFacts, messages, protect, rollback, url,
};
use crate::budget::{Budget, Layer, PathContext};
use crate::paths::normalise;
use crate::protocol::ToolCall;
use crate::verdict::{Hit, Origin, Verdict};
use std::path::{Path, PathBuf};

/// Decides one tool call.
pub fn decide(
    call: &ToolCall,
    budget: &Budget,
    facts: &SessionFacts,
    ctx: &DecideContext<'_>,
) -> Decision {
    if let Some(stopped) = &facts.stopped {
        // A halt by `[spend] on_exceed = "halt"` carries the spend section's origin.
        let by_spend = stopped.origin == Origin::builtin("spend").to_string()
            || budget.layers.iter().any(|l| {
                // The halt names the `[spend]` header or the line of the key that was hit.
                l.spend
                    .origin
                    .iter()
                    .chain(l.spend.key_origins.iter().map(|(_, o)| o))
                    .any(|o| o.to_string() == stopped.origin)
            });
        let finding = Finding {
            hit: Hit {
                verdict: Verdict::Deny,
                origin: Origin::builtin("stopped-run"),
                section: "stop".into(),
                rule: stopped.origin.clone(),
            },
            code: match stopped.origin.as_str() {
                crate::tripwire::TAMPER_ORIGIN => Code::TamperDetected,
                crate::tripwire::SECRET_ORIGIN => Code::SecretExposed,
                _ if by_spend => Code::SpendExceeded,
                _ => Code::StopRule,
            },
            what: format!("this call ({})", call.tool_name()),
            stop_reason: Some(stopped.reason.clone()),
            detail: None,
        };
        return Decision::from_findings(vec![finding], ctx.nobody_can_answer);
    }
    let mut d = Decider {
        budget,
        facts,
        ctx,
        findings: Vec::new(),
        note: None,
        edit_key_seen: std::cell::RefCell::default(),
    };
    d.limits();
    match call {
        ToolCall::Read { tool, path, glob } => d.read_tool(tool, path.as_deref(), glob.as_deref()),
        ToolCall::Edit { tool, path } => d.edit_tool(tool, path.as_deref()),
        ToolCall::Bash { command } => d.bash(command),
        ToolCall::WebFetch { url } => d.web_fetch(url),
        ToolCall::WebSearch { .. } => {
            d.per_layer(|l| l.web.decide_search(), Code::WebDenied, "a web search")
        }
        ToolCall::Mcp { server, tool } => d.mcp(server, tool),
        ToolCall::Unanalysable { tool, text } if text.trim().is_empty() => {
            d.unparsed(&format!("a {tool} call whose input had no command"), "")
        }
        ToolCall::Unanalysable { tool, text } => d.unparsed(&format!("{tool} command"), text),
        ToolCall::Other { .. } => {}
    }
    let note = d.note.take();
    let mut decision = Decision::from_findings(d.findings, ctx.nobody_can_answer);
    decision.note = note;
    decision
}

pub(super) struct Decider<'a> {
    pub(super) budget: &'a Budget,
    pub(super) facts: &'a SessionFacts,
    pub(super) ctx: &'a DecideContext<'a>,
    pub(super) findings: Vec<Finding>,
    pub(super) note: Option<String>,
    /// The last [`Decider::edit_key`] worked out (path, key): an edit asks for it twice.
    pub(super) edit_key_seen: std::cell::RefCell<Option<(std::path::PathBuf, String)>>,
}

/// The code for a path hit of the given section and verdict.
fn path_code(verdict: Verdict) -> Code {
    if verdict == Verdict::Ask {
        Code::PathAsk
    } else {
        Code::PathDenied
    }
}

impl<'a> Decider<'a> {
    pub(super) fn path_ctx(&self) -> PathContext<'a> {
        let (budget, ctx): (&'a Budget, &'a DecideContext<'a>) = (self.budget, self.ctx);
        PathContext {
            project_root: &budget.project_root,
            home: ctx.home.as_deref(),
            fs: ctx.fs,
        }
    }

    /// A path as the agent knows it: relative to the project when inside it.
    pub(super) fn show(&self, path: &Path) -> String {
        match path.strip_prefix(&self.budget.project_root) {
            Ok(rel) if rel.as_os_str().is_empty() => ".".into(),
            Ok(rel) => rel.display().to_string(),
            Err(_) => path.display().to_string(),
        }
    }

    pub(super) fn push(&mut self, hit: Hit, code: Code, what: String) {
        self.findings.push(Finding {
            hit,
            code,
            what,
            stop_reason: None,
            detail: None,
        });
    }

    /// Adds each layer's answer for one question.
    pub(super) fn per_layer(
        &mut self,
        ask: impl Fn(&Layer) -> Option<Hit>,
        deny_code: Code,
        what: &str,
    ) {
        let hits: Vec<Hit> = self.budget.layers.iter().filter_map(&ask).collect();
        for hit in hits {
            let code = match (hit.verdict, deny_code) {
                (Verdict::Ask, Code::WebDenied) => Code::WebAsk,
                (Verdict::Ask, Code::McpDenied) => Code::McpAsk,
                (Verdict::Ask, Code::CommandDenied) => Code::CommandAsk,
                (Verdict::Ask, Code::PathDenied) => Code::PathAsk,
                (Verdict::Allow, _) => Code::Allowed,
                _ => deny_code,
            };
            self.push(hit, code, what.to_owned());
        }
    }

    /// Read, or Grep/Glob of a folder and, when given, of the files its glob names there.
    fn read_tool(&mut self, tool: &str, path: Option<&str>, glob: Option<&str>) {
        let raw = path.unwrap_or(".");
        let path = self.tool_path(raw);
        let what = format!("{tool} of `{}`", self.show(&path));
        self.read_path(&path, &what);
        if let Some(opened) = self.kernel_tool_path(raw, &path, tool) {
            let what = format!("{tool} of `{}`", self.show(&opened));
            self.read_path(&opened, &what);
        }
        if tool == "Grep" {
            self.grep_tool_folder(&path, glob);
        }
        if let Some(glob) = glob {
            let what = format!("{tool} of `{glob}` in `{}`", self.show(&path));
            let pctx = self.path_ctx();
            let hits: Vec<Hit> = self
                .budget
                .layers
                .iter()
                .filter_map(|l| l.read.decide_glob(&path, glob, &pctx))
                .collect();
            self.push_path_hits(hits, &what);
        }
    }

    fn push_path_hits(&mut self, hits: Vec<Hit>, what: &str) {
        for hit in hits {
            let code = if hit.verdict == Verdict::Allow {
                Code::Allowed
            } else {
                path_code(hit.verdict)
            };
            self.push(hit, code, what.to_owned());
        }
    }

    pub(super) fn read_path(&mut self, path: &Path, what: &str) {
        let pctx = self.path_ctx();
        let hits: Vec<Hit> = self
            .budget
            .layers
            .iter()
            .filter_map(|l| l.read.decide(path, &pctx))
            .collect();
        self.push_path_hits(hits, what);
    }

    fn edit_tool(&mut self, tool: &str, path: Option<&str>) {
        let Some(path) = path else {
            // An edit tool without a path cannot be checked: refuse like an unparsed command.
            self.unparsed(&format!("{tool} call without a file path"), "");
            return;
        };
        let raw = path;
        let path = self.tool_path(raw);
        let what = format!("{tool} of `{}`", self.show(&path));
        self.edit_path(&path, &what, false);
        if let Some(opened) = self.kernel_tool_path(raw, &path, tool) {
            let what = format!("{tool} of `{}`", self.show(&opened));
            self.edit_path(&opened, &what, false);
        }
        self.edit_retries(tool, &path, &what);
    }

    /// The file the kernel opens for a tool's path when it differs from the lexical one
    /// (`src/config/../.env` with `src/config` a symlink): both are decided, the strictest
    /// wins, whichever of the two the tool hands the kernel. A path through another
    /// process's `/proc` view cannot be decided: refused like an unparsed command.
    fn kernel_tool_path(&mut self, raw: &str, path: &Path, tool: &str) -> Option<PathBuf> {
        let raw = self.home_expanded(raw);
        match crate::paths::resolve_kernel(&raw, &self.ctx.cwd, self.ctx.fs) {
            crate::paths::Kernel::Path(opened) if crate::paths::is_per_process(&opened) => {
                // Claude Code's own `/proc/self/environ` holds the same secrets.
                self.unparsed(
                    &format!("{tool} of `{}`, a process's own view", opened.display()),
                    "",
                );
                None
            }
            crate::paths::Kernel::Path(opened) => (opened != path).then_some(opened),
            crate::paths::Kernel::ProcessRelative(why) => {
                self.unparsed(&format!("{tool} of a path where {why}"), "");
                None
            }
        }
    }

    /// The rollback note's text, or "" when it is missing or resolves outside the project
    /// (a note that is a symlink elsewhere says nothing about this project's change).
    pub(super) fn rollback_note_text(&self, note: &Path) -> String {
        let inside = self
            .ctx
            .fs
            .canonicalize(note)
            .zip(self.ctx.fs.canonicalize(&self.budget.project_root))
            .is_some_and(|(n, root)| n.starts_with(root));
        inside
            .then(|| self.ctx.fs.read_small(note, 1 << 20))
            .flatten()
            .unwrap_or_default()
    }

    /// A tool's path made absolute; `~` and `~/x` are the home folder, as Claude Code's
    /// file tools expand them (a Write of `~/.bashrc` is the start-up file, not `./~`).
    fn tool_path(&self, path: &str) -> PathBuf {
        normalise(&self.home_expanded(path), &self.ctx.cwd)
    }

    fn home_expanded(&self, path: &str) -> PathBuf {
        let home_relative = match (path, self.ctx.home.as_deref()) {
            ("~", Some(home)) => Some(home.to_path_buf()),
            (p, Some(home)) => p.strip_prefix("~/").map(|rest| home.join(rest)),
            _ => None,
        };
        home_relative.unwrap_or_else(|| PathBuf::from(path))
    }

    /// Everything an edit of `path` must pass: self-protection, stop rules, the rollback
    /// note, edit counts, and `[edit]`. `tree`: a recursive delete or move of a folder, an
    /// edit of everything under it too (SPEC §4.8).
    pub(super) fn edit_path(&mut self, path: &Path, what: &str, tree: bool) {
        self.edit_path_reaching(path, what, tree, protect::Reach::Path);
    }

    /// [`Self::edit_path`] for a shell effect; `reach` says how far below `path` it goes,
    /// for self-protection (a delete, a folder write).
    /// Self-protection for an edit reaching from `path`: pushes the denial and returns true
    /// when it touches what enforces the budget.
    pub(super) fn self_protected(
        &mut self,
        path: &Path,
        what: &str,
        reach: protect::Reach<'_>,
    ) -> bool {
        let budget = self.budget;
        if let Some(p) = protect::protection(
            path,
            reach,
            budget,
            self.ctx.home.as_deref(),
            &self.ctx.protected_dirs,
            self.ctx.fs,
        ) {
            let detail = p
                .reaches
                .as_deref()
                .map(|inner| format!("it holds `{}`", self.show(inner)));
            self.findings.push(Finding {
                hit: Hit {
                    verdict: Verdict::Deny,
                    origin: Origin::builtin(format!("self-protection/{}", p.id)),
                    section: "self-protection".into(),
                    rule: p.what.into(),
                },
                code: Code::SelfProtection,
                what: what.to_owned(),
                stop_reason: None,
                detail,
            });
            return true;
        }
        false
    }

    pub(super) fn edit_path_reaching(
        &mut self,
        path: &Path,
        what: &str,
        tree: bool,
        reach: protect::Reach<'_>,
    ) {
        let budget = self.budget;
        if self.self_protected(path, what, reach) {
            return;
        }
        let pctx = self.path_ctx();
        for layer in &budget.layers {
            for stop in &layer.stops {
                if stop.matches_edit(path, &pctx) {
                    self.findings.push(Finding {
                        hit: Hit {
                            verdict: Verdict::Deny,
                            origin: stop.origin.clone(),
                            section: "stop".into(),
                            rule: "edit".into(),
                        },
                        code: Code::StopRule,
                        what: what.to_owned(),
                        stop_reason: Some(stop.reason.clone()),
                        detail: stop.cache_note(),
                    });
                }
            }
        }
        // The rollback note of a layer that has high-risk paths: that layer lets it be
        // written (SPEC §6.5). Another layer naming the same file as *its* note loosens
        // nothing here: each layer decides the path by its own rules.
        let note_of = |layer: &Layer| {
            layer.evidence.has_high_risk()
                && normalise(
                    Path::new(&layer.evidence.rollback_note),
                    &budget.project_root,
                ) == path
        };
        for layer in &budget.layers {
            let note = normalise(
                Path::new(&layer.evidence.rollback_note),
                &budget.project_root,
            );
            if note == path {
                continue;
            }
            if let Some((pattern, origin)) = layer.evidence.high_risk(path, &pctx) {
                let text = self.rollback_note_text(&note);
                let missing = rollback::missing_fields(&text, &layer.evidence.rollback_fields);
                if !missing.is_empty() {
                    let state = if text.is_empty() {
                        "does not exist"
                    } else {
                        "is incomplete"
                    };
                    self.findings.push(Finding {
                        hit: Hit {
                            verdict: Verdict::Deny,
                            origin,
                            section: "evidence".into(),
                            rule: format!("high_risk: {pattern}"),
                        },
                        code: Code::RollbackNoteMissing,
                        what: what.to_owned(),
                        stop_reason: None,
                        detail: Some(format!(
                            "The rollback note `{}` {state}; missing: {}. Template:\n{}",
                            self.show(&note),
                            missing.join(", "),
                            rollback::template(&layer.evidence.rollback_fields)
                        )),
                    });
                }
            }
            if let Some(limit) = layer.retry.same_file_edits {
                let done = self
                    .facts
                    .edits
                    .get(&self.edit_key(path))
                    .map_or(0, |e| e.count);
                if done >= limit {
                    let detail = format!(
                        "`{}` was edited {done} times; [retry] same_file_edits = {limit}.",
                        self.show(path)
                    );
                    self.findings.push(Finding::retry_limit(
                        layer,
                        "same_file_edits",
                        what.to_owned(),
                        detail,
                    ));
                }
            }
        }
        for layer in &budget.layers {
            if note_of(layer) {
                // Writing the rollback note is allowed unless a deny rule names it (SPEC §6.5).
                if layer.edit.denies_explicitly(path, &pctx)
                    && let Some(hit) = layer.edit.decide(path, &pctx)
                {
                    self.push(hit, Code::PathDenied, what.to_owned());
                } else {
                    self.push(
                        Hit {
                            verdict: Verdict::Allow,
                            origin: Origin::builtin("rollback-note"),
                            section: "evidence".into(),
                            rule: "rollback_note".into(),
                        },
                        Code::Allowed,
                        what.to_owned(),
                    );
                }
                continue;
            }
            let decided = if tree {
                layer.edit.decide_tree(path, &pctx)
            } else {
                layer.edit.decide(path, &pctx)
            };
            if let Some(hit) = decided {
                let (code, detail) = if hit.verdict == Verdict::Allow {
                    (Code::Allowed, None)
                } else {
                    let editable = layer.edit.allow_patterns();
                    (
                        path_code(hit.verdict),
                        messages::editable_instead(&editable),
                    )
                };
                self.findings.push(Finding {
                    hit,
                    code,
                    what: what.to_owned(),
                    stop_reason: None,
                    detail,
                });
            }
        }
    }

    pub(super) fn unparsed(&mut self, what: &str, text: &str) {
        let shown = if text.is_empty() {
            what.to_owned()
        } else {
            format!("{what} `{}`", clip(text))
        };
        let hits: Vec<Hit> = self
            .budget
            .layers
            .iter()
            .map(|l| l.run.unparsed())
            .collect();
        for hit in hits {
            self.push(hit, Code::UnparsedCommand, shown.clone());
        }
    }

    fn web_fetch(&mut self, url: &str) {
        match url::host_of(url) {
            Some(host) => self.per_layer(
                |l| l.web.decide_host(&host),
                Code::WebDenied,
                &format!("fetching `{url}` (host `{host}`)"),
            ),
            None => self.unparsed("a WebFetch of an unparseable URL", url),
        }
    }

    fn mcp(&mut self, server: &str, tool: &str) {
        let what = format!("the MCP tool `{tool}` of server `{server}`");
        let layers = &self.budget.layers;
        for layer in layers {
            let Some(hit) = layer.mcp.decide(server, tool) else {
                continue;
            };
            let code = match hit.verdict {
                Verdict::Allow => Code::Allowed,
                Verdict::Ask => Code::McpAsk,
                Verdict::Deny => Code::McpDenied,
            };
            let detail = (hit.rule == "enabled = false").then(|| {
                let owner = layer.mcp.server(server).and_then(|s| s.owner);
                format!(
                    "The server `{server}` is switched off (kill switch){}.",
                    owner
                        .map(|o| format!("; its owner is {o}"))
                        .unwrap_or_default()
                )
            });
            self.findings.push(Finding {
                hit,
                code,
                what: what.clone(),
                stop_reason: None,
                detail,
            });
        }
    }
}

/// A command or text as a message quotes it: on one line, at most 200 bytes.
pub(super) fn clip(text: &str) -> String {
    const MAX: usize = 200;
    // Only a bounded prefix is looked at: clipped once per effect, a 60 KB command with
    // thousands of effects must not cost a pass over the whole text each time (seconds).
    let prefix = crate::text::shorten(text, MAX * 8);
    crate::text::shorten(&crate::text::one_line(&prefix), MAX)
}
