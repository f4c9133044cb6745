//! The one place that turns a hook's work into Claude Code's protocol: stdin (size-capped,
//! UTF-8, JSON), panics, the internal deadline, the single stdout reply, the exit code.
//! The failure policies themselves ([`Policy`]) and every outcome are decided in
//! `budget_policy::events`; this file only carries them out.

use budget_policy::env::{Env, Fault};
use budget_policy::events::{Outcome, Policy, failure};
use budget_policy::protocol::{HookInput, MAX_STDIN_BYTES};
use std::io::{Read, Write};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Set by whoever prints the reply first: the hook's own work or the deadline watchdog.
static REPLIED: AtomicBool = AtomicBool::new(false);

fn emit(reply: &Outcome) -> ! {
    if REPLIED.swap(true, Ordering::SeqCst) {
        // The other side already answered; wait to be ended by its exit.
        loop {
            std::thread::park();
        }
    }
    let mut out = std::io::stdout().lock();
    if let Some(text) = &reply.stdout {
        let _ = writeln!(out, "{text}");
    }
    let _ = out.flush();
    if let Some(text) = &reply.stderr {
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }
    std::process::exit(reply.exit)
}

/// Why the input could not be read.
fn read_input() -> Result<HookInput, String> {
    let mut bytes = Vec::new();
    let limit = u64::try_from(MAX_STDIN_BYTES).unwrap_or(u64::MAX) + 1;
    std::io::stdin()
        .lock()
        .take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("stdin could not be read ({e})"))?;
    if bytes.len() > MAX_STDIN_BYTES {
        return Err(format!(
            "the hook input is larger than the {} MiB cap",
            MAX_STDIN_BYTES / (1024 * 1024)
        ));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("the hook input on stdin was empty (expected Claude Code's JSON)".into());
    }
    if let Err(e) = std::str::from_utf8(&bytes) {
        return Err(format!("the hook input is not valid UTF-8 ({e})"));
    }
    HookInput::parse(&bytes).map_err(|e| format!("the hook input is not valid JSON ({e})"))
}

/// Runs one hook: reads stdin, calls `handler` under a panic guard and a deadline, prints
/// the reply and exits. `on_bad_input` decides what an unreadable input means (for the
/// pre-tool-use hook: deny unless no budget is in force at all).
pub fn run(
    policy: Policy,
    handler: impl FnOnce(HookInput, &Env) -> Outcome,
    on_bad_input: impl FnOnce(&str, &Env) -> Outcome,
) -> ! {
    answer_version();
    // Panics are turned into a reply below; keep the default message off stdout.
    std::panic::set_hook(Box::new(|info| {
        let _ = writeln!(std::io::stderr(), "claude-budget: internal panic: {info}");
    }));
    let env = Env::from_process();
    on_this_cpu(|| start_watchdog(policy, env.deadline));
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        inject_fault(env.fault);
        match read_input() {
            Ok(input) => handler(input, &env),
            Err(problem) => on_bad_input(&problem, &env),
        }
    }));
    let reply = match outcome {
        Ok(reply) => reply,
        Err(_) => failure(
            policy,
            "the hook panicked (a bug in claude-budget; please report it)",
        ),
    };
    emit(&reply)
}

/// `HOOK --version` prints `<name> <version>` and exits 0, before stdin is read or anything
/// is loaded: `claude-budget status` asks every configured hook which build it is. Claude
/// Code passes no arguments (`args: []`), so a real hook call never takes this path.
fn answer_version() {
    let mut args = std::env::args_os();
    let name = args
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "claude-budget-hook".into());
    if args.next().is_some_and(|a| a == "--version" || a == "-V") {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{name} {}", env!("CARGO_PKG_VERSION"));
        let _ = out.flush();
        std::process::exit(0);
    }
}

/// Fault injection for the fail-closed tests: `CLAUDE_BUDGET_FAULT=panic` panics and
/// `=hang` never finishes. Both can only ever produce a denial (the panic guard and the
/// deadline turn them into one), so the switch cannot loosen anything; and the agent's
/// Bash environment does not reach hook processes.
fn inject_fault(fault: Option<Fault>) {
    match fault {
        Some(Fault::Panic) => panic!("fault injected by CLAUDE_BUDGET_FAULT=panic"),
        Some(Fault::Hang) => loop {
            std::thread::park();
        },
        None => {}
    }
}

/// Runs `start` (which spawns a thread) with this thread held on the CPU it is running on,
/// so the new thread starts there too, then lets this thread move again.
///
/// Why: a thread that starts on another, idle CPU has to be woken there, and at exit it is
/// woken there again to be ended; on a 2-core VM that cost ~0.1 ms of CPU per call and a
/// migration per run (`perf stat`: 1.0 → 0.03 migrations per run). The watchdog sleeps
/// for its whole life, so where it sleeps does not matter. Best effort: where affinity
/// cannot be read or set, the thread starts wherever the scheduler puts it.
#[cfg(target_os = "linux")]
fn on_this_cpu(start: impl FnOnce()) {
    use rustix::thread::{CpuSet, sched_getaffinity, sched_getcpu, sched_setaffinity};
    let Ok(allowed) = sched_getaffinity(None) else {
        return start();
    };
    // Checked before use: `CpuSet::set` panics on a CPU number out of its range, and this
    // runs before the panic guard (a panic here would exit 101, which lets the call through).
    let cpu = sched_getcpu();
    if cpu >= CpuSet::MAX_CPU || !allowed.is_set(cpu) {
        return start();
    }
    let mut here = CpuSet::new();
    here.set(cpu);
    let held = sched_setaffinity(None, &here).is_ok();
    start();
    if held {
        let _ = sched_setaffinity(None, &allowed);
    }
}

#[cfg(not(target_os = "linux"))]
fn on_this_cpu(start: impl FnOnce()) {
    start()
}

fn start_watchdog(policy: Policy, deadline: Duration) {
    let spawned = std::thread::Builder::new()
        .name("deadline".into())
        .spawn(move || {
            std::thread::sleep(deadline);
            let problem = format!(
                "the hook did not finish within its {} ms deadline (raise \
             CLAUDE_BUDGET_DEADLINE_MS if the machine is overloaded)",
                deadline.as_millis()
            );
            emit(&failure(policy, &problem))
        });
    if spawned.is_err() && policy == Policy::FailClosed {
        emit(&Outcome::internal_failure(
            "the deadline watchdog could not be started",
        ));
    }
}
