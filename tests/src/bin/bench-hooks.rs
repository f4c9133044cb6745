//! Process-level benchmark of the hooks (DESIGN §3): spawn → parse → decide → record →
//! exit, measured against spawning `/bin/true` on the same machine. Run it with
//! `cargo run --release -p budget-tests --bin bench-hooks -- [RUNS]` (or `scripts/bench`).
//!
//! It prints p50/p99 wall time per call for a Bash and an Edit PreToolUse on a realistic
//! budget (~100 rules, every pack), and peak RSS from `/usr/bin/time` when present. Then it
//! shows that the per-call cost does not grow with the session:
//! * a session state (and record) after 10 hook events vs after 10,000;
//! * a 1 MB vs a 100 MB transcript, generated into the temp dir at bench time. The first
//!   read of a transcript is done before measuring (it catches up in 32 MiB steps); each
//!   measured call then reads what was appended since the previous one, as in a real session.
//!
//! `bench-hooks --instructions` prints only the instructions per PreToolUse call (callgrind,
//! when valgrind is installed): unlike wall time on a shared machine it is stable from run to
//! run, so two builds can be compared. `BENCH_PRE_HOOK=<path>` measures another build's hook
//! executable on the same inputs (before/after a change).

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark harness: a failed set-up step ends the run with its error"
)]

use budget_policy::protocol::HookInput;
use budget_policy::session::{PostEvent, SessionState};
use budget_policy::store::record::Event;
use budget_policy::store::{self, Session};
use budget_policy::verdict::Verdict;
use budget_tests::TempProject;
use serde_json::{Value, json};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SESSION: &str = "test-session";
const PRE: &str = "claude-budget-pre-tool-use";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or_default()
}

/// Runs `make()` `runs` times feeding `stdin(i)`, calling `before(i)` untimed before each
/// run; returns the sorted wall times.
fn time_runs(
    make: &dyn Fn() -> Command,
    stdin: &dyn Fn(usize) -> Vec<u8>,
    before: &mut dyn FnMut(usize),
    runs: usize,
) -> Vec<Duration> {
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        before(i);
        let bytes = stdin(i);
        let mut cmd = make();
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let started = Instant::now();
        let Ok(mut child) = cmd.spawn() else { continue };
        if let Some(mut pipe) = child.stdin.take() {
            let _ = pipe.write_all(&bytes);
        }
        let _ = child.wait();
        times.push(started.elapsed());
    }
    times.sort();
    times
}

/// Runs the pre-tool-use hook once and returns its decision (for sanity checks).
fn decision_of(project: &TempProject, input: &Value) -> String {
    let out = project.run_hook(PRE, input);
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    reply["hookSpecificOutput"]["permissionDecision"]
        .as_str()
        .unwrap_or("none")
        .to_owned()
}

/// Peak RSS in KiB of one run, via GNU time, when it is installed.
fn peak_rss_kib(project: &TempProject, hook: &Path, stdin: &[u8]) -> Option<u64> {
    if !Path::new("/usr/bin/time").exists() {
        return None;
    }
    let template = project.command(PRE);
    let mut time = Command::new("/usr/bin/time");
    time.arg("-f")
        .arg("%M")
        .arg(hook)
        .env_clear()
        .current_dir(&project.root);
    for (k, v) in template.get_envs() {
        if let Some(v) = v {
            time.env(k, v);
        }
    }
    let mut child = time
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    if let Some(mut pipe) = child.stdin.take() {
        let _ = pipe.write_all(stdin);
    }
    let out = child.wait_with_output().ok()?;
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()
}

/// The hook executable measured: `$BENCH_PRE_HOOK` (another build) or this build's.
fn pre_hook() -> PathBuf {
    std::env::var_os("BENCH_PRE_HOOK").map_or_else(|| budget_tests::bin(PRE), PathBuf::from)
}

/// Instructions of one whole hook process (spawn to exit) under callgrind, or `None` when
/// valgrind is not installed.
fn instructions(project: &TempProject, hook: &Path, stdin: &[u8]) -> Option<u64> {
    let template = project.command(PRE);
    let mut cmd = Command::new("valgrind");
    cmd.arg("--tool=callgrind")
        .arg(format!(
            "--callgrind-out-file={}",
            project.dir.path().join("callgrind.out").display()
        ))
        .arg(hook)
        .env_clear()
        .current_dir(&project.root);
    for (k, v) in template.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    // valgrind slows the hook ~50x: keep its own deadline out of the measurement.
    cmd.env("CLAUDE_BUDGET_DEADLINE_MS", "60000");
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    if let Some(mut pipe) = child.stdin.take() {
        let _ = pipe.write_all(stdin);
    }
    let out = child.wait_with_output().ok()?;
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .find_map(|l| l.split("Collected :").nth(1))
        .and_then(|n| n.trim().parse().ok())
}

