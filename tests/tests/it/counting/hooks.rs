//! The counting hooks as Claude Code runs them: real processes, a temp project, the state
//! read back from the data dir. Each test skips with a printed reason while the budget
//! loader is not built yet (the hooks then cannot know a budget is in force).

use budget_policy::session::SessionState;
use budget_policy::store::{self, Session};
use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const POST: &str = "claude-budget-post-tool-use";
const STOP: &str = "claude-budget-stop";
const SESSION: &str = "claude-budget-session";

const BUDGET: &str = r#"
version = 1
[run]
allow = ["cargo test", "cargo build", "ls"]
tests = ["cargo test"]
[edit]
allow = ["src/**"]
[spend]
max_usd = 10.0
max_tool_calls = 600
[retry]
same_command_failures = 3
stop_blocks = 2
[evidence]
tests_after_edit = true
"#;

/// The hooks' own deadline in the parallel tests (see `spawn`).
const PARALLEL_DEADLINE_MS: &str = "10000";

fn project() -> TempProject {
    TempProject::new().budget(BUDGET)
}

fn state(project: &TempProject, session: &str) -> SessionState {
    let dir = project.session_dir(session);
    Session::open(dir).and_then(|s| s.read()).unwrap()
}

fn post(project: &TempProject, event: &str, id: &str, tool: &str, input: Value) -> Value {
    json!({
        "session_id": "s1", "cwd": project.root, "hook_event_name": event, "permission_mode": "default",
        "tool_name": tool, "tool_input": input, "tool_use_id": id,
        "error": if event == "PostToolUseFailure" { json!("Exit code 101\nerror: could not compile `x`") } else { Value::Null },
        // What a passing `cargo test` prints (other commands' output is not read).
        "tool_response": if event == "PostToolUse" { json!({"stdout": "test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s", "stderr": "", "interrupted": false}) } else { Value::Null },
        "transcript_path": project.root.join("none.jsonl"),
    })
}

fn stop(project: &TempProject, active: bool) -> Option<Value> {
    let input = json!({"session_id": "s1", "cwd": project.root, "hook_event_name": "Stop", "stop_hook_active": active});
    let out = project.run_hook(STOP, &input);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout_json(&out)
}

fn spawn(project: &TempProject, name: &str, input: &Value) -> Child {
    let mut child = project
        .command(name)
        // What is tested is that no update is lost, not the machine's speed: the tests run
        // debug builds (~10x slower in the locked section than release) and 200 processes
        // on as few as 2 cores, where the default 2 s deadline is reached by queueing alone.
        .env("CLAUDE_BUDGET_DEADLINE_MS", PARALLEL_DEADLINE_MS)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        let _ = stdin.write_all(input.to_string().as_bytes());
    }
    child
}

#[test]
fn two_hundred_parallel_failures_of_one_command_are_counted_exactly() {
    let project = project();
    let children: Vec<Child> = (0..200)
        .map(|i| {
            spawn(
                &project,
                POST,
                &post(
                    &project,
                    "PostToolUseFailure",
                    &format!("toolu_{i}"),
                    "Bash",
                    json!({"command": "cargo build"}),
                ),
            )
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let s = state(&project, "s1");
    assert_eq!(s.total_failures, 200);
    assert_eq!(s.failures.get("cargo build").map(|f| f.count), Some(200));
    assert!(
        s.failures
            .get("cargo build")
            .is_some_and(|f| f.last_error_line.contains("could not compile"))
    );
}

#[test]
fn a_post_hook_killed_at_random_moments_leaves_readable_growing_counts() {
    let project = project();
    let mut seed = store::now_ms() | 1;
    let mut last = 0;
    let started = Instant::now();
    let mut rounds = 0;
    while rounds < 150 && started.elapsed() < Duration::from_secs(12) {
        let input = post(
            &project,
            "PostToolUseFailure",
            &format!("toolu_{rounds}"),
            "Bash",
            json!({"command": "cargo build"}),
        );
        let mut child = spawn(&project, POST, &input);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(seed % 6000));
        let _ = child.kill();
        let _ = child.wait();
        let s = state(&project, "s1");
        assert!(
            s.total_failures >= last,
            "count went back from {last} to {}",
            s.total_failures
        );
        last = s.total_failures;
        rounds += 1;
    }
    eprintln!("{rounds} rounds, {last} post hooks finished before their kill");
}

#[test]
fn the_stop_gate_blocks_until_tests_pass_and_gives_up_after_stop_blocks() {
    let project = project();
    let src = project.root.join("src/lib.rs");
    project.write("src/lib.rs", "fn main() {}\n");
    project.run_hook(
        POST,
        &post(
            &project,
            "PostToolUse",
            "e1",
            "Edit",
            json!({"file_path": src, "old_string": "a", "new_string": "b"}),
        ),
    );
    let first = stop(&project, false);
    let reason = first
        .as_ref()
        .and_then(|r| r["reason"].as_str())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        first.as_ref().map(|r| r["decision"].clone()),
        Some(json!("block")),
        "{first:?}"
    );
    assert!(reason.contains("src/lib.rs"), "{reason}");
    assert!(
        stop(&project, true).is_some(),
        "second block (stop_blocks = 2)"
    );
    assert_eq!(
        stop(&project, true),
        None,
        "past stop_blocks the agent may stop"
    );
    assert!(
        !state(&project, "s1").missing_evidence.is_empty(),
        "the gap is recorded"
    );
    // A failing test run is not evidence; a passing one is.
    project.run_hook(
        POST,
        &post(
            &project,
            "PostToolUseFailure",
            "t1",
            "Bash",
            json!({"command": "cargo test"}),
        ),
    );
    assert!(stop(&project, false).is_some());
    project.run_hook(
        POST,
        &post(
            &project,
            "PostToolUse",
            "t2",
            "Bash",
            json!({"command": "cargo  test -p x"}),
        ),
    );
    assert_eq!(stop(&project, true), None);
    let s = state(&project, "s1");
    assert_eq!((s.tests.runs, s.tests.passed), (2, 1));
    assert!(s.missing_evidence.is_empty());
}

