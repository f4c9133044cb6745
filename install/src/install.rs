//! `claude-budget install` / `uninstall`: merge our hook entries into a Claude Code
//! settings file, keeping every other key and hook; idempotent; a backup before the first
//! change; prints what changed (SPEC §8).
//!
//! * [`guard`] — the missing-binary guard a committed settings file carries.
//! * [`backup`] — where backups go (the data dir, never the committed `.claude/`).

use crate::{EXIT_OK, EXIT_USAGE};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

mod backup;
pub(crate) mod guard;

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

/// The command for one hook. A project settings file is committed and read on every
/// teammate's machine, so it names no path of this one: the bare name, looked up on PATH
/// (the guard denies when it is missing). `local` and `user` stay on this machine: there the
/// executable beside this CLI (an absolute path, so PATH differences cannot disable the
/// gate) when it is there, else the bare name.
fn hook_command(name: &str, scope: Scope) -> String {
    if scope == Scope::Project {
        return name.to_owned();
    }
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

/// Adds our handlers to `settings` for `scope`; returns one line per change. In a project
/// file an older install's machine path is rewritten to the portable form, and the
/// PreToolUse group gets the missing-binary guard ([`guard`]).
pub(crate) fn merge_hooks(settings: &mut Map<String, Value>, scope: Scope) -> Vec<String> {
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
        let wanted = hook_command(exe, scope);
        let ours = groups.iter().position(|g| {
            g["hooks"].as_array().is_some_and(|hs| {
                hs.iter()
                    .any(|h| is_ours(h) && h["command"].as_str().is_some_and(|c| c.ends_with(exe)))
            })
        });
        let index = match ours {
            Some(i) => {
                if scope == Scope::Project {
                    changes.extend(make_portable(&mut groups[i], exe, &wanted, event));
                }
                i
            }
            None => {
                let mut group = json!({"hooks": [{"type": "command", "command": wanted,
                    "args": [], "timeout": timeout}]});
                if let Some(m) = matcher {
                    group["matcher"] = json!(m);
                }
                groups.push(group);
                changes.push(format!("+ {event}: {exe}"));
                groups.len() - 1
            }
        };
        if scope == Scope::Project && *event == "PreToolUse" {
            changes.extend(ensure_guard(groups, index, *timeout));
        }
    }
    changes
}

/// Rewrites our handler of `exe` in `group` to the portable exec form `wanted`.
fn make_portable(group: &mut Value, exe: &str, wanted: &str, event: &str) -> Option<String> {
    let handler = group["hooks"]
        .as_array_mut()?
        .iter_mut()
        .find(|h| is_ours(h) && h["command"].as_str().is_some_and(|c| c.ends_with(exe)))?;
    let old = handler["command"].as_str()?.to_owned();
    if old == wanted && handler["args"].is_array() {
        return None;
    }
    handler["command"] = json!(wanted);
    handler["args"] = json!([]);
    Some(format!(
        "~ {event}: {old} -> {wanted} (no machine path in a committed file)"
    ))
}

/// Makes sure exactly the current guard sits in the group at `index` (an older guard's
/// text is replaced; a guard anywhere else in the event counts as present).
fn ensure_guard(groups: &mut [Value], index: usize, timeout: u64) -> Option<String> {
    let current = guard::guard_command();
    for group in groups.iter_mut() {
        for handler in group["hooks"].as_array_mut().into_iter().flatten() {
            if guard::is_guard(handler) {
                if handler["command"] == current.as_str() {
                    return None;
                }
                handler["command"] = json!(current);
                return Some("~ PreToolUse: missing-binary guard updated".into());
            }
        }
    }
    groups[index]["hooks"]
        .as_array_mut()?
        .push(guard::guard_handler(timeout));
    Some(
        "+ PreToolUse: missing-binary guard (denies every call when the hooks are not installed)"
            .into(),
    )
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
                handlers.retain(|h| !is_ours(h) && !guard::is_guard(h));
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

/// Install or uninstall, the one edit each does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Edit {
    Install,
    Uninstall,
}

