//! Inputs of the benchmark: sessions, records and transcripts of a given size, budgets of
//! a given number of rules, as a long session would have left them.

use budget_policy::protocol::HookInput;
use budget_policy::session::{PostEvent, SessionState};
use budget_policy::store::record::Event;
use budget_policy::store::{self, Session};
use budget_policy::verdict::Verdict;
use budget_tests::TempProject;
use serde_json::{Value, json};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) const SESSION: &str = "test-session";
pub(crate) const PRE: &str = "claude-budget-pre-tool-use";

/// Runs the pre-tool-use hook once and returns its decision (for sanity checks).
pub(crate) fn decision_of(project: &TempProject, input: &Value) -> String {
    let out = project.run_hook(PRE, input);
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    reply["hookSpecificOutput"]["permissionDecision"]
        .as_str()
        .unwrap_or("none")
        .to_owned()
}

/// The realistic budget with limits a long session stays under, so the long-session and
/// big-transcript cases measure the same allow path as the short ones.
pub(crate) fn long_session_budget(budget: &str) -> String {
    let lifted = budget
        .replace("max_usd = 25.0", "max_usd = 1000000.0")
        .replace("max_tokens = 20_000_000", "max_tokens = 20_000_000_000")
        .replace("max_tool_calls = 2000", "max_tool_calls = 1000000")
        .replace("failures = 50", "failures = 100000");
    assert_ne!(lifted, budget, "the bench budget's [spend] lines changed");
    lifted
}

pub(crate) fn session_dir(project: &TempProject) -> PathBuf {
    project.session_dir(SESSION)
}

/// Fills the session with `events` hook events (PreToolUse + PostToolUse pairs over 300 files
/// and 60 commands, some failing) through the store's own update functions, and writes the
/// matching record lines, as a session of that length would have left them.
pub(crate) fn prefill_session(project: &TempProject, events: usize) {
    let session = Session::open(session_dir(project)).unwrap();
    let mut record = String::new();
    session
        .update(Duration::from_secs(5), |state: &mut SessionState| {
            for call in 0..events / 2 {
                let id = format!("toolu_prefill_{call:06}");
                let (tool, tool_input, post) = if call % 3 == 0 {
                    let path = project.root.join(format!("src/m{}.rs", call % 300));
                    let event = PostEvent {
                        tool_use_id: Some(id.clone()),
                        tool_name: "Edit".into(),
                        fingerprint: format!("Edit {}", path.display()),
                        edited: vec![path.display().to_string()],
                        ..PostEvent::default()
                    };
                    (
                        "Edit",
                        json!({"file_path": path, "old_string": "a", "new_string": "b"}),
                        event,
                    )
                } else {
                    let command = format!("cargo test -p crate{}", call % 60);
                    let event = PostEvent {
                        tool_use_id: Some(id.clone()),
                        tool_name: "Bash".into(),
                        failed: call % 97 == 0,
                        fingerprint: command.clone(),
                        error_line: Some("error: test failed".into()),
                        test_command: Some(command.clone()),
                        ..PostEvent::default()
                    };
                    ("Bash", json!({"command": command}), event)
                };
                let now = store::now_ms();
                state.note_pre_tool_use(Some(&id), tool, Some(Verdict::Allow), None, now);
                state.note_post_tool_use(&post, now);
                for name in ["PreToolUse", "PostToolUse"] {
                    let input = json!({"session_id": SESSION, "hook_event_name": name,
                        "tool_name": tool, "tool_input": tool_input, "tool_use_id": id,
                        "cwd": project.root, "permission_mode": "default"});
                    let input: HookInput = serde_json::from_value(input).unwrap();
                    let mut event = Event::from_input(&input);
                    if name == "PreToolUse" {
                        event.decision = Some("allow".into());
                        event.code = Some("allowed".into());
                    }
                    record.push_str(&serde_json::to_string(&event).unwrap_or_default());
                    record.push('\n');
                }
            }
        })
        .expect("prefill");
    std::fs::write(session.dir().join(store::record::EVENTS_FILE), record).expect("record");
}

