//! The hook's own deadline (SPEC §2): past it, the pre-tool-use hook denies with exit 2 and
//! the other hooks exit 0, instead of running into Claude Code's timeout, which would let
//! the call through with no decision at all.
//!
//! On Linux a kernel timer (`timer_create`, CLOCK_MONOTONIC) raises SIGALRM at the deadline
//! and signal-hook's conditional shutdown ends the process there with the policy's exit code
//! (`_exit`, safe in a signal handler). No thread: a sleeping watchdog thread cost ~0.08 ms of
//! every call's wall time on a 2-core VM (its creation, the signal stack and malloc arena it
//! gets, and waking it again to end it at exit), about a sixth of the whole hook, where the
//! timer is five system calls. A signal handler cannot build a reason, so the pre-tool-use
//! hook writes its deadline explanation to stderr as soon as a budget may be in force
//! ([`explain`]): Claude Code shows stderr only when a hook exits 2 without a deny envelope
//! (every other deny carries its own envelope and reason), and otherwise keeps it in its
//! debug log. A deadline that passes before that (within the first few `stat`s) still
//! denies, with no reason of its own; the other hooks end silently (exit 0).
//!
//! Where no timer can be had (another OS; `timer_create` refused, e.g. the user's
//! RLIMIT_SIGPENDING used up), a sleeping watchdog thread prints the policy's failure reply
//! itself.

use budget_policy::env::Env;
use budget_policy::events::Policy;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The armed deadline; [`Deadline::disarm`] before the reply is written, so a deadline that
/// passes while the reply is going out cannot turn it into a second answer.
pub(crate) enum Deadline {
    /// The timer's signal ends the process while `armed`; deleted (and so disarmed) when
    /// dropped, so it lives as long as the run.
    #[cfg(target_os = "linux")]
    Timer {
        armed: std::sync::Arc<AtomicBool>,
        _timer: nix::sys::timer::Timer,
    },
    /// A watchdog thread answers for the hook (whoever replies first wins: `runner::emit`).
    Thread,
}

impl Deadline {
    /// Arms the deadline `after` from now: a timer where there is one, else a thread.
    pub(crate) fn start(policy: Policy, after: Duration) -> Result<Deadline, String> {
        #[cfg(target_os = "linux")]
        let timer_refused = match start_timer(policy, after) {
            Ok(deadline) => return Ok(deadline),
            Err(e) => e,
        };
        #[cfg(not(target_os = "linux"))]
        let timer_refused = "no deadline timer on this system".to_string();
        start_thread(policy, after).map_err(|e| format!("{timer_refused}; {e}"))
    }

    pub(crate) fn disarm(&self) {
        match self {
            #[cfg(target_os = "linux")]
            Deadline::Timer { armed, .. } => armed.store(false, Ordering::SeqCst),
            Deadline::Thread => {}
        }
    }
}

/// The exit code of a call that ran out of time under `policy` (SPEC §2).
#[cfg(target_os = "linux")]
fn exit_code(policy: Policy) -> i32 {
    match policy {
        Policy::FailClosed => 2,
        Policy::NeverBlock => 0,
    }
}

/// The timer. Order matters: the handler is in place before SIGALRM is unblocked (it may
/// have been inherited blocked, and even pending) and before the timer exists (SIGALRM's
/// default action ends the process by a signal, which lets the call through). The handler is
/// installed disarmed, so a SIGALRM already pending when the hook started is discarded at
/// the unblock instead of ending the call with no reason.
#[cfg(target_os = "linux")]
fn start_timer(policy: Policy, after: Duration) -> Result<Deadline, String> {
    use nix::sys::signal::{SigEvent, SigSet, SigevNotify, Signal};
    use nix::sys::time::TimeSpec;
    use nix::sys::timer::{Expiration, Timer, TimerSetTimeFlags};
    use nix::time::ClockId;
    use std::sync::Arc;

    let armed = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register_conditional_shutdown(
        signal_hook::consts::SIGALRM,
        exit_code(policy),
        Arc::clone(&armed),
    )
    .map_err(|e| format!("its deadline signal could not be handled ({e})"))?;
    let mut alarm = SigSet::empty();
    alarm.add(Signal::SIGALRM);
    alarm
        .thread_unblock()
        .map_err(|e| format!("its deadline signal could not be unblocked ({e})"))?;
    armed.store(true, Ordering::SeqCst);
    let mut timer = Timer::new(
        ClockId::CLOCK_MONOTONIC,
        SigEvent::new(SigevNotify::SigevSignal {
            signal: Signal::SIGALRM,
            si_value: 0,
        }),
    )
    .map_err(|e| {
        format!(
            "its deadline timer could not be created ({e}; `ulimit -i` shows how many \
             pending signals and timers this user may have)"
        )
    })?;
    // A zero expiry would disarm the timer instead of firing at once.
    let after = after.max(Duration::from_millis(1));
    timer
        .set(
            Expiration::OneShot(TimeSpec::from_duration(after)),
            TimerSetTimeFlags::empty(),
        )
        .map_err(|e| format!("its deadline timer could not be set ({e})"))?;
    Ok(Deadline::Timer {
        armed,
        _timer: timer,
    })
}

/// A watchdog thread that sleeps until the deadline, then answers with the policy's failure
/// reply.
fn start_thread(policy: Policy, after: Duration) -> Result<Deadline, String> {
    std::thread::Builder::new()
        .name("deadline".into())
        .spawn(move || {
            std::thread::sleep(after);
            let problem = format!(
                "the hook did not finish within its {} ms deadline (raise \
                 CLAUDE_BUDGET_DEADLINE_MS if the machine is overloaded)",
                after.as_millis()
            );
            crate::runner::emit(&budget_policy::events::failure(policy, &problem))
        })
        .map(|_| Deadline::Thread)
        .map_err(|e| format!("the deadline watchdog could not be started ({e})"))
}

/// Set once the explanation is on stderr: it is written at most once per call.
static EXPLAINED: AtomicBool = AtomicBool::new(false);

/// Puts the deadline's reason on stderr ahead of time (see the module doc), once: called by
/// the pre-tool-use hook as soon as a budget may be in force, so a repository without one
/// stays silent. Written whatever the deadline's kind: a watchdog thread's own reply comes
/// after it, with its deny envelope.
pub(crate) fn explain(env: &Env) {
    use std::io::Write;
    if EXPLAINED.swap(true, Ordering::SeqCst) {
        return;
    }
    let mut line = budget_policy::events::deadline_explanation(env.deadline);
    // One write: `writeln!` on unbuffered stderr makes two system calls.
    line.push('\n');
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}
