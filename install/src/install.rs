//! `claude-budget install` / `uninstall`: merge our hook entries into a Claude Code
//! settings file, keeping every other key and hook; idempotent; a backup before the first
//! change; prints what changed (SPEC §8).

use crate::{EXIT_OK, EXIT_USAGE};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Scope {
    /// `.claude/settings.json` (committed, shared with the team)
    #[default]
    Project,
    /// `.claude/settings.local.json` (this machine only)
    Local,
    /// `~/.claude/settings.json` (every project of this user)
    User,
}

#[derive(clap::Args)]
pub(crate) struct Args {
    #[arg(long, value_enum, default_value_t)]
    scope: Scope,
    /// Print what would change without writing.
    #[arg(long)]
    dry_run: bool,
}

/// Our hook executables and the events each handles (SPEC §2), with their timeouts (s).
pub(crate) const HOOKS: &[(&str, &str, Option<&str>, u64)] = &[
    ("PreToolUse", "claude-budget-pre-tool-use", Some("*"), 10),
    ("PostToolUse", "claude-budget-post-tool-use", Some("*"), 10),
    (
        "PostToolUseFailure",
        "claude-budget-post-tool-use",
        Some("*"),
        10,
    ),
    ("Stop", "claude-budget-stop", None, 10),
    ("SubagentStop", "claude-budget-stop", None, 10),
    ("SessionStart", "claude-budget-session", None, 10),
    ("UserPromptSubmit", "claude-budget-session", None, 10),
    ("SessionEnd", "claude-budget-session", None, 2),
];

pub(crate) fn settings_path(scope: Scope) -> Option<PathBuf> {
    match scope {
        Scope::Project => Some(
            crate::project::locate()
                .project_root
                .join(".claude/settings.json"),
        ),
        Scope::Local => Some(
            crate::project::locate()
                .project_root
                .join(".claude/settings.local.json"),
        ),
        Scope::User => {
            let env = crate::project::env();
            env.claude_config_dir
                .or_else(|| env.home.map(|h| h.join(".claude")))
                .map(|d| d.join("settings.json"))
        }
    }
}

/// The command for one hook: the executable beside this CLI when it is there (an absolute
/// path, so PATH differences cannot disable the gate), else the bare name.
fn hook_command(name: &str) -> String {
    let beside = crate::project::env()
        .current_exe
        .and_then(|exe| Some(exe.parent()?.join(name)));
    match beside {
        Some(path) if path.is_file() => path.display().to_string(),
        _ => name.to_owned(),
    }
}

/// True for a handler that runs one of our executables.
fn is_ours(handler: &Value) -> bool {
    handler["command"]
        .as_str()
        .and_then(|c| Path::new(c).file_name()?.to_str())
        .is_some_and(|n| n.starts_with("claude-budget-"))
}

/// Adds our handlers to `settings`; returns one line per change.
pub(crate) fn merge_hooks(settings: &mut Map<String, Value>) -> Vec<String> {
    let mut changes = Vec::new();
    let hooks = settings.entry("hooks").or_insert_with(|| json!({}));
    if !hooks.is_object() {
        *hooks = json!({});
    }
    let Some(hooks) = hooks.as_object_mut() else {
        return changes;
    };
    for (event, exe, matcher, timeout) in HOOKS {
        let groups = hooks.entry(event.to_string()).or_insert_with(|| json!([]));
        if !groups.is_array() {
            *groups = json!([]);
        }
        let Some(groups) = groups.as_array_mut() else {
            continue;
        };
        let present = groups.iter().any(|g| {
            g["hooks"].as_array().is_some_and(|hs| {
                hs.iter()
                    .any(|h| is_ours(h) && h["command"].as_str().is_some_and(|c| c.ends_with(exe)))
            })
        });
        if present {
            continue;
        }
        let mut group = json!({"hooks": [{"type": "command", "command": hook_command(exe),
            "args": [], "timeout": timeout}]});
        if let Some(m) = matcher {
            group["matcher"] = json!(m);
        }
        groups.push(group);
        changes.push(format!("+ {event}: {exe}"));
    }
    changes
}

