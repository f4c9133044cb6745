//! Decisions the table tests cannot build, checked through the real hook processes: what the
//! agent sees for inputs the table tests cannot build (raw tool inputs, the stop gate).

use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};

const PRE: &str = "claude-budget-pre-tool-use";

/// The decision and reason of a PreToolUse reply (`None` for no opinion).
fn decision(out: &std::process::Output) -> Option<(String, String)> {
    let reply = stdout_json(out)?;
    let hso = &reply["hookSpecificOutput"];
    Some((
        hso["permissionDecision"]
            .as_str()
            .unwrap_or_default()
            .into(),
        hso["permissionDecisionReason"]
            .as_str()
            .unwrap_or_default()
            .into(),
    ))
}

#[test]
fn a_bash_call_without_a_usable_command_asks_instead_of_passing_silently() {
    let p = TempProject::new().budget("version = 1\n[run]\nallow = [\"ls\"]\n");
    let inputs: Vec<(&str, Value)> = vec![
        ("input is a string", json!("rm -rf /")),
        ("empty object", json!({})),
        ("empty command", json!({"command": ""})),
        ("command is a number", json!({"command": 5})),
    ];
    for (name, tool_input) in inputs {
        let out = p.run_hook(PRE, &p.pre_tool_use("Bash", tool_input));
        assert_eq!(out.status.code(), Some(0), "{name}");
        let (verdict, reason) = decision(&out).unwrap_or_else(|| {
            panic!(
                "{name}: no opinion; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        assert_eq!(verdict, "ask", "{name}: {reason}");
        assert!(
            reason.contains("had no command") && reason.contains("[unparsed-command]"),
            "{name}: {reason}"
        );
    }
}

const STOP: &str = "claude-budget-stop";
const POST: &str = "claude-budget-post-tool-use";

/// Runs a PostToolUse (or PostToolUseFailure) for session `s1`.
fn post(p: &TempProject, event: &str, id: &str, tool: &str, tool_input: Value) {
    let input = json!({
        "session_id": "s1", "cwd": p.root, "hook_event_name": event,
        "permission_mode": "default", "tool_name": tool, "tool_input": tool_input,
        "tool_use_id": id,
        "error": if event == "PostToolUseFailure" { json!("Exit code 1\nboom") } else { Value::Null },
    });
    let out = p.run_hook(POST, &input);
    assert_eq!(out.status.code(), Some(0), "{event} {tool}");
}

#[test]
fn the_stop_gate_lets_a_run_past_its_limits_stop_with_the_gap_recorded() {
    let base =
        "version = 1\n[run]\ntests = [\"cargo test\"]\n[evidence]\ntests_after_edit = true\n";
    let rows = [
        ("no limit reached: sent back", "", true, ""),
        (
            "max_tool_calls reached",
            "[spend]\nmax_tool_calls = 2\n",
            false,
            "[spend] max_tool_calls",
        ),
        (
            "run-wide failures reached",
            "[retry]\nfailures = 1\n",
            false,
            "[retry] failures",
        ),
    ];
    for (name, limits, blocked, named) in rows {
        let p = TempProject::new().budget(&format!("{base}{limits}"));
        p.write("src/lib.rs", "fn a() {}\n");
        post(
            &p,
            "PostToolUse",
            "e1",
            "Edit",
            json!({"file_path": p.root.join("src/lib.rs"), "old_string": "a", "new_string": "b"}),
        );
        post(
            &p,
            "PostToolUseFailure",
            "b1",
            "Bash",
            json!({"command": "cargo build"}),
        );
        let input = json!({"session_id": "s1", "cwd": p.root, "hook_event_name": "Stop", "stop_hook_active": false});
        let out = p.run_hook(STOP, &input);
        assert_eq!(out.status.code(), Some(0), "{name}");
        let reply = stdout_json(&out);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            reply.as_ref().map(|r| r["decision"] == "block"),
            blocked.then_some(true),
            "{name}: {reply:?} {stderr}"
        );
        if !blocked {
            assert!(
                stderr.contains(named) && stderr.contains("tests:"),
                "{name}: names the limit and the missing evidence: {stderr}"
            );
        }
    }
}

#[test]
fn the_user_budget_folder_and_claude_settings_are_protected_from_shell_edits() {
    let p = TempProject::new().budget(
        "version = 1\n[edit]\nallow = [\"**\"]\noutside_project = \"allow\"\n[run]\nallow = [\"**\"]\n",
    );
    let claude_config = p.dir.path().join("claude-config");
    let user_dir = p.config.join("claude-budget");
    std::fs::create_dir_all(&user_dir).unwrap();
    let claude_env = claude_config.display().to_string();
    let refused = [
        format!("mv {} /tmp/old", user_dir.display()),
        format!("rm -rf {}", p.config.display()),
        format!("echo 'version = 1' > {}/budget.toml", user_dir.display()),
        format!("echo {{}} > {}/settings.json", claude_config.display()),
        "echo {} > ~/.claude/settings.json".into(),
        "rm -rf .".into(),
        "cp -r /tmp/x/. .".into(),
        "rsync -a --delete x/ .".into(),
    ];
    for cmd in &refused {
        let input = p.pre_tool_use("Bash", json!({ "command": cmd }));
        let out = p.run_hook_raw(
            PRE,
            input.to_string().as_bytes(),
            &[("CLAUDE_CONFIG_DIR", &claude_env)],
        );
        let (verdict, reason) = decision(&out).unwrap_or_else(|| panic!("{cmd}: no opinion"));
        assert_eq!(verdict, "deny", "{cmd}: {reason}");
        assert!(reason.contains("[self-protection]"), "{cmd}: {reason}");
    }
    let out = p.run_hook(
        PRE,
        &p.pre_tool_use(
            "Bash",
            json!({"command": format!("ls {}", user_dir.display())}),
        ),
    );
    assert_eq!(
        decision(&out).map(|d| d.0),
        Some("allow".into()),
        "looking is fine"
    );
}
