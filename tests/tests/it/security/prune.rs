//! Retention: `claude-budget prune` and the SessionEnd pass delete only sessions past
//! `[record] retain_days`, and never the running session.

use budget_policy::store;
use budget_tests::TempProject;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const DAY: u64 = 86_400;

fn runs(p: &TempProject) -> PathBuf {
    store::RunsLayout::under(&p.data)
        .project_dir(&p.root, None)
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A recorded session last active `days_ago`; `ended` writes a SessionEnd mark in its state.
fn session(p: &TempProject, id: &str, days_ago: u64, ended: bool) -> PathBuf {
    let dir = runs(p).join(id);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let state = if ended {
        json!({"seq": 3, "ended": {"reason": "exit", "at_ms": 1}})
    } else {
        json!({"seq": 3})
    };
    std::fs::write(dir.join("state.json"), state.to_string()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("events.jsonl"),
        "{\"ts\":\"x\",\"event\":\"Stop\"}\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let when = SystemTime::now() - Duration::from_secs(days_ago * DAY);
    for file in ["state.json", "events.jsonl"] {
        std::fs::File::options()
            .write(true)
            .open(dir.join(file))
            .and_then(|f| f.set_modified(when))
            .unwrap_or_else(|e| panic!("age {file}: {e}"));
    }
    dir
}

fn prune(p: &TempProject, args: &[&str]) -> String {
    let out = p
        .command("claude-budget")
        .arg("prune")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("prune: {e}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn exists(dir: &Path) -> bool {
    dir.is_dir()
}

#[test]
fn prune_removes_only_sessions_past_the_default_90_days() {
    let p = TempProject::new().budget("");
    let old = session(&p, "old", 120, true);
    let edge = session(&p, "edge", 89, true);
    let new = session(&p, "new", 1, true);
    let out = prune(&p, &[]);
    assert!(!exists(&old), "{out}");
    assert!(exists(&edge) && exists(&new), "{out}");
    assert!(out.contains("removed 1 session(s)"), "{out}");
    assert!(out.contains("kept 2 session(s)"), "{out}");
}

#[test]
fn a_dry_run_lists_what_would_go_and_deletes_nothing() {
    let p = TempProject::new().budget("");
    let old = session(&p, "old", 120, true);
    let out = prune(&p, &["--dry-run"]);
    assert!(exists(&old));
    assert!(out.contains("would remove") && out.contains("old"), "{out}");
}

#[test]
fn older_than_overrides_and_the_managed_retention_wins_over_the_repo() {
    let p = TempProject::new().budget("[record]\nretain_days = 365\n");
    std::fs::write(
        p.managed.join("budget.toml"),
        "[record]\nretain_days = 30\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let forty = session(&p, "forty", 40, true);
    let ten = session(&p, "ten", 10, true);
    prune(&p, &[]);
    assert!(
        !exists(&forty),
        "the managed 30 days apply, not the repo's 365"
    );
    assert!(exists(&ten));
    prune(&p, &["--older-than", "5"]);
    assert!(!exists(&ten));
}

#[test]
fn prune_everything_still_keeps_a_session_that_may_be_running() {
    let p = TempProject::new().budget("");
    let live = session(&p, "live", 0, false);
    let done = session(&p, "done", 0, true);
    std::thread::sleep(Duration::from_millis(20));
    let out = prune(&p, &["--older-than", "0"]);
    assert!(exists(&live), "{out}");
    assert!(out.contains("may be running"), "{out}");
    assert!(!exists(&done), "{out}");
}

#[test]
fn session_end_prunes_old_runs_once_a_day_and_never_its_own_session() {
    let p = TempProject::new().budget("[record]\nretain_days = 7\n");
    let old = session(&p, "old", 30, true);
    let recent = session(&p, "recent", 2, true);
    // The running session's own directory looks old (a resumed week-old session).
    let running = session(&p, "running", 30, false);
    let end = json!({
        "session_id": "running", "cwd": p.root, "hook_event_name": "SessionEnd",
        "reason": "exit", "transcript_path": p.root.join("none.jsonl"),
    });
    let out = p.run_hook("claude-budget-session", &end);
    assert_eq!(out.status.code(), Some(0));
    assert!(!exists(&old), "past retention: pruned at SessionEnd");
    assert!(exists(&recent) && exists(&running));
    // Within a day the pass does not run again.
    let again = session(&p, "again", 30, true);
    p.run_hook("claude-budget-session", &end);
    assert!(exists(&again), "one pass per day per project");
}

#[test]
fn status_shows_how_much_is_kept_and_since_when() {
    let p = TempProject::new().budget("");
    session(&p, "a", 12, true);
    session(&p, "b", 3, true);
    let out = p
        .command("claude-budget")
        .args(["status", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(v["retention"]["sessions"], 2, "{v}");
    assert_eq!(v["retention"]["retain_days"], 90);
    let oldest = v["retention"]["oldest"].as_str().unwrap_or_default();
    let twelve_days_ago = store::record::rfc3339(SystemTime::now() - Duration::from_secs(12 * DAY));
    assert_eq!(oldest.get(..10), twelve_days_ago.get(..10), "{v}");
    let text = p
        .command("claude-budget")
        .arg("status")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("records: 2 session(s)") && text.contains("kept 90 days"),
        "{text}"
    );
}
