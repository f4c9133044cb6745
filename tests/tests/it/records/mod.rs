//! Integration tests: run record, redaction, review packet, replay / capture / test, demo,
//! touchmap (SPEC §7–8).

mod bench;
mod cli;
mod codes;
mod command_secrets;
mod hook_events;
mod hook_explain_replay_agree;
mod packet;
mod record;
mod record_dir;
mod redaction;
mod status_hooks;
mod stop_deadline;

use budget_policy::redact::Regex;
use std::path::Path;

/// The shared redaction table for snapshots: temp paths and wall-clock times vary per run.
pub(crate) fn stable(text: &str, root: &Path) -> String {
    let mut out = text.replace(&root.to_string_lossy().into_owned(), "[ROOT]");
    if let Some(base) = root.parent() {
        out = out.replace(&base.to_string_lossy().into_owned(), "[TMP]");
    }
    let table = [
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", "[TIME]"),
        (r"/tmp/claude-budget-demo-[A-Za-z0-9-]+", "[DEMO]"),
    ];
    for (pattern, replacement) in table {
        let regex = Regex::new(pattern).unwrap();
        out = regex.replace_all(&out, replacement).into_owned();
    }
    out
}

/// A recorded run from `tests/fixtures/runs/<name>/events.jsonl`, with `{ROOT}` replaced by
/// `root`, written into `session_dir`.
pub(crate) fn install_fixture_run(name: &str, root: &Path, session_dir: &Path) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/runs")
        .join(name)
        .join("events.jsonl");
    let text =
        std::fs::read_to_string(&fixture).unwrap_or_else(|e| panic!("{}: {e}", fixture.display()));
    std::fs::create_dir_all(session_dir).unwrap();
    let text = text.replace("{ROOT}", &root.to_string_lossy());
    std::fs::write(session_dir.join("events.jsonl"), text).unwrap();
}
