//! Are our hooks really wired up? `status` parses the three settings files Claude Code reads
//! (project `.claude/settings.json`, `.claude/settings.local.json`, the user's
//! `settings.json`) and, for every event we handle, finds our handler and checks that its
//! command resolves to an executable file — a path that exists, or a name found on `PATH`.
//! A hook entry pointing at a deleted binary looks installed to a text search, yet Claude
//! Code would fail to run it and let every call through: that is what this module catches.

use crate::install::{HOOKS, Scope, settings_path};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One settings file Claude Code reads.
#[derive(Debug, Serialize)]
pub(super) struct SettingsFile {
    pub scope: &'static str,
    pub path: PathBuf,
    pub exists: bool,
    /// The file exists but is not valid JSON (Claude Code ignores it).
    pub error: Option<String>,
    /// `"disableAllHooks": true`: no hook of any file runs.
    pub disables_all_hooks: bool,
}

/// How one event is covered.
#[derive(Debug, Serialize)]
pub(super) struct EventCheck {
    pub event: &'static str,
    /// `ok`, `missing` (no handler of ours), `broken` (its command does not resolve) or
    /// `partial` (a tool matcher that leaves tools out).
    pub status: &'static str,
    /// The handler's command as configured.
    pub command: Option<String>,
    /// The settings file it is configured in.
    pub settings_file: Option<PathBuf>,
    /// The executable it resolves to.
    pub resolves_to: Option<PathBuf>,
    /// What is wrong and what it means, for a status other than `ok`.
    pub problem: Option<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct HookReport {
    /// Every event configured, resolvable and not disabled.
    pub ok: bool,
    pub settings_files: Vec<SettingsFile>,
    pub events: Vec<EventCheck>,
}

/// What a missing or broken handler of `event` costs the user.
fn consequence(event: &str) -> &'static str {
    match event {
        "PreToolUse" => "the gate is OFF: no tool call is decided",
        "PostToolUse" | "PostToolUseFailure" => "outcomes, retries and edits are not counted",
        "Stop" | "SubagentStop" => "the evidence gate is off and no review packet is written",
        "SessionStart" => "the agent is not told its budget",
        "UserPromptSubmit" => "the task request is not recorded",
        _ => "the run record is not finalised",
    }
}

/// Checks the hooks of the project at `project_root` (and the user's settings).
pub(super) fn check(project_root: &Path) -> HookReport {
    let mut places: Vec<(&'static str, PathBuf)> = vec![
        ("project", project_root.join(".claude/settings.json")),
        ("local", project_root.join(".claude/settings.local.json")),
    ];
    places.extend(settings_path(Scope::User).map(|p| ("user", p)));
    let parsed: Vec<(SettingsFile, Option<Value>)> = places
        .into_iter()
        .map(|(s, p)| read_settings(s, p))
        .collect();
    let disabled: Vec<&SettingsFile> = parsed
        .iter()
        .map(|(f, _)| f)
        .filter(|f| f.disables_all_hooks)
        .collect();
    let mut events: Vec<EventCheck> = Vec::new();
    for (event, exe, matcher, _) in HOOKS {
        let mut check = check_event(event, exe, matcher.is_some(), &parsed, project_root);
        if let Some(file) = disabled.first()
            && check.status == "ok"
        {
            check.status = "broken";
            check.problem = Some(format!(
                "every hook is disabled by `disableAllHooks` in {} — {}",
                file.path.display(),
                consequence(event)
            ));
        }
        events.push(check);
    }
    HookReport {
        ok: events.iter().all(|e| e.status == "ok"),
        settings_files: parsed.into_iter().map(|(f, _)| f).collect(),
        events,
    }
}

fn read_settings(scope: &'static str, path: PathBuf) -> (SettingsFile, Option<Value>) {
    let mut file = SettingsFile {
        scope,
        exists: path.is_file(),
        path,
        error: None,
        disables_all_hooks: false,
    };
    if !file.exists {
        return (file, None);
    }
    let parsed = std::fs::read(&file.path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).map_err(|e| e.to_string()));
    match parsed {
        Ok(value) => {
            file.disables_all_hooks = value["disableAllHooks"] == Value::Bool(true);
            (file, Some(value))
        }
        Err(e) => {
            file.error = Some(e);
            (file, None)
        }
    }
}

