//! Where the packet could mislead a reviewer by what it leaves out: a command the analyser
//! could not model is not "ok" (what it touched is unknown), and a folder searched is not a
//! file inspected.

use super::CommandRun;
use super::event::Event;
use crate::fsview::FsView;
use serde_json::Value;
use std::path::Path;

/// A command that ran although the analyser could not model it (decided by `[run]
/// unparsed`, e.g. approved after an `unparsed-command` ask) shows as `unanalysed`, not `ok`: what it read is unknown; one whose
/// output carried a denied file's secret shows as `secret-exposed`.
pub(super) fn mark_unmodelled(
    list: &mut [CommandRun],
    command: &str,
    event: &Event,
    unanalysed: bool,
) {
    let Some(run) = list.iter_mut().find(|c| c.command == command) else {
        return;
    };
    if event.code.as_deref() == Some("secret-exposed") {
        run.last_outcome = "secret-exposed".into();
    } else if unanalysed && run.last_outcome == "ok" {
        run.last_outcome = UNANALYSED.into();
    }
}

/// `last_outcome` of a command that ran unanalysed.
pub(crate) const UNANALYSED: &str = "unanalysed";

/// Files and folders apart: a path that is a folder on disk now (or was searched as one)
/// is not a file the agent inspected.
pub(super) fn split_folders(
    paths: Vec<String>,
    root: &Path,
    fs: &dyn FsView,
) -> (Vec<String>, Vec<String>) {
    paths.into_iter().partition(|path| {
        let absolute = if path.starts_with('/') {
            std::path::PathBuf::from(path)
        } else if path.starts_with('~') {
            return true;
        } else {
            root.join(path)
        };
        !fs.is_dir(&absolute)
    })
}

/// The models the transcript names (the state's spend), joined; `None` when it names none.
pub(super) fn transcript_models(state: &Value) -> Option<String> {
    let models: Vec<&str> = state
        .pointer("/spend/models")
        .and_then(Value::as_array)
        .map(|m| m.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    (!models.is_empty()).then(|| models.join(", "))
}
