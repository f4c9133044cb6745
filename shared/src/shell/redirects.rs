//! Redirections of one command (SPEC §5): `<`/`>`/`>>`/`<>`/`&>` targets as file effects,
//! process substitutions walked, here-documents and here-strings as what feeds standard
//! input. Split from [`super::walk`].

use crate::shell::adapter::{RedirKind, Redirect, Word};
use crate::shell::limits;
use crate::shell::walk::{Scope, Walker};
use crate::shell::words;
use crate::shell::{EffectKind, ValueCopy};
use std::path::PathBuf;

impl Walker<'_, '_> {
    /// Records the file effects of redirections; returns what feeds standard input when a
    /// here-document or here-string does.
    pub(super) fn apply_redirects(
        &mut self,
        redirects: &[Redirect],
        scope: &Scope,
        text: &str,
    ) -> Option<(String, Option<String>)> {
        let mut stdin = None;
        for redirect in redirects {
            // One command may carry thousands of redirections: the deadline is checked
            // between them too, and the effects found so far are kept.
            if self.limits.expired() {
                self.limit = Some(limits::TIME_REASON.into());
                return None;
            }
            match redirect {
                Redirect::File { fd, kind, target } => {
                    let effect = match kind {
                        RedirKind::Read => Some(EffectKind::Read),
                        RedirKind::Write | RedirKind::Append | RedirKind::ReadWrite => {
                            Some(EffectKind::Write)
                        }
                        RedirKind::Dup => {
                            let t = target.0.trim_start_matches('&');
                            if t.chars().all(|c| c.is_ascii_digit() || c == '-') {
                                None
                            } else {
                                Some(EffectKind::Write)
                            }
                        }
                    };
                    if *kind == RedirKind::ReadWrite {
                        // `<>` opens the file for reading as well: `cat <> .env` prints it.
                        self.redirect_target(target, EffectKind::Read, scope, text);
                    }
                    if let Some(kind) = effect {
                        self.redirect_target(target, kind, scope, text);
                        if kind == EffectKind::Read && fd.is_none_or(|f| f == 0) {
                            stdin = Some(("file".into(), None));
                        }
                    }
                }
                Redirect::OutputAndError { target } => {
                    self.redirect_target(target, EffectKind::Write, scope, text)
                }
                Redirect::ProcessSub(script) => {
                    let mut inner = Scope {
                        cwd: scope.cwd.clone(),
                        depth: scope.depth + 1,
                        stdin: None,
                    };
                    if inner.depth > limits::MAX_NESTED_PARSES {
                        self.limit = Some(format!(
                            "it nests more than {} parses deep",
                            limits::MAX_NESTED_PARSES
                        ));
                        return None;
                    }
                    self.walk_script(script, &mut inner);
                }
                Redirect::HereDoc { fd, body, expands } => {
                    // An unquoted body is expanded: its variables print like a
                    // here-string's (`cat <<EOF` / `$GITHUB_TOKEN` / `EOF`). A quoted body
                    // is data.
                    if *expands && let Some(word) = words::heredoc_variables(body) {
                        self.out.copies.push(ValueCopy {
                            variable: None,
                            word,
                            command: text.to_owned(),
                        });
                    }
                    if !*expands && crate::shell::later_eval::holds_code(body) {
                        // `read x <<'EOF'` / `a[$(…)]` / `EOF`: data that is code if evaluated.
                        self.literal_code.push(body.clone());
                    }
                    if *expands {
                        match words::heredoc_substitutions(body) {
                            Ok(scripts) => {
                                for script in scripts {
                                    self.parse_and_walk(
                                        &script,
                                        scope,
                                        "a command substitution in a here-document",
                                    );
                                }
                            }
                            Err(failure) => self.unanalysable(failure.0, text),
                        }
                    }
                    if fd.is_none_or(|f| f == 0) {
                        let literal = !*expands || !body.contains(['$', '`']);
                        stdin = Some(("here-document".into(), literal.then(|| body.clone())));
                    }
                }
                Redirect::HereString { fd, word } => {
                    self.out.copies.push(ValueCopy {
                        variable: None,
                        word: word.0.clone(),
                        command: text.to_owned(),
                    });
                    let value = self
                        .expand_for_substitutions(word, scope)
                        .and_then(|e| e.value);
                    if fd.is_none_or(|f| f == 0) {
                        stdin = Some(("here-string".into(), value.map(|v| v + "\n")));
                    }
                }
            }
        }
        stdin
    }

    fn redirect_target(&mut self, target: &Word, kind: EffectKind, scope: &Scope, text: &str) {
        let Some(expanded) = self.expand_for_substitutions(target, scope) else {
            return;
        };
        let Some(value) = expanded.value.clone() else {
            let why = expanded.why_dynamic.unwrap_or_default();
            self.unanalysable(
                format!(
                    "the redirection target `{}` is not a literal ({why})",
                    target.0
                ),
                text,
            );
            return;
        };
        if let Some(host) = crate::shell::network::dev_tcp_host(&value) {
            // `cat < /dev/tcp/host/80`: bash opens a connection, not a file.
            self.out.network.push(crate::shell::NetEffect {
                host,
                url: value.clone(),
                command: text.to_owned(),
            });
            return;
        }
        if let Some(why) = expanded
            .glob
            .as_deref()
            .and_then(|p| self.glob_options.refuses(p))
        {
            self.unanalysable(why, text);
            return;
        }
        let paths = match &expanded.glob {
            Some(pattern) => match scope.cwd.as_deref() {
                Some(base) => {
                    words::expand_glob_with(pattern, base, self.ctx.fs, self.glob_options)
                        .unwrap_or_default()
                }
                None => vec![PathBuf::from(&value)],
            },
            None => vec![PathBuf::from(&value)],
        };
        for path in paths {
            self.file_effect(&path, kind, scope.cwd.as_deref(), text);
        }
    }
}
