//! Every sentence the agent reads (SPEC §9): what was refused, which rule, what to do
//! instead. Never a bare "blocked".

use super::{Code, Finding};
use crate::verdict::{Origin, Verdict};

/// Names the rule the way a reader finds it: the rule text, its section and its origin.
pub(super) fn rule_name(finding: &Finding) -> String {
    let hit = &finding.hit;
    let is_key = matches!(
        hit.rule.as_str(),
        "default"
            | "outside_project"
            | "unparsed"
            | "unlisted"
            | "write_decision"
            | "enabled"
            | "search"
            | "push"
            | "pr_merge"
    );
    match &hit.origin {
        Origin::Pack { pack, id } => format!("pack {pack}: {id} ({})", hit.origin),
        Origin::Builtin { .. } if is_key => {
            format!("[{}] {} ({})", hit.section, hit.rule, hit.origin)
        }
        Origin::Builtin { .. } => format!("{} ({})", hit.rule, hit.origin),
        Origin::File { .. } if is_key => {
            format!("[{}] {} ({})", hit.section, hit.rule, hit.origin)
        }
        Origin::File { .. } => format!("`{}` in [{}] ({})", hit.rule, hit.section, hit.origin),
    }
}

/// What to do instead, per kind of refusal.
fn instead(code: Code) -> &'static str {
    match code {
        Code::PathDenied | Code::PathAsk => {
            "Work only on paths the budget allows; if you really need this path, stop and ask \
             the user."
        }
        Code::CommandDenied | Code::CommandAsk => {
            "Do not retry it in another form (wrappers, scripts and other tools are checked \
             too). Use an allowed command, or stop and ask the user to run it."
        }
        Code::UnparsedCommand => {
            "Rewrite it as plain commands with literal arguments (no dynamic command names, \
             eval or piping text into a shell), or ask the user."
        }
        Code::McpDenied | Code::McpAsk => {
            "Use a read-only tool of an allowed server, or stop and ask the user."
        }
        Code::WebDenied | Code::WebAsk => {
            "Use an allowed host (see [web] allow), or ask the user for the information."
        }
        Code::MergeDenied => {
            "Leave pushing and merging to a human: commit on a feature branch and report what \
             is ready."
        }
        Code::SpendExceeded => {
            "Stop working: summarise what is done and what is left for the user."
        }
        Code::RetryLimit => {
            "Stop retrying. Report the failure and the evidence to the user, or try a different \
             approach."
        }
        Code::StopRule => "Stop now and tell the user; a new approval is needed to continue.",
        Code::RollbackNoteMissing => {
            "Write the rollback note first (template below), then retry the edit."
        }
        Code::SelfProtection => {
            "Leave it alone; if it must change, stop and ask the user to change it."
        }
        Code::BudgetInvalid | Code::HookInternalError => {
            "Ask the user to fix the problem named above, then retry."
        }
        Code::TamperDetected | Code::GateOff => {
            "Stop and tell the user what changed; do not work around claude-budget."
        }
        Code::SecretExposed => {
            "Do not repeat or use the secret; tell the user it was exposed so they can rotate it."
        }
        Code::ApprovalNeeded | Code::Allowed | Code::NoOpinion => "",
    }
}

/// What a protected path is, by protection id (`builtin:self-protection/<id>`).
pub(super) fn protected_what(id: &str) -> &'static str {
    match id {
        "budget-file" => "a budget file",
        "user-budget" => "the user budget's folder",
        "claude-settings" => "Claude Code's settings",
        "budget-tests" => "the budget's replay cases",
        "git-internals" => "git's internal files (hooks, config)",
        "shell-startup" => "a shell start-up file",
        _ => "claude-budget's own state, records, configuration or executables",
    }
}

/// Why a protected path may not change, as a relative clause, and what to do instead.
fn protected_why(id: &str) -> (&'static str, &'static str) {
    match id {
        "budget-file" | "user-budget" => (
            "which sets what this run may do",
            "Leave it alone; if the budget must change, stop and ask the user to change it.",
        ),
        "claude-settings" => (
            "which install the hooks that enforce the budget",
            "Leave them alone; if a setting must change, stop and ask the user to change it.",
        ),
        "budget-tests" => (
            "which CI checks the budget against",
            "Leave them alone; propose a new case to the user instead.",
        ),
        "git-internals" => (
            "which run code on later git commands, outside the budget's checks",
            "Use git's own commands (add, commit, branch); if a hook or git setting must \
             change, ask the user.",
        ),
        "shell-startup" => (
            "which runs code in every later shell, outside the budget's checks",
            "Set what the command needs on its own line (`VAR=x cmd`); if the start-up file \
             must change, ask the user.",
        ),
        _ => (
            "which count, record and enforce this run",
            "Leave them alone; if they must change, stop and ask the user.",
        ),
    }
}

