//! Pre and post hooks of one session racing each other, as parallel tool calls make them:
//! 200 real processes, a mix of `claude-budget-pre-tool-use` and `claude-budget-post-tool-use`,
//! started together. Every count must be exact, the state must parse, the record must hold
//! exactly one whole line per process, and no pre-tool-use call may be refused because the
//! lock was busy (that would be a deny the user sees for nothing).

use budget_policy::session::SessionState;
use budget_policy::store::{self, Session};
use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

const PRE: &str = "claude-budget-pre-tool-use";
const POST: &str = "claude-budget-post-tool-use";
const PROCESSES: usize = 200;
const SESSION: &str = "mixed";

const BUDGET: &str = r#"
version = 1
[run]
allow = ["cargo test", "cargo build"]
tests = ["cargo test"]
[spend]
max_usd = 100.0
[retry]
same_command_failures = 1000
"#;

/// What process `i` is: half pre-tool-use, a quarter successful post, a quarter failed post.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Pre,
    PostOk,
    PostFailed,
}

impl Role {
    fn of(i: usize) -> Role {
        match i % 4 {
            1 => Role::PostOk,
            3 => Role::PostFailed,
            _ => Role::Pre,
        }
    }
    fn event(self) -> &'static str {
        match self {
            Role::Pre => "PreToolUse",
            Role::PostOk => "PostToolUse",
            Role::PostFailed => "PostToolUseFailure",
        }
    }
}

/// The hooks' own deadline in the parallel tests (see `spawn`).
const PARALLEL_DEADLINE_MS: &str = "10000";

fn transcript() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/transcripts/batch_two_tool_uses_v2.1.329.jsonl")
}

fn input(project: &TempProject, i: usize) -> Value {
    let role = Role::of(i);
    let command = if role == Role::Pre {
        "cargo test"
    } else {
        "cargo build"
    };
    let mut input = json!({
        "session_id": SESSION,
        "transcript_path": transcript(),
        "cwd": project.root,
        "permission_mode": "default",
        "hook_event_name": role.event(),
        "tool_name": "Bash",
        "tool_input": {"command": command},
        "tool_use_id": format!("toolu_mixed_{i:03}"),
    });
    if role == Role::PostFailed {
        input["error"] = json!("Exit code 101\nerror: could not compile `demo`");
    }
    input
}

fn spawn(project: &TempProject, i: usize) -> Child {
    let name = if Role::of(i) == Role::Pre { PRE } else { POST };
    let mut child = project
        .command(name)
        // What is tested is that no update is lost, not the machine's speed: the tests run
        // debug builds (~10x slower in the locked section than release) and 200 processes
        // on as few as 2 cores, where the default 2 s deadline is reached by queueing alone.
        .env("CLAUDE_BUDGET_DEADLINE_MS", PARALLEL_DEADLINE_MS)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        let _ = stdin.write_all(input(project, i).to_string().as_bytes());
    }
    child
}

/// Waits for every child, noting each one's wall time (polled, so a slow early child does
/// not hide the finish times of the others).
fn wait_all(mut running: Vec<(usize, Instant, Child)>) -> Vec<(usize, Duration, Output)> {
    let mut done = Vec::new();
    while !running.is_empty() {
        let mut still = Vec::new();
        for (i, started, mut child) in running {
            match child.try_wait() {
                Ok(Some(_)) => {
                    let took = started.elapsed();
                    let out = child
                        .wait_with_output()
                        .unwrap_or_else(|e| panic!("#{i}: {e}"));
                    done.push((i, took, out));
                }
                Ok(None) => still.push((i, started, child)),
                Err(e) => panic!("#{i}: {e}"),
            }
        }
        running = still;
        std::thread::sleep(Duration::from_millis(1));
    }
    done
}

fn session_dir(project: &TempProject) -> PathBuf {
    project.session_dir(SESSION)
}

