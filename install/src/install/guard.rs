//! The missing-binary guard of a committed settings file (SPEC §2 "Rollout cannot fail open").
//!
//! Claude Code treats a hook command that cannot start (ENOENT, exit 127) as a non-blocking
//! error: the tool call runs. A teammate who pulls a repository whose `.claude/settings.json`
//! names our hooks, but who never installed them, would get no gate at all. So beside the
//! PreToolUse hook (exec form, looked up on PATH) `install --scope project` writes a second
//! handler in the same matcher group: a one-line `sh` presence check that exits 2 — a deny
//! whose reason the model reads — when `claude-budget-pre-tool-use` is not on PATH.
//!
//! Claude Code runs the handlers of one event in parallel, so the check runs beside the hook
//! rather than in front of it, and the hook keeps the exec form. What that costs against a
//! `sh -c` wrapper depends on spare cores (measured by the `bench-guard` binary of
//! `budget-tests`; figures in README "Rolling out to a team").

use serde_json::Value;

/// How a teammate installs the executables (with `--locked`: the build CI tested).
pub(crate) const INSTALL_COMMAND: &str = "cargo install --locked --git https://github.com/claude-budget/claude-budget budget-hooks claude-budget";

/// Every guard starts with this: how `install`, `uninstall` and `status` recognise it.
const GUARD_PREFIX: &str = "command -v claude-budget-pre-tool-use >/dev/null 2>&1 ||";

/// The shell-form command of the guard handler in a project's settings file. No `$`,
/// backquote or `!` in the message, so the double quotes are literal under every POSIX `sh`.
pub(crate) fn guard_command() -> String {
    guard_for("this repository's .claude/settings.json requires it")
}

/// What the agent (and the user) reads when the executables are missing, and who needs them.
fn guard_for(required_by: &str) -> String {
    format!(
        "{GUARD_PREFIX} {{ echo \"claude-budget is not installed on this machine: \
         {INSTALL_COMMAND} ({required_by})\" >&2; exit 2; }}"
    )
}

/// The guard handler as Claude Code reads it: shell form (no `args`), the same timeout.
pub(crate) fn guard_handler(timeout: u64) -> Value {
    serde_json::json!({"type": "command", "command": guard_command(), "timeout": timeout})
}

/// True for a guard handler written by any version of `install`.
pub(crate) fn is_guard(handler: &Value) -> bool {
    handler["command"]
        .as_str()
        .is_some_and(|c| c.starts_with(GUARD_PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::install::{Scope, merge_hooks};
    use serde_json::{Map, Value};

    /// The hooks `install --scope project` writes into an empty settings file.
    fn project_hooks() -> Value {
        let mut settings = Map::new();
        merge_hooks(&mut settings, Scope::Project);
        settings.remove("hooks").unwrap_or_default()
    }

    /// The same guard in the Claude Code plugin's `hooks/hooks.json` (written by hand, kept
    /// in step by the test below).
    fn plugin_guard_command() -> String {
        guard_for("the claude-budget plugin requires it")
    }

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_settings_template_is_what_a_project_install_writes() {
        let template = parse(include_str!("../../../settings-templates/settings.json"));
        assert_eq!(template["hooks"], project_hooks());
    }

    #[test]
    fn the_plugin_hooks_are_the_project_hooks_with_the_plugin_guard() {
        let plugin = parse(include_str!(
            "../../../settings-templates/plugin/hooks/hooks.json"
        ));
        let mut expected = project_hooks();
        for handler in expected["PreToolUse"][0]["hooks"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            if is_guard(handler) {
                handler["command"] = Value::from(plugin_guard_command());
            }
        }
        assert_eq!(plugin["hooks"], expected);
    }

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
