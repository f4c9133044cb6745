//! What a tripwire halt tells the user (`stopReason`) and the agent (every later denial
//! repeats it): which file or secret, which call, what was put back, what to do now. The
//! secret's value is never part of it.

use super::{Finding, When};
use serde::Serialize;
use std::fmt::Write as _;

/// What the tripwires watch, in one sentence (explain, status, README say the same).
pub const WATCHES: &str = "after every tool call: the budget files, Claude Code's settings, \
    .claude/budget-tests/, .git/hooks/*, .git/config (program-running keys only) and the shell \
    start-up files are compared with the copies taken at the session's start (changed: put \
    back and the run halted); the output is searched for the values of files the budget \
    denies reading, private keys and secret-named variables (found: the run halted); a call \
    with no PreToolUse decision is recorded as gate off";

/// What they cannot catch.
pub const CANNOT_CATCH: &[&str] = &[
    "a secret sent out by the same call that read it (the check runs after the call)",
    "files outside the watched set (other persistence: cron, systemd units, ~/.ssh/authorized_keys, \
     .git/info, other repositories)",
    "a secret transformed before it is printed (base64, split, only part of it), or more than \
     1 MiB from either end of a large output",
    "a change to a budget file between calls is taken as the user's edit (recorded with both \
     hashes, not undone)",
    "a tamper in a session whose first event came after it (the copies are taken then)",
];

/// The reply of a post hook that halts the run: Claude Code stops after this call
/// (`continue: false`) and shows `stopReason` to the user.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct HaltReply {
    #[serde(rename = "continue")]
    pub continue_: bool,
    #[serde(rename = "stopReason")]
    pub stop_reason: String,
    /// Shown to the user in the transcript too.
    #[serde(rename = "systemMessage")]
    pub system_message: String,
}

impl HaltReply {
    pub fn new(reason: &str) -> HaltReply {
        HaltReply {
            continue_: false,
            stop_reason: reason.to_owned(),
            system_message: reason.to_owned(),
        }
    }
}

fn what_happened(f: &Finding) -> String {
    let kind = f.kind.what();
    let change = match (&f.before, &f.after) {
        (None, _) => "was created",
        (_, None) => "was deleted",
        _ => "was changed",
    };
    let mut text = format!("`{}` ({kind}) {change}", f.path);
    if !f.keys.is_empty() {
        let _ = write!(text, " (program-running keys: {})", f.keys.join(", "));
    }
    let undo = match (f.restored, &f.before) {
        (false, _) => "it could NOT be put back: check it by hand",
        (true, None) => "the new file was removed",
        (true, Some(_)) if !f.keys.is_empty() => {
            "those keys were put back, git's other changes kept"
        }
        (true, Some(_)) => "it was put back from the copy kept at the session's start",
    };
    let _ = write!(text, "; {undo}");
    text
}

/// The halt reason for protected files changed around `call` (`Bash: cargo build`).
pub fn tamper_reason(findings: &[&Finding], call: &str) -> String {
    let between = findings.iter().all(|f| f.when == When::BetweenCalls);
    let mut text = String::from("claude-budget halted this run: ");
    let shown: Vec<String> = findings.iter().take(3).map(|f| what_happened(f)).collect();
    text.push_str(&shown.join("; "));
    if findings.len() > 3 {
        let _ = write!(text, "; and {} more", findings.len() - 3);
    }
    if between {
        let _ = write!(
            text,
            " — between tool calls (seen after `{call}`: by a process an earlier call left \
             running, or from outside the session)"
        );
    } else {
        let _ = write!(
            text,
            " — while `{call}` ran (or a call running at the same time)"
        );
    }
    text.push_str(
        " [tamper-detected]. No tool call may change these files (builtin:tamper-detected). \
         Every further tool call is refused: stop now and tell the user what you were doing; a \
         new session is needed to continue.",
    );
    text
}

/// The halt reason for a secret value found in the output of `call`. `source` is the file
/// or `$VARIABLE` it belongs to; the value itself is never named.
pub fn secret_reason(source: &str, call: &str) -> String {
    format!(
        "claude-budget halted this run: the output of `{call}` contains the secret value of \
         `{source}` [secret-exposed] (builtin:secret-exposed). The secret has reached the \
         conversation; every further tool call is refused so it cannot be sent anywhere. Stop \
         now: do not repeat, store or send it, and tell the user which secret was shown so \
         they can rotate it."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tripwire::WatchKind;

    fn finding(path: &str, before: Option<&str>, after: Option<&str>, restored: bool) -> Finding {
        Finding {
            code: "tamper-detected",
            path: path.into(),
            kind: WatchKind::Startup,
            before: before.map(Into::into),
            after: after.map(Into::into),
            restored,
            when: When::DuringCall,
            keys: Vec::new(),
        }
    }

    #[test]
    fn a_tamper_halt_names_the_file_the_call_and_what_was_undone() {
        let changed = finding("/home/u/.bashrc", Some("a"), Some("b"), true);
        let created = finding("/p/.git/hooks/pre-commit", None, Some("b"), true);
        let text = tamper_reason(&[&changed, &created], "Bash: make");
        assert!(
            text.contains("`/home/u/.bashrc` (a shell start-up file) was changed"),
            "{text}"
        );
        assert!(text.contains("put back from the copy"), "{text}");
        assert!(text.contains("the new file was removed"), "{text}");
        assert!(text.contains("while `Bash: make` ran"), "{text}");
        assert!(text.contains("[tamper-detected]"), "{text}");
    }

    #[test]
    fn a_secret_halt_names_the_source_never_the_value() {
        let text = secret_reason(".env", "Bash: cat config");
        assert!(
            text.contains("`.env`") && text.contains("[secret-exposed]"),
            "{text}"
        );
    }
}
