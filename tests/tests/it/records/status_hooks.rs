//! `claude-budget status` tells whether the gate is really on: per event, our handler is
//! configured in a settings file Claude Code reads AND its command resolves to an executable.
//! A settings file that merely mentions `claude-budget-pre-tool-use` is not enough.

use budget_tests::{TempProject, bin_dir};
use serde_json::{Value, json};

const BUDGET: &str = "version = 1\n";

fn install(project: &TempProject) -> Value {
    let out = project
        .command("claude-budget")
        .args(["install", "--scope", "project"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    settings(project, ".claude/settings.json")
}

fn settings(project: &TempProject, rel: &str) -> Value {
    let text = std::fs::read_to_string(project.root.join(rel)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn write_settings(project: &TempProject, rel: &str, value: &Value) {
    project.write(
        rel,
        &serde_json::to_string_pretty(value).unwrap_or_default(),
    );
}

/// Sets the command of every handler of `event`.
fn set_command(settings: &mut Value, event: &str, command: &str) {
    for group in settings["hooks"][event]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        for handler in group["hooks"].as_array_mut().into_iter().flatten() {
            handler["command"] = json!(command);
        }
    }
}

/// (text output, JSON output) of `status`, with `path` as PATH.
fn status(project: &TempProject, path: &str) -> (String, Value) {
    let run = |format: &str| {
        let out = project
            .command("claude-budget")
            .env("PATH", path)
            .args(["status", "--format", format])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let json = serde_json::from_str(&run("json")).unwrap();
    (run("text"), json)
}

fn event_status<'a>(json: &'a Value, event: &str) -> &'a Value {
    json["hooks"]["events"]
        .as_array()
        .and_then(|events| events.iter().find(|e| e["event"] == event))
        .map_or(&Value::Null, |e| &e["status"])
}

/// One row per situation: how the settings are changed after a real install, then what the
/// text must say and what `PreToolUse`'s status must be.
type Change = fn(&TempProject, &mut Value);

#[test]
fn status_reports_each_event_as_configured_and_resolvable_or_says_what_is_broken() {
    let bins = bin_dir().display().to_string();
    let rows: &[(&str, Change, &str, &str)] = &[
        (
            "a real install",
            |_, _| {},
            "hooks: installed for all 8 events (project)",
            "ok",
        ),
        (
            "the pre-tool-use binary was deleted",
            |_, s| set_command(s, "PreToolUse", "/nonexistent/claude-budget-pre-tool-use"),
            "PreToolUse: /nonexistent/claude-budget-pre-tool-use does not exist — the gate is OFF",
            "broken",
        ),
        (
            "a relative path that does not exist",
            |_, s| {
                set_command(
                    s,
                    "PreToolUse",
                    "claude-budget-pre-tool-use-gone/claude-budget-pre-tool-use",
                )
            },
            "PreToolUse: claude-budget-pre-tool-use-gone/claude-budget-pre-tool-use does not exist",
            "broken",
        ),
        (
            "a file that is not executable",
            |p, s| {
                p.write("bin/claude-budget-pre-tool-use", "#!/bin/sh\n");
                let path = p.root.join("bin/claude-budget-pre-tool-use");
                set_command(s, "PreToolUse", &path.display().to_string());
            },
            "claude-budget-pre-tool-use is not an executable file — the gate is OFF",
            "broken",
        ),
        (
            "the event is not configured at all",
            |_, s| {
                if let Some(hooks) = s["hooks"].as_object_mut() {
                    hooks.remove("PreToolUse");
                }
            },
            "PreToolUse: no claude-budget-pre-tool-use handler in any settings file — the gate is OFF",
            "missing",
        ),
        (
            "a matcher that leaves tools out",
            |_, s| s["hooks"]["PreToolUse"][0]["matcher"] = json!("Bash"),
            "PreToolUse: only tools matching `Bash` are covered",
            "partial",
        ),
        (
            "every hook disabled",
            |_, s| s["disableAllHooks"] = json!(true),
            "every hook is disabled by `disableAllHooks`",
            "broken",
        ),
        (
            "a project-relative command via ${CLAUDE_PROJECT_DIR}",
            |p, s| {
                let target = p.root.join("bin/claude-budget-pre-tool-use");
                std::fs::create_dir_all(p.root.join("bin")).unwrap();
                std::fs::copy(bin_dir().join("claude-budget-pre-tool-use"), &target).unwrap();
                set_command(
                    s,
                    "PreToolUse",
                    "${CLAUDE_PROJECT_DIR}/bin/claude-budget-pre-tool-use",
                );
            },
            "hooks: installed for all 8 events",
            "ok",
        ),
    ];
    for (situation, change, says, pre_status) in rows {
        let project = TempProject::new().budget(BUDGET);
        let mut value = install(&project);
        change(&project, &mut value);
        write_settings(&project, ".claude/settings.json", &value);
        let (text, json) = status(&project, &bins);
        assert!(
            text.contains(says),
            "{situation}: expected `{says}` in:\n{text}"
        );
        assert_eq!(
            event_status(&json, "PreToolUse"),
            pre_status,
            "{situation}: {json}"
        );
        assert_eq!(
            json["hooks"]["ok"],
            json!(*pre_status == "ok"),
            "{situation}"
        );
        if *pre_status != "ok" {
            assert!(text.contains("hooks: PROBLEMS"), "{situation}:\n{text}");
            assert!(!text.contains("hooks: installed"), "{situation}:\n{text}");
        }
    }
}

#[test]
fn bare_command_names_are_looked_up_on_path() {
    let project = TempProject::new().budget(BUDGET);
    let mut value = install(&project);
    for event in [
        "PreToolUse",
        "PostToolUse",
        "PostToolUseFailure",
        "Stop",
        "SubagentStop",
    ] {
        let exe = if event.starts_with("Pre") {
            "claude-budget-pre-tool-use"
        } else if event.starts_with("Post") {
            "claude-budget-post-tool-use"
        } else {
            "claude-budget-stop"
        };
        set_command(&mut value, event, exe);
    }
    write_settings(&project, ".claude/settings.json", &value);
    let bins = bin_dir().display().to_string();
    let (text, json) = status(&project, &bins);
    assert_eq!(event_status(&json, "PreToolUse"), "ok", "{text}");
    let (text, json) = status(&project, "/usr/bin:/bin");
    assert_eq!(event_status(&json, "PreToolUse"), "broken", "{text}");
    assert!(
        text.contains(
            "PreToolUse: claude-budget-pre-tool-use is not found on PATH — the gate is OFF"
        ),
        "{text}"
    );
}

#[test]
fn no_settings_at_all_says_not_installed() {
    let project = TempProject::new().budget(BUDGET);
    let (text, json) = status(&project, "/usr/bin:/bin");
    assert!(text.contains("hooks: not installed"), "{text}");
    assert_eq!(json["hooks"]["ok"], false);
    assert_eq!(json["hooks_installed"]["project"], false);
}
