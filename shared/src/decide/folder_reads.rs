//! Deciding a whole-folder read (SPEC §4.2 "Folder reads"): every file the program would
//! visit is checked against `[read]` (and the secrets pack's read rules); the first one
//! denied (or asked) refuses the call, naming the file and the option that would leave it
//! out. A walk past its bound is an unanalysable part, never an allow.

use super::calls::{Decider, clip};
use super::{Code, Finding};
use crate::shell::programs::folders::{self, FolderRead, Visit, WalkBound, WalkEnd};
use crate::shell::programs::interpreters::InlineCode;
use crate::shell::programs::unmodelled::NamedPath;
use crate::verdict::{Hit, Verdict};
use std::path::{Path, PathBuf};

impl Decider<'_> {
    /// Decides each folder read of a shell analysis or a Grep call.
    pub(super) fn folder_reads(&mut self, reads: &[FolderRead]) {
        for read in reads {
            self.folder_read(read);
        }
    }

    fn folder_read(&mut self, read: &FolderRead) {
        let pctx = self.path_ctx();
        let budget = self.budget;
        let mut found: Option<(PathBuf, Hit)> = None;
        let end = folders::visit_files(read, self.ctx.fs, WalkBound::default(), |file| {
            let worst = budget
                .layers
                .iter()
                .filter_map(|l| l.read.decide(file, &pctx))
                .filter(|h| h.verdict != Verdict::Allow)
                .max_by_key(|h| h.verdict == Verdict::Deny);
            match worst {
                Some(hit) => {
                    let deny = hit.verdict == Verdict::Deny;
                    if found
                        .as_ref()
                        .is_none_or(|(_, h)| h.verdict != Verdict::Deny)
                    {
                        found = Some((file.to_path_buf(), hit));
                    }
                    deny
                }
                None => false,
            }
        });
        if let Some((file, hit)) = found {
            let code = if hit.verdict == Verdict::Deny {
                Code::PathDenied
            } else {
                Code::PathAsk
            };
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let what = format!(
                "reading `{}`, which `{}` visits inside `{}` (by `{}`)",
                self.show(&file),
                read.program,
                self.show(&read.path),
                clip(&read.command)
            );
            let detail = Some(format!(
                "To leave it out: {}.",
                read.visit.leave_out.replace("{}", &name)
            ));
            self.findings.push(Finding {
                hit,
                code,
                what,
                stop_reason: None,
                detail,
            });
        }
        if end == WalkEnd::OverBound {
            self.unparsed(
                &format!(
                    "a folder read with more files than the analyser checks (`{}` of `{}`)",
                    read.program,
                    self.show(&read.path)
                ),
                &read.command,
            );
        }
    }

    /// Inline interpreter code: unanalysable unless, in every layer, an allow rule naming
    /// the interpreter with its code flag (`python3 -c`) matches.
    pub(super) fn inline_code(&mut self, parts: &[InlineCode]) {
        for part in parts {
            let argv = vec![part.program.clone(), part.flag.clone()];
            let allowed = self.budget.layers.iter().all(|l| {
                l.run.decide(&argv).is_some_and(|hit| {
                    hit.verdict == Verdict::Allow
                        && hit.rule.split_whitespace().any(|w| w == part.flag)
                })
            });
            if !allowed {
                let how = if part.flag == "-" {
                    "a script on its standard input".to_owned()
                } else {
                    format!("code given with `{}`", part.flag)
                };
                self.unparsed(
                    &format!(
                        "{how} to `{}`, which the analyser does not read (a [run] allow rule `{} {}` allows it)",
                        part.program, part.program, part.flag
                    ),
                    &part.command,
                );
            }
        }
    }

    /// Words of programs the analyser does not model (SPEC §5.1): a self-protected path is
    /// refused; a path an `[edit]` deny rule (or `outside_project`) names makes the part
    /// unanalysable (the program may write it). `[edit] default` alone does not: with the
    /// starter's `default = "deny"` every operand (`go test ./...`, `ruff check .`) would
    /// otherwise need approval, and a guard that refuses ordinary work gets switched off.
    pub(super) fn named_paths(&mut self, named: &[NamedPath]) {
        for word in named {
            let what = format!(
                "`{}` (not modelled) given `{}`, which it may write (by `{}`)",
                word.program,
                self.show(&word.path),
                clip(&word.command)
            );
            if self.self_protected(&word.path, &what, super::protect::Reach::Path) {
                continue;
            }
            let pctx = self.path_ctx();
            let denied = self.budget.layers.iter().any(|l| {
                l.edit
                    .decide(&word.path, &pctx)
                    .is_some_and(|h| h.verdict == Verdict::Deny && h.rule != "default")
            });
            if denied {
                self.unparsed(
                    &format!(
                        "`{}` is not modelled and is given `{}`, which the budget does not let the agent edit",
                        word.program,
                        self.show(&word.path)
                    ),
                    &word.command,
                );
            }
        }
    }

    /// The Grep tool on a folder: ripgrep with `--hidden`, the ignore files respected,
    /// version-control folders skipped, and the call's `glob` as an override (what Claude
    /// Code 2.1 runs).
    pub(super) fn grep_tool_folder(&mut self, path: &Path, glob: Option<&str>) {
        if !self.ctx.fs.is_dir(path) {
            return;
        }
        let read = FolderRead {
            path: path.to_path_buf(),
            program: "Grep".into(),
            visit: Visit {
                hidden: true,
                ignore_files: true,
                skip_git_dir: true,
                overrides: glob.map(|g| vec![g.to_owned()]).unwrap_or_default(),
                leave_out: "narrow `path` or `glob` so it does not include `{}`".into(),
                ..Visit::default()
            },
            command: format!("Grep in {}", self.show(path)),
        };
        self.folder_read(&read);
    }
}
