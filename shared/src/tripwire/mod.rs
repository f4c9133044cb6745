//! Tripwires (SPEC §3): static analysis of shell is never complete, so the hooks also check
//! what really happened around each call. Pure: the file identities, hashes and copies come
//! from `store::tripwire_copies`; the hooks call both.
//!
//! * this file — what is watched ([`WatchKind`]), a file's identity ([`Ident`]), and how a
//!   difference is judged ([`judge`]).
//! * [`gitconfig`] — `.git/config`: only program-running keys count, and only they are put back.
//! * [`secrets`] — the secret-exposure scan of a tool's output.
//!
//! How a protected-file change is judged. The accepted state (the session's manifest, with a
//! copy of every accepted version) is compared with the files after each call:
//! * a difference that appeared while the call ran (its identity at PreToolUse was still the
//!   accepted one) is tamper: restored and halted — whichever of the calls running at the
//!   same time made it, none was allowed to (self-protection refuses every edit of these
//!   files);
//! * a difference already there at the call's PreToolUse appeared between calls. If another
//!   call that started earlier is still running, it is left to that call's PostToolUse
//!   (the change is in *its* window). Otherwise: a budget file is the user's edit (SPEC §3
//!   "budget changed mid-run": accepted, recorded with both hashes); anything else was planted
//!   by a process a call left behind, or from outside the session, and is tamper too.
//! * `.git/config` is git's own file: a difference is tamper only when it adds or changes a
//!   program-running key; otherwise it is accepted.

pub mod gitconfig;
mod messages;
pub mod secrets;

pub use messages::{CANNOT_CATCH, HaltReply, WATCHES, secret_reason, tamper_reason};

use serde::{Deserialize, Serialize};

/// What a watched file is, which decides how a change to it is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WatchKind {
    /// A budget file of any layer.
    Budget,
    /// Claude Code's `settings*.json` (the hook wiring).
    Settings,
    /// `.claude/budget-tests/`.
    BudgetTests,
    /// `.git/hooks/*`.
    GitHook,
    /// `.git/config`, and git's global configuration (`~/.gitconfig`, `~/.config/git/config`).
    GitConfig,
    /// `~/.bashrc` and the other shell start-up files.
    Startup,
    /// The tripwire's own manifest: it is never changed by a call, so its disappearance
    /// (a reset of the baseline) is tamper.
    OwnState,
}

impl WatchKind {
    pub const ALL: [WatchKind; 7] = [
        WatchKind::Budget,
        WatchKind::Settings,
        WatchKind::BudgetTests,
        WatchKind::GitHook,
        WatchKind::GitConfig,
        WatchKind::Startup,
        WatchKind::OwnState,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WatchKind::Budget => "budget",
            WatchKind::Settings => "settings",
            WatchKind::BudgetTests => "budget-tests",
            WatchKind::GitHook => "git-hook",
            WatchKind::GitConfig => "git-config",
            WatchKind::Startup => "startup",
            WatchKind::OwnState => "own-state",
        }
    }

    pub fn parse(word: &str) -> Option<WatchKind> {
        WatchKind::ALL.into_iter().find(|k| k.as_str() == word)
    }

    /// How the halt message names such a file.
    pub fn what(self) -> &'static str {
        match self {
            WatchKind::Budget => "a budget file",
            WatchKind::Settings => "Claude Code's settings (the hook wiring)",
            WatchKind::BudgetTests => "a replay case",
            WatchKind::GitHook => "a git hook",
            WatchKind::GitConfig => "git's configuration",
            WatchKind::Startup => "a shell start-up file",
            WatchKind::OwnState => "claude-budget's record of the protected files",
        }
    }
}

/// What `stat` says about a file: cheap to take at every PreToolUse. `ctime` is in it
/// because `mtime` can be set back by the writer (`touch -r`), `ctime` cannot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ident {
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
    pub ino: u64,
}

/// One watched file that exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub path: String,
    pub kind: WatchKind,
    pub ident: Ident,
}

/// When a difference from the accepted state appeared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// While this call ran (or no PreToolUse saw the call: the gate was off).
    DuringCall,
    /// Before this call's PreToolUse.
    BetweenCalls,
}

/// What to do with one difference from the accepted state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Accept the new version (a user's budget edit, git writing its own keys).
    Accept,
    /// Restore the accepted version and halt the run.
    Tamper,
    /// Leave it for the PostToolUse of an earlier call that is still running.
    Defer,
}

/// Judges a difference of a `kind` file (the program-running keys of a `.git/config`
/// difference already checked: `program_keys_changed`), see the module doc.
pub fn judge(
    kind: WatchKind,
    when: When,
    earlier_call_running: bool,
    program_keys_changed: bool,
) -> Verdict {
    if when == When::BetweenCalls && earlier_call_running {
        return Verdict::Defer;
    }
    match (kind, when) {
        (WatchKind::GitConfig, _) if !program_keys_changed => Verdict::Accept,
        (WatchKind::Budget, When::BetweenCalls) => Verdict::Accept,
        _ => Verdict::Tamper,
    }
}

/// One difference the post hook acted on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// `tamper-detected` or `budget-changed`.
    pub code: &'static str,
    pub path: String,
    pub kind: WatchKind,
    /// sha256 of the accepted version (`None`: the file did not exist).
    pub before: Option<String>,
    /// sha256 of what was found (`None`: the file was deleted).
    pub after: Option<String>,
    /// For a tamper: whether the accepted version is back.
    pub restored: bool,
    pub when: When,
    /// `.git/config`: the program-running keys put back.
    pub keys: Vec<String>,
}

/// One tripwire finding as the record keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TripwireNote {
    /// `tamper-detected`, `secret-exposed`, `gate-off` or `budget-changed`.
    pub code: String,
    /// The protected file, or where the secret came from (a file, `$VARIABLE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// sha256 of the accepted version / of what was found (a short hash for a secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub restored: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
}

impl TripwireNote {
    pub fn of(f: &Finding) -> TripwireNote {
        TripwireNote {
            code: f.code.to_owned(),
            file: Some(f.path.clone()),
            before: f.before.clone(),
            after: f.after.clone(),
            restored: f.restored,
            keys: f.keys.clone(),
        }
    }
}

/// The stop origin of a tamper halt; `decide` maps it to the `tamper-detected` code.
pub const TAMPER_ORIGIN: &str = "builtin:tamper-detected";
/// The stop origin of a secret-exposure halt (`secret-exposed`).
pub const SECRET_ORIGIN: &str = "builtin:secret-exposed";

#[cfg(test)]
mod tests {
    use super::*;
    use WatchKind::*;
    use When::*;

    #[test]
    fn every_judgement_of_a_difference() {
        let rows = [
            (Budget, DuringCall, false, false, Verdict::Tamper),
            (Budget, BetweenCalls, false, false, Verdict::Accept),
            (Budget, BetweenCalls, true, false, Verdict::Defer),
            (Settings, BetweenCalls, false, false, Verdict::Tamper),
            (Startup, DuringCall, true, false, Verdict::Tamper),
            (GitHook, BetweenCalls, false, false, Verdict::Tamper),
            (GitConfig, DuringCall, false, false, Verdict::Accept),
            (GitConfig, DuringCall, false, true, Verdict::Tamper),
            (GitConfig, BetweenCalls, false, true, Verdict::Tamper),
        ];
        for (kind, when, running, keys, expected) in rows {
            assert_eq!(
                judge(kind, when, running, keys),
                expected,
                "{kind:?} {when:?} running={running} keys={keys}"
            );
        }
    }
}
