//! Every sentence the agent reads (SPEC §9): what was refused, which rule, what to do
//! instead. Never a bare "blocked".

use super::{Code, Finding};
use crate::verdict::{Origin, Verdict};

/// Names the rule the way a reader finds it: the rule text, its section and its origin.
pub fn rule_name(finding: &Finding) -> String {
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
            "These files enforce the budget: leave them alone. If they must change, ask the user."
        }
        Code::BudgetInvalid | Code::HookInternalError => {
            "Ask the user to fix the problem named above, then retry."
        }
        Code::ApprovalNeeded | Code::Allowed | Code::NoOpinion => "",
    }
}

/// The reason text for the winning finding.
pub fn reason(finding: &Finding) -> String {
    let rule = rule_name(finding);
    let what = &finding.what;
    let mut text = match finding.hit.verdict {
        Verdict::Allow => format!("claude-budget allows {what}: {rule}."),
        Verdict::Ask => format!(
            "claude-budget asks for approval before {what}: {rule} [{}]. {}",
            finding.code.as_str(),
            instead(finding.code)
        ),
        Verdict::Deny => {
            if let Some(stop) = &finding.stop_reason {
                format!(
                    "claude-budget stopped this run at {what}: {stop} (stop rule {}) [{}]. {}",
                    finding.hit.origin,
                    finding.code.as_str(),
                    instead(Code::StopRule)
                )
            } else {
                format!(
                    "claude-budget refused {what}: denied by {rule} [{}]. {}",
                    finding.code.as_str(),
                    instead(finding.code)
                )
            }
        }
    };
    if let Some(detail) = &finding.detail {
        text.push('\n');
        text.push_str(detail);
    }
    text
}

/// `ask` turned into `deny` because no human can answer a prompt in this permission mode.
pub fn approval_needed(ask_reason: &str) -> String {
    format!(
        "{ask_reason}\nNo one can approve it in this permission mode, so it is refused \
         [approval-needed]: stop and ask the user to approve it or to run it themselves."
    )
}
