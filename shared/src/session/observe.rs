//! [`observe`]: the ONE way a finished tool call is turned into what the session counts
//! (SPEC §6.1, §6.3) — its retry key, its failure, the files it edited (a shell write such
//! as `sed -i` included), whether it ran the tests and how that went, and which edits were
//! high-risk. The post-tool-use hook and `replay` both call it, so a limit reached in a live
//! run is reached at the same call in its replay.
//!
//! Pure: the shell analysis of a Bash call and the file-system view for `high_risk` globs are
//! passed in (built by `events::context`).

use super::facts::fingerprint;
use super::state::{PostEvent, last_error_line};
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
            event.fingerprint = fingerprint(command);
            if let Some(analysis) = analysis {
                shell_effects(&mut event, analysis, on.budget);
            }
        }
        ToolCall::Edit { path, .. } => {
            let path = path
                .as_deref()
                .map(|p| normalise(Path::new(p), on.cwd).display().to_string());
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
        ToolCall::Mcp { .. } | ToolCall::Other { .. } => event.fingerprint = tool_name.to_owned(),
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
    event.error_line = event.error_line.as_deref().map(redact);
    event.test_command = event.test_command.as_deref().map(redact);
    event.fingerprint = redact(&event.fingerprint);
    event
}

/// A shell command's edits and test runs. A failing command may still have written before
/// it failed: its shell edits count.
fn shell_effects(event: &mut PostEvent, analysis: &Analysis, budget: &Budget) {
    event.edited = analysis
        .effects
        .iter()
        .filter(|e| e.kind.is_edit())
        .map(|e| e.path.display().to_string())
        .collect();
    event.edited.sort();
    event.edited.dedup();
    let test_runs: Vec<bool> = analysis
        .commands
        .iter()
        .filter(|c| budget.layers.iter().any(|l| l.run.is_test(&c.argv)))
        .map(|c| c.status_decides)
        .collect();
    if !test_runs.is_empty() {
        event.test_command = Some(event.fingerprint.clone());
        // `cargo test || true`, `cargo test | tail`, `cargo test; echo done`: the call's
        // exit status is not the tests', so it proves neither a pass nor a failure. One
        // deciding run is enough: a status of 0 proves it passed.
        event.test_undecided = !test_runs.iter().any(|decides| *decides);
    }
}
