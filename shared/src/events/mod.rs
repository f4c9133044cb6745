//! One function per hook event, each returning the [`Outcome`] the hook runner writes:
//! load the budget, open the session, call the pure layers (`decide`, `session`, `report`),
//! persist through `store`. Nothing here prints or exits; the hooks crate's runner does.
//!
//! * [`context`] — finding the budget, the session and the decision context, built ONCE for
//!   the hook, `explain`, `test`, `replay` and `capture` (so they cannot drift apart).
//! * [`pre`] — PreToolUse: decide one call (fails closed).
//! * [`post`] — PostToolUse / PostToolUseFailure: count what a finished call did.
//! * [`stop`] — Stop / SubagentStop: the evidence gate and the review packet.
//! * [`session`] — SessionStart, UserPromptSubmit, SessionEnd.
//! * [`tripwire`] — the tripwires' calls from pre, post and session (SPEC §3).
//! * [`replay`] — re-deciding recorded calls (`replay`, `test`, `capture`, `demo`) with the
//!   hooks' own counting.
//!
//! Two failure policies (SPEC §2, DESIGN §3):
//! * [`Policy::FailClosed`] (pre-tool-use): every internal failure is a deny — the deny
//!   envelope on stdout, the reason on stderr, exit 2. Never exit 1 or 101.
//! * [`Policy::NeverBlock`] (post-tool-use, stop, session): an internal failure is reported on
//!   stderr and the hook exits 0, so a broken counter can never trap the agent.

pub mod context;
pub mod post;
pub mod pre;
pub mod replay;
pub mod session;
pub mod stop;
pub mod tripwire;

use crate::protocol::{PreToolUseOutput, PreToolUseReply};
use crate::verdict::Code;

/// How a hook treats its own failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    FailClosed,
    NeverBlock,
}

/// What a hook answers: at most one JSON object on stdout, text on stderr, an exit code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: Option<String>,
    pub stderr: Option<String>,
    pub exit: i32,
}

impl Outcome {
    /// No opinion: exit 0, nothing printed.
    pub fn silent() -> Outcome {
        Outcome::default()
    }

    pub fn json(value: &impl serde::Serialize) -> Outcome {
        match serde_json::to_string(value) {
            Ok(text) => Outcome {
                stdout: Some(text),
                stderr: None,
                exit: 0,
            },
            Err(e) => Outcome::internal_failure(&format!("could not encode the reply: {e}")),
        }
    }

    /// The fail-closed answer of the pre-tool-use hook.
    pub fn internal_failure(problem: &str) -> Outcome {
        let reason = format!(
            "claude-budget refused this tool call because it could not check it: {problem} \
             (code {}). Nothing about the call itself was judged; fix the \
             problem named here (or ask the user to), then retry.",
            Code::HookInternalError
        );
        deny_outcome(&reason)
    }

    /// `self` with the stderr of a never-blocking `note` added (its exit code is kept).
    pub fn with_note(mut self, note: Outcome) -> Outcome {
        self.stderr = match (self.stderr.take(), note.stderr) {
            (Some(first), Some(second)) => Some(format!("{first}\n{second}")),
            (first, second) => first.or(second),
        };
        self
    }
}

/// The deny envelope + stderr + exit 2 used for every fail-closed outcome. The reason
/// carries its own code (`[budget-invalid]`, `hook-internal-error`).
pub fn deny_outcome(reason: &str) -> Outcome {
    let envelope = PreToolUseReply {
        hook_specific_output: PreToolUseOutput {
            hook_event_name: "PreToolUse",
            permission_decision: "deny",
            permission_decision_reason: reason.to_owned(),
            additional_context: None,
        },
        continue_: None,
        stop_reason: None,
    };
    Outcome {
        stdout: serde_json::to_string(&envelope).ok(),
        stderr: Some(reason.to_owned()),
        exit: 2,
    }
}

/// What the pre-tool-use hook puts on stderr ahead of time, once a budget may be in force:
/// the reason of the deny that its deadline passing becomes (a timer ends the process there,
/// with no chance to write a reply). Claude Code shows it to the agent only if the hook then
/// exits 2 without a deny envelope of its own, which only the deadline does; for any other
/// exit but 0 and 2 (a crash) it shows the first line of stderr, so the line says so too.
pub fn deadline_explanation(deadline: std::time::Duration) -> String {
    format!(
        "claude-budget: a refusal of this call with no reason after this line means its \
         check ran past the {} ms deadline ({}): nothing was judged; retry, and if it keeps \
         happening ask the user to raise CLAUDE_BUDGET_DEADLINE_MS. Any other failure is \
         described below.",
        deadline.as_millis(),
        Code::HookInternalError
    )
}

/// The outcome for an internal failure under `policy`.
pub fn failure(policy: Policy, problem: &str) -> Outcome {
    match policy {
        Policy::FailClosed => Outcome::internal_failure(problem),
        Policy::NeverBlock => Outcome {
            stdout: None,
            stderr: Some(format!(
                "claude-budget: {problem} (the call was not blocked)"
            )),
            exit: 0,
        },
    }
}