/// The id of a `builtin:<prefix>/<id>` origin.
fn builtin_id<'a>(finding: &'a Finding, prefix: &str) -> Option<&'a str> {
    match &finding.hit.origin {
        Origin::Builtin { id } => id.strip_prefix(prefix),
        _ => None,
    }
}

/// A refusal by self-protection: what the path is and why it is kept (SPEC §3).
fn self_protection(finding: &Finding) -> String {
    let id = builtin_id(finding, "self-protection/").unwrap_or_default();
    let (why, instead) = protected_why(id);
    let what = &finding.what;
    let origin = &finding.hit.origin;
    match &finding.detail {
        // An edit of a folder that holds the protected path.
        Some(holds) => format!(
            "claude-budget refused {what}: {holds}, {}, {why} ({origin}) [self-protection]. \
             Name the paths inside the folder instead (`rm -rf build/`, `cp -r x/. src/`), \
             leaving the protected one alone; if it must change, ask the user.",
            protected_what(id),
        ),
        None => format!(
            "claude-budget refused {what}: that is {}, {why} ({origin}) [self-protection]. \
             {instead}",
            protected_what(id)
        ),
    }
}

/// A call refused because the run was stopped earlier (by a stop rule, or a spend limit with
/// `on_exceed = "halt"`): the original rule and its reason.
fn already_stopped(finding: &Finding) -> String {
    let what = &finding.what;
    let reason = finding.stop_reason.as_deref().unwrap_or_default();
    let by = if finding.code == Code::SpendExceeded {
        "the spend limit"
    } else {
        "the stop rule"
    };
    format!(
        "claude-budget refused {what}: this run was already stopped by {by} at {}: {reason} \
         [{}]. Every further tool call is refused. {}",
        finding.hit.rule,
        finding.code.as_str(),
        instead(finding.code)
    )
}

/// The reason text for the winning finding.
pub(super) fn reason(finding: &Finding) -> String {
    if finding.code == Code::SelfProtection {
        return self_protection(finding);
    }
    if builtin_id(finding, "").is_some_and(|id| id == "stopped-run") {
        return already_stopped(finding);
    }
    let rule = rule_name(finding);
    let what = &finding.what;
    let mut text = match finding.hit.verdict {
        Verdict::Allow => format!("claude-budget allows {what}: {rule}."),
        Verdict::Ask => format!(
            "claude-budget asks for approval before {what}: {rule} [{}]. {}",
            finding.code.as_str(),
            instead(finding.code)
        ),
        Verdict::Deny => match &finding.stop_reason {
            Some(stop) => {
                let (kind, code) = if finding.code == Code::SpendExceeded {
                    ("spend limit", Code::SpendExceeded)
                } else {
                    ("stop rule", Code::StopRule)
                };
                format!(
                    "claude-budget stopped this run at {what}: {stop} ({kind} {}) [{}]. {}",
                    finding.hit.origin,
                    code.as_str(),
                    instead(code)
                )
            }
            None => format!(
                "claude-budget refused {what}: denied by {rule} [{}]. {}",
                finding.code.as_str(),
                instead(finding.code)
            ),
        },
    };
    if let Some(detail) = &finding.detail {
        text.push('\n');
        text.push_str(detail);
    }
    text
}

/// `ask` turned into `deny` because no human can answer a prompt in this permission mode:
/// the refusal first, then the rule that asks, then what to do.
pub(super) fn approval_needed(finding: &Finding) -> String {
    let mut text = format!(
        "claude-budget refused {}: it needs the user's approval ({}) and nobody can approve in \
         this permission mode [{}]. Stop and ask the user to approve it or run it \
         themselves.",
        finding.what,
        rule_name(finding),
        Code::ApprovalNeeded
    );
    if let Some(detail) = &finding.detail {
        text.push('\n');
        text.push_str(detail);
    }
    text
}

/// The "allowed instead" line for a refused command: up to three `[run] allow` or `tests`
/// entries of the same program.
pub(super) fn allowed_instead(program: &str, allowed: &[String]) -> Option<String> {
    let same_program: Vec<String> = allowed
        .iter()
        .filter(|rule| {
            rule.split_whitespace()
                .next()
                .is_some_and(|first| first.rsplit('/').next() == Some(program))
        })
        .take(3)
        .map(|rule| format!("`{rule}`"))
        .collect();
    (!same_program.is_empty()).then(|| format!("Allowed instead: {}.", same_program.join(", ")))
}