#[test]
fn session_start_tells_the_agent_its_box_and_the_first_prompt_is_kept() {
    let project = project();
    let base = json!({"session_id": "s2", "cwd": project.root});
    let with = |event: &str, extra: Value| {
        let mut input = base.clone();
        input["hook_event_name"] = json!(event);
        if let (Some(obj), Value::Object(more)) = (input.as_object_mut(), extra) {
            obj.extend(more);
        }
        input
    };
    let out = project.run_hook(
        SESSION,
        &with(
            "SessionStart",
            json!({"source": "startup", "model": "claude-opus-5-5"}),
        ),
    );
    let reply = stdout_json(&out)
        .unwrap_or_else(|| panic!("no reply: {}", String::from_utf8_lossy(&out.stderr)));
    let context = reply["hookSpecificOutput"]["additionalContext"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(reply["hookSpecificOutput"]["hookEventName"], "SessionStart");
    for needle in [
        "budget.toml",
        "$10.00",
        "600 tool calls",
        "3 times",
        "tests",
    ] {
        assert!(
            context.contains(needle),
            "`{needle}` missing from: {context}"
        );
    }
    project.run_hook(
        SESSION,
        &with("UserPromptSubmit", json!({"prompt": "fix the export"})),
    );
    project.run_hook(
        SESSION,
        &with("UserPromptSubmit", json!({"prompt": "and the docs"})),
    );
    let started = Instant::now();
    let out = project.run_hook(SESSION, &with("SessionEnd", json!({"reason": "other"})));
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        took < Duration::from_millis(1500),
        "SessionEnd took {took:?}"
    );
    let s = state(&project, "s2");
    assert_eq!(s.task_request.as_deref(), Some("fix the export"));
    assert_eq!(s.model.as_deref(), Some("claude-opus-5-5"));
    assert!(s.ended.is_some());
}

#[test]
fn status_reports_the_latest_sessions_counters_and_spend_as_json() {
    let project = project();
    let transcript = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/transcripts/batch_two_tool_uses_v2.1.329.jsonl");
    let mut input = post(
        &project,
        "PostToolUseFailure",
        "f1",
        "Bash",
        json!({"command": "cargo build"}),
    );
    input["transcript_path"] = json!(transcript);
    project.run_hook(POST, &input);
    let out = project
        .command("claude-budget")
        .args(["status", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    // No hooks are installed in this throw-away project: the gate is off, so status exits 1
    // — and still reports the session.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["gate_on"], false);
    assert_eq!(report["failures"], 1);
    assert_eq!(report["tool_calls"], 1);
    assert_eq!(report["edits"], 0);
    assert_eq!(report["spend"]["input_tokens"], 5271);
    assert_eq!(report["spend"]["output_tokens"], 14);
    assert_eq!(report["spend"]["cache_creation_input_tokens"], 0);
    assert_eq!(report["spend"]["cache_read_input_tokens"], 0);
    assert!(
        report["spend"]["usd"]
            .as_f64()
            .is_some_and(|usd| (usd - 0.021364).abs() < 1e-6)
    );
    assert_eq!(report["stopped"], Value::Null);
}