fn run_edit(args: &Args, edit: Edit) -> u8 {
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
    let changes = match edit {
        Edit::Install => merge_hooks(&mut settings, args.scope),
        Edit::Uninstall => remove_hooks(&mut settings),
    };
    let stale_backup = backup::stale_in_project(&path, args.scope);
    if changes.is_empty() && stale_backup.is_none() {
        println!("{}: already up to date", path.display());
        return EXIT_OK;
    }
    for line in &changes {
        println!("{line}");
    }
    // Uninstall of a file that held nothing but our entries: remove it, as if never made.
    let remove_file = edit == Edit::Uninstall && settings.is_empty() && !changes.is_empty();
    if args.dry_run {
        if remove_file {
            println!("(dry run: {} would be removed)", path.display());
        }
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
    let saved = if changes.is_empty() {
        Ok(None)
    } else {
        backup::save(&path, &original, args.scope)
    };
    let saved = match saved {
        Ok(saved) => saved,
        Err(e) => {
            eprintln!("could not back up {}: {e}; nothing changed", path.display());
            return EXIT_USAGE;
        }
    };
    if let Some(old) = &stale_backup {
        match backup::move_stale(old, args.scope) {
            Ok(to) => println!(
                "moved {} out of .claude/ to {}",
                old.display(),
                to.display()
            ),
            Err(e) => eprintln!("could not move {}: {e}", old.display()),
        }
    }
    if changes.is_empty() {
        return EXIT_OK;
    }
    let written = if remove_file {
        std::fs::remove_file(&path)
    } else {
        write_atomically(&path, &text)
    };
    let saved = saved
        .map(|b| format!(" (backup: {})", b.display()))
        .unwrap_or_default();
    match written {
        Ok(()) if remove_file => {
            println!(
                "removed {} (it held only claude-budget's entries){saved}",
                path.display()
            );
            EXIT_OK
        }
        Ok(()) => {
            println!("wrote {}{saved}", path.display());
            EXIT_OK
        }
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            EXIT_USAGE
        }
    }
}

/// Write to a temp file beside `path`, then rename: Claude Code never reads half a file.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

pub(crate) fn install(args: &Args) -> u8 {
    run_edit(args, Edit::Install)
}

pub(crate) fn uninstall(args: &Args) -> u8 {
    run_edit(args, Edit::Uninstall)
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
        let first = merge_hooks(&mut s, Scope::Local);
        assert_eq!(first.len(), HOOKS.len());
        assert_eq!(s["model"], "opus");
        assert_eq!(
            s["hooks"]["PreToolUse"][0]["hooks"][0]["command"],
            "other-guard"
        );
        assert!(
            merge_hooks(&mut s, Scope::Local).is_empty(),
            "second install changes nothing"
        );
    }

    #[test]
    fn uninstall_removes_exactly_our_entries() {
        let mut s = map(json!({"hooks": {"PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "other-guard"}]}]}}));
        let before = s.clone();
        merge_hooks(&mut s, Scope::Project);
        let removed = remove_hooks(&mut s);
        assert_eq!(removed.len(), HOOKS.len() + 1, "the hooks and the guard");
        assert_eq!(s, before);
    }

    /// Every handler of ours in `s`, as (event, command, exec form?).
    fn handlers(s: &Map<String, Value>) -> Vec<(String, String, bool)> {
        let mut out = Vec::new();
        for (event, groups) in s["hooks"].as_object().into_iter().flatten() {
            for group in groups.as_array().into_iter().flatten() {
                for h in group["hooks"].as_array().into_iter().flatten() {
                    let command = h["command"].as_str().unwrap_or_default().to_owned();
                    out.push((event.clone(), command, h["args"].is_array()));
                }
            }
        }
        out
    }

    #[test]
    fn a_project_install_names_no_machine_path_and_guards_pre_tool_use() {
        let mut s = Map::new();
        merge_hooks(&mut s, Scope::Project);
        let all = handlers(&s);
        assert_eq!(all.len(), HOOKS.len() + 1, "{all:#?}");
        for (event, command, exec) in &all {
            assert!(!command.starts_with('/'), "{event}: {command}");
            if guard::is_guard(&json!({ "command": command })) {
                assert_eq!(event, "PreToolUse");
                assert!(!exec, "the guard needs a shell");
            } else {
                assert!(command.starts_with("claude-budget-"), "{command}");
                assert!(exec, "{event}: hooks stay in exec form (no shell in front)");
            }
        }
        let pre = &s["hooks"]["PreToolUse"][0];
        assert_eq!(
            pre["matcher"], "*",
            "guard and hook share the group: {pre:#}"
        );
        assert_eq!(pre["hooks"].as_array().map(Vec::len), Some(2), "{pre:#}");
    }

    #[test]
    fn a_project_install_over_an_old_machine_path_makes_it_portable() {
        let mut s = map(json!({"hooks": {"PreToolUse": [{"matcher": "*", "hooks": [
            {"type": "command", "command": "/home/ann/.cargo/bin/claude-budget-pre-tool-use",
             "args": [], "timeout": 10}]}]}}));
        let changes = merge_hooks(&mut s, Scope::Project);
        assert!(
            changes.iter().any(|c| c.starts_with("~ PreToolUse")),
            "{changes:?}"
        );
        let commands: Vec<String> = handlers(&s).into_iter().map(|h| h.1).collect();
        assert!(
            !commands.iter().any(|c| c.contains("/home/ann")),
            "{commands:?}"
        );
        assert!(merge_hooks(&mut s, Scope::Project).is_empty(), "idempotent");
    }
}