/// Removes exactly our handlers (and groups/events left empty by that).
pub(crate) fn remove_hooks(settings: &mut Map<String, Value>) -> Vec<String> {
    let mut changes = Vec::new();
    let Some(hooks) = settings.get_mut("hooks").and_then(Value::as_object_mut) else {
        return changes;
    };
    for (event, groups) in hooks.iter_mut() {
        let Some(groups) = groups.as_array_mut() else {
            continue;
        };
        for group in groups.iter_mut() {
            if let Some(handlers) = group.get_mut("hooks").and_then(Value::as_array_mut) {
                let before = handlers.len();
                handlers.retain(|h| !is_ours(h));
                for _ in handlers.len()..before {
                    changes.push(format!("- {event}"));
                }
            }
        }
        groups.retain(|g| g["hooks"].as_array().is_none_or(|h| !h.is_empty()));
    }
    hooks.retain(|_, groups| groups.as_array().is_none_or(|g| !g.is_empty()));
    if hooks.is_empty() {
        settings.remove("hooks");
    }
    changes
}

fn run_edit(args: &Args, edit: fn(&mut Map<String, Value>) -> Vec<String>) -> u8 {
    let Some(path) = settings_path(args.scope) else {
        eprintln!("cannot find the settings file: set HOME or CLAUDE_CONFIG_DIR");
        return EXIT_USAGE;
    };
    let original = std::fs::read_to_string(&path).unwrap_or_default();
    let mut settings: Map<String, Value> = if original.trim().is_empty() {
        Map::new()
    } else {
        match serde_json::from_str(&original) {
            Ok(map) => map,
            Err(e) => {
                eprintln!("{}: not valid JSON ({e}); nothing changed", path.display());
                return EXIT_USAGE;
            }
        }
    };
    let changes = edit(&mut settings);
    if changes.is_empty() {
        println!("{}: already up to date", path.display());
        return EXIT_OK;
    }
    for line in &changes {
        println!("{line}");
    }
    if args.dry_run {
        println!("(dry run: {} not written)", path.display());
        return EXIT_OK;
    }
    let text = match serde_json::to_string_pretty(&settings) {
        Ok(t) => t + "\n",
        Err(e) => {
            eprintln!("could not encode settings: {e}");
            return EXIT_USAGE;
        }
    };
    let backup = path.with_extension("json.bak");
    let written = (|| -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if !original.is_empty() {
            std::fs::write(&backup, &original)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)
    })();
    match written {
        Ok(()) => {
            let saved = if original.is_empty() {
                String::new()
            } else {
                format!(" (backup: {})", backup.display())
            };
            println!("wrote {}{saved}", path.display());
            EXIT_OK
        }
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            EXIT_USAGE
        }
    }
}

pub(crate) fn install(args: &Args) -> u8 {
    run_edit(args, merge_hooks)
}

pub(crate) fn uninstall(args: &Args) -> u8 {
    run_edit(args, remove_hooks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn install_keeps_other_keys_and_hooks_and_is_idempotent() {
        let mut s = map(json!({"model": "opus", "hooks": {"PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "other-guard"}]}]}}));
        let first = merge_hooks(&mut s);
        assert_eq!(first.len(), HOOKS.len());
        assert_eq!(s["model"], "opus");
        assert_eq!(
            s["hooks"]["PreToolUse"][0]["hooks"][0]["command"],
            "other-guard"
        );
        assert!(
            merge_hooks(&mut s).is_empty(),
            "second install changes nothing"
        );
    }

    #[test]
    fn uninstall_removes_exactly_our_entries() {
        let mut s = map(json!({"hooks": {"PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "other-guard"}]}]}}));
        let before = s.clone();
        merge_hooks(&mut s);
        let removed = remove_hooks(&mut s);
        assert_eq!(removed.len(), HOOKS.len());
        assert_eq!(s, before);
    }
}