/// Instructions per call for each input: the median of five calls (after one warm-up call
/// that creates the session), or a note when valgrind is missing.
fn report_instructions(project: &TempProject, inputs: &[(&str, &Value)]) {
    let hook = pre_hook();
    println!("instructions per call (callgrind), {}", hook.display());
    for (name, input) in inputs {
        let bytes = input.to_string().into_bytes();
        let _ = instructions(project, &hook, &bytes);
        let mut counts: Vec<u64> = (0..5)
            .filter_map(|_| instructions(project, &hook, &bytes))
            .collect();
        counts.sort_unstable();
        match counts.get(counts.len() / 2) {
            Some(n) => println!(
                "{name:<40} {:>10} instructions ({:.3} M; min {}, max {})",
                n,
                *n as f64 / 1e6,
                counts[0],
                counts[counts.len() - 1]
            ),
            None => println!("{name:<40} valgrind not installed: no instruction count"),
        }
    }
}

fn report(name: &str, times: &[Duration], floor: Duration) {
    let p50 = percentile(times, 0.5);
    let p99 = percentile(times, 0.99);
    println!(
        "{name:<40} p50 {:>7.3} ms  p99 {:>7.3} ms  (p50 over /bin/true: {:+.3} ms, n={})",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        (p50.as_secs_f64() - floor.as_secs_f64()) * 1e3,
        times.len()
    );
}

fn print_rss(project: &TempProject, stdin: &[u8]) {
    match peak_rss_kib(project, &budget_tests::bin(PRE), stdin) {
        Some(kib) => println!("{:<40} peak RSS {:.1} MiB", "", kib as f64 / 1024.0),
        None => println!("{:<40} peak RSS: /usr/bin/time not installed", ""),
    }
}

/// The realistic budget with limits a long session stays under, so the long-session and
/// big-transcript cases measure the same allow path as the short ones.
fn long_session_budget(budget: &str) -> String {
    let lifted = budget
        .replace("max_usd = 25.0", "max_usd = 1000000.0")
        .replace("max_tokens = 20_000_000", "max_tokens = 20_000_000_000")
        .replace("max_tool_calls = 2000", "max_tool_calls = 1000000")
        .replace("failures = 50", "failures = 100000");
    assert_ne!(lifted, budget, "the bench budget's [spend] lines changed");
    lifted
}

/// A PreToolUse of `cargo test` with its own tool_use_id, reading `transcript`.
fn bash_input(project: &TempProject, i: usize, transcript: &Path) -> Vec<u8> {
    let mut input = project.pre_tool_use(
        "Bash",
        json!({"command": "cargo test -p billing && git status"}),
    );
    input["tool_use_id"] = json!(format!("toolu_bench_{i:06}"));
    input["transcript_path"] = json!(transcript);
    input.to_string().into_bytes()
}

fn session_dir(project: &TempProject) -> PathBuf {
    project.session_dir(SESSION)
}