#[test]
fn two_hundred_parallel_pre_and_post_hooks_of_one_session_lose_nothing() {
    let project = TempProject::new().budget(BUDGET);
    // Start all of them before waiting for any, so they really overlap.
    let children: Vec<(usize, Instant, Child)> = (0..PROCESSES)
        .map(|i| (i, Instant::now(), spawn(&project, i)))
        .collect();
    let finished = wait_all(children);
    let mut lock_denies = Vec::new();
    let mut pre_times = Vec::new();
    for (i, took, out) in &finished {
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if Role::of(*i) == Role::Pre {
            pre_times.push(*took);
            let reply = stdout_json(out).unwrap_or_else(|| panic!("#{i}: no reply; {stderr}"));
            let decision = reply["hookSpecificOutput"]["permissionDecision"].clone();
            if decision != "allow" {
                lock_denies.push(format!(
                    "#{i} after {took:?}, exit {:?}: {stderr}",
                    out.status.code()
                ));
            }
        } else {
            assert_eq!(out.status.code(), Some(0), "#{i}: {stderr}");
            assert!(
                stderr.trim().is_empty(),
                "#{i} reported a problem: {stderr}"
            );
        }
    }
    pre_times.sort();
    eprintln!(
        "pre-tool-use wall time under {PROCESSES}-way contention: median {:?}, max {:?}",
        pre_times
            .get(pre_times.len() / 2)
            .copied()
            .unwrap_or_default(),
        pre_times.last().copied().unwrap_or_default()
    );
    assert!(
        lock_denies.is_empty(),
        "{} of {} pre-tool-use calls were refused under contention:\n{}",
        lock_denies.len(),
        PROCESSES / 2,
        lock_denies.join("\n")
    );

    let dir = session_dir(&project);
    let state: SessionState = Session::open(dir.clone())
        .and_then(|s| s.read())
        .expect("the state does not parse");
    let expect = |role: Role| (0..PROCESSES).filter(|i| Role::of(*i) == role).count();
    assert_eq!(
        state.tool_calls, PROCESSES as u64,
        "every call counted once"
    );
    assert_eq!(state.denied_calls, 0);
    assert_eq!(state.seq, PROCESSES as u64, "one state change per process");
    assert_eq!(state.total_failures as usize, expect(Role::PostFailed));
    assert_eq!(
        state.failures.get("cargo build").map(|f| f.count as usize),
        Some(expect(Role::PostFailed))
    );
    // Every process read the same transcript; its usage is counted once, not per process.
    assert_eq!(state.spend.tokens.input_tokens, 5271);
    assert_eq!(state.spend.tokens.output_tokens, 14);

    // The record: exactly one whole JSON line per process, each tool_use_id once.
    let text = std::fs::read_to_string(dir.join("events.jsonl")).expect("events.jsonl");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), PROCESSES, "one record line per hook process");
    let mut by_id: BTreeMap<String, String> = BTreeMap::new();
    for (n, line) in lines.iter().enumerate() {
        let event: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line {n} is torn ({e}): {line}"));
        let id = event["tool_use_id"].as_str().unwrap_or_default().to_owned();
        let name = event["event"].as_str().unwrap_or_default().to_owned();
        assert!(
            by_id.insert(id.clone(), name).is_none(),
            "{id} recorded twice"
        );
    }
    for i in 0..PROCESSES {
        let id = format!("toolu_mixed_{i:03}");
        assert_eq!(
            by_id.get(&id).map(String::as_str),
            Some(Role::of(i).event()),
            "{id}"
        );
    }
}

/// A lock that is never released (a hung hook) is a clear deny naming the lock, within the
/// deadline, whatever the deadline: the lock wait leaves room for the rest of the work.
#[test]
fn a_lock_held_for_good_is_a_deny_that_names_the_lock_not_the_deadline() {
    let project = TempProject::new().budget(BUDGET);
    let session = Session::open(session_dir(&project)).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(session.dir().join(store::LOCK_FILE))
        .unwrap();
    lock.lock().unwrap();
    // (CLAUDE_BUDGET_DEADLINE_MS, or none for the default)
    for deadline in [None, Some("600"), Some("200")] {
        let env: Vec<(&str, &str)> = deadline
            .map(|ms| ("CLAUDE_BUDGET_DEADLINE_MS", ms))
            .into_iter()
            .collect();
        let started = Instant::now();
        let out = project.run_hook_raw(PRE, input(&project, 0).to_string().as_bytes(), &env);
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{deadline:?}: {stderr}");
        let reply = stdout_json(&out).unwrap_or_else(|| panic!("{deadline:?}: no envelope"));
        assert_eq!(reply["hookSpecificOutput"]["permissionDecision"], "deny");
        assert!(
            stderr.contains("locked by another hook") && stderr.contains("delete the lock file"),
            "{deadline:?} after {took:?}: {stderr}"
        );
    }
    drop(lock);
    let out = project.run_hook(PRE, &input(&project, 0));
    assert_eq!(
        stdout_json(&out).map(|r| r["hookSpecificOutput"]["permissionDecision"].clone()),
        Some(json!("allow")),
        "once the lock is free the call is decided"
    );
}
