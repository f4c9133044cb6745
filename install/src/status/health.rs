//! What makes `status` exit 1 (SPEC §8), and which build each hook is.
//!
//! A script or CI job runs `claude-budget status` to learn whether the gate is on; a zero
//! exit must mean it is. So: exit 1 when a budget in force does not load, when any
//! configured handler of ours does not resolve to an executable or every hook is disabled,
//! and — when a budget is in force — when PreToolUse is not wired for every tool. Missing
//! counting or stop hooks are printed but do not fail the check: the gate itself holds.
//!
//! Versions: every resolving hook is asked `--version` (answered before stdin is read, so it
//! is cheap); hooks of different builds, or of another build than this CLI, get a warning —
//! an upgrade that reached only some of them is how a half-old gate happens.

use super::hooks::HookReport;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The version one executable reports.
#[derive(Debug, Serialize)]
pub(super) struct HookVersion {
    pub executable: String,
    pub path: PathBuf,
    /// `None` when it did not answer `--version` (a build older than the flag, or broken).
    pub version: Option<String>,
}

/// This CLI's own version: the hooks should be the same build.
pub(super) const CLI_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Asks each distinct resolved hook executable for its version.
pub(super) fn versions(report: &HookReport) -> Vec<HookVersion> {
    let mut seen: BTreeMap<PathBuf, String> = BTreeMap::new();
    for event in &report.events {
        if let Some(path) = &event.resolves_to {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            seen.entry(path.clone()).or_insert(name);
        }
    }
    seen.into_iter()
        .map(|(path, executable)| HookVersion {
            version: ask_version(&path),
            executable,
            path,
        })
        .collect()
}

/// `<path> --version` → the second word of `<name> <version>`; at most a second, and stdin
/// closed so a build without the flag gets EOF instead of waiting for hook input.
fn ask_version(path: &Path) -> Option<String> {
    let mut child = Command::new(path)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() < Duration::from_secs(1) => {
                std::thread::sleep(Duration::from_millis(5));
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    let out = child.wait_with_output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut words = text.lines().next()?.split_whitespace();
    let (_, version) = (words.next()?, words.next()?);
    (out.status.success() && words.next().is_none()).then(|| version.to_owned())
}

/// Warnings about builds: hooks that differ from each other or from this CLI.
pub(super) fn version_warnings(versions: &[HookVersion]) -> Vec<String> {
    let mut warnings = Vec::new();
    for v in versions {
        match &v.version {
            None => warnings.push(format!(
                "{} ({}) does not answer --version: an older build than this CLI ({CLI_VERSION}); reinstall it",
                v.executable,
                v.path.display()
            )),
            Some(version) if version != CLI_VERSION => warnings.push(format!(
                "{} is version {version}, this CLI is {CLI_VERSION}: install both from the same build",
                v.executable
            )),
            Some(_) => {}
        }
    }
    let distinct: std::collections::BTreeSet<&str> = versions
        .iter()
        .filter_map(|v| v.version.as_deref())
        .collect();
    if distinct.len() > 1 {
        let list: Vec<String> = versions
            .iter()
            .map(|v| format!("{} {}", v.executable, v.version.as_deref().unwrap_or("?")))
            .collect();
        warnings.push(format!("the hooks are not one build: {}", list.join(", ")));
    }
    warnings
}

/// Why the gate is off (empty: it is on). `budget_in_force` is true when a budget loaded
/// or one failed to load.
pub(super) fn gate_problems(
    report: &HookReport,
    budget_in_force: bool,
    budget_error: Option<&str>,
) -> Vec<String> {
    let mut problems = Vec::new();
    if budget_error.is_some() {
        problems.push("a budget in force is invalid (pre-tool-use denies every call)".into());
    }
    if let Some(file) = report.settings_files.iter().find(|f| f.disables_all_hooks) {
        problems.push(format!(
            "hooks are disabled by `disableAllHooks` in {}",
            file.path.display()
        ));
    }
    for event in &report.events {
        if event
            .problem
            .as_deref()
            .is_some_and(|p| p.contains("disableAllHooks"))
        {
            continue;
        }
        let configured_but_broken = event.status == "broken" && event.command.is_some();
        let gate_missing = event.event == "PreToolUse" && event.status != "ok" && budget_in_force;
        if configured_but_broken || gate_missing {
            problems.push(format!(
                "{}: {}",
                event.event,
                event.problem.as_deref().unwrap_or(event.status)
            ));
        }
    }
    problems.dedup();
    problems
}

/// Warnings about the committed `.claude/settings.json`: what would fail open on a
/// teammate's machine. A handler of ours naming an absolute path works here and nowhere
/// else; a PreToolUse entry without the missing-binary guard lets every call through where
/// the executables are not installed. Both are fixed by `install --scope project`.
pub(super) fn rollout_warnings(project_settings: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(project_settings) else {
        return Vec::new();
    };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    let handlers = |event: &str| -> Vec<serde_json::Value> {
        value["hooks"][event]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|g| g["hooks"].as_array().cloned().unwrap_or_default())
            .collect()
    };
    let mut warnings = Vec::new();
    let mut ours_in_pre = false;
    for (event, exe, _, _) in crate::install::HOOKS {
        for h in handlers(event) {
            let command = h["command"].as_str().unwrap_or_default();
            if !command.ends_with(exe) {
                continue;
            }
            ours_in_pre |= *event == "PreToolUse";
            if Path::new(command).is_absolute() {
                warnings.push(format!(
                    "{} (committed) runs {command}: a path of this machine only; run \
                     `claude-budget install --scope project` to make it portable",
                    project_settings.display()
                ));
            }
        }
    }
    let guarded = handlers("PreToolUse")
        .iter()
        .any(crate::install::guard::is_guard);
    if ours_in_pre && !guarded {
        warnings.push(format!(
            "{} (committed) has no missing-binary guard: on a machine without the \
             executables every tool call would run unchecked; run `claude-budget install \
             --scope project`",
            project_settings.display()
        ));
    }
    warnings.dedup();
    warnings
}
