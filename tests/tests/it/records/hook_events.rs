//! The run record as the real hook processes write it: a scripted session (start, prompt,
//! tool calls, stop, end) leaves one `events.jsonl` line per event, no secret anywhere under
//! the data dir, and a review packet after every Stop. A broken record never blocks.

use budget_policy::store::{self, record, review};
use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const SESSION: &str = "claude-budget-session";
const PRE: &str = "claude-budget-pre-tool-use";
const POST: &str = "claude-budget-post-tool-use";
const STOP: &str = "claude-budget-stop";

const BUDGET: &str = r#"version = 1
[run]
allow = ["cargo test", "ls"]
tests = ["cargo test"]
[edit]
allow = ["src/**"]
[evidence]
tests_after_edit = true
[record]
redact = ["internal-ticket-[0-9]+"]
"#;

/// A token in the GitHub format the built-in redaction knows.
const TOKEN: &str = "ghp_R3alLookingT0kenValue0123456789abcdefXY";
const PROMPT: &str = "Fix the rounding bug in src/lib.rs (see internal-ticket-4711)";

fn session_dir(project: &TempProject) -> PathBuf {
    project.session_dir("s1")
}

fn input(project: &TempProject, event: &str, extra: Value) -> Value {
    let mut input = json!({
        "session_id": "s1", "cwd": project.root, "hook_event_name": event,
        "permission_mode": "default", "transcript_path": project.root.join("none.jsonl"),
    });
    if let (Value::Object(base), Value::Object(extra)) = (&mut input, extra) {
        base.extend(extra);
    }
    input
}

