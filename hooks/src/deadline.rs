//! The hook's own deadline (SPEC §2): past it, the pre-tool-use hook denies with exit 2 and
//! the other hooks exit 0, instead of running into Claude Code's timeout, which would let
//! the call through with no decision at all.
//!
//! On Linux a kernel timer (`timer_create`, CLOCK_MONOTONIC) raises SIGALRM at the deadline
//! and signal-hook's conditional shutdown ends the process there with the policy's exit code
//! (`_exit`, safe in a signal handler). No thread: a sleeping watchdog thread cost ~0.08 ms of
//! every call's wall time on a 2-core VM (its creation, the signal stack and malloc arena it
//! gets, and waking it again to end it at exit), about a sixth of the whole hook, where the
//! timer is four system calls. A signal handler cannot build a reason, so the pre-tool-use
//! hook writes its deadline explanation to stderr as soon as a budget is known to be in force
//! ([`explain`]): Claude Code shows stderr only when a hook exits 2 without a deny envelope
//! (every other deny carries its own envelope and reason), and otherwise keeps it in its
//! debug log. Before that moment (reading the input, finding the budget files) a deadline
//! still denies, with no reason of its own.
//!
//! Elsewhere, a sleeping watchdog thread prints the policy's failure reply itself.

use budget_policy::env::Env;
use budget_policy::events::Policy;
use std::time::Duration;

/// The armed deadline; [`Deadline::disarm`] before the reply is written, so a deadline that
/// passes while the reply is going out cannot turn it into a second answer.
pub(crate) struct Deadline {
    #[cfg(target_os = "linux")]
    armed: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Deleted (and so disarmed) when dropped: it lives as long as the run.
    #[cfg(target_os = "linux")]
    _timer: nix::sys::timer::Timer,
}

/// The exit code of a call that ran out of time under `policy` (SPEC §2).
#[cfg(target_os = "linux")]
fn exit_code(policy: Policy) -> i32 {
    match policy {
        Policy::FailClosed => 2,
        Policy::NeverBlock => 0,
    }
}

#[cfg(target_os = "linux")]
impl Deadline {
    /// Arms the deadline `after` from now. The handler is in place before the timer can fire
    /// (SIGALRM's default action would end the process with a signal, which lets the call
    /// through), and SIGALRM is unblocked in case the process inherited it blocked.
    pub(crate) fn start(policy: Policy, after: Duration) -> Result<Deadline, String> {
        use nix::sys::signal::{SigEvent, SigSet, SigevNotify, Signal};
        use nix::sys::time::TimeSpec;
        use nix::sys::timer::{Expiration, Timer, TimerSetTimeFlags};
        use nix::time::ClockId;
        use std::sync::Arc;
        use std::sync::atomic::AtomicBool;

        let armed = Arc::new(AtomicBool::new(true));
        signal_hook::flag::register_conditional_shutdown(
            signal_hook::consts::SIGALRM,
            exit_code(policy),
            Arc::clone(&armed),
        )
        .map_err(|e| format!("its deadline could not be set up ({e})"))?;
        let mut alarm = SigSet::empty();
        alarm.add(Signal::SIGALRM);
        alarm
            .thread_unblock()
            .map_err(|e| format!("its deadline could not be set up ({e})"))?;
        let mut timer = Timer::new(
            ClockId::CLOCK_MONOTONIC,
            SigEvent::new(SigevNotify::SigevSignal {
                signal: Signal::SIGALRM,
                si_value: 0,
            }),
        )
        .map_err(|e| format!("its deadline timer could not be created ({e})"))?;
        // A zero expiry would disarm the timer instead of firing at once.
        let after = after.max(Duration::from_millis(1));
        timer
            .set(
                Expiration::OneShot(TimeSpec::from_duration(after)),
                TimerSetTimeFlags::empty(),
            )
            .map_err(|e| format!("its deadline timer could not be set ({e})"))?;
        Ok(Deadline {
            armed,
            _timer: timer,
        })
    }

    pub(crate) fn disarm(&self) {
        self.armed.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Puts the deadline's reason on stderr ahead of time (see the module doc): called by the
/// pre-tool-use hook once a budget is in force, so a repository without one stays silent.
#[cfg(target_os = "linux")]
pub(crate) fn explain(env: &Env) {
    use std::io::Write;
    let text = budget_policy::events::deadline_explanation(env.deadline);
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

#[cfg(not(target_os = "linux"))]
impl Deadline {
    /// Starts a watchdog thread that sleeps until the deadline, then answers with the
    /// policy's failure reply (whoever replies first wins: see `runner::emit`).
    pub(crate) fn start(policy: Policy, after: Duration) -> Result<Deadline, String> {
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
            .map(|_| Deadline {})
            .map_err(|e| format!("the deadline watchdog could not be started ({e})"))
    }

    pub(crate) fn disarm(&self) {}
}

/// The watchdog thread prints its own reason: nothing to say ahead of time.
#[cfg(not(target_os = "linux"))]
pub(crate) fn explain(_env: &Env) {}
