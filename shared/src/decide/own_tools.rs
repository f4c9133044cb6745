//! The product's own executables are off limits to the agent (SPEC §3): a forged hook input
//! is forged evidence (`claude-budget-post-tool-use < forged.json` recorded a passing test
//! run), and `claude-budget uninstall` removes the hooks that enforce the budget. Running any
//! `claude-budget-*` executable, or a CLI command that changes state (`install`,
//! `uninstall`, `capture`, `prune`, `init --force`), is refused whatever `[run]` says.
//! Read-only CLI commands stay allowed: knowing its box helps the agent.
//!
//! Decided on the analysis's normalised argv, so a path to the executable, quoting, `env`,
//! `timeout`, `bash -c` or `xargs` do not hide it. A copy under another name is not caught
//! here (see the module's limits in the issue note); the executables' own files are
//! protected from edits by [`super::protect`].

use super::{Code, Finding};
use crate::verdict::{Hit, Origin, Verdict};

/// The CLI's name; its hook executables are `claude-budget-<event>`.
const CLI: &str = "claude-budget";

/// CLI subcommands that only read (SPEC §3), plus the help and version flags. Anything
/// else — a state-changing or an unknown subcommand — is refused: fail closed.
const READ_ONLY: &[&str] = &[
    "explain",
    "status",
    "report",
    "touchmap",
    "check",
    "test",
    "replay",
    "demo",
    "help",
    "--help",
    "-h",
    "--version",
    "-V",
];

/// The self-protection finding for running `argv`, when it runs the product itself.
pub(super) fn finding(argv: &[String], what: &str) -> Option<Finding> {
    let program = argv.first()?;
    let rule = if program.starts_with("claude-budget-") {
        "a claude-budget hook executable"
    } else if program == CLI {
        let sub = argv.get(1).map_or("", String::as_str);
        let force = argv.iter().skip(1).any(|w| w == "--force" || w == "-f");
        match sub {
            "init" if !force => return None,
            s if READ_ONLY.contains(&s) => return None,
            _ => "a claude-budget command that changes state",
        }
    } else {
        return None;
    };
    Some(Finding {
        hit: Hit {
            verdict: Verdict::Deny,
            origin: Origin::builtin("self-protection/own-tools"),
            section: "self-protection".into(),
            rule: rule.into(),
        },
        code: Code::SelfProtection,
        what: what.to_owned(),
        stop_reason: None,
        detail: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(command: &str) -> bool {
        let argv: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
        finding(&argv, command).is_some()
    }

    macro_rules! rows {
        ($($name:ident: $command:expr => $refused:expr;)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(refused($command), $refused, "{}", $command);
            }
        )*};
    }

    rows! {
        a_hook_executable_is_refused: "claude-budget-post-tool-use" => true;
        every_hook_executable_is_refused: "claude-budget-session --anything" => true;
        uninstall_is_refused: "claude-budget uninstall" => true;
        install_is_refused: "claude-budget install --scope user" => true;
        capture_is_refused: "claude-budget capture s1 --name x" => true;
        prune_is_refused: "claude-budget prune" => true;
        init_force_is_refused: "claude-budget init --force" => true;
        an_unknown_subcommand_is_refused: "claude-budget frobnicate" => true;
        a_bare_cli_is_refused_as_unknown: "claude-budget" => true;
        explain_is_allowed: "claude-budget explain rm -rf /" => false;
        status_is_allowed: "claude-budget status" => false;
        report_is_allowed: "claude-budget report --format json" => false;
        check_is_allowed: "claude-budget check" => false;
        test_is_allowed: "claude-budget test" => false;
        touchmap_is_allowed: "claude-budget touchmap" => false;
        init_without_force_is_allowed: "claude-budget init" => false;
        other_programs_are_not_concerned: "cargo test" => false;
    }
}
