//! The Bash part of deciding: the shell analysis's simple commands, file effects, network
//! hosts and unanalysable parts each become findings, plus retries and the packs' semantic
//! checks. Split from `calls` so each file keeps one job.

use super::calls::{Decider, clip};
use super::{Code, Finding, merge, messages, protect};
use crate::shell::{self, Analysis, EffectKind, ShellContext};
use crate::verdict::{Hit, Origin, Verdict};
use std::path::Path;

impl Decider<'_> {
    pub(super) fn bash(&mut self, command: &str) {
        let sctx = ShellContext {
            cwd: self.ctx.cwd.clone(),
            home: self.ctx.home.clone(),
            project_dir: self.budget.project_root.clone(),
            fs: self.ctx.fs,
        };
        let analysis = shell::analyse(command, &sctx);
        self.retries(
            command,
            &crate::session::command_fingerprint(&analysis, command),
        );
        self.analysis(&analysis, &sctx);
    }

    /// `[retry] same_command_failures` for this command's fingerprint.
    fn retries(&mut self, command: &str, key: &str) {
        let what = format!("running `{}` again", clip(command));
        self.failure_limit(key, what, |count, limit, last| {
            format!("It already failed {count} times (limit {limit}); last error: {last}")
        });
    }

    /// Decides every part of a shell analysis.
    pub(super) fn analysis(&mut self, analysis: &Analysis, sctx: &ShellContext<'_>) {
        let budget = self.budget;
        for cmd in &analysis.commands {
            let what = format!("running `{}`", clip(&cmd.text));
            if let Some(found) = super::own_tools::finding(&cmd.argv, &what) {
                self.findings.push(found);
            }
            self.rewriter_note(cmd, &what);
            for layer in &budget.layers {
                // A wrapper or builtin is decided only by a rule naming it, never by `default`.
                let hit = if cmd.transparent {
                    layer.run.decide_named(&cmd.argv)
                } else {
                    layer.run.decide(&cmd.argv)
                };
                if let Some(hit) = hit {
                    let code = match hit.verdict {
                        Verdict::Allow => Code::Allowed,
                        Verdict::Ask => Code::CommandAsk,
                        Verdict::Deny => Code::CommandDenied,
                    };
                    let detail = (hit.verdict != Verdict::Allow)
                        .then(|| {
                            let mut known = layer.run.allow_commands();
                            known.extend(layer.run.test_commands());
                            messages::command_instead(cmd.argv.first()?, &known)
                        })
                        .flatten();
                    self.findings.push(Finding {
                        hit,
                        code,
                        what: what.clone(),
                        stop_reason: None,
                        detail,
                    });
                }
                for stop in &layer.stops {
                    if stop.matches_command(&cmd.argv) {
                        self.findings.push(Finding {
                            hit: Hit {
                                verdict: Verdict::Deny,
                                origin: stop.origin.clone(),
                                section: "stop".into(),
                                rule: "run".into(),
                            },
                            code: Code::StopRule,
                            what: what.clone(),
                            stop_reason: Some(stop.reason.clone()),
                            detail: stop.cache_note(),
                        });
                    }
                }
                for found in merge::check_in(
                    &cmd.argv,
                    &layer.merge,
                    cmd.git_branch.as_ref(),
                    self.ctx.current_branch.as_deref(),
                ) {
                    let code = if found.hit.verdict == Verdict::Allow {
                        Code::Allowed
                    } else {
                        Code::MergeDenied
                    };
                    let what = if found.what == cmd.argv.join(" ") {
                        what.clone()
                    } else {
                        found.what
                    };
                    self.push(found.hit, code, what);
                }
            }
        }
        // How far a write of a folder reaches (self-protection): everything under it when
        // a command of the line copies, syncs or extracts whole folders; else the entries
        // the words name.
        let whole_folder = analysis
            .commands
            .iter()
            .any(|c| protect::writes_whole_folders(&c.argv));
        let names: Vec<String> = analysis
            .commands
            .iter()
            .flat_map(|c| c.argv.iter().skip(1))
            .filter_map(|w| Path::new(w).file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        for effect in &analysis.effects {
            let shown = self.show(&effect.path);
            match effect.kind {
                EffectKind::Read => self.read_path(
                    &effect.path,
                    &format!("reading `{shown}` (by `{}`)", clip(&effect.command)),
                ),
                EffectKind::Write => self.edit_path_reaching(
                    &effect.path,
                    &format!("writing `{shown}` (by `{}`)", clip(&effect.command)),
                    false,
                    protect::Reach::Into {
                        whole_folder,
                        names: &names,
                    },
                ),
                EffectKind::Delete { recursive } => {
                    let what = format!("deleting `{shown}` (by `{}`)", clip(&effect.command));
                    self.delete(&effect.path, &effect.name_filter, recursive, &what);
                }
            }
        }
        self.folder_reads(&analysis.folder_reads);
        self.inline_code(&analysis.inline_code);
        self.named_paths(&analysis.named_paths);
        for net in &analysis.network {
            let what = format!("fetching from `{}` (by `{}`)", net.host, clip(&net.command));
            self.per_layer(|l| l.web.decide_host(&net.host), Code::WebDenied, &what);
        }
        for part in &analysis.unanalysable {
            self.unparsed(
                &format!("a command it cannot analyse ({})", part.reason),
                &part.text,
            );
        }
        self.packs(analysis, sctx);
    }

    /// The semantic checks of the built-in packs each layer extends.
    fn packs(&mut self, analysis: &Analysis, sctx: &ShellContext<'_>) {
        for layer in &self.budget.layers {
            for pack in &layer.packs {
                for hit in crate::packs::pack_hits(pack, analysis, sctx) {
                    let code = match hit.verdict {
                        Verdict::Deny => Code::CommandDenied,
                        _ => Code::CommandAsk,
                    };
                    self.findings.push(Finding {
                        hit: Hit {
                            verdict: hit.verdict,
                            origin: Origin::pack(pack.clone(), hit.id.clone()),
                            section: "run".into(),
                            rule: hit.id,
                        },
                        code,
                        what: hit.what,
                        stop_reason: None,
                        detail: Some(format!("Instead: {}.", hit.instead)),
                    });
                }
            }
        }
    }

    /// A shell delete. Narrowed by `find -name` patterns, it removes only the matching
    /// entries that exist (a bounded listing): self-protection judges the narrowed delete as
    /// a whole, the path rules each entry it removes — so `find . -name '*.pyc' -delete` is not
    /// refused for a deny rule on `.github/workflows/**` unless a `.pyc` sits there. Past the
    /// listing bound, or unnarrowed, the whole folder is decided.
    fn delete(&mut self, path: &Path, name_filter: &[String], recursive: bool, what: &str) {
        const MAX_LISTED: usize = 5_000;
        let entries = if name_filter.is_empty() {
            None
        } else {
            protect::matching_entries(path, name_filter, self.ctx.fs, MAX_LISTED)
        };
        let Some(entries) = entries else {
            self.edit_path_reaching(
                path,
                what,
                recursive,
                protect::Reach::of_delete(name_filter),
            );
            return;
        };
        if self.self_protected(path, what, protect::Reach::of_delete(name_filter)) {
            return;
        }
        for entry in entries {
            let what = format!("deleting `{}` ({what})", self.show(&entry));
            self.edit_path_reaching(&entry, &what, true, protect::Reach::Tree);
        }
    }
}