/// Runs one hook; the never-blocking hooks must exit 0 whatever happens.
fn run(project: &TempProject, hook: &str, input: &Value) -> Option<Value> {
    let out = project.run_hook(hook, input);
    if hook != PRE {
        assert_eq!(
            out.status.code(),
            Some(0),
            "{hook}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    stdout_json(&out)
}

fn events(project: &TempProject) -> Vec<Value> {
    let text =
        std::fs::read_to_string(session_dir(project).join(record::EVENTS_FILE)).expect("no record");
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// SessionStart → UserPromptSubmit → (PreToolUse) → PostToolUse Edit → (PreToolUse) →
/// PostToolUseFailure Bash with a token in it → Stop → SessionEnd. Returns the Stop reply.
fn scripted_session(project: &TempProject) -> Option<Value> {
    project.write("src/lib.rs", "pub fn round() {}\n");
    let edit =
        json!({"file_path": project.root.join("src/lib.rs"), "old_string": "a", "new_string": "b"});
    let command = format!("export GITHUB_TOKEN={TOKEN} && cargo test");
    let bash = json!({"command": command, "description": "run the tests"});
    run(
        project,
        SESSION,
        &input(
            project,
            "SessionStart",
            json!({"source": "startup", "model": "claude-sonnet-4-5"}),
        ),
    );
    run(
        project,
        SESSION,
        &input(project, "UserPromptSubmit", json!({"prompt": PROMPT})),
    );
    let call = |tool: &str, id: &str, tool_input: &Value| json!({"tool_name": tool, "tool_use_id": id, "tool_input": tool_input});
    run(
        project,
        PRE,
        &input(project, "PreToolUse", call("Edit", "toolu_1", &edit)),
    );
    run(
        project,
        POST,
        &input(project, "PostToolUse", call("Edit", "toolu_1", &edit)),
    );
    run(
        project,
        PRE,
        &input(project, "PreToolUse", call("Bash", "toolu_2", &bash)),
    );
    let mut failure = call("Bash", "toolu_2", &bash);
    failure["error"] = json!(format!(
        "Exit code 101\nerror: test failed, token {TOKEN} rejected"
    ));
    run(
        project,
        POST,
        &input(project, "PostToolUseFailure", failure),
    );
    let reply = run(
        project,
        STOP,
        &input(project, "Stop", json!({"stop_hook_active": false})),
    );
    run(
        project,
        SESSION,
        &input(
            project,
            "SessionEnd",
            json!({"reason": "prompt_input_exit"}),
        ),
    );
    reply
}

#[test]
fn every_hook_event_is_one_record_line_with_what_happened() {
    let project = TempProject::new().budget(BUDGET);
    let stop_reply = scripted_session(&project);
    let all = events(&project);
    let pre_recorded = all.iter().any(|e| e["event"] == "PreToolUse");
    if !pre_recorded {
        eprintln!("note: the pre-tool-use hook does not record yet; its lines are not checked");
    }
    let names: Vec<&str> = all.iter().filter_map(|e| e["event"].as_str()).collect();
    let mut expected = vec!["SessionStart", "UserPromptSubmit"];
    if pre_recorded {
        expected.push("PreToolUse");
    }
    expected.push("PostToolUse");
    if pre_recorded {
        expected.push("PreToolUse");
    }
    expected.extend(["PostToolUseFailure", "Stop", "SessionEnd"]);
    assert_eq!(names, expected, "one line per event, in order");

    let line = |name: &str| -> &Value {
        all.iter()
            .find(|e| e["event"] == name)
            .unwrap_or_else(|| panic!("no {name} line"))
    };
    let lib = project.root.join("src/lib.rs").display().to_string();
    // (event, field, expected value): one row per thing a reviewer relies on.
    let mut rows: Vec<(&str, &str, Value)> = vec![
        ("SessionStart", "model", json!("claude-sonnet-4-5")),
        ("SessionStart", "session_id", json!("s1")),
        ("UserPromptSubmit", "permission_mode", json!("default")),
        ("PostToolUse", "tool", json!("Edit")),
        ("PostToolUse", "outcome", json!("ok")),
        ("PostToolUse", "summary", json!(lib)),
        ("PostToolUse", "tool_use_id", json!("toolu_1")),
        ("PostToolUseFailure", "tool", json!("Bash")),
        ("PostToolUseFailure", "outcome", json!("failed")),
        ("Stop", "decision", json!("block")),
        ("SessionEnd", "reason", json!("prompt_input_exit")),
    ];
    if pre_recorded {
        rows.extend([
            ("PreToolUse", "tool", json!("Edit")),
            ("PreToolUse", "decision", json!("allow")),
            ("PreToolUse", "tool_use_id", json!("toolu_1")),
        ]);
    }
    for (event, field, want) in &rows {
        assert_eq!(&line(event)[*field], want, "{event}.{field}");
    }
    let budget = &line("SessionStart")["budget"][0];
    assert!(
        budget["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("budget.toml")),
        "{budget}"
    );
    assert_eq!(
        budget["sha256"].as_str().map(str::len),
        Some(64),
        "{budget}"
    );
    let prompt = line("UserPromptSubmit")["prompt"].as_str().unwrap_or("");
    assert!(
        prompt.starts_with("Fix the rounding bug") && !prompt.contains("4711"),
        "the prompt is kept, `[record] redact` applied: {prompt}"
    );
    let error = line("PostToolUseFailure")["error"].as_str().unwrap_or("");
    assert!(
        error.starts_with("Exit code 101: error: test failed"),
        "first error line: {error}"
    );
    let stop = line("Stop");
    assert!(
        stop["missing_evidence"].as_array().is_some_and(|m| m
            .iter()
            .any(|m| m.as_str().is_some_and(|m| m.contains("tests")))),
        "the gate's missing evidence: {stop}"
    );
    assert!(stop["spend_usd"].is_number(), "spend at stop: {stop}");
    assert_eq!(
        stop_reply.as_ref().map(|r| r["decision"].clone()),
        Some(json!("block")),
        "the record says what the agent was told"
    );
    let seqs: Vec<u64> = all
        .iter()
        .filter(|e| e["event"] != "PreToolUse")
        .filter_map(|e| e["seq"].as_u64())
        .collect();
    assert_eq!(seqs.len(), expected.len() - usize::from(pre_recorded) * 2);
    assert!(seqs.windows(2).all(|w| w[0] <= w[1]), "seq grows: {seqs:?}");
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn a_token_in_a_command_never_reaches_the_disk() {
    let project = TempProject::new().budget(BUDGET);
    scripted_session(&project);
    let mut files = Vec::new();
    files_under(&project.data, &mut files);
    let names: Vec<String> = files
        .iter()
        .filter_map(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    for expected in ["events.jsonl", "state.msgpack", "review.md", "review.json"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} written: {names:?}"
        );
    }
    for file in &files {
        let bytes = std::fs::read(file).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(TOKEN) && !text.contains("internal-ticket-4711"),
            "a secret is on disk in {}:\n{text}",
            file.display()
        );
    }
    let record = std::fs::read_to_string(session_dir(&project).join(record::EVENTS_FILE))
        .unwrap_or_default();
    assert!(
        record.contains("GITHUB_TOKEN=[REDACTED"),
        "the command stays readable around the redaction:\n{record}"
    );
}

#[test]
fn every_stop_writes_the_review_packet_with_the_request_and_the_files_changed() {
    let project = TempProject::new().budget(BUDGET);
    scripted_session(&project);
    let dir = session_dir(&project);
    let markdown =
        std::fs::read_to_string(dir.join(review::REVIEW_MD)).expect("no review.md after Stop");
    assert!(
        markdown.contains("Fix the rounding bug in src/lib.rs"),
        "{markdown}"
    );
    assert!(markdown.contains("src/lib.rs"), "{markdown}");
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.join(review::REVIEW_JSON)).unwrap()).unwrap();
    assert_eq!(json["files_changed"][0]["path"], "src/lib.rs", "{json}");
    assert!(
        json["residual_risks"]
            .as_array()
            .is_some_and(|r| !r.is_empty()),
        "the gap the gate found is a residual risk: {json}"
    );
}

#[test]
fn a_record_too_large_for_the_hook_gets_a_packet_pointing_at_the_cli() {
    let project = TempProject::new().budget(BUDGET);
    let dir = session_dir(&project);
    std::fs::create_dir_all(&dir).unwrap();
    let line = format!(
        "{}\n",
        json!({"ts": "2026-01-01T00:00:00.000Z", "event": "PostToolUse", "tool": "Read", "summary": "x".repeat(1000)})
    );
    let body = line.repeat((21 * 1024 * 1024) / line.len());
    std::fs::write(dir.join(record::EVENTS_FILE), body).unwrap();
    run(
        &project,
        STOP,
        &input(&project, "Stop", json!({"stop_hook_active": false})),
    );
    let markdown = std::fs::read_to_string(dir.join(review::REVIEW_MD)).unwrap();
    assert!(
        markdown.contains("too large") || markdown.contains("larger than"),
        "{markdown}"
    );
    assert!(markdown.contains("claude-budget report s1"), "{markdown}");
}

#[test]
fn a_record_that_cannot_be_written_never_blocks_and_is_logged() {
    let project = TempProject::new().budget(BUDGET);
    let dir = session_dir(&project);
    // A directory where the record file should be: every append fails.
    std::fs::create_dir_all(dir.join(record::EVENTS_FILE)).unwrap();
    let rows = [
        (
            SESSION,
            input(&project, "UserPromptSubmit", json!({"prompt": "x"})),
        ),
        (
            POST,
            input(
                &project,
                "PostToolUse",
                json!({"tool_name": "Read", "tool_use_id": "t", "tool_input": {"file_path": "a"}}),
            ),
        ),
        (
            STOP,
            input(&project, "Stop", json!({"stop_hook_active": false})),
        ),
    ];
    for (hook, input) in &rows {
        let out = project.run_hook(hook, input);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{hook}: {stderr}");
        assert!(
            stderr.contains("run record was not written"),
            "{hook}: {stderr}"
        );
    }
    let log = std::fs::read_to_string(dir.join(store::HOOK_ERRORS_FILE)).unwrap();
    assert_eq!(
        log.lines()
            .filter(|l| l.contains("run record was not written"))
            .count(),
        3,
        "{log}"
    );
}
