//! Runs the real Claude Code CLI in a throw-away project against the fake API.
//!
//! The CLI is found through `CLAUDE_BUDGET_E2E_CLAUDE` or in `<repo>/.e2e/` (installed by
//! `scripts/install-claude-code.sh`); when it is missing, [`claude_or_skip`] prints a loud
//! `SKIP e2e: …` line and the test returns. Every run happens under a cleared environment with
//! `HOME` and `TMPDIR` inside the temp dir, so no real configuration is read and nothing is left
//! behind, and under an outer deadline that kills the whole process group.

use budget_tests::TempProject;
use budget_tests::fake_api::FakeApi;
use serde_json::{Value, json};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Kill a run that takes longer than this (a normal one takes about a second).
const RUN_DEADLINE: Duration = Duration::from_secs(60);

/// Where the install script puts the native binary, relative to the repository root.
const INSTALLED_BINARY: &str = ".e2e/node_modules/@anthropic-ai/claude-code-linux-x64/claude";

/// The Claude Code binary, or why there is none.
pub(super) fn find_claude() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("CLAUDE_BUDGET_E2E_CLAUDE") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "CLAUDE_BUDGET_E2E_CLAUDE={} is not a file",
                path.display()
            ))
        };
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let installed = repo.join(INSTALLED_BINARY);
    if installed.is_file() {
        return Ok(installed);
    }
    Err(format!(
        "no Claude Code binary: set CLAUDE_BUDGET_E2E_CLAUDE or run scripts/install-claude-code.sh (looked for {})",
        installed.display()
    ))
}

/// True when the `CI` variable says this is a CI run (`CI=true`, `CI=1`, any value but
/// empty, `0` or `false`).
pub(super) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// The binary, or `None` after printing a loud skip line naming the test. The line is written
/// to the real stderr, not through `eprintln!`, so the test harness's output capture cannot
/// hide it: a skipped e2e test is visible in every `cargo test` log. With `CI` set a missing
/// Claude Code is a failure instead: a CI run that skips every e2e test would look green.
pub(super) fn claude_or_skip(test: &str) -> Option<PathBuf> {
    match find_claude() {
        Ok(path) => Some(path),
        Err(reason) if in_ci() => panic!(
            "e2e {test}: {reason}. CI is set, so this is a failure, not a skip \
             (.ci/run installs Claude Code with scripts/install-claude-code.sh)"
        ),
        Err(reason) => {
            let _ = writeln!(std::io::stderr(), "SKIP e2e: {test}: {reason}");
            None
        }
    }
}

/// Every hook event we install, and the executable that handles it.
pub(super) const OUR_HOOKS: [(&str, &str); 8] = [
    ("PreToolUse", "claude-budget-pre-tool-use"),
    ("PostToolUse", "claude-budget-post-tool-use"),
    ("PostToolUseFailure", "claude-budget-post-tool-use"),
    ("Stop", "claude-budget-stop"),
    ("SubagentStop", "claude-budget-stop"),
    ("SessionStart", "claude-budget-session"),
    ("UserPromptSubmit", "claude-budget-session"),
    ("SessionEnd", "claude-budget-session"),
];

/// Writes `.claude/settings.json` hooking `event → absolute command` in exec form.
pub(super) fn write_settings(project: &TempProject, hooks: &[(&str, PathBuf)]) {
    let mut by_event = serde_json::Map::new();
    for (event, command) in hooks {
        let handler = json!({ "type": "command", "command": command, "args": [], "timeout": 30 });
        let groups = by_event
            .entry((*event).to_string())
            .or_insert_with(|| json!([]));
        if let Some(list) = groups.as_array_mut() {
            list.push(json!({ "matcher": "*", "hooks": [handler] }));
        }
    }
    let settings = json!({ "hooks": by_event });
    project.write(".claude/settings.json", &format!("{settings:#}\n"));
}

