//! [`observe`]: the ONE way a finished tool call is turned into what the session counts
//! (SPEC §6.1, §6.3) — its retry key, its failure, the files it edited (a shell write such
//! as `sed -i` included), whether it ran the tests and how that went, and which edits were
//! high-risk. The post-tool-use hook and `replay` both call it, so a limit reached in a live
//! run is reached at the same call in its replay.
//!
//! Pure: the shell analysis of a Bash call and the file-system view for `high_risk` globs are
//! passed in (built by `events::context`).

use super::evidence::{self, Evidence, RunOutput};
use super::facts::fingerprint;
use super::state::{PostEvent, TestOutcome, last_error_line};
use crate::budget::{Budget, PathContext};
use crate::paths::normalise;
use crate::protocol::ToolCall;
use crate::redact::Redactor;
use crate::shell::Analysis;
use std::path::Path;

/// A finished call as the post hook (or a record line) saw it.
#[derive(Clone, Copy, Debug)]
pub struct Finished<'a> {
    pub tool_use_id: Option<&'a str>,
    pub tool_name: &'a str,
    pub call: &'a ToolCall,
    /// PostToolUseFailure.
    pub failed: bool,
    /// The error text Claude Code sent (its last non-empty line is kept).
    pub error: Option<&'a str>,
    /// How the call ran as Claude Code reported it (output, interrupted, backgrounded):
    /// test evidence is judged on it. `None` where it is not known (a replayed record): the
    /// test run is then judged on its exit status alone.
    pub run: Option<RunOutput<'a>>,
    /// The raw `tool_response` (a background task's completion is read from it).
    pub response: Option<&'a serde_json::Value>,
}

/// What the session model needs besides the call.
pub struct Observer<'a> {
    pub budget: &'a Budget,
    /// The call's working directory (relative edit paths are made absolute against it).
    pub cwd: &'a Path,
    /// For the `[evidence] high_risk` globs.
    pub paths: &'a PathContext<'a>,
    /// Applied to everything kept in the state (retry keys, commands, error lines).
    pub redactor: &'a Redactor,
}

/// What the finished call did, in the budget's terms. `analysis` is the shell analysis of a
/// Bash call (`None` for other tools; a Bash call without one counts no shell effects).
pub fn observe(call: &Finished<'_>, analysis: Option<&Analysis>, on: &Observer<'_>) -> PostEvent {
    let tool_name = call.tool_name;
    let failed = call.failed;
    let mut event = PostEvent {
        tool_use_id: call.tool_use_id.map(str::to_owned),
        tool_name: tool_name.to_owned(),
        failed,
        error_line: call.error.and_then(last_error_line),
        ..PostEvent::default()
    };
    match call.call {
        ToolCall::Bash { command } => {
            event.fingerprint = analysis.map_or_else(
                || fingerprint(command),
                |a| super::retry_key::command_fingerprint(a, command),
            );
            if let Some(analysis) = analysis {
                shell_effects(&mut event, analysis, on, call);
            }
        }
        ToolCall::Edit { path, .. } => {
            // The resolved file: a symlink alias or `./x` is the same file (same_file_edits).
            let path = path
                .as_deref()
                .map(|p| resolved(&normalise(Path::new(p), on.cwd), on));
            event.fingerprint = format!("{tool_name} {}", path.as_deref().unwrap_or(""));
            if let (Some(path), false) = (path, failed) {
                event.edited.push(path);
            }
        }
        ToolCall::Read { path, .. } => {
            event.fingerprint = format!("{tool_name} {}", path.as_deref().unwrap_or("."));
        }
        ToolCall::WebFetch { url } => event.fingerprint = format!("WebFetch {url}"),
        ToolCall::WebSearch { query } => event.fingerprint = format!("WebSearch {query}"),
        ToolCall::Unanalysable { tool, text } => {
            event.fingerprint = format!("{tool} {}", fingerprint(text));
        }
        ToolCall::Mcp { .. } | ToolCall::Other { .. } => {
            event.fingerprint = tool_name.to_owned();
            event.completed_task = super::tasks::completed(tool_name, call.response);
        }
    }
    event.high_risk = event
        .edited
        .iter()
        .filter(|p| {
            on.budget.layers.iter().any(|l| {
                l.evidence
                    .high_risk(Path::new(p.as_str()), on.paths)
                    .is_some()
            })
        })
        .cloned()
        .collect();
    // The state keeps commands (retry keys, the last test run) and error lines: no secret
    // may reach the disk through them either.
    let redact = |text: &str| on.redactor.text(text).into_owned();
    // Edited paths key the state's edit counts and can hold a token (`/tmp/ghp_…/x`).
    event.edited = event.edited.iter().map(|p| redact(p)).collect();
    event.high_risk = event.high_risk.iter().map(|p| redact(p)).collect();
    event.error_line = event.error_line.as_deref().map(redact);
    event.test_command = event.test_command.as_deref().map(redact);
    event.fingerprint = redact(&event.fingerprint);
    event
}

