//! The one place that turns a hook's work into Claude Code's protocol: stdin (size-capped,
//! UTF-8, JSON), panics, the internal deadline, the single stdout reply, the exit code.
//!
//! Two failure policies (SPEC §2, DESIGN §3):
//! * [`Policy::FailClosed`] (pre-tool-use): every internal failure is a deny — the deny
//!   envelope on stdout, the reason on stderr, exit 2. Never exit 1 or 101.
//! * [`Policy::NeverBlock`] (post-tool-use, stop, session): an internal failure is reported on
//!   stderr and the hook exits 0, so a broken counter can never trap the agent.

use budget_policy::protocol::{HookInput, MAX_STDIN_BYTES, PreToolUseOutput, PreToolUseReply};
use std::io::{Read, Write};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Default internal deadline; `$CLAUDE_BUDGET_DEADLINE_MS` changes it. Well under Claude
/// Code's hook timeout, so we answer before it would give up and let the call through.
pub const DEFAULT_DEADLINE_MS: u64 = 2000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    FailClosed,
    NeverBlock,
}

/// What a hook answers: at most one JSON object on stdout, text on stderr, an exit code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    pub stdout: Option<String>,
    pub stderr: Option<String>,
    pub exit: i32,
}

impl Reply {
    /// No opinion: exit 0, nothing printed.
    pub fn silent() -> Reply {
        Reply::default()
    }
    pub fn json(value: &impl serde::Serialize) -> Reply {
        match serde_json::to_string(value) {
            Ok(text) => Reply {
                stdout: Some(text),
                stderr: None,
                exit: 0,
            },
            Err(e) => Reply::internal_failure(&format!("could not encode the reply: {e}")),
        }
    }
    /// The fail-closed answer of the pre-tool-use hook.
    pub fn internal_failure(problem: &str) -> Reply {
        let reason = format!(
            "claude-budget refused this tool call because it could not check it: {problem} \
             (code hook-internal-error). Nothing about the call itself was judged; fix the \
             problem named here (or ask the user to), then retry."
        );
        deny_reply(&reason)
    }
}

/// The deny envelope + stderr + exit 2 used for every fail-closed outcome. The reason
/// carries its own code (`[budget-invalid]`, `hook-internal-error`).
pub fn deny_reply(reason: &str) -> Reply {
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
    Reply {
        stdout: serde_json::to_string(&envelope).ok(),
        stderr: Some(reason.to_owned()),
        exit: 2,
    }
}

/// The process environment a hook depends on, read once.
#[derive(Clone, Debug, Default)]
pub struct HookEnv {
    pub project_dir: Option<PathBuf>,
    pub config_dir: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub task: Option<String>,
    pub home: Option<PathBuf>,
    pub process_cwd: Option<PathBuf>,
    pub deadline: Duration,
}

impl HookEnv {
    /// Where the call ran: the input's `cwd` (it follows the agent's `cd`), else the hook
    /// process's own directory.
    pub fn call_cwd(&self, input_cwd: Option<&str>) -> Option<PathBuf> {
        input_cwd
            .map(PathBuf::from)
            .or_else(|| self.process_cwd.clone())
    }

    pub fn from_process() -> HookEnv {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let deadline_ms = std::env::var("CLAUDE_BUDGET_DEADLINE_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .unwrap_or(DEFAULT_DEADLINE_MS);
        HookEnv {
            project_dir: var("CLAUDE_PROJECT_DIR").map(PathBuf::from),
            config_dir: var("CLAUDE_BUDGET_CONFIG_DIR").map(PathBuf::from),
            data_dir: var("CLAUDE_BUDGET_DATA_DIR").map(PathBuf::from),
            task: std::env::var("CLAUDE_BUDGET_TASK")
                .ok()
                .filter(|t| !t.is_empty()),
            home: var("HOME").map(PathBuf::from),
            process_cwd: std::env::current_dir().ok(),
            deadline: Duration::from_millis(deadline_ms),
        }
    }
}

/// Set by whoever prints the reply first: the hook's own work or the deadline watchdog.
static REPLIED: AtomicBool = AtomicBool::new(false);

fn emit(reply: &Reply) -> ! {
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
    handler: impl FnOnce(HookInput, &HookEnv) -> Reply,
    on_bad_input: impl FnOnce(&str, &HookEnv) -> Reply,
) -> ! {
    answer_version();
    // Panics are turned into a reply below; keep the default message off stdout.
    std::panic::set_hook(Box::new(|info| {
        let _ = writeln!(std::io::stderr(), "claude-budget: internal panic: {info}");
    }));
    let env = HookEnv::from_process();
    start_watchdog(policy, env.deadline);
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        inject_fault();
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
fn inject_fault() {
    match std::env::var("CLAUDE_BUDGET_FAULT").as_deref() {
        Ok("panic") => panic!("fault injected by CLAUDE_BUDGET_FAULT=panic"),
        Ok("hang") => loop {
            std::thread::park();
        },
        _ => {}
    }
}

/// The reply for an internal failure under `policy`.
pub fn failure(policy: Policy, problem: &str) -> Reply {
    match policy {
        Policy::FailClosed => Reply::internal_failure(problem),
        Policy::NeverBlock => Reply {
            stdout: None,
            stderr: Some(format!(
                "claude-budget: {problem} (the call was not blocked)"
            )),
            exit: 0,
        },
    }
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
        emit(&Reply::internal_failure(
            "the deadline watchdog could not be started",
        ));
    }
}