/// Fills the session with `events` hook events (PreToolUse + PostToolUse pairs over 300 files
/// and 60 commands, some failing) through the store's own update functions, and writes the
/// matching record lines, as a session of that length would have left them.
fn prefill_session(project: &TempProject, events: usize) {
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
fn transcript_turn(n: usize) -> String {
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

/// Writes a transcript of at least `bytes` bytes; returns the number of turns written.
fn write_transcript(path: &Path, bytes: u64) -> usize {
    let file = std::fs::File::create(path).unwrap();
    let mut out = BufWriter::new(file);
    let (mut written, mut turns) = (0u64, 0usize);
    while written < bytes {
        let turn = transcript_turn(turns);
        out.write_all(turn.as_bytes()).unwrap();
        written += turn.len() as u64;
        turns += 1;
    }
    out.flush().unwrap();
    turns
}

fn spend_read_to_end(project: &TempProject, transcript: &Path) -> Option<SessionState> {
    let len = std::fs::metadata(transcript).ok()?.len();
    let state = Session::open(session_dir(project)).ok()?.read().ok()?;
    state
        .spend
        .cursors
        .values()
        .any(|c| c.offset >= len)
        .then_some(state)
}

/// The per-call cost after `events` prior hook events.
fn bench_session_length(budget: &str, events: usize, runs: usize, floor: Duration) {
    let project = TempProject::new().budget(budget);
    prefill_session(&project, events);
    let transcript = project.root.join("transcript.jsonl");
    let first = decision_of(
        &project,
        &project.pre_tool_use("Bash", json!({"command": "cargo test"})),
    );
    assert_eq!(
        first, "allow",
        "the long-session budget must allow the measured call"
    );
    let times = time_runs(
        &|| project.command(PRE),
        &|i| bash_input(&project, i, &transcript),
        &mut |_| {},
        runs,
    );
    report(
        &format!("pre-tool-use, session of {events} events"),
        &times,
        floor,
    );
    print_rss(&project, &bash_input(&project, runs, &transcript));
}

/// The per-call cost with a transcript of `bytes`, after its first read.
fn bench_transcript(budget: &str, bytes: u64, runs: usize, floor: Duration) {
    let project = TempProject::new().budget(budget);
    let transcript = project.dir.path().join("big-transcript.jsonl");
    let turns = write_transcript(&transcript, bytes);
    let mb = bytes as f64 / 1e6;
    let started = Instant::now();
    let mut calls = 0;
    let state = loop {
        calls += 1;
        let input: Value =
            serde_json::from_slice(&bash_input(&project, 900_000 + calls, &transcript)).unwrap();
        let decision = decision_of(&project, &input);
        assert_eq!(
            decision, "allow",
            "the first read of the transcript was refused"
        );
        if let Some(state) = spend_read_to_end(&project, &transcript) {
            break state;
        }
        assert!(calls < 20, "the transcript was not read to its end");
    };
    println!(
        "{:<40} first read: {calls} call(s), {:.0} ms; {} responses of {turns}, ${:.2}",
        format!("  {mb:.0} MB transcript"),
        started.elapsed().as_secs_f64() * 1e3,
        state.spend.responses,
        state.spend.usd
    );
    let mut next_turn = turns;
    let times = time_runs(
        &|| project.command(PRE),
        &|i| bash_input(&project, i, &transcript),
        &mut |_| {
            // The session goes on: one more response and its tool result before each call.
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(&transcript)
                .unwrap();
            file.write_all(transcript_turn(next_turn).as_bytes())
                .unwrap();
            next_turn += 1;
        },
        runs,
    );
    report(
        &format!("pre-tool-use, {mb:.0} MB transcript"),
        &times,
        floor,
    );
    print_rss(&project, &bash_input(&project, runs, &transcript));
}

fn main() {
    let only_instructions = std::env::args().any(|a| a == "--instructions");
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(300);
    let budget = include_str!("../../fixtures/bench/realistic-budget.toml");
    let project = TempProject::new().budget(budget);
    project.write("src/lib.rs", "pub fn f() {}\n");
    let bash = project.pre_tool_use(
        "Bash",
        json!({"command": "cargo test -p billing && git status"}),
    );
    let edit = project.pre_tool_use(
        "Edit",
        json!({"file_path": project.root.join("src/lib.rs"), "old_string": "f", "new_string": "g"}),
    );
    let inputs = [
        ("pre-tool-use Bash (allow)", &bash),
        ("pre-tool-use Edit (allow)", &edit),
    ];
    if only_instructions {
        report_instructions(&project, &inputs);
        return;
    }
    let floor = time_runs(
        &|| Command::new("/bin/true"),
        &|_| Vec::new(),
        &mut |_| {},
        runs,
    );
    let floor_p50 = percentile(&floor, 0.5);
    println!("claude-budget hook benchmark, {runs} runs each");
    report("/bin/true (spawn floor)", &floor, floor_p50);
    for (name, input) in inputs {
        let bytes = input.to_string().into_bytes();
        let times = time_runs(
            &|| project.command(PRE),
            &|_| bytes.clone(),
            &mut |_| {},
            runs,
        );
        report(name, &times, floor_p50);
        print_rss(&project, &bytes);
    }
    report_instructions(&project, &inputs);

    println!("\nper-call cost vs session length (Bash allow, fresh tool_use_id per call)");
    let long = long_session_budget(budget);
    for events in [10, 10_000] {
        bench_session_length(&long, events, runs, floor_p50);
    }
    println!(
        "\nper-call cost vs transcript size (after the first read; one turn appended per call)"
    );
    for bytes in [1_000_000, 100_000_000] {
        bench_transcript(&long, bytes, runs, floor_p50);
    }
}
