//! `claude-budget why PATH`: every recorded call that read, changed or was refused on a path,
//! newest first, with the run's task request and delegating user — from real hook records,
//! and on a generated year of records (10,000 sessions: measured, run with `--ignored`).

use budget_policy::store::{self, record};
use budget_tests::TempProject;
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

fn why(p: &TempProject, args: &[&str]) -> (String, Value) {
    let run = |extra: &[&str]| {
        let out = p
            .command("claude-budget")
            .arg("why")
            .args(args)
            .args(extra)
            .output()
            .unwrap_or_else(|e| panic!("why: {e}"));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let text = String::from_utf8_lossy(&run(&[])).into_owned();
    let json = serde_json::from_slice(&run(&["--format", "json"])).unwrap_or(Value::Null);
    (text, json)
}

fn hook(p: &TempProject, name: &str, input: &Value) {
    let out = p.run_hook(name, input);
    assert!(out.status.code().is_some(), "{name} ran");
}

#[test]
fn why_names_reads_changes_and_refusals_of_a_folder_from_real_hook_records() {
    let p = TempProject::new().budget(
        "[edit]\ndefault = \"allow\"\ndeny = [\"billing/ledger.rs\"]\n[run]\ndefault = \"allow\"\n",
    );
    p.write("billing/invoice.rs", "fn total() {}\n");
    p.write("billing/ledger.rs", "fn post() {}\n");
    std::fs::write(
        p.root.join(".git/config"),
        "[user]\n\tname = Dana Dev\n\temail = dana@example.com\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let base = |event: &str| {
        json!({"session_id": "run-1", "cwd": p.root, "hook_event_name": event,
               "transcript_path": p.root.join("none.jsonl"), "permission_mode": "default"})
    };
    hook(&p, "claude-budget-session", &base("SessionStart"));
    let mut prompt = base("UserPromptSubmit");
    prompt["prompt"] = json!("fix the rounding in invoice totals");
    hook(&p, "claude-budget-session", &prompt);
    let call = |tool: &str, input: Value, id: &str, post: bool| {
        let mut pre = base("PreToolUse");
        pre["tool_name"] = json!(tool);
        pre["tool_input"] = input.clone();
        pre["tool_use_id"] = json!(id);
        hook(&p, "claude-budget-pre-tool-use", &pre);
        if post {
            let mut done = pre;
            done["hook_event_name"] = json!("PostToolUse");
            done["tool_response"] = json!({"stdout": "", "stderr": "", "interrupted": false});
            hook(&p, "claude-budget-post-tool-use", &done);
        }
    };
    let invoice = p.root.join("billing/invoice.rs");
    call("Read", json!({"file_path": invoice}), "t1", true);
    call(
        "Bash",
        json!({"command": "sed -i s/a/b/ billing/invoice.rs"}),
        "t2",
        true,
    );
    call(
        "Bash",
        json!({"command": "rm billing/ledger.rs"}),
        "t3",
        false,
    );
    call(
        "Read",
        json!({"file_path": p.root.join("README.md")}),
        "t4",
        true,
    );

    let (text, rows) = why(&p, &["billing"]);
    let rows = rows.as_array().cloned().unwrap_or_default();
    let touches: Vec<&str> = rows.iter().filter_map(|r| r["touch"].as_str()).collect();
    assert_eq!(
        touches,
        ["denied", "changed", "read"],
        "newest first: {text}"
    );
    assert_eq!(rows[0]["code"], "path-denied", "{text}");
    assert!(
        rows[0]["rule"]
            .as_str()
            .unwrap_or("")
            .contains(".claude/budget.toml"),
        "{text}"
    );
    assert_eq!(
        rows[0]["task_request"],
        "fix the rounding in invoice totals"
    );
    assert_eq!(rows[0]["delegating_user"], "Dana Dev <dana@example.com>");
    assert!(
        text.contains("DENIED billing/ledger.rs") && text.contains("Dana Dev"),
        "{text}"
    );
    let (_, one) = why(&p, &["billing/ledger.rs"]);
    assert_eq!(one.as_array().map(Vec::len), Some(1), "{one}");
    let (_, glob) = why(&p, &["**/*.md"]);
    assert_eq!(
        glob.as_array().map(Vec::len),
        Some(1),
        "README read: {glob}"
    );
    let (text, none) = why(&p, &["src/nothing.rs"]);
    assert_eq!(none, json!([]));
    assert!(text.contains("no recorded run"), "{text}");
}

/// Writes `sessions` generated sessions spread over a year into this project's runs dir;
/// every `every`-th session edits `billing/invoice.rs`. Returns how many did.
fn generate(p: &TempProject, sessions: usize, every: usize) -> usize {
    let runs = store::RunsLayout::under(&p.data)
        .project_dir(&p.root, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let root = p.root.display().to_string();
    let year_ago = SystemTime::now() - Duration::from_secs(365 * 86_400);
    let mut seeded = 0;
    for i in 0..sessions {
        let dir = runs.join(format!("session-{i:05}"));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let start = year_ago + Duration::from_secs((i as u64) * 365 * 86_400 / sessions as u64);
        let ts = |k: u64| record::rfc3339(start + Duration::from_secs(k));
        let mut lines = Vec::new();
        let mut push = |v: Value| lines.push(v.to_string());
        push(
            json!({"ts": ts(0), "event": "SessionStart", "session_id": format!("s{i}"), "user": format!("user{} <u{}@example.com>", i % 7, i % 7), "model": "claude-sonnet-4-5"}),
        );
        push(
            json!({"ts": ts(1), "event": "UserPromptSubmit", "prompt": format!("task number {i}: tidy the export module")}),
        );
        for k in 0..12u64 {
            let file = format!("{root}/src/module_{}/file_{k}.rs", i % 50);
            push(
                json!({"ts": ts(2 + k * 4), "event": "PreToolUse", "tool": "Read", "tool_use_id": format!("r{k}"), "summary": file, "input": {"file_path": file}, "decision": "allow", "code": "allowed", "rule": ".claude/budget.toml:3:1", "cwd": root}),
            );
            push(
                json!({"ts": ts(3 + k * 4), "event": "PostToolUse", "tool": "Read", "tool_use_id": format!("r{k}"), "summary": file, "input": {"file_path": file}, "outcome": "ok", "cwd": root}),
            );
            let command = format!("cargo test -p module_{k} -- --nocapture");
            push(
                json!({"ts": ts(4 + k * 4), "event": "PreToolUse", "tool": "Bash", "tool_use_id": format!("b{k}"), "summary": command, "input": {"command": command}, "decision": "allow", "code": "allowed", "cwd": root}),
            );
            push(
                json!({"ts": ts(5 + k * 4), "event": "PostToolUse", "tool": "Bash", "tool_use_id": format!("b{k}"), "summary": command, "input": {"command": command}, "outcome": "ok", "test": true, "reads": [format!("{root}/Cargo.toml")], "cwd": root}),
            );
        }
        if i % every == 0 {
            seeded += 1;
            let file = format!("{root}/billing/invoice.rs");
            push(
                json!({"ts": ts(100), "event": "PostToolUse", "tool": "Edit", "tool_use_id": "e1", "summary": file, "input": {"file_path": file, "old_string": "[3 bytes not recorded]"}, "outcome": "ok", "cwd": root}),
            );
        }
        push(json!({"ts": ts(200), "event": "Stop", "spend_usd": 0.42, "spend_tokens": 120_000}));
        let mut file =
            std::fs::File::create(dir.join("events.jsonl")).unwrap_or_else(|e| panic!("{e}"));
        file.write_all((lines.join("\n") + "\n").as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    seeded
}

fn bytes_under(dir: &Path) -> u64 {
    walk(dir)
        .iter()
        .filter_map(|p| p.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn check_generated(sessions: usize, every: usize) -> (Duration, Duration, u64, Duration) {
    let p = TempProject::new().budget("");
    let seeded = generate(&p, sessions, every);
    let started = Instant::now();
    let (_, rows) = why(&p, &["billing/invoice.rs"]);
    let hit = started.elapsed() / 2; // text and JSON: two runs
    let rows = rows.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), seeded, "every seeded edit, nothing else");
    let times: Vec<&str> = rows.iter().filter_map(|r| r["ts"].as_str()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(rows.iter().all(|r| r["touch"] == "changed"
        && r["task_request"].is_string()
        && r["delegating_user"].is_string()));
    let started = Instant::now();
    let (_, all) = why(&p, &["**/*.rs"]);
    let glob = started.elapsed() / 2;
    assert!(all.as_array().map_or(0, Vec::len) >= sessions * 12);
    let started = Instant::now();
    let out = p
        .command("claude-budget")
        .args(["stats", "--since", "400", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("stats: {e}"));
    let stats_time = started.elapsed();
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(
        stats["total"]["runs"],
        json!(sessions),
        "stats counts every run"
    );
    (hit, glob, bytes_under(&p.data), stats_time)
}

#[test]
fn why_finds_exactly_the_seeded_changes_among_generated_sessions() {
    check_generated(300, 50);
}

#[test]
#[ignore = "measurement: cargo test --release -p budget-tests --test it security::why -- --ignored --nocapture"]
fn measure_why_on_a_year_of_records() {
    let (path, glob, bytes, stats) = check_generated(10_000, 500);
    let _ = writeln!(
        std::io::stderr(),
        "why on 10,000 sessions ({:.0} MB of records): a path {:.3} s, `**/*.rs` (every line parsed, 120,000+ rows) {:.3} s; stats --since 400: {:.3} s",
        bytes as f64 / 1e6,
        path.as_secs_f64(),
        glob.as_secs_f64(),
        stats.as_secs_f64(),
    );
}
