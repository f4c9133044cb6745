//! A packet that tells the truth: its spend equals `claude-budget status` (on the three real
//! transcripts, after a mid-run Stop, and after SessionEnd), the model comes from the
//! transcript, folders are not files, a diffstat from git, the rollback section only when it
//! matters, and an unanalysed command is not "ok".

use budget_tests::TempProject;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const TRANSCRIPTS: [&str; 3] = [
    "batch_two_tool_uses_v2.1.329.jsonl",
    "deny_rm_v2.1.329.jsonl",
    "write_read_edit_acceptEdits_v2.1.329.jsonl",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/transcripts")
        .join(name)
}

fn input(p: &TempProject, event: &str, transcript: &Path) -> Value {
    json!({"session_id": "s1", "cwd": p.root, "hook_event_name": event,
           "transcript_path": transcript, "permission_mode": "default",
           "stop_hook_active": false, "reason": "exit"})
}

fn status_spend(p: &TempProject) -> (f64, Value) {
    let out = p
        .command("claude-budget")
        .args(["status", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (v["spend"]["usd"].as_f64().unwrap_or(-1.0), v)
}

fn packet(p: &TempProject) -> (Value, String) {
    let runs = budget_policy::store::RunsLayout::under(&p.data)
        .project_dir(&p.root, None)
        .unwrap_or_else(|e| panic!("{e}"));
    let dir = runs.join("s1");
    let json = serde_json::from_slice(&std::fs::read(dir.join("review.json")).unwrap_or_default())
        .unwrap_or(Value::Null);
    (
        json,
        std::fs::read_to_string(dir.join("review.md")).unwrap_or_default(),
    )
}

fn assert_same_spend(p: &TempProject, when: &str) {
    let (status, state) = status_spend(p);
    let (review, markdown) = packet(p);
    let usd = review["spend"]["usd"].as_f64().unwrap_or(-2.0);
    assert!(
        (usd - status).abs() < 1e-9,
        "{when}: packet {usd} vs status {status}\n{state:#}"
    );
    assert!(
        markdown.contains(&format!("${status:.4}")),
        "{when}: {markdown}"
    );
}

#[test]
fn the_packet_spend_equals_status_on_the_three_real_transcripts() {
    for name in TRANSCRIPTS {
        let p = TempProject::new().budget("");
        let transcript = p.root.join("t.jsonl");
        std::fs::copy(fixture(name), &transcript).unwrap_or_else(|e| panic!("{e}"));
        p.run_hook("claude-budget-stop", &input(&p, "Stop", &transcript));
        assert_same_spend(&p, name);
        let (status, _) = status_spend(&p);
        assert!(status > 0.0, "{name}: spend counted");
        let (review, markdown) = packet(&p);
        let model = review["agent"]["model"].as_str().unwrap_or("");
        assert!(
            model.starts_with("claude-"),
            "{name}: model from the transcript: {review:#}"
        );
        assert!(!markdown.contains("model unknown"), "{markdown}");
    }
}

#[test]
fn after_a_mid_run_stop_and_at_session_end_the_packet_catches_up_with_status() {
    let p = TempProject::new().budget("");
    let transcript = p.root.join("t.jsonl");
    let text = std::fs::read_to_string(fixture(TRANSCRIPTS[2])).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    let half = lines.len() / 2;
    std::fs::write(&transcript, lines[..half].join("\n") + "\n").unwrap_or_else(|e| panic!("{e}"));
    p.run_hook("claude-budget-stop", &input(&p, "Stop", &transcript));
    assert_same_spend(&p, "mid-run Stop");
    let (first, _) = status_spend(&p);
    // The rest of the run lands after the Stop (as Claude Code writes the last turn).
    std::fs::write(&transcript, lines.join("\n") + "\n").unwrap_or_else(|e| panic!("{e}"));
    p.run_hook(
        "claude-budget-session",
        &input(&p, "SessionEnd", &transcript),
    );
    assert_same_spend(&p, "SessionEnd");
    let (last, _) = status_spend(&p);
    assert!(
        last > first,
        "the later turns are counted: {first} → {last}"
    );
}

fn git(root: &Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "git {args:?}");
}

fn call(p: &TempProject, tool: &str, tool_input: Value, id: &str, ran: bool) {
    let mut pre = p.pre_tool_use(tool, tool_input);
    pre["session_id"] = json!("s1");
    pre["tool_use_id"] = json!(id);
    p.run_hook("claude-budget-pre-tool-use", &pre);
    if ran {
        pre["hook_event_name"] = json!("PostToolUse");
        pre["tool_response"] = json!({"stdout": "", "stderr": "", "interrupted": false});
        p.run_hook("claude-budget-post-tool-use", &pre);
    }
}

#[test]
fn the_packet_shows_a_diffstat_folders_apart_and_no_rollback_section_without_risk() {
    let p = TempProject::new()
        .budget("[edit]\ndefault = \"allow\"\n[run]\ndefault = \"allow\"\nunparsed = \"allow\"\n");
    std::fs::remove_dir_all(p.root.join(".git")).unwrap_or_else(|e| panic!("{e}"));
    git(&p.root, &["init", "-q", "-b", "feature"]);
    p.write("billing/invoice.rs", "a\nb\nc\n");
    git(&p.root, &["add", "-A"]);
    git(&p.root, &["commit", "-qm", "init"]);
    p.write("billing/invoice.rs", "a\nB\nc\nd\n");
    p.write("billing/new.rs", "1\n2\n");
    let transcript = p.root.join("t.jsonl");
    call(
        &p,
        "Grep",
        json!({"pattern": "total", "path": p.root.join("billing")}),
        "g1",
        true,
    );
    call(
        &p,
        "Read",
        json!({"file_path": p.root.join("billing/invoice.rs")}),
        "r1",
        true,
    );
    call(
        &p,
        "Edit",
        json!({"file_path": p.root.join("billing/invoice.rs"), "old_string": "b", "new_string": "B"}),
        "e1",
        true,
    );
    call(
        &p,
        "Write",
        json!({"file_path": p.root.join("billing/new.rs"), "content": "1\n2\n"}),
        "w1",
        true,
    );
    call(
        &p,
        "Bash",
        json!({"command": "python3 -c \"$(echo 'print(1)')\""}),
        "b1",
        true,
    );
    p.run_hook("claude-budget-stop", &input(&p, "Stop", &transcript));
    let (review, markdown) = packet(&p);
    assert_eq!(
        review["files_inspected"],
        json!(["billing/invoice.rs"]),
        "{markdown}"
    );
    assert_eq!(review["folders_searched"], json!(["billing"]), "{markdown}");
    assert!(
        markdown.contains("`billing/invoice.rs` (+2 −1, 1 edit)"),
        "{markdown}"
    );
    assert!(
        markdown.contains("`billing/new.rs` (+2 −0, 1 edit)"),
        "{markdown}"
    );
    assert!(
        !markdown.contains("## Rollback note"),
        "no high-risk path, no note: {markdown}"
    );
    assert!(markdown.contains("ran unanalysed"), "{markdown}");
    assert!(!markdown.contains("print(1)')\\\"` — ok"), "{markdown}");
    p.write(".claude/rollback.md", "# Change\nx\n");
    p.run_hook("claude-budget-stop", &input(&p, "Stop", &transcript));
    let (_, markdown) = packet(&p);
    assert!(
        markdown.contains("## Rollback note"),
        "a note exists: {markdown}"
    );
}