/// A shell command's edits and test runs. A failing command may still have written before
/// it failed: its shell edits count.
fn shell_effects(
    event: &mut PostEvent,
    analysis: &Analysis,
    on: &Observer<'_>,
    call: &Finished<'_>,
) {
    event.edited = analysis
        .effects
        .iter()
        .filter(|e| e.kind.is_edit())
        .map(|e| resolved(&e.path, on))
        .collect();
    // A formatter or fixer rewrites files it does not name (`cargo fmt`): an edit of the
    // directory it runs in, so tests that ran before it are no evidence for the result.
    if analysis
        .commands
        .iter()
        .any(|c| super::rewriters::rewrites_files(&c.argv))
    {
        event.edited.push(resolved(on.cwd, on));
    }
    event.edited.sort();
    event.edited.dedup();
    let tests: Vec<&crate::shell::SimpleCommand> = analysis
        .commands
        .iter()
        .filter(|c| on.budget.layers.iter().any(|l| l.run.is_test(&c.argv)))
        .collect();
    if tests.is_empty() {
        return;
    }
    // `cargo fmt && cargo test`: the formatter's rewrite came before the tests in the same
    // call, so the tests saw it.
    let first_test = analysis
        .commands
        .iter()
        .position(|c| on.budget.layers.iter().any(|l| l.run.is_test(&c.argv)));
    let last_rewrite = analysis
        .commands
        .iter()
        .rposition(|c| super::rewriters::rewrites_files(&c.argv));
    event.edits_before_tests = !event.edited.is_empty()
        && analysis.effects.iter().all(|e| !e.kind.is_edit())
        && matches!((last_rewrite, first_test), (Some(r), Some(t)) if r < t);
    event.test_command = Some(event.fingerprint.clone());
    let Some(run) = &call.run else {
        // A replayed record: only the exit status is known. One deciding run is enough.
        event.test_undecided = !tests.iter().any(|c| c.status_decides);
        return;
    };
    let judged = evidence::judge(
        analysis,
        &tests,
        &on.budget.project_root,
        on.cwd,
        call.failed,
        run,
    );
    if let Evidence::Pending { task, known_runner } = judged {
        event.background_test = Some((task, known_runner));
        return;
    }
    let (outcome, note) = outcome_of(&judged);
    event.test_undecided = outcome == TestOutcome::Undecided;
    event.test_failed = outcome == TestOutcome::Failed;
    event.test_note = note;
}

/// The key an edit tool's `path` is counted under (resolved, redacted): the same at
/// PreToolUse (an allowed edit counts before its PostToolUse arrives) and here.
pub fn tool_edit_key(
    path: &str,
    cwd: &Path,
    fs: &dyn crate::fsview::FsView,
    redactor: &Redactor,
) -> String {
    let absolute = normalise(Path::new(path), cwd);
    let resolved = crate::paths::resolve_target(&absolute, fs)
        .unwrap_or(absolute)
        .display()
        .to_string();
    redactor.text(&resolved).into_owned()
}

/// The file `path` names, with symlinks resolved (as far as it exists), as the key of edit
/// counts: `sed -i` on a symlink alias edits the link's target.
pub fn resolved(path: &Path, on: &Observer<'_>) -> String {
    crate::paths::resolve_target(path, on.paths.fs)
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// The counted outcome of a judged run, and the note that says why it is not evidence (or
/// that only its exit status was judged).
pub fn outcome_of(judged: &Evidence) -> (TestOutcome, Option<String>) {
    match judged {
        Evidence::Passed { .. } => (TestOutcome::Passed, None),
        Evidence::PassedByStatus => (
            TestOutcome::Passed,
            Some("an unknown test runner: counted on its exit status alone".into()),
        ),
        Evidence::Failed => (TestOutcome::Failed, None),
        Evidence::StatusHidden => (TestOutcome::Undecided, None),
        Evidence::NotEvidence(why) => (TestOutcome::Undecided, Some(why.clone())),
        Evidence::Pending { .. } => (
            TestOutcome::Undecided,
            Some("it was started in the background and its completion was not seen".into()),
        ),
    }
}
