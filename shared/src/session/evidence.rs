//! Is a finished test run evidence? (SPEC §6.6). A run of a `[run] tests` command proves the
//! tests pass only when all of these hold, each checked here on the call's shell analysis and
//! the output Claude Code reported:
//!
//! * it ran **in the project**: the call's directory and every `cd` in it stay inside the
//!   project root, and no word of the test command names a path outside it
//!   (`--manifest-path /tmp/other/Cargo.toml`, `env -C /tmp`, `pytest /tmp/x`);
//! * a known runner is found by name, not a path (`./cargo`), nor is it a shell function
//!   the same call defines (`cargo() { :; }; cargo test`);
//! * it **ran tests** (`--no-run`, `--help`, `--list`, `--collect-only` do not);
//! * it **finished** — not interrupted, not started in the background (that run counts when
//!   its completion is seen, [`Evidence::Pending`]);
//! * its **exit status decides** (`status_decides`: not `|| true`, a pipe, `; echo`);
//! * nothing else in the call can print to the same output (`echo 'test result: ok…'`,
//!   `trap`, `sed` over the output): companions are limited to builtins, `tail`/`head`/`tee`
//!   and cargo's own build steps;
//! * its **output shows tests passed**: a known runner's summary (see [`super::summary`])
//!   with more than 0 passed and 0 failed. When no known summary appears and the runner is
//!   not a known one, the exit status alone counts ([`Evidence::PassedByStatus`]) and the
//!   packet says so.

use super::summary;
use crate::paths::normalise;
use crate::shell::{Analysis, SimpleCommand};
use std::path::Path;

/// What Claude Code reported about how the call ran.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOutput<'a> {
    /// `tool_response.stdout` of a PostToolUse, or the `error` text of a PostToolUseFailure
    /// (`Exit code N` and the merged output). `None`: nothing was reported.
    pub text: Option<&'a str>,
    /// `tool_response.interrupted`.
    pub interrupted: bool,
    /// `tool_response.backgroundTaskId` (or `run_in_background` in the input): the call only
    /// started the command.
    pub background_task: Option<&'a str>,
}

/// The verdict on one test run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// A known runner's summary: `tests` passed, none failed.
    Passed {
        tests: u64,
    },
    /// No known runner and no known summary: the exit status alone says it passed.
    PassedByStatus,
    Failed,
    /// Its exit status is not the call's (`|| true`, a pipe, `; echo`): not evidence.
    StatusHidden,
    /// Not evidence either way; the text says why (shown to the agent and the reviewer).
    NotEvidence(String),
    /// Started in the background (task id): counts when its completion is seen.
    Pending {
        task: String,
        known_runner: bool,
    },
}

/// Programs whose test summaries [`summary::parse`] knows: a run of these with no summary
/// in its output ran no test.
const KNOWN_RUNNERS: &[&str] = &[
    "cargo", "pytest", "py.test", "go", "jest", "vitest", "mocha", "nextest",
];

/// Arguments with which a runner lists, builds or explains instead of running tests.
const NOT_RUNNING: &[&str] = &[
    "--no-run",
    "--help",
    "-h",
    "help",
    "--list",
    "-list",
    "--collect-only",
    "--co",
    "--listTests",
    "--list-tests",
    "--version",
    "-V",
    "--showConfig",
];

/// Programs that may share the call with a test run without being able to fake its summary.
const HARMLESS_COMPANIONS: &[&str] = &["tail", "head", "tee"];

/// Options whose value is an output location, not the project under test.
const OUTPUT_OPTIONS: &[&str] = &[
    "--target-dir",
    "--basetemp",
    "--junitxml",
    "--junit-xml",
    "--outputFile",
];

/// Judges the test run(s) `tests` of one finished Bash call (`failed`: PostToolUseFailure).
pub fn judge(
    analysis: &Analysis,
    tests: &[&SimpleCommand],
    project_root: &Path,
    cwd: &Path,
    failed: bool,
    output: &RunOutput<'_>,
) -> Evidence {
    if output.interrupted {
        return not("it was interrupted before it finished");
    }
    if let Some(why) = outside_project(analysis, tests, project_root, cwd) {
        return Evidence::NotEvidence(why);
    }
    if let Some(why) = not_the_runner(analysis, tests) {
        return Evidence::NotEvidence(why);
    }
    if let Some(flag) = tests
        .iter()
        .flat_map(|c| c.argv.iter().skip(1))
        .find(|w| NOT_RUNNING.contains(&w.as_str()) || w.as_str() == "list")
    {
        return not(&format!(
            "`{flag}` lists, builds or explains the tests without running them"
        ));
    }
    if let Some(other) = forging_companion(analysis, tests) {
        return not(&format!(
            "`{other}` runs in the same call and prints to the same output, so the summary may not be the tests' own"
        ));
    }
    if !tests.iter().any(|c| c.status_decides) {
        return Evidence::StatusHidden;
    }
    let known = tests.iter().any(|c| KNOWN_RUNNERS.contains(&program(c)));
    if let Some(task) = output.background_task {
        return Evidence::Pending {
            task: task.to_owned(),
            known_runner: known,
        };
    }
    judge_output(failed, output.text, known)
}