/// One assistant response with usage, and the tool result that follows it (~4 KB together),
/// shaped like Claude Code 2.1's transcript lines.
pub(crate) fn transcript_turn(n: usize) -> String {
    let assistant = json!({
        "parentUuid": format!("u-{n}"), "isSidechain": false, "type": "assistant",
        "message": {"id": format!("msg_bench_{n:08}"), "type": "message", "role": "assistant",
            "model": "claude-sonnet-4-5",
            "content": [{"type": "tool_use", "id": format!("toolu_t{n:08}"), "name": "Bash",
                "input": {"command": "cargo test -p billing", "description": "run the tests"}}],
            "stop_reason": "tool_use",
            "usage": {"input_tokens": 3, "cache_creation_input_tokens": 420,
                "cache_read_input_tokens": 48_000 + n % 1000, "output_tokens": 180,
                "service_tier": "standard",
                "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 420}}},
        "requestId": format!("req_bench_{n:08}"), "uuid": format!("a-{n}"),
        "timestamp": "2026-11-21T08:27:18.486Z", "sessionId": SESSION, "version": "2.1.329",
    });
    let output = "test result: ok. 12 passed; 0 failed; 0 ignored\n".repeat(60);
    let user = json!({
        "parentUuid": format!("a-{n}"), "isSidechain": false, "type": "user",
        "message": {"role": "user", "content": [{"type": "tool_result",
            "tool_use_id": format!("toolu_t{n:08}"), "content": output, "is_error": false}]},
        "uuid": format!("u-{}", n + 1), "timestamp": "2026-11-21T08:27:19.001Z",
        "sessionId": SESSION, "version": "2.1.329",
    });
    format!("{assistant}\n{user}\n")
}

pub(crate) fn spend_read_to_end(project: &TempProject, transcript: &Path) -> Option<SessionState> {
    let len = std::fs::metadata(transcript).ok()?.len();
    let state = Session::open(session_dir(project)).ok()?.read().ok()?;
    state
        .spend
        .cursors
        .values()
        .any(|c| c.offset >= len)
        .then_some(state)
}

/// Writes a transcript of `bytes` bytes: a sparse hole (one over-long line of NUL bytes, which
/// the reader skips; it costs no disk) followed by about 1 MB of real turns. Returns the
/// number of turns written.
pub(crate) fn write_transcript(path: &Path, bytes: u64) -> usize {
    const REAL: u64 = 1_000_000;
    let file = std::fs::File::create(path).expect("transcript");
    let hole = bytes.saturating_sub(REAL);
    file.set_len(hole).expect("sparse transcript");
    let mut out = BufWriter::new(std::fs::OpenOptions::new().append(true).open(path).unwrap());
    if hole > 0 {
        out.write_all(b"\n").unwrap();
    }
    let (mut written, mut turns) = (hole, 0usize);
    while written < bytes {
        let turn = transcript_turn(turns);
        out.write_all(turn.as_bytes()).unwrap();
        written += turn.len() as u64;
        turns += 1;
    }
    out.flush().unwrap();
    turns
}

/// A PreToolUse input of `tool` with its own `tool_use_id` (run `i`), reading `transcript`.
pub(crate) fn pre_input(project: &TempProject, tool: &str, tool_input: Value, i: usize) -> Vec<u8> {
    let mut input = project.pre_tool_use(tool, tool_input);
    input["tool_use_id"] = json!(format!("toolu_bench_{i:06}"));
    input.to_string().into_bytes()
}

/// A budget of about `rules` rules (half `[run]`, half `[edit]`, every pack), whose `[run]`
/// allow list still allows `cargo test` and `git status`.
pub(crate) fn budget_of_size(rules: usize) -> String {
    let half = rules / 2;
    let quoted = |items: Vec<String>| {
        items
            .iter()
            .map(|s| format!("\"{s}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut run: Vec<String> = (0..half.saturating_sub(2))
        .map(|i| format!("tool{i} sub{i}"))
        .collect();
    run.extend(["cargo test".into(), "git status".into()]);
    let edit: Vec<String> = (0..half).map(|i| format!("gen/d{i}/**")).collect();
    format!(
        "version = 1\nextends = [\"destructive\", \"secrets\", \"deploy\"]\n\n\
         [edit]\nallow = [\"src/**\"]\ndeny = [{}]\n\n[run]\nallow = [{}]\ndefault = \"ask\"\n",
        quoted(edit),
        quoted(run)
    )
}

/// A Bash command of about `bytes` bytes: `echo hi` joined by `&&` (one simple command per
/// 11 bytes: the most analysis work per byte of a common shape).
pub(crate) fn command_of_length(bytes: usize) -> String {
    let mut command = String::from("echo hi");
    while command.len() + 11 <= bytes {
        command.push_str(" && echo hi");
    }
    command
}
