//! `claude-budget demo`: no setup, no files. Replays a bundled "scary run" — an agent fixing
//! the invoice export that reads `.env`, retries a failing test, pastes code to the web,
//! force-pushes and edits a migration — through a bundled budget in a throw-away project,
//! printing each decision with its reason, then the review packet.
//!
//! It calls the same `decide` the hook calls and writes a real run record, so what it shows
//! is what the hooks would do.

use crate::cases::{replayer, verdict_word};
use crate::{EXIT_OK, EXIT_USAGE};
use budget_policy::budget;
use budget_policy::fsview::RealFs;
use budget_policy::protocol::HookInput;
use budget_policy::redact::Redactor;
use budget_policy::report::{Packet, Place};
use budget_policy::store::record::{self, Event};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const BUDGET: &str = include_str!("demo/budget.toml");
const RUN: &str = include_str!("demo/run.jsonl");
const SESSION: &str = "demo-invoice-export";

/// The files the scary run finds in its project.
const FILES: &[(&str, &str)] = &[
    (".git/HEAD", "ref: refs/heads/fix-invoice-vat\n"),
    (".env", "STAGING_API_TOKEN=not-a-real-token\n"),
    ("Cargo.toml", "[package]\nname = \"billing-export\"\n"),
    (
        "billing/export/csv.rs",
        "pub fn columns() -> Vec<&'static str> { vec![\"id\", \"total\"] }\n",
    ),
    ("billing/export/legacy/old.rs", "// old exporter\n"),
    ("migrations/0042_invoice_vat.sql", "-- vat\n"),
];

