//! The rollout commands as a script or a teammate uses them (issue 13): the guard a project
//! install commits, `--version` everywhere, `status` and `report --check` exit codes,
//! `uninstall` leaving nothing behind in `.claude/`.

use budget_tests::{TempProject, bin_dir};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DESTRUCTIVE: &str = "version = 1\nextends = [\"destructive\"]\n";

fn cli(project: &TempProject, args: &[&str]) -> Output {
    project
        .command("claude-budget")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("claude-budget {args:?}: {e}"))
}

fn said(out: &Output) -> String {
    format!(
        "exit {:?}\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

fn settings(project: &TempProject) -> Value {
    let text = std::fs::read_to_string(project.root.join(".claude/settings.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"))
}

/// Every handler command under `event`.
fn commands(settings: &Value, event: &str) -> Vec<String> {
    settings["hooks"][event]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["hooks"].as_array().cloned().unwrap_or_default())
        .filter_map(|h| h["command"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn the_committed_guard_denies_with_the_install_command_only_when_the_hook_is_missing() {
    let project = TempProject::new().budget(DESTRUCTIVE);
    let out = cli(&project, &["install", "--scope", "project"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let value = settings(&project);
    let guard = commands(&value, "PreToolUse")
        .into_iter()
        .find(|c| c.starts_with("command -v"))
        .unwrap_or_else(|| panic!("no guard in {value:#}"));
    // Run it as Claude Code runs a shell-form hook: `sh -c`, hook input on stdin.
    let run = |path: &str| {
        Command::new("/bin/sh")
            .args(["-c", &guard])
            .env_clear()
            .env("PATH", path)
            .output()
            .unwrap_or_else(|e| panic!("sh: {e}"))
    };
    let missing = run("/usr/bin:/bin");
    assert_eq!(missing.status.code(), Some(2), "{}", said(&missing));
    let told = String::from_utf8_lossy(&missing.stderr);
    assert!(
        told.contains(
            "claude-budget is not installed on this machine: cargo install --locked --git"
        ) && told.contains("(this repository's .claude/settings.json requires it)"),
        "{told}"
    );
    let present = run(&format!("{}:/usr/bin:/bin", bin_dir().display()));
    assert_eq!(present.status.code(), Some(0), "{}", said(&present));
    assert!(present.stderr.is_empty() && present.stdout.is_empty());
}

#[test]
fn every_executable_answers_version_without_reading_stdin() {
    let project = TempProject::new().budget(DESTRUCTIVE);
    for exe in [
        "claude-budget",
        "claude-budget-pre-tool-use",
        "claude-budget-post-tool-use",
        "claude-budget-stop",
        "claude-budget-session",
    ] {
        // stdin inherited from the test harness, never closed: a hook that read it would hang.
        let out = project
            .command(exe)
            .arg("--version")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{exe}: {e}"));
        assert_eq!(out.status.code(), Some(0), "{exe}: {}", said(&out));
        let line = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            line.trim(),
            format!("{exe} {}", env!("CARGO_PKG_VERSION")),
            "{exe}"
        );
    }
}

/// A directory with our four hooks, one of them replaced by a script claiming `version`.
fn bins_with_other_stop(dir: &Path, version: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{e}"));
    for exe in [
        "claude-budget-pre-tool-use",
        "claude-budget-post-tool-use",
        "claude-budget-session",
    ] {
        std::fs::copy(bin_dir().join(exe), dir.join(exe)).unwrap_or_else(|e| panic!("{e}"));
    }
    let stop = dir.join("claude-budget-stop");
    std::fs::write(
        &stop,
        format!("#!/bin/sh\necho claude-budget-stop {version}\n"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&stop, std::fs::Permissions::from_mode(0o755))
        .unwrap_or_else(|e| panic!("{e}"));
    dir.to_path_buf()
}

fn status(project: &TempProject, path: &str) -> (Option<i32>, String, Value) {
    let run = |format: &str| {
        project
            .command("claude-budget")
            .env("PATH", path)
            .args(["status", "--format", format])
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let text = run("text");
    let json = run("json");
    assert_eq!(text.status.code(), json.status.code());
    let value = serde_json::from_slice(&json.stdout).unwrap_or_else(|e| panic!("{e}"));
    (
        text.status.code(),
        String::from_utf8_lossy(&text.stdout).into_owned(),
        value,
    )
}

#[test]
fn status_exits_0_only_when_the_gate_is_on_and_every_budget_loads() {
    let bins = format!("{}:/usr/bin:/bin", bin_dir().display());
    let project = TempProject::new().budget(DESTRUCTIVE);
    let (code, text, _) = status(&project, &bins);
    assert_eq!(
        code,
        Some(1),
        "a budget but no hooks: the gate is off\n{text}"
    );
    assert_eq!(cli(&project, &["install"]).status.code(), Some(0));
    let (code, text, json) = status(&project, &bins);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("gate: on"), "{text}");
    assert_eq!(json["gate_on"], true);
    // The teammate's machine: the same settings, the executables not on PATH.
    let (code, text, _) = status(&project, "/usr/bin:/bin");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("not found on PATH"), "{text}");
    // A budget that does not load: the hook would deny every call; a script must know.
    project.write(".claude/budget.toml", "version = 1\n[edit]\nallow = 3\n");
    let (code, text, json) = status(&project, &bins);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        json["gate_problems"].to_string().contains("invalid"),
        "{json}"
    );
    // No budget and no hooks anywhere: nothing to enforce, nothing wrong.
    let bare = TempProject::new();
    let (code, text, _) = status(&bare, &bins);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("nothing to enforce"), "{text}");
}

#[test]
fn status_shows_each_hooks_version_and_warns_when_one_is_another_build() {
    let project = TempProject::new().budget(DESTRUCTIVE);
    assert_eq!(cli(&project, &["install"]).status.code(), Some(0));
    let bins = bins_with_other_stop(&project.home.join("bin"), "0.0.1");
    let path = format!("{}:/usr/bin:/bin", bins.display());
    let (code, text, json) = status(&project, &path);
    let ours = env!("CARGO_PKG_VERSION");
    assert!(
        text.contains(&format!("claude-budget-pre-tool-use {ours}"))
            && text.contains("claude-budget-stop 0.0.1"),
        "{text}"
    );
    assert!(
        text.contains("warning: claude-budget-stop is version 0.0.1"),
        "{text}"
    );
    assert!(text.contains("the hooks are not one build"), "{text}");
    assert_eq!(
        json["hook_versions"].as_array().map(Vec::len),
        Some(4),
        "{json}"
    );
    assert_eq!(
        code,
        Some(0),
        "a version mismatch warns; the gate itself is on\n{text}"
    );
}

#[test]
fn uninstall_leaves_no_backup_in_dot_claude_and_removes_the_settings_file_it_created() {
    let project = TempProject::new().budget(DESTRUCTIVE);
    let path = project.root.join(".claude/settings.json");
    // An older install left a backup in .claude/, where it would be committed.
    project.write(".claude/settings.json", "{\"model\": \"opus\"}\n");
    project.write(".claude/settings.json.bak", "{\"model\": \"sonnet\"}\n");
    let out = cli(&project, &["install"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    let out = cli(&project, &["uninstall"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert_eq!(
        settings(&project),
        json!({"model": "opus"}),
        "other keys kept"
    );
    let mut in_claude: Vec<String> = std::fs::read_dir(project.root.join(".claude"))
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    in_claude.sort();
    assert_eq!(
        in_claude,
        ["budget.toml", "settings.json"],
        "nothing else in .claude/"
    );
    let backups = project.data.join("claude-budget/settings-backups");
    let saved: Vec<String> = files_under(&backups)
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect();
    assert!(
        saved.iter().any(|t| t.contains("sonnet")),
        "old backup moved: {saved:?}"
    );
    assert!(
        saved.iter().any(|t| t.contains("hooks")),
        "pre-uninstall backup: {saved:?}"
    );

    // A project that had no settings file: install creates it, uninstall removes it again.
    let fresh = TempProject::new().budget(DESTRUCTIVE);
    assert_eq!(cli(&fresh, &["install"]).status.code(), Some(0));
    assert!(fresh.root.join(".claude/settings.json").is_file());
    let out = cli(&fresh, &["uninstall"]);
    assert_eq!(out.status.code(), Some(0), "{}", said(&out));
    assert!(
        !fresh.root.join(".claude/settings.json").exists(),
        "{}",
        said(&out)
    );
    assert!(path.exists(), "a file with other keys stays");
}

/// Drives the hooks through a short session: one Bash call decided by the budget, then Stop.
fn session(project: &TempProject, command: &str) {
    let base = json!({"session_id": "s-check", "cwd": project.root, "permission_mode": "default",
        "transcript_path": project.root.join("none.jsonl")});
    let with = |extra: Value| {
        let mut input = base.clone();
        if let (Value::Object(b), Value::Object(e)) = (&mut input, extra) {
            b.extend(e);
        }
        input
    };
    let call = json!({"tool_name": "Bash", "tool_input": {"command": command},
        "tool_use_id": "toolu_1"});
    let mut pre = with(call.clone());
    pre["hook_event_name"] = json!("PreToolUse");
    let decided = project.run_hook("claude-budget-pre-tool-use", &pre);
    if decided.status.code() == Some(0) {
        let mut post = with(call);
        post["hook_event_name"] = json!("PostToolUse");
        post["tool_response"] = json!({"stdout": "", "stderr": ""});
        project.run_hook("claude-budget-post-tool-use", &post);
    }
    let stop = with(json!({"hook_event_name": "Stop", "stop_hook_active": false}));
    project.run_hook("claude-budget-stop", &stop);
}

#[test]
fn report_check_fails_a_halted_run_and_passes_a_clean_one() {
    let budget = "version = 1\n[run]\nallow = [\"echo\"]\n[[stop]]\nrun = [\"terraform\"]\nreason = \"infra changes need a human\"\n";
    let rows = [
        (
            "a clean run",
            "echo hi",
            Some(0),
            "outcome: completed with evidence",
        ),
        (
            "a [[stop]] halt",
            "terraform apply",
            Some(1),
            "outcome: halted",
        ),
    ];
    for (row, command, code, line) in rows {
        let project = TempProject::new().budget(budget);
        session(&project, command);
        let out = cli(&project, &["report", "--check"]);
        assert_eq!(out.status.code(), code, "{row}: {}", said(&out));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with(line), "{row}: {text}");
        assert_eq!(text.lines().count(), 1, "{row}: one line for CI: {text}");
    }
}

#[test]
fn an_ask_tells_the_agent_to_get_approval_not_to_give_up() {
    let project = TempProject::new().budget("version = 1\n[run]\nask = [\"git commit\"]\n");
    let out = cli(
        &project,
        &["explain", "--format", "json", "git commit -m wip"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "an ask is not a deny: {}",
        said(&out)
    );
    let value: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let reason = value["reason"].as_str().unwrap_or_default();
    assert_eq!(value["decision"], "ask", "{value}");
    assert!(!reason.contains("another form"), "{reason}");
    assert!(reason.contains("approv"), "{reason}");
}

#[test]
fn completions_are_printed_for_bash_zsh_and_fish_and_name_the_subcommands() {
    let project = TempProject::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = cli(&project, &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", said(&out));
        let script = String::from_utf8_lossy(&out.stdout);
        for word in ["explain", "status", "install", "report"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    let bash = cli(&project, &["completions", "bash"]);
    let syntax = Command::new("bash")
        .args(["-n", "-c", &String::from_utf8_lossy(&bash.stdout)])
        .output()
        .unwrap_or_else(|e| panic!("bash: {e}"));
    assert_eq!(syntax.status.code(), Some(0), "{}", said(&syntax));
}

#[test]
fn status_warns_when_the_committed_settings_would_fail_open_on_a_teammates_machine() {
    let project = TempProject::new().budget(DESTRUCTIVE);
    let pre = bin_dir().join("claude-budget-pre-tool-use");
    let old_install = json!({"hooks": {"PreToolUse": [{"matcher": "*", "hooks": [
        {"type": "command", "command": pre, "args": [], "timeout": 10}]}]}});
    project.write(".claude/settings.json", &old_install.to_string());
    let bins = format!("{}:/usr/bin:/bin", bin_dir().display());
    let (_, text, _) = status(&project, &bins);
    assert!(text.contains("a path of this machine only"), "{text}");
    assert!(text.contains("has no missing-binary guard"), "{text}");
    assert_eq!(
        cli(&project, &["install", "--scope", "project"])
            .status
            .code(),
        Some(0)
    );
    let (code, text, _) = status(&project, &bins);
    assert!(!text.contains("path of this machine"), "{text}");
    assert!(!text.contains("missing-binary guard"), "{text}");
    assert_eq!(code, Some(0), "{text}");
}
