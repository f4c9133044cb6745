//! Which simple commands' exit status is the exit status of the whole Bash command
//! ([`crate::shell::SimpleCommand::status_decides`]). The post hook counts a test run as
//! passed only when it decides: `cargo test || true`, `cargo test | tail`,
//! `cargo test; echo done`, `! cargo test` and `cargo test &` all exit 0 whatever the tests
//! did.
//!
//! The rule, for a script whose status is the command's: its last and-or list decides
//! (unless it runs in the background), and within it the trailing `&&` chain (in `a || b &&
//! c` only `c`: the whole is 0 only when `c` ran and succeeded); a negated pipeline decides
//! nothing; in a pipeline only the last command decides, or all of them after `set -o
//! pipefail`. After `set -e` an earlier and-or list made of one pipeline decides too (its
//! failure would have ended the script). Subshells and brace groups pass the rule on to their
//! body; loops, conditionals and nested parses (`$( )`, `bash -c`) decide nothing.

use crate::shell::adapter::Pipeline;

/// Shell options that change which statuses decide, as set by top-level `set` commands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub errexit: bool,
    pub pipefail: bool,
}

impl Options {
    /// Applies a `set` command's words (`set -euo pipefail`, `set +e`, `set -o errexit`).
    pub fn apply_set(&mut self, words: &[&str]) {
        let mut i = 1;
        while i < words.len() {
            let word = words[i];
            let on = word.starts_with('-');
            if (on || word.starts_with('+')) && word.len() > 1 && !word.starts_with("--") {
                let cluster = &word[1..];
                if cluster.contains('e') {
                    self.errexit = on;
                }
                if cluster.contains('o') {
                    match words.get(i + 1).copied() {
                        Some("pipefail") => self.pipefail = on,
                        Some("errexit") => self.errexit = on,
                        _ => {}
                    }
                    i += 1;
                }
            }
            i += 1;
        }
    }
}

/// For each pipeline of an and-or list: does its status decide? `last` is `true` for the
/// script's final list; `errexit` says whether `set -e` is in force.
pub fn deciding_pipelines(pipelines: &[Pipeline], last: bool, errexit: bool) -> Vec<bool> {
    let mut out = vec![false; pipelines.len()];
    if last {
        // Walk back along the trailing `&&` chain; a pipeline joined by `||` may not
        // have run, and nothing before it decides either.
        for (index, pipeline) in pipelines.iter().enumerate().rev() {
            if index > 0 && pipeline.1.after_or {
                break;
            }
            out[index] = !pipeline.1.negated;
        }
    } else if errexit && pipelines.len() == 1 {
        out[0] = !pipelines[0].1.negated;
    }
    // A negated pipeline in a `&&` chain decides nothing; the rest of the chain still does
    // (`! a && b`: b ran and succeeded).
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::adapter::{Cmd, Joined};

    fn chain(ops: &str) -> Vec<Pipeline> {
        // `ops` like "&&,||": the first pipeline is implicit.
        let mut out = vec![Pipeline(Vec::<Cmd>::new(), Joined::default())];
        for op in ops.split(',').filter(|o| !o.is_empty()) {
            out.push(Pipeline(
                Vec::new(),
                Joined {
                    after_or: op == "||",
                    negated: false,
                },
            ));
        }
        out
    }

    #[test]
    fn only_the_trailing_and_chain_of_the_last_list_decides() {
        let rows: &[(&str, bool, bool, &[bool])] = &[
            ("", true, false, &[true]),
            ("&&", true, false, &[true, true]),
            ("||", true, false, &[false, false]),
            ("&&,||", true, false, &[false, false, false]),
            ("||,&&", true, false, &[false, false, true]),
            ("&&,&&", true, false, &[true, true, true]),
            ("", false, false, &[false]),
            ("", false, true, &[true]),
            ("&&", false, true, &[false, false]),
        ];
        for (ops, last, errexit, want) in rows {
            assert_eq!(
                deciding_pipelines(&chain(ops), *last, *errexit),
                *want,
                "{ops:?} last={last} errexit={errexit}"
            );
        }
    }

    #[test]
    fn set_commands_turn_errexit_and_pipefail_on_and_off() {
        let rows: &[(&str, Options)] = &[
            (
                "set -e",
                Options {
                    errexit: true,
                    pipefail: false,
                },
            ),
            (
                "set -euo pipefail",
                Options {
                    errexit: true,
                    pipefail: true,
                },
            ),
            (
                "set -o pipefail",
                Options {
                    errexit: false,
                    pipefail: true,
                },
            ),
            (
                "set -o errexit",
                Options {
                    errexit: true,
                    pipefail: false,
                },
            ),
            ("set -x", Options::default()),
        ];
        for (command, want) in rows {
            let words: Vec<&str> = command.split(' ').collect();
            let mut got = Options::default();
            got.apply_set(&words);
            assert_eq!(got, *want, "{command}");
        }
        let mut off = Options {
            errexit: true,
            pipefail: true,
        };
        off.apply_set(&["set", "+e", "+o", "pipefail"]);
        assert_eq!(off, Options::default());
    }
}
