//! The session store under real processes: many updaters at once lose nothing, and a
//! process killed with SIGKILL at any moment leaves a readable state whose counts never go
//! backwards.
//!
//! The child processes are this test binary re-run on [`child_updates_the_session`], so the
//! store is exercised even before every hook dependency is built; the hook executables get
//! the same treatment in `counting::hooks`.

use budget_policy::session::PostEvent;
use budget_policy::store::{Session, now_ms};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHILD_DIR: &str = "BUDGET_TEST_CHILD_SESSION_DIR";
const CHILD_MODE: &str = "BUDGET_TEST_CHILD_MODE";

fn failure_event(id: &str) -> PostEvent {
    PostEvent {
        tool_use_id: Some(id.to_owned()),
        tool_name: "Bash".into(),
        failed: true,
        fingerprint: "cargo build".into(),
        error_line: Some("error: could not compile".into()),
        ..PostEvent::default()
    }
}

/// Not a test of its own: the body of the child processes (it returns at once when run
/// without the parent's environment).
#[test]
#[ignore = "child process of the store process tests"]
fn child_updates_the_session() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        eprintln!("skipped: only meaningful as a child of the process tests");
        return;
    };
    let session = Session::open(dir.into()).unwrap();
    let pid = std::process::id();
    let once = std::env::var(CHILD_MODE).is_ok_and(|m| m == "once");
    let mut i = 0u64;
    loop {
        let id = format!("toolu_{pid}_{i}");
        session
            .update(Duration::from_secs(30), |s| {
                s.note_post_tool_use(&failure_event(&id), now_ms())
            })
            .unwrap();
        i += 1;
        if once {
            return;
        }
    }
}

fn spawn_child(dir: &Path, mode: &str) -> Child {
    let exe = std::env::current_exe().unwrap();
    Command::new(exe)
        .args([
            "--exact",
            "counting::processes::child_updates_the_session",
            "--ignored",
            "--test-threads=1",
            "--quiet",
        ])
        .env(CHILD_DIR, dir)
        .env(CHILD_MODE, mode)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child")
}

#[test]
fn two_hundred_parallel_updaters_lose_no_count() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("session");
    let children: Vec<Child> = (0..200).map(|_| spawn_child(&dir, "once")).collect();
    for mut child in children {
        let status = child.wait().unwrap();
        assert!(status.success(), "a child failed: {status}");
    }
    let state = Session::open(dir).and_then(|s| s.read()).unwrap();
    assert_eq!(state.total_failures, 200);
    assert_eq!(
        state.failures.get("cargo build").map(|f| f.count),
        Some(200)
    );
    assert_eq!(state.tool_calls, 200);
}

/// A pseudo-random sequence without a dependency (xorshift).
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn a_writer_killed_at_random_moments_never_leaves_a_torn_or_older_state() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("session");
    let session = Session::open(dir.clone()).unwrap();
    let mut seed = now_ms() | 1;
    let started = Instant::now();
    let mut last = 0u32;
    let mut rounds = 0;
    while rounds < 300 && started.elapsed() < Duration::from_secs(20) {
        let mut child = spawn_child(&dir, "loop");
        // Between 0 and 30 ms after the spawn: sometimes before the first write, mostly amid them.
        std::thread::sleep(Duration::from_micros(next(&mut seed) % 30_000));
        child.kill().expect("kill"); // SIGKILL on Unix
        let _ = child.wait();
        let state = session
            .read()
            .unwrap_or_else(|e| panic!("round {rounds}: torn state: {e}"));
        assert!(
            state.total_failures >= last,
            "round {rounds}: count went back from {last} to {}",
            state.total_failures
        );
        assert_eq!(
            state.total_failures as u64, state.tool_calls,
            "round {rounds}: counters disagree"
        );
        last = state.total_failures;
        rounds += 1;
    }
    assert!(rounds >= 50, "only {rounds} rounds ran");
    eprintln!("{rounds} kill -9 rounds, {last} updates survived");
}