/// The best handler of ours for `event` over all files: one that resolves beats one that
/// does not; a full matcher beats a partial one.
fn check_event(
    event: &'static str,
    exe: &str,
    tool_event: bool,
    files: &[(SettingsFile, Option<Value>)],
    project_root: &Path,
) -> EventCheck {
    let mut best = EventCheck {
        event,
        status: "missing",
        command: None,
        settings_file: None,
        resolves_to: None,
        problem: Some(format!(
            "no {exe} handler in any settings file — {}",
            consequence(event)
        )),
    };
    let rank = |status: &str| match status {
        "ok" => 3,
        "partial" => 2,
        "broken" => 1,
        _ => 0,
    };
    for (file, value) in files {
        let Some(groups) = value.as_ref().and_then(|v| v["hooks"][event].as_array()) else {
            continue;
        };
        for group in groups {
            for handler in group["hooks"].as_array().into_iter().flatten() {
                let Some(command) = handler["command"].as_str() else {
                    continue;
                };
                let exec_form = handler.get("args").is_some_and(Value::is_array);
                let Some(program) = program_of(command, exec_form, project_root) else {
                    continue;
                };
                if !names_exe(&program, exe) {
                    continue;
                }
                let mut candidate = EventCheck {
                    event,
                    status: "ok",
                    command: Some(command.to_owned()),
                    settings_file: Some(file.path.clone()),
                    resolves_to: None,
                    problem: None,
                };
                match resolve(&program) {
                    Ok(path) => {
                        candidate.resolves_to = Some(path);
                        let matcher = group["matcher"].as_str().unwrap_or("");
                        if tool_event && !matches!(matcher, "" | "*") {
                            candidate.status = "partial";
                            candidate.problem = Some(format!(
                                "only tools matching `{matcher}` are covered — for other tools {}",
                                consequence(event)
                            ));
                        }
                    }
                    Err(problem) => {
                        candidate.status = "broken";
                        candidate.problem = Some(format!("{problem} — {}", consequence(event)));
                    }
                }
                if rank(candidate.status) > rank(best.status) {
                    best = candidate;
                }
            }
        }
    }
    best
}

/// True when `program` is our executable `exe` (by basename; `.exe` on Windows).
fn names_exe(program: &str, exe: &str) -> bool {
    let name = Path::new(program)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    name == exe || name.strip_suffix(".exe") == Some(exe)
}

/// The program a handler runs: in exec form the command itself, in shell form its first
/// word (after `VAR=value` prefixes), with `${CLAUDE_PROJECT_DIR}`, `$HOME` and `~`
/// expanded as Claude Code and the shell would.
fn program_of(command: &str, exec_form: bool, project_root: &Path) -> Option<String> {
    let root = project_root.to_string_lossy();
    let home = crate::project::env()
        .home
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    let expand = |word: &str| {
        let mut word = word
            .replace("${CLAUDE_PROJECT_DIR}", &root)
            .replace("$CLAUDE_PROJECT_DIR", &root)
            .replace("${HOME}", &home)
            .replace("$HOME", &home);
        if let Some(rest) = word.strip_prefix("~/") {
            word = format!("{home}/{rest}");
        }
        word
    };
    if exec_form {
        return Some(expand(command));
    }
    shell_words(command)
        .into_iter()
        .find(|w| !w.contains('=') || w.starts_with('/'))
        .map(|w| expand(&w))
}

/// The words of a shell command line, quotes removed (enough to find the program).
fn shell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' | '"' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == c {
                        break;
                    }
                    word.push(q);
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            _ => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The executable file `program` names: a path (must exist, be a file and executable) or a
/// bare name looked up on `PATH`.
fn resolve(program: &str) -> Result<PathBuf, String> {
    if program.contains('/') {
        let path = PathBuf::from(program);
        return if !path.exists() {
            Err(format!("{program} does not exist"))
        } else if !is_executable(&path) {
            Err(format!("{program} is not an executable file"))
        } else {
            Ok(path)
        };
    }
    let path_var = crate::project::env().path.unwrap_or_default();
    std::env::split_paths(&path_var)
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
        .ok_or_else(|| format!("{program} is not found on PATH"))
}

fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// The text lines `status` prints about the hooks.
pub(super) fn text(report: &HookReport) -> String {
    let mut out = String::new();
    for file in &report.settings_files {
        if let Some(error) = &file.error {
            out.push_str(&format!(
                "settings: {} is not valid JSON ({error}); Claude Code ignores it\n",
                file.path.display()
            ));
        }
    }
    if report.ok {
        let mut places: Vec<&str> = report
            .events
            .iter()
            .filter_map(|e| {
                let path = e.settings_file.as_ref()?;
                report
                    .settings_files
                    .iter()
                    .find(|f| &f.path == path)
                    .map(|f| f.scope)
            })
            .collect();
        places.sort_unstable();
        places.dedup();
        out.push_str(&format!(
            "hooks: installed for all {} events ({}), every command resolves\n",
            report.events.len(),
            places.join(", ")
        ));
        return out;
    }
    let none = report.events.iter().all(|e| e.status == "missing");
    if none {
        out.push_str(
            "hooks: not installed — the budget is not enforced (run `claude-budget install`)\n",
        );
        return out;
    }
    out.push_str(
        "hooks: PROBLEMS (correct the path, or run `claude-budget uninstall` then \
         `claude-budget install`):\n",
    );
    for event in &report.events {
        match (event.status, &event.problem) {
            ("ok", _) | (_, None) => out.push_str(&format!("  {}: ok\n", event.event)),
            (_, Some(problem)) => {
                let place = event
                    .settings_file
                    .as_ref()
                    .map(|f| format!(" (in {})", f.display()))
                    .unwrap_or_default();
                out.push_str(&format!("  {}: {problem}{place}\n", event.event));
            }
        }
    }
    out
}