/// Judges a finished run on its outcome and output alone: the call's own checks passed (at
/// its start, for a background run completed later). `known_runner`: a runner whose summary
/// [`summary::parse`] knows, so no summary means no test ran.
pub fn judge_output(failed: bool, text: Option<&str>, known_runner: bool) -> Evidence {
    if failed {
        return Evidence::Failed;
    }
    match summary::parse(text.unwrap_or("")) {
        summary::Summary { failed: 1.., .. } => Evidence::Failed,
        summary::Summary {
            found: true,
            passed: 0,
            ..
        } => not("its summary shows 0 tests ran (a filter that matches nothing?)"),
        summary::Summary {
            found: true,
            passed,
            ..
        } => Evidence::Passed { tests: passed },
        summary::Summary { found: false, .. } if known_runner => not(
            "its output shows no test summary, so no test ran (`--no-run`, `--list`, a build step?)",
        ),
        summary::Summary { found: false, .. } => Evidence::PassedByStatus,
    }
}

/// The program's basename (`argv[0]`), empty for an empty argv.
fn program(command: &SimpleCommand) -> &str {
    command.argv.first().map_or("", String::as_str)
}

fn not(why: &str) -> Evidence {
    Evidence::NotEvidence(why.to_owned())
}

/// Why the run was not the project's own: a directory outside the project, a `cd` away, or
/// a path outside it named on the test command.
fn outside_project(
    analysis: &Analysis,
    tests: &[&SimpleCommand],
    root: &Path,
    cwd: &Path,
) -> Option<String> {
    let root = normalise(root, Path::new("/"));
    if !normalise(cwd, Path::new("/")).starts_with(&root) {
        return Some(format!(
            "it ran in `{}`, outside the project",
            cwd.display()
        ));
    }
    let mut here = cwd.to_path_buf();
    for command in &analysis.commands {
        if !matches!(program(command), "cd" | "pushd" | "popd") {
            continue;
        }
        let target = match command.argv.get(1..) {
            Some([target]) if !target.starts_with(['-', '$', '~']) => target,
            _ => {
                return Some(format!(
                    "`{}` changes to a directory that is not named inside the project",
                    command.text
                ));
            }
        };
        here = normalise(Path::new(target), &here);
        if !here.starts_with(&root) {
            return Some(format!(
                "`{}` leaves the project before the tests run",
                command.text
            ));
        }
    }
    for command in tests {
        let words = shlex::split(&command.text).unwrap_or_default();
        let mut after_output_option = false;
        for word in &words {
            let (option, value) = match word.split_once('=') {
                Some((o, v)) if o.starts_with('-') => (o, v),
                _ => ("", word.as_str()),
            };
            let skip = after_output_option || OUTPUT_OPTIONS.contains(&option);
            after_output_option = OUTPUT_OPTIONS.contains(&word.as_str());
            if skip || !looks_like_path(value) {
                continue;
            }
            let value = value.strip_suffix("/...").unwrap_or(value);
            if value.starts_with('~') || !normalise(Path::new(value), &here).starts_with(&root) {
                return Some(format!(
                    "`{}` names `{value}`, outside the project",
                    command.text
                ));
            }
        }
    }
    None
}

fn looks_like_path(word: &str) -> bool {
    word.starts_with(['/', '~']) || word == ".." || word.starts_with("../") || word.contains("/..")
}

/// Why the program that ran may not be the runner: given by a path, or shadowed by a
/// function the call defines.
fn not_the_runner(analysis: &Analysis, tests: &[&SimpleCommand]) -> Option<String> {
    if analysis.defines_function {
        return Some(
            "the same call defines a shell function, which may stand in for the test runner".into(),
        );
    }
    if !analysis.unanalysable.is_empty() {
        return Some("part of the call could not be analysed".into());
    }
    for command in tests {
        let words = shlex::split(&command.text).unwrap_or_default();
        let name = program(command);
        // A project's own test script (`./scripts/test.sh`) is run by path on purpose; a
        // path to something named like a known runner (`./cargo`) may be a fake.
        if !KNOWN_RUNNERS.contains(&name) {
            continue;
        }
        if let Some(word) = words
            .iter()
            .find(|w| w.contains('/') && w.rsplit('/').next() == Some(name))
        {
            return Some(format!(
                "it runs `{word}` by path, not the test runner found by name"
            ));
        }
    }
    None
}

/// A command of the same call, other than the test runs, that could print a summary.
fn forging_companion<'a>(analysis: &'a Analysis, tests: &[&SimpleCommand]) -> Option<&'a str> {
    analysis
        .commands
        .iter()
        .filter(|c| {
            !tests
                .iter()
                .any(|t| std::ptr::eq(*t, *c) || t.argv == c.argv)
        })
        .find(|c| {
            let name = program(c);
            let cargo_step = name == "cargo"
                && c.argv
                    .get(1)
                    .is_some_and(|s| matches!(s.as_str(), "build" | "check" | "fmt" | "clippy"));
            !(c.transparent && name != "exec" || HARMLESS_COMPANIONS.contains(&name) || cargo_step)
        })
        .map(|c| c.text.as_str())
}

#[cfg(test)]
#[path = "evidence_tests.rs"]
mod tests;