/// A throw-away directory removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch() -> std::io::Result<Scratch> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let dir =
        std::env::temp_dir().join(format!("claude-budget-demo-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(Scratch(dir))
}

fn write(root: &Path, rel: &str, text: &str) -> std::io::Result<()> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

/// Makes the step's relative paths absolute in the demo project, as Claude Code sends them.
fn absolute(mut input: Value, root: &Path) -> Value {
    for key in ["file_path", "notebook_path", "path"] {
        if let Some(Value::String(rel)) = input.get(key) {
            let abs = root.join(rel).to_string_lossy().into_owned();
            input[key] = Value::String(abs);
        }
    }
    input
}

fn hook_input(event: &str, tool: &str, input: &Value, id: &str, root: &Path) -> HookInput {
    HookInput {
        session_id: Some(SESSION.into()),
        cwd: Some(root.to_string_lossy().into_owned()),
        hook_event_name: Some(event.into()),
        permission_mode: Some("default".into()),
        tool_name: Some(tool.into()),
        tool_input: Some(input.clone()),
        tool_use_id: Some(id.into()),
        ..HookInput::default()
    }
}

pub(crate) fn run() -> u8 {
    match replay_demo() {
        Ok(()) => EXIT_OK,
        Err(problem) => {
            eprintln!("claude-budget demo: {problem}");
            EXIT_USAGE
        }
    }
}

fn replay_demo() -> Result<(), String> {
    let scratch = scratch().map_err(|e| format!("cannot make a temp dir: {e}"))?;
    let (root, config) = (scratch.0.join("invoice-service"), scratch.0.join("config"));
    let session = scratch
        .0
        .join("data/claude-budget/runs/invoice-service")
        .join(SESSION);
    std::fs::create_dir_all(&config).map_err(|e| e.to_string())?;
    write(&root, ".claude/budget.toml", BUDGET).map_err(|e| e.to_string())?;
    for (rel, text) in FILES {
        write(&root, rel, text).map_err(|e| e.to_string())?;
    }
    let located = budget::locate(&root, Some(&root), Some(&config), &RealFs);
    let budget = match budget::load(&located, None) {
        Ok(Some(budget)) => budget,
        Ok(None) => return Err("the bundled budget was not found".into()),
        Err(err) => {
            let lines: Vec<String> = err.diagnostics.iter().map(ToString::to_string).collect();
            return Err(format!(
                "the bundled budget does not load:\n{}",
                lines.join("\n")
            ));
        }
    };
    let redactor = Redactor::new(&[]);
    let append =
        |event: &Event| record::append(&session, event, &redactor).map_err(|e| e.to_string());
    let mut start = Event {
        ts: record::rfc3339_now(),
        event: "SessionStart".into(),
        session_id: Some(SESSION.into()),
        cwd: Some(root.to_string_lossy().into_owned()),
        model: Some("claude-sonnet-4-5".into()),
        ..Event::default()
    };
    start.budget = budget
        .layers
        .iter()
        .map(|l| record::BudgetFileRef {
            file: l.display.clone(),
            sha256: l.sha256.clone(),
        })
        .collect();
    append(&start)?;

    println!("claude-budget demo: replaying an agent run through the example budget\n");
    let mut replayer = replayer(&budget);
    for (n, line) in RUN.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let step: Value =
            serde_json::from_str(line).map_err(|e| format!("bundled run, line {}: {e}", n + 1))?;
        if let Some(prompt) = step.get("prompt").and_then(Value::as_str) {
            println!("Task: {prompt}\n");
            let mut event = Event::from_input(&HookInput {
                session_id: Some(SESSION.into()),
                hook_event_name: Some("UserPromptSubmit".into()),
                permission_mode: Some("default".into()),
                prompt: Some(prompt.into()),
                ..HookInput::default()
            });
            event.cwd = Some(root.to_string_lossy().into_owned());
            append(&event)?;
            continue;
        }
        let tool = step.get("tool").and_then(Value::as_str).unwrap_or("");
        let input = absolute(step.get("input").cloned().unwrap_or(json!({})), &root);
        let id = format!("toolu_demo_{n:02}");
        let pre = hook_input("PreToolUse", tool, &input, &id, &root);
        let decision =
            replayer.decide_call(tool, &input, Some(&id), pre.cwd.as_deref(), Some("default"));
        let mut event = Event::from_input(&pre);
        event.decision = decision.verdict.map(|v| v.as_str().to_owned());
        event.code = Some(decision.code.as_str().to_owned());
        event.rule = decision.rule.as_ref().map(|h| h.origin.to_string());
        event.rule_text = decision.rule.as_ref().map(|h| h.rule.clone());
        event.reason = Some(decision.reason.clone()).filter(|r| !r.is_empty());
        event.stop_reason.clone_from(&decision.stop_reason);
        append(&event)?;

        let word = verdict_word(&decision);
        let summary = event.summary.clone().unwrap_or_default();
        let shown = summary.replace(&format!("{}/", root.display()), "");
        // An MCP call's summary is its tool name: print it once.
        let call = if shown.is_empty() || shown == tool {
            tool.to_owned()
        } else {
            format!("{tool} {shown}")
        };
        println!("{:>2}. {:<5} {call}", n, word.to_uppercase());
        if word != "allow" && word != "none" {
            for reason_line in decision.reason.lines().take(4) {
                println!("           {reason_line}");
            }
        }
        if let Some(stop) = &decision.stop_reason {
            println!("\n    The run is halted: {stop}\n");
            break;
        }
        if word == "deny" {
            continue;
        }
        if word == "ask" {
            println!("           (in the demo, the user approves)");
        }
        if tool == "Write"
            && let (Some(path), Some(content)) = (
                input.get("file_path").and_then(Value::as_str),
                input.get("content").and_then(Value::as_str),
            )
        {
            let _ = std::fs::write(path, content);
        }
        let error = step.get("error").and_then(Value::as_str);
        let name = if error.is_some() {
            "PostToolUseFailure"
        } else {
            "PostToolUse"
        };
        let mut post_input = hook_input(name, tool, &input, &id, &root);
        post_input.error = error.map(str::to_owned);
        let post = Event::from_input(&post_input);
        if let Some(error) = &post.error {
            println!("           → failed: {error}");
        }
        replayer.observe(&post);
        append(&post)?;
    }
    let events = record::read(&session).map_err(|e| e.to_string())?;
    let env = crate::project::env();
    let place = Place::new(&root, &env, &RealFs);
    let packet = Packet::build(&events, None, Some(&budget), &place).with_user("you (demo)");
    println!("\n{}", packet.markdown());
    println!(
        "(The example budget and run are built into the binary; nothing was written outside a temp dir.)"
    );
    Ok(())
}
