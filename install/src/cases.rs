//! Replay cases (`claude-budget test`) and what `replay`, `capture`, `test` and `demo` share
//! to print decisions. Deciding and counting are `budget_policy::events::replay`'s: exactly
//! what the hooks do.

use budget_policy::budget::Budget;
use budget_policy::decide::Decision;
use budget_policy::events::replay::Replayer;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// A decision as a word: `allow`, `ask`, `deny`, or `none` (no opinion).
pub(crate) fn verdict_word(decision: &Decision) -> &'static str {
    decision.verdict.map_or("none", |v| v.as_str())
}

/// The rule that decided, as `origin (rule)`, for messages.
pub(crate) fn rule_label(decision: &Decision) -> String {
    match &decision.rule {
        Some(hit) => format!("{} `{}`", hit.origin, hit.rule),
        None => decision.code.as_str().to_owned(),
    }
}

/// A fresh replay session under `budget` in this process's environment (see
/// `events::replay`: the hooks' own deciding and counting).
pub(crate) fn replayer(budget: &Budget) -> Replayer<'_> {
    Replayer::new(budget, crate::project::env())
}

/// Strings of `value` with the project root made relative (`/home/u/proj/src/a.rs` →
/// `src/a.rs`, `cd /home/u/proj` → `cd .`), so a captured case runs in any checkout.
pub(crate) fn relative_input(value: &Value, root: &Path) -> Value {
    let root = root.to_string_lossy();
    let root = root.trim_end_matches('/');
    match value {
        Value::String(s) if root.len() > 1 => {
            Value::String(s.replace(&format!("{root}/"), "").replace(root, "."))
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| relative_input(v, Path::new(root)))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), relative_input(v, Path::new(root))))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// One replay case (SPEC §8): a call and the decision it must get.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Case {
    pub name: String,
    pub tool: String,
    #[serde(default)]
    pub input: toml::Table,
    /// `allow`, `ask`, `deny`, or `none` (no opinion).
    pub expect: String,
    /// Optional: decide as in this permission mode (`bypassPermissions` turns ask into deny).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission_mode: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(default)]
    case: Vec<Case>,
}

#[derive(clap::Args)]
pub(crate) struct TestArgs {
    /// Folder of case files (default `.claude/budget-tests` of this project).
    pub dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::Format,
}

#[derive(serde::Serialize)]
struct Outcome {
    file: String,
    name: String,
    expect: String,
    got: String,
    rule: String,
    reason: String,
    passed: bool,
}

fn read_cases(dir: &Path) -> Result<Vec<(String, Case)>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let parsed: CaseFile =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        cases.extend(parsed.case.into_iter().map(|c| (name.clone(), c)));
    }
    Ok(cases)
}

/// `claude-budget test [DIR]`: every case decided with today's budget; exit 1 on a mismatch.
pub(crate) fn test(args: &TestArgs) -> u8 {
    let budget = match crate::report::load_budget() {
        Ok(Some(budget)) => budget,
        Ok(None) => {
            eprintln!("claude-budget: no budget file here: nothing to test");
            return crate::EXIT_USAGE;
        }
        Err(problem) => {
            eprintln!("claude-budget: {problem}");
            return crate::EXIT_USAGE;
        }
    };
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| budget.project_root.join(".claude/budget-tests"));
    let cases = match read_cases(&dir) {
        Ok(cases) => cases,
        Err(problem) => {
            eprintln!("claude-budget: {problem}");
            return crate::EXIT_USAGE;
        }
    };
    let mut outcomes = Vec::with_capacity(cases.len());
    for (file, case) in cases {
        // Each case is decided on its own, as the first call of a fresh session.
        let mut replayer = replayer(&budget);
        let input = serde_json::to_value(&case.input).unwrap_or(Value::Null);
        let decision = replayer.decide(&case.tool, &input, None, case.permission_mode.as_deref());
        let got = verdict_word(&decision);
        outcomes.push(Outcome {
            passed: got == case.expect,
            got: got.to_owned(),
            rule: rule_label(&decision),
            reason: decision.reason.lines().next().unwrap_or("").to_owned(),
            file,
            name: case.name,
            expect: case.expect,
        });
    }
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    match args.format {
        crate::Format::Json => {
            let out = serde_json::json!({"passed": outcomes.len() - failed, "failed": failed, "cases": outcomes});
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        crate::Format::Text => {
            for o in outcomes.iter().filter(|o| !o.passed) {
                println!(
                    "FAIL {}: {}: expected {}, got {} — {}",
                    o.file, o.name, o.expect, o.got, o.rule
                );
                if !o.reason.is_empty() {
                    println!("     {}", o.reason);
                }
            }
            println!(
                "{} cases, {} passed, {failed} failed",
                outcomes.len(),
                outcomes.len() - failed
            );
        }
    }
    if failed > 0 {
        crate::EXIT_PROBLEMS
    } else {
        crate::EXIT_OK
    }
}
