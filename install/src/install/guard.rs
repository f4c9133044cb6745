//! The missing-binary guard of a committed settings file (SPEC §2 "Rollout cannot fail open").
//!
//! Claude Code treats a hook command that cannot start (ENOENT, exit 127) as a non-blocking
//! error: the tool call runs. A teammate who pulls a repository whose `.claude/settings.json`
//! names our hooks, but who never installed them, would get no gate at all. So beside the
//! PreToolUse hook (exec form, looked up on PATH) `install --scope project` writes a second
//! handler in the same matcher group: a one-line `sh` presence check that exits 2 — a deny
//! whose reason the model reads — when `claude-budget-pre-tool-use` is not on PATH.
//!
//! Claude Code runs the handlers of one event in parallel, so the check adds the cost of a
//! shell start beside the hook, not in front of it (measured by the `bench-guard` binary of
//! `budget-tests`; figures in README "Rolling out to a team").

use serde_json::Value;

/// How a teammate installs the executables (with `--locked`: the build CI tested).
pub const INSTALL_COMMAND: &str = "cargo install --locked --git https://github.com/claude-budget/claude-budget budget-hooks claude-budget";

/// Every guard starts with this: how `install`, `uninstall` and `status` recognise it.
const GUARD_PREFIX: &str = "command -v claude-budget-pre-tool-use >/dev/null 2>&1 ||";

/// The shell-form command of the guard handler. No `$`, backquote or `!` in the message, so
/// the double quotes are literal under every POSIX `sh`.
pub fn guard_command() -> String {
    format!(
        "{GUARD_PREFIX} {{ echo \"{}\" >&2; exit 2; }}",
        missing_message("settings.json")
    )
}

/// What the agent (and the user) reads when the executables are missing.
pub fn missing_message(settings_file: &str) -> String {
    format!(
        "claude-budget is not installed on this machine: {INSTALL_COMMAND} \
         (this repository's .claude/{settings_file} requires it)"
    )
}

/// The guard handler as Claude Code reads it: shell form (no `args`), the same timeout.
pub fn guard_handler(timeout: u64) -> Value {
    serde_json::json!({"type": "command", "command": guard_command(), "timeout": timeout})
}

/// True for a guard handler written by any version of `install`.
pub fn is_guard(handler: &Value) -> bool {
    handler["command"]
        .as_str()
        .is_some_and(|c| c.starts_with(GUARD_PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_names_no_path_of_this_machine_and_tells_how_to_install() {
        let guard = guard_command();
        assert!(is_guard(&guard_handler(10)));
        assert!(guard.contains(INSTALL_COMMAND), "{guard}");
        assert!(guard.contains("exit 2"), "{guard}");
        let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
        assert!(!guard.contains(&home), "{guard}");
        assert!(
            !guard.contains(['$', '`', '!']),
            "expansions in the message: {guard}"
        );
    }
}
