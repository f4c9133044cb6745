//! The live hooks, `explain` and `replay` decide and count the same calls the same way
//! (DESIGN §1: they all go through `events/` and `session::observe`). The case that drifted
//! before: a `[retry] same_file_edits` limit reached through a shell write (`sed -i`) — the
//! hook counted the shell edits, `replay` counted only Edit/Write tools, so it re-decided the
//! refused third `sed -i` as allowed and reported the run as loosened.

use budget_policy::env::Env;
use budget_policy::events::context;
use budget_policy::events::replay::Replayer;
use budget_policy::session::SessionState;
use budget_policy::store::{Session, record};
use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};
use std::process::Output;

const BUDGET: &str = r#"version = 1
[read]
allow = ["**"]
[edit]
allow = ["**"]
[run]
allow = ["sed", "cat"]
[retry]
same_file_edits = 2
"#;

const SESSION: &str = "agree";
const SED: &str = "sed -i s/draft/final/ notes.txt";

fn hook(project: &TempProject, name: &str, event: &str, n: usize, command: &str) -> Output {
    let input = json!({
        "session_id": SESSION,
        "transcript_path": project.root.join("transcript.jsonl"),
        "cwd": project.root,
        "permission_mode": "default",
        "hook_event_name": event,
        "tool_name": "Bash",
        "tool_input": {"command": command},
        "tool_use_id": format!("toolu_{n:02}"),
    });
    project.run_hook(name, &input)
}

fn decision_of(out: &Output) -> String {
    stdout_json(out)
        .and_then(|v| {
            v["hookSpecificOutput"]["permissionDecision"]
                .as_str()
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "none".into())
}

fn cli(project: &TempProject, args: &[&str]) -> Output {
    project
        .command("claude-budget")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("claude-budget {args:?}: {e}"))
}

/// The counters both sides must agree on.
fn counts(state: &SessionState) -> Value {
    json!({
        "tool_calls": state.tool_calls,
        "denied_calls": state.denied_calls,
        "failures": state.total_failures,
        "edits": state.edits.iter().map(|(k, v)| (k.clone(), v.count)).collect::<Vec<_>>(),
    })
}

/// Runs `cat`, then `sed -i` until the hook refuses it; returns the hook's decisions.
fn live_run(project: &TempProject) -> Vec<String> {
    project.write("notes.txt", "draft\n");
    let mut decisions = Vec::new();
    for (n, command) in [(1, "cat notes.txt"), (2, SED), (3, SED), (4, SED)] {
        let pre = hook(
            project,
            "claude-budget-pre-tool-use",
            "PreToolUse",
            n,
            command,
        );
        let decision = decision_of(&pre);
        if decision == "allow" {
            let post = hook(
                project,
                "claude-budget-post-tool-use",
                "PostToolUse",
                n,
                command,
            );
            assert_eq!(post.status.code(), Some(0), "{post:?}");
        }
        decisions.push(decision);
    }
    decisions
}

#[test]
fn a_file_edit_limit_reached_through_sed_replays_as_the_hook_decided_it() {
    let project = TempProject::new().budget(BUDGET);
    let decisions = live_run(&project);
    assert_eq!(decisions, ["allow", "allow", "allow", "deny"]);

    let session = project.session_dir(SESSION);
    let out = cli(
        &project,
        &["replay", &session.to_string_lossy(), "--format", "json"],
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "replay JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(json["compared"], 4, "{json}");
    assert_eq!(json["changes"], json!([]), "{json}");
    assert_eq!(out.status.code(), Some(0), "{json}");
}

#[test]
fn replay_counts_what_the_hooks_counted_call_by_call() {
    let project = TempProject::new().budget(BUDGET);
    live_run(&project);
    let session = project.session_dir(SESSION);
    let hook_state = Session::open(session.clone())
        .and_then(|s| s.read())
        .unwrap();
    assert_eq!(
        hook_state
            .edits
            .get(&project.root.join("notes.txt").display().to_string())
            .map(|e| e.count),
        Some(2),
        "the hooks count the two `sed -i` runs as edits of notes.txt"
    );

    let env = Env {
        project_dir: Some(project.root.clone()),
        config_dir: Some(project.config.clone()),
        data_dir: Some(project.data.clone()),
        home: Some(project.home.clone()),
        ..Env::default()
    };
    let located = context::locate_from(&env, &project.root);
    let budget = context::load(&env, &located).unwrap().expect("no budget");
    let mut replayer = Replayer::new(&budget, env);
    for event in record::read(&session).unwrap() {
        match (event.event.as_str(), &event.tool, &event.input) {
            ("PreToolUse", Some(tool), Some(input)) => {
                let decision = replayer.decide_call(
                    tool,
                    input,
                    event.tool_use_id.as_deref(),
                    event.cwd.as_deref(),
                    event.permission_mode.as_deref(),
                );
                let was = event.decision.as_deref().unwrap_or("none");
                assert_eq!(decision.verdict.map_or("none", |v| v.as_str()), was);
            }
            (e, _, _) if e.starts_with("PostToolUse") => replayer.observe(&event),
            _ => {}
        }
    }
    assert_eq!(counts(&replayer.state), counts(&hook_state));
}

#[test]
fn explain_decides_a_first_call_as_the_hook_does() {
    let project = TempProject::new().budget(BUDGET);
    project.write("notes.txt", "draft\n");
    let commands = [SED, "cat notes.txt", "rm -rf /", "curl https://example.com"];
    for (n, command) in commands.into_iter().enumerate() {
        let hook = decision_of(&hook(
            &project,
            "claude-budget-pre-tool-use",
            "PreToolUse",
            n,
            command,
        ));
        let out = cli(&project, &["explain", command, "--format", "json"]);
        let explained: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("explain JSON ({e}): {out:?}"));
        let explained = match explained["decision"].as_str() {
            Some("no-opinion") | None => "none",
            Some(word) => word,
        };
        assert_eq!(explained, hook, "`{command}`");
    }
}