/// Hooks every event to our real executables.
pub(super) fn install_our_hooks(project: &TempProject) {
    let hooks: Vec<(&str, PathBuf)> = OUR_HOOKS
        .iter()
        .map(|(event, exe)| (*event, budget_tests::bin(exe)))
        .collect();
    write_settings(project, &hooks);
}

/// How a run is kept off the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Isolation {
    /// `unshare -n`: a fresh network namespace with no interface up; the CLI reaches the fake
    /// API only through its unix socket (`ANTHROPIC_UNIX_SOCKET`), so nothing can leave.
    NetworkNamespace,
    /// No namespace available (not root, no `unshare`): only the environment variables keep
    /// the CLI on the fake API at `ANTHROPIC_BASE_URL`.
    EnvironmentOnly,
}

/// Whether `unshare -n` works here; checked once, and said once, loudly, when it does not.
pub(super) fn isolation() -> Isolation {
    static ISOLATION: OnceLock<Isolation> = OnceLock::new();
    *ISOLATION.get_or_init(|| {
        let works = Command::new(UNSHARE)
            .args(["-n", "true"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if works {
            Isolation::NetworkNamespace
        } else {
            let _ = writeln!(
                std::io::stderr(),
                "NOTE e2e: `{UNSHARE} -n` is not available (needs root or user namespaces): the \
                 Claude Code runs are kept on the fake API by environment variables only"
            );
            Isolation::EnvironmentOnly
        }
    })
}

const UNSHARE: &str = "/usr/bin/unshare";

/// What one `claude -p … --output-format json` run produced.
pub(super) struct Run {
    /// The `-p` JSON result (`Value::Null` when stdout was not JSON).
    pub result: Value,
    pub stdout: String,
    pub stderr: String,
    pub exit_code: Option<i32>,
    pub wall: Duration,
}

impl Run {
    /// A description for assertion messages.
    pub(super) fn describe(&self) -> String {
        format!(
            "exit {:?} after {:?}\nstdout: {}\nstderr: {}",
            self.exit_code, self.wall, self.stdout, self.stderr
        )
    }

    /// The `permission_denials` entries of the result.
    pub(super) fn permission_denials(&self) -> Vec<Value> {
        self.result["permission_denials"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

/// The temp dir holding the project (its parent), for victims outside the project.
pub(super) fn outside_dir(project: &TempProject) -> PathBuf {
    project
        .root
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| project.root.clone())
}

/// Runs `claude -p prompt` in the project, against `api`, with extra CLI arguments.
pub(super) fn run_claude(
    claude: &Path,
    project: &TempProject,
    api: &FakeApi,
    prompt: &str,
    extra_args: &[&str],
) -> Run {
    run_claude_env(claude, project, api, prompt, extra_args, &[])
}

/// `PATH` for a run whose settings name our executables by bare name: the built executables
/// first, then the system's.
pub(super) fn path_with_our_bins() -> String {
    format!("{}:{SYSTEM_PATH}", budget_tests::bin_dir().display())
}

/// The `PATH` every run gets unless told otherwise: none of our executables on it.
pub(super) const SYSTEM_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// [`run_claude`] with extra environment variables (set last, so `PATH` can be replaced).
pub(super) fn run_claude_env(
    claude: &Path,
    project: &TempProject,
    api: &FakeApi,
    prompt: &str,
    extra_args: &[&str],
    extra_env: &[(&str, &str)],
) -> Run {
    let base = outside_dir(project);
    let tmp = base.join("tmp");
    std::fs::create_dir_all(&tmp).expect("mkdir tmp");
    let stdout_path = base.join("claude.stdout");
    let stderr_path = base.join("claude.stderr");
    let open = |p: &Path| {
        std::fs::File::create(p).unwrap_or_else(|e| panic!("create {}: {e}", p.display()))
    };
    let mut command = match isolation() {
        Isolation::NetworkNamespace => {
            let mut c = Command::new(UNSHARE);
            c.arg("-n").arg(claude);
            c
        }
        Isolation::EnvironmentOnly => Command::new(claude),
    };
    command
        .args(["-p", prompt, "--output-format", "json"])
        .args(extra_args)
        .env_clear()
        .env("PATH", SYSTEM_PATH)
        .env("TERM", "dumb")
        .env("LANG", "C.UTF-8")
        .env("HOME", &project.home)
        .env("TMPDIR", &tmp)
        .env("CLAUDE_CODE_TMPDIR", &tmp)
        .env("ANTHROPIC_API_KEY", "sk-test-dummy")
        .env("ANTHROPIC_BASE_URL", api.base_url())
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("DISABLE_TELEMETRY", "1")
        .env("DISABLE_ERROR_REPORTING", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        .env("DISABLE_BUG_COMMAND", "1")
        .env("CLAUDE_CODE_MAX_RETRIES", "0")
        // Needed by `--permission-mode bypassPermissions` when the tests run as root.
        .env("IS_SANDBOX", "1")
        .env("CLAUDE_BUDGET_CONFIG_DIR", &project.config)
        .env("CLAUDE_BUDGET_DATA_DIR", &project.data)
        .env("CLAUDE_BUDGET_MANAGED_DIR", &project.managed)
        .current_dir(&project.root)
        .stdin(Stdio::null())
        .stdout(open(&stdout_path))
        .stderr(open(&stderr_path))
        // Its own process group, so the deadline can kill the shells it started too.
        .process_group(0);
    if isolation() == Isolation::NetworkNamespace {
        command.env("ANTHROPIC_UNIX_SOCKET", api.socket_path());
    }
    for (key, value) in extra_env {
        command.env(key, value);
    }
    let started = Instant::now();
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", claude.display()));
    let exit_code = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status.code(),
            Ok(None) if started.elapsed() > RUN_DEADLINE => {
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .status();
                let _ = child.wait();
                panic!("claude did not finish within {RUN_DEADLINE:?}; killed");
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("wait for claude: {e}"),
        }
    };
    let wall = started.elapsed();
    let stdout = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let result = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
    Run {
        result,
        stdout,
        stderr,
        exit_code,
        wall,
    }
}

/// Every file under `dir`, recursively (empty when `dir` does not exist).
pub(super) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

/// Runs a non-conversation `claude` subcommand (`plugin validate`, `plugin marketplace add`,
/// `plugin install` …) under the same cleared environment and isolation as [`run_claude`],
/// with the project as the current directory; bounded like a run.
pub(super) fn claude_cli(
    claude: &Path,
    project: &TempProject,
    args: &[&str],
) -> std::process::Output {
    let tmp = outside_dir(project).join("tmp");
    std::fs::create_dir_all(&tmp).unwrap_or_else(|e| panic!("mkdir tmp: {e}"));
    let mut command = match isolation() {
        Isolation::NetworkNamespace => {
            let mut c = Command::new(UNSHARE);
            c.arg("-n").arg(claude);
            c
        }
        Isolation::EnvironmentOnly => Command::new(claude),
    };
    command
        .args(args)
        .env_clear()
        .env("PATH", SYSTEM_PATH)
        .env("TERM", "dumb")
        .env("LANG", "C.UTF-8")
        .env("HOME", &project.home)
        .env("TMPDIR", &tmp)
        .env("CLAUDE_CODE_TMPDIR", &tmp)
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        .env("DISABLE_TELEMETRY", "1")
        .env("DISABLE_ERROR_REPORTING", "1")
        .env("DISABLE_AUTOUPDATER", "1")
        .current_dir(&project.root)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", claude.display()));
    let id = child.id();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if done_rx.recv_timeout(RUN_DEADLINE).is_err() {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{id}")])
                .status();
        }
    });
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("wait for claude {args:?}: {e}"));
    let _ = done_tx.send(());
    let _ = watchdog.join();
    out
}

/// The repository root: where `.claude-plugin/marketplace.json` is.
pub(super) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}
