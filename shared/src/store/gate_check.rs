//! Does the PreToolUse gate resolve? The session hook asks this at SessionStart so its
//! message never claims enforcement that is not there (SPEC §3): a settings entry pointing
//! at a deleted or renamed executable, or `disableAllHooks`, lets every call through while
//! the SessionStart hook (wired separately) still runs.
//!
//! Deliberately small and on the safe side of "unknown": the full per-event report is
//! `claude-budget status`. A plugin that names claude-budget counts as wired (its hooks live
//! in the plugin, not in the settings files read here).

use crate::env::Env;
use serde_json::Value;
use std::ffi::OsStr;
use std::path::Path;

/// The pre-tool-use executable's name.
const PRE_EXE: &str = "claude-budget-pre-tool-use";

/// Why the gate is off, or `None` when a PreToolUse handler of ours resolves.
pub fn gate_off_reason(project_root: &Path, env: &Env) -> Option<String> {
    let home = env.home.as_deref();
    let mut files = vec![
        project_root.join(".claude/settings.json"),
        project_root.join(".claude/settings.local.json"),
    ];
    match &env.claude_config_dir {
        Some(dir) => files.push(dir.join("settings.json")),
        None => files.extend(home.map(|h| h.join(".claude/settings.json"))),
    }
    let parsed: Vec<Value> = files
        .iter()
        .filter_map(|f| std::fs::read(f).ok())
        .filter_map(|bytes| serde_json::from_slice(&bytes).ok())
        .collect();
    if parsed
        .iter()
        .any(|v| v["disableAllHooks"] == Value::Bool(true))
    {
        return Some("hooks are disabled (`disableAllHooks` in a settings file)".into());
    }
    let plugin = parsed.iter().any(|v| {
        v["enabledPlugins"]
            .as_object()
            .is_some_and(|p| p.keys().any(|k| k.contains("claude-budget")))
    });
    if plugin {
        return None;
    }
    let mut broken = None;
    for value in &parsed {
        for group in value["hooks"]["PreToolUse"]
            .as_array()
            .into_iter()
            .flatten()
        {
            for handler in group["hooks"].as_array().into_iter().flatten() {
                let Some(command) = handler["command"].as_str() else {
                    continue;
                };
                let exec_form = handler.get("args").is_some_and(Value::is_array);
                let program = program(command, exec_form, project_root, home);
                if !program
                    .rsplit('/')
                    .next()
                    .is_some_and(|n| n.starts_with(PRE_EXE))
                {
                    continue;
                }
                if resolves(&program, env.path.as_deref()) {
                    return None;
                }
                broken = Some(format!(
                    "its command `{program}` does not resolve to an executable"
                ));
            }
        }
    }
    Some(broken.unwrap_or_else(|| "no PreToolUse handler of claude-budget in the settings".into()))
}

/// The program a handler runs (the command itself in exec form, else its first word not a
/// `VAR=value`), with `$CLAUDE_PROJECT_DIR`, `$HOME` and `~` expanded.
fn program(command: &str, exec_form: bool, root: &Path, home: Option<&Path>) -> String {
    let word = if exec_form {
        command.to_owned()
    } else {
        shlex::split(command)
            .unwrap_or_default()
            .into_iter()
            .find(|w| !w.contains('=') || w.starts_with('/'))
            .unwrap_or_default()
    };
    let root = root.to_string_lossy();
    let home = home
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    let word = word
        .replace("${CLAUDE_PROJECT_DIR}", &root)
        .replace("$CLAUDE_PROJECT_DIR", &root)
        .replace("${HOME}", &home)
        .replace("$HOME", &home);
    match word.strip_prefix("~/") {
        Some(rest) => format!("{home}/{rest}"),
        None => word,
    }
}

fn resolves(program: &str, path: Option<&OsStr>) -> bool {
    if program.contains('/') {
        return executable(Path::new(program));
    }
    path.is_some_and(|path| std::env::split_paths(path).any(|dir| executable(&dir.join(program))))
}

fn executable(path: &Path) -> bool {
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
