//! The retention lines of `status` (SPEC §7): how much of this project's run records is kept,
//! since when, and for how long records stay.

use budget_policy::budget::{Budget, DEFAULT_RETAIN_DAYS};
use budget_policy::store::{record::rfc3339, retention};
use serde_json::{Value, json};
use std::path::Path;

/// `{retain_days, sessions, bytes, oldest, newest, runs_dir}`.
pub(crate) fn retention_json(budget: Option<&Budget>, project_runs: &Path) -> Value {
    let kept = retention::kept(project_runs);
    json!({
        "retain_days": budget.map_or(DEFAULT_RETAIN_DAYS, Budget::retain_days),
        "runs_dir": project_runs,
        "sessions": kept.sessions,
        "bytes": kept.bytes,
        "oldest": kept.oldest.map(rfc3339),
        "newest": kept.newest.map(rfc3339),
    })
}

pub(crate) fn with_retention(mut report: Value, retention: Value) -> Value {
    if let Value::Object(map) = &mut report {
        map.insert("retention".into(), retention);
    }
    report
}

pub(crate) fn retention_text(r: &Value) -> String {
    let sessions = r["sessions"].as_u64().unwrap_or(0);
    let since = r["oldest"]
        .as_str()
        .map_or_else(String::new, |t| format!(" since {t}"));
    format!(
        "records: {sessions} session(s), {}{since}; kept {} days (`claude-budget prune`) in {}\n",
        crate::prune::size(r["bytes"].as_u64().unwrap_or(0)),
        r["retain_days"].as_u64().unwrap_or(DEFAULT_RETAIN_DAYS),
        r["runs_dir"].as_str().unwrap_or("?")
    )
}
