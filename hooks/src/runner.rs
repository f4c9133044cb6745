//! The one place that turns a hook's work into Claude Code's protocol: stdin (size-capped,
//! UTF-8, JSON), panics, the internal deadline, the single stdout reply, the exit code.
//! The failure policies themselves ([`Policy`]) and every outcome are decided in
//! `budget_policy::events`; this file only carries them out.

use crate::deadline::Deadline;
use budget_policy::env::{Env, Fault};
use budget_policy::events::{Outcome, Policy, failure, pre};
use budget_policy::protocol::{HookInput, MAX_STDIN_BYTES};
use std::io::{Read, Write};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set by whoever prints the reply first: the hook's own work or (off Linux) the deadline's
/// watchdog thread.
static REPLIED: AtomicBool = AtomicBool::new(false);

pub(crate) fn emit(reply: &Outcome) -> ! {
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

/// Runs one hook: calls `before_input` once its deadline runs, reads stdin, calls `handler`
/// (with what `before_input` returned) under a panic guard and the deadline, prints the
/// reply and exits. `on_bad_input` decides what an unreadable input means (for the
/// pre-tool-use hook: deny unless no budget is in force at all). A panic anywhere, the
/// start-up included, ends in `policy`'s failure reply (a panic leaving C's `main` would
/// abort, which lets a call through).
pub fn run<Early>(
    policy: Policy,
    before_input: impl FnOnce(&Env) -> Early,
    handler: impl FnOnce(HookInput, &Env, Early) -> Outcome,
    on_bad_input: impl FnOnce(&str, &Env) -> Outcome,
) -> ! {
    let _ = std::panic::catch_unwind(AssertUnwindSafe(|| {
        run_guarded(policy, before_input, handler, on_bad_input)
    }));
    emit(&failure(
        policy,
        "the hook panicked while starting (a bug in claude-budget; please report it)",
    ))
}

fn run_guarded<Early>(
    policy: Policy,
    before_input: impl FnOnce(&Env) -> Early,
    handler: impl FnOnce(HookInput, &Env, Early) -> Outcome,
    on_bad_input: impl FnOnce(&str, &Env) -> Outcome,
) -> ! {
    if let Err(problem) = crate::start::prepare() {
        emit(&failure(policy, &problem));
    }
    answer_version();
    // Panics are turned into a reply below; keep the default message off stdout.
    std::panic::set_hook(Box::new(|info| {
        let _ = writeln!(std::io::stderr(), "claude-budget: internal panic: {info}");
    }));
    let env = Env::from_process();
    let deadline = match (Deadline::start(policy, env.deadline), policy) {
        (Ok(deadline), _) => Some(deadline),
        (Err(problem), Policy::FailClosed) => emit(&failure(policy, &problem)),
        // A hook that never blocks does its work without a deadline rather than skip it
        // (skipping the post hook would skip the tripwire).
        (Err(problem), Policy::NeverBlock) => {
            let _ = writeln!(
                std::io::stderr(),
                "claude-budget: {problem}; going on without a deadline"
            );
            None
        }
    };
    let early = before_input(&env);
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        inject_fault(env.fault, policy);
        match read_input() {
            Ok(input) => handler(input, &env, early),
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
    if let Some(deadline) = &deadline {
        deadline.disarm();
    }
    emit(&reply)
}

/// [`run`] for the hooks that never block and need nothing before their input (post,
/// stop, session): an input that cannot be read is reported, not refused.
pub fn run_never_blocking(handler: impl FnOnce(HookInput, &Env) -> Outcome) -> ! {
    run(
        Policy::NeverBlock,
        |_| (),
        |input, env, ()| handler(input, env),
        budget_policy::events::post::bad_input,
    )
}

/// `before_input` for the pre-tool-use hook: its budget files looked for before its input
/// is read (a large input takes ~8 ms per MiB to parse), from `$CLAUDE_PROJECT_DIR` (which
/// Claude Code sets), the user's and the managed ones; where some are found its deadline is
/// explained from here on. `budget_in_force` covers a budget only the input's `cwd` finds.
pub fn look_early(env: &Env) -> pre::EarlyLook {
    let early = pre::EarlyLook::new(env);
    if early.found() {
        crate::deadline::explain(env);
    }
    early
}

/// What the pre-tool-use hook does once it knows a budget is in force: from here on, a
/// deadline that passes is explained on stderr (see [`crate::deadline`]).
pub fn budget_in_force(env: &Env) {
    crate::deadline::explain(env);
    if env.fault == Some(Fault::Hang) {
        hang();
    }
}

/// Fault injection for the fail-closed tests: `CLAUDE_BUDGET_FAULT=panic` panics at the
/// start and `=hang` never finishes: from the start in the hooks that never block, from
/// the moment its budget is found in the pre-tool-use hook (as a stuck budget or state
/// would). Both can only ever produce a denial (the panic guard and the deadline turn them
/// into one; the other hooks exit 0), so the switch cannot loosen anything; and the agent's
/// Bash environment does not reach hook processes.
fn inject_fault(fault: Option<Fault>, policy: Policy) {
    match fault {
        Some(Fault::Panic) => panic!("fault injected by CLAUDE_BUDGET_FAULT=panic"),
        Some(Fault::Hang) if policy == Policy::NeverBlock => hang(),
        _ => {}
    }
}

fn hang() -> ! {
    loop {
        std::thread::park();
    }
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
