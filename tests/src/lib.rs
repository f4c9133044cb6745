//! Helpers for the integration tests: build and find the real executables, and make
//! throw-away projects with their own config and data directories.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failure here is the calling test's failure, with the error shown"
)]

pub mod fake_api;

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The directory holding the built executables (`target/<profile>`), building the hooks and
/// the CLI first if this test run has not yet (`cargo test --workspace` does not always
/// build other packages' binaries). `$CLAUDE_BUDGET_TEST_BIN_DIR` names another build's.
pub fn bin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // `.ci/run` also runs the hook tests against the executables as `scripts/install-hooks`
        // builds them (static on Linux/glibc): the install path users are told to take.
        if let Some(dir) = std::env::var_os("CLAUDE_BUDGET_TEST_BIN_DIR") {
            return PathBuf::from(dir);
        }
        let exe = std::env::current_exe().unwrap_or_default();
        // Test binaries live in target/<profile>/deps/, other binaries in target/<profile>/.
        let mut profile_dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
        if profile_dir.file_name().is_some_and(|n| n == "deps") {
            profile_dir.pop();
        }
        let target_dir = profile_dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .args([
                "build",
                "--quiet",
                "-p",
                "budget-hooks",
                "-p",
                "claude-budget",
                "--bins",
            ])
            .arg("--target-dir")
            .arg(&target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if release {
            build.arg("--release");
        }
        let status = build.status();
        assert!(
            status.is_ok_and(|s| s.success()),
            "building the hook executables for the tests failed"
        );
        profile_dir
    })
}

/// Path of one built executable (`claude-budget-pre-tool-use`, `claude-budget`, …).
pub fn bin(name: &str) -> PathBuf {
    bin_dir().join(name)
}

/// A throw-away project: `root` (a git repo with `.claude/`), and private config and data
/// dirs so no test sees the developer's own budget or records.
pub struct TempProject {
    pub dir: tempfile::TempDir,
    pub root: PathBuf,
    pub config: PathBuf,
    pub data: PathBuf,
    pub home: PathBuf,
    /// The managed budget's folder (`$CLAUDE_BUDGET_MANAGED_DIR`): empty unless a test writes
    /// `budget.toml` there, so the machine's `/etc/claude-budget` never leaks into a test.
    pub managed: PathBuf,
}

impl TempProject {
    pub fn new() -> TempProject {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path().canonicalize().expect("canonicalize");
        let root = base.join("proj");
        let config = base.join("config");
        let data = base.join("data");
        let home = base.join("home");
        let managed = base.join("managed");
        for d in [&root, &config, &data, &home, &managed] {
            std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("mkdir {}: {e}", d.display()));
        }
        std::fs::create_dir_all(root.join(".git")).expect("mkdir .git");
        std::fs::write(root.join(".git/HEAD"), "ref: refs/heads/feature\n").expect("write HEAD");
        std::fs::create_dir_all(root.join(".claude")).expect("mkdir");
        TempProject {
            dir,
            root,
            config,
            data,
            home,
            managed,
        }
    }

    /// Where the hooks keep session `session_id` of this project (no `[record] dir`).
    pub fn session_dir(&self, session_id: &str) -> PathBuf {
        let project = budget_policy::store::RunsLayout::under(&self.data)
            .project_dir(&self.root, None)
            .unwrap();
        budget_policy::store::session_in(&project, session_id)
    }

    /// Writes `.claude/budget.toml`.
    pub fn budget(self, toml: &str) -> TempProject {
        self.write(".claude/budget.toml", toml);
        self
    }

    /// Writes a file under the project root, creating parents.
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// A command for one of our executables with this project's environment.
    pub fn command(&self, name: &str) -> Command {
        let mut cmd = Command::new(bin(name));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("CLAUDE_PROJECT_DIR", &self.root)
            .env("CLAUDE_BUDGET_CONFIG_DIR", &self.config)
            .env("CLAUDE_BUDGET_DATA_DIR", &self.data)
            .env("CLAUDE_BUDGET_MANAGED_DIR", &self.managed)
            .current_dir(&self.root);
        cmd
    }

    /// Runs a hook executable with `input` on stdin.
    pub fn run_hook(&self, name: &str, input: &Value) -> Output {
        self.run_hook_raw(name, input.to_string().as_bytes(), &[])
    }

    /// Runs a hook executable with raw stdin bytes and extra environment.
    pub fn run_hook_raw(&self, name: &str, stdin: &[u8], env: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(name);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        if let Some(mut pipe) = child.stdin.take() {
            // The hook may exit before reading everything (oversize input): ignore EPIPE.
            let _ = pipe.write_all(stdin);
        }
        child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("wait {name}: {e}"))
    }

    /// A PreToolUse input for this project.
    pub fn pre_tool_use(&self, tool: &str, tool_input: Value) -> Value {
        serde_json::json!({
            "session_id": "test-session",
            "transcript_path": self.root.join("transcript.jsonl"),
            "cwd": self.root,
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": tool,
            "tool_input": tool_input,
            "tool_use_id": "toolu_test",
        })
    }
}

impl Default for TempProject {
    fn default() -> Self {
        Self::new()
    }
}

/// Parses a hook's stdout as the one JSON object it must be (or `None` when empty).
/// A PreToolUse reply's decision (`none` when the hook gave none) and its reason.
pub fn decision_and_reason(out: &Output) -> (String, String) {
    let reply = stdout_json(out).unwrap_or_default();
    let output = &reply["hookSpecificOutput"];
    let field = |name: &str, absent: &str| output[name].as_str().unwrap_or(absent).to_owned();
    (
        field("permissionDecision", "none"),
        field("permissionDecisionReason", ""),
    )
}

pub fn stdout_json(out: &Output) -> Option<Value> {
    let text = String::from_utf8_lossy(&out.stdout);
    if text.trim().is_empty() {
        return None;
    }
    Some(
        serde_json::from_str(text.trim())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {text}")),
    )
}
