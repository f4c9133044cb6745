//! `claude-budget status [--session ID] [--format json]` (SPEC §8): the budgets in force,
//! whether the hooks are installed, and one session's counters and spend — by default the
//! most recently updated session of this project. Reads the state without taking the lock
//! (it is only ever replaced whole), so it never slows a running agent down.
//!
//! Submodule `hooks`: whether each event's handler is configured and its command resolves;
//! `health`: the exit code (1 when the gate is off or a budget is invalid) and hook versions.

use crate::{EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Format, project};
use budget_policy::budget::{Budget, Located};
use budget_policy::session::SessionState;
use budget_policy::store;
use serde_json::{Value, json};
use std::path::PathBuf;

mod health;
mod hooks;
mod retention;
mod tripwires;

use retention::{retention_json, retention_text, with_retention};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The session id (default: the latest session of this project).
    #[arg(long)]
    session: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub(crate) fn run(args: &Args) -> u8 {
    let located = project::locate();
    let (budget, budget_problem) = match project::load(&located) {
        Ok(budget) => (budget, None),
        Err(err) => (
            None,
            Some(
                err.diagnostics
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
        ),
    };
    let project_runs = match project::layout().project_dir(&located.project_root, budget.as_ref()) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_USAGE;
        }
    };
    let session_dir = match &args.session {
        Some(id) => Some(store::session_in(&project_runs, id)),
        None => store::latest_session(&project_runs),
    };
    let session = match session_dir
        .as_ref()
        .and_then(|d| store::Session::existing(d.clone()))
    {
        Some(session) => match session.read() {
            Ok(state) => Some((session.dir().to_path_buf(), state)),
            Err(e) => {
                eprintln!("{e}");
                return EXIT_USAGE;
            }
        },
        None if args.session.is_some() => {
            eprintln!(
                "no session `{}` recorded for this project",
                args.session.as_deref().unwrap_or_default()
            );
            return EXIT_USAGE;
        }
        None => None,
    };
    let hook_report = hooks::check(&located.project_root);
    let retention = retention_json(budget.as_ref(), &project_runs);
    let report = report(
        &located,
        budget.as_ref(),
        budget_problem.as_deref(),
        session.as_ref(),
        &hook_report,
    );
    let mut report = with_retention(report, retention);
    let trips = session
        .as_ref()
        .map(|(dir, _)| tripwires::of_session(dir, &located.project_root))
        .unwrap_or_default();
    if let Value::Object(fields) = &mut report {
        fields.insert("tripwires".into(), json!(trips));
        if let Some(budget) = &budget {
            fields.insert("tripwire_watch".into(), crate::tripwire_notes::json(budget));
        }
    }
    let versions = health::versions(&hook_report);
    let mut warnings = health::version_warnings(&versions);
    warnings.extend(health::rollout_warnings(
        &located.project_root.join(".claude/settings.json"),
    ));
    let problems = health::gate_problems(
        &hook_report,
        budget.is_some() || budget_problem.is_some(),
        budget_problem.as_deref(),
    );
    if let Value::Object(map) = &mut report {
        map.insert("cli_version".into(), json!(health::CLI_VERSION));
        map.insert("hook_versions".into(), json!(versions));
        map.insert("version_warnings".into(), json!(warnings));
        map.insert("gate_on".into(), json!(problems.is_empty()));
        map.insert("gate_problems".into(), json!(problems));
    }
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
        Format::Text => print!(
            "{}{}{}{}",
            text(&report, &hook_report),
            tripwires::text(&trips),
            budget
                .as_ref()
                .map(crate::tripwire_notes::text)
                .unwrap_or_default(),
            health_text(
                &versions,
                &warnings,
                &problems,
                budget.is_some() || budget_problem.is_some()
            )
        ),
    }
    if problems.is_empty() {
        EXIT_OK
    } else {
        EXIT_PROBLEMS
    }
}

/// The versions line, build warnings, and the verdict a script acts on (the exit code).
fn health_text(
    versions: &[health::HookVersion],
    warnings: &[String],
    problems: &[String],
    in_force: bool,
) -> String {
    let paint = crate::style::Paint::stdout();
    let mut out = String::new();
    if !versions.is_empty() {
        let list: Vec<String> = versions
            .iter()
            .map(|v| format!("{} {}", v.executable, v.version.as_deref().unwrap_or("?")))
            .collect();
        out.push_str(&format!(
            "versions: claude-budget {} ; {}\n",
            health::CLI_VERSION,
            list.join(", ")
        ));
    }
    for w in warnings {
        out.push_str(&format!("{} {w}\n", paint.warn("warning:")));
    }
    if problems.is_empty() && !in_force {
        out.push_str("gate: no budget in force here, nothing to enforce\n");
    } else if problems.is_empty() {
        out.push_str(&format!("gate: {}\n", paint.ok("on")));
    } else {
        out.push_str(&format!(
            "gate: {} (exit 1)\n",
            paint.bad("OFF or not trustworthy")
        ));
        for p in problems {
            out.push_str(&format!("  {p}\n"));
        }
    }
    out
}

/// Which settings files carry a handler of ours (resolvable or not), by scope; kept for
/// scripts that read it. `hooks` has the per-event detail.
fn hooks_installed(report: &hooks::HookReport) -> Value {
    let configured_in = |scope: &str| {
        report.settings_files.iter().any(|f| {
            f.scope == scope
                && report
                    .events
                    .iter()
                    .any(|e| e.settings_file.as_ref() == Some(&f.path))
        })
    };
    json!({
        "project": configured_in("project"),
        "local": configured_in("local"),
        "user": configured_in("user"),
    })
}

fn report(
    located: &Located,
    budget: Option<&Budget>,
    problem: Option<&str>,
    session: Option<&(PathBuf, SessionState)>,
    hook_report: &hooks::HookReport,
) -> Value {
    let budgets: Vec<Value> = budget
        .map(|b| b.layers.iter().map(|l| json!({"file": l.display, "kind": l.kind, "sha256": l.sha256, "packs": l.packs})).collect())
        .unwrap_or_default();
    let limits: Vec<Value> = budget
        .map(|b| {
            b.layers
                .iter()
                .map(|l| json!({"file": l.display, "spend": l.spend, "retry": l.retry}))
                .collect()
        })
        .unwrap_or_default();
    let mut out = json!({
        "project_root": located.project_root,
        "budgets": budgets,
        "budget_error": problem,
        "task": budget.and_then(|b| b.task.clone()),
        "limits": limits,
        "hooks_installed": hooks_installed(hook_report),
        "hooks": hook_report,
        "session": null,
    });
    if let Some((dir, state)) = session {
        let now = store::now_ms();
        let facts = state.facts_at(now);
        let breach = budget.and_then(|b| budget_policy::decide::limit_reached(b, &facts));
        let spend = &state.spend;
        let fields = json!({
            "session": state.session_id.clone().or_else(|| dir.file_name().map(|n| n.to_string_lossy().into_owned())),
            "session_dir": dir,
            "tool_calls": state.tool_calls,
            "denied_calls": state.denied_calls,
            "failures": state.total_failures,
            "failures_by_command": state.failures.iter().map(|(k, v)| (k.clone(), json!(v.count))).collect::<serde_json::Map<_, _>>(),
            "edits": state.edits.values().map(|e| u64::from(e.count)).sum::<u64>(),
            "edits_by_file": state.edits.iter().map(|(k, v)| (k, json!(v.count))).collect::<serde_json::Map<_, _>>(),
            "tests": {"runs": state.tests.runs, "passed": state.tests.passed, "failed": state.tests.failed,
                      "tested_since_last_edit": state.tested_since_last_edit()},
            "asks": {"requested": state.asks.requested, "granted": state.asks.granted},
            "spend": {
                "input_tokens": spend.tokens.input_tokens,
                "output_tokens": spend.tokens.output_tokens,
                "cache_creation_input_tokens": spend.tokens.cache_creation_input_tokens,
                "cache_read_input_tokens": spend.tokens.cache_read_input_tokens,
                "usd": (spend.usd * 1e6).round() / 1e6,
                "models": spend.models,
                "unknown_models": spend.unknown_models,
                "limit_reached": breach.map(|hit| hit.rule),
            },
            "minutes": facts.minutes,
            "stopped": state.stopped.as_ref().map(|s| s.reason.clone()),
            "stop_blocks": state.stop_blocks,
            "missing_evidence": state.missing_evidence,
            "task_request": state.task_request,
            "ended": state.ended.is_some(),
        });
        if let (Value::Object(out), Value::Object(fields)) = (&mut out, fields) {
            out.extend(fields);
        }
    }
    out
}

fn text(report: &Value, hook_report: &hooks::HookReport) -> String {
    let mut out = String::new();
    let get = |k: &str| report.get(k).cloned().unwrap_or(Value::Null);
    out.push_str(&format!(
        "project: {}\n",
        get("project_root").as_str().unwrap_or("?")
    ));
    match report.get("budgets").and_then(Value::as_array) {
        Some(list) if !list.is_empty() => {
            for b in list {
                let hash = b.get("sha256").and_then(Value::as_str).unwrap_or("?");
                out.push_str(&format!(
                    "budget: {} ({} layer, sha256 {})\n",
                    b.get("file").and_then(Value::as_str).unwrap_or("?"),
                    b.get("kind").and_then(Value::as_str).unwrap_or("?"),
                    hash.get(..12).unwrap_or(hash)
                ));
            }
        }
        _ => out.push_str("budget: none in force (the hooks have no opinion here)\n"),
    }
    if let Some(problem) = get("budget_error").as_str() {
        out.push_str(&format!("budget error:\n{problem}\n"));
    }
    out.push_str(&hooks::text(hook_report));
    out.push_str(&retention_text(&get("retention")));
    if get("session").is_null() {
        out.push_str("session: none recorded yet for this project\n");
        return out;
    }
    let n = |k: &str| get(k).as_u64().unwrap_or(0);
    let spend = get("spend");
    let s = |k: &str| spend.get(k).and_then(Value::as_u64).unwrap_or(0);
    out.push_str(&format!(
        "session: {}\n",
        get("session").as_str().unwrap_or("?")
    ));
    out.push_str(&format!(
        "  tool calls: {} ({} denied), failures: {}, edits: {}, minutes: {}\n",
        n("tool_calls"),
        n("denied_calls"),
        n("failures"),
        n("edits"),
        n("minutes")
    ));
    let tests = get("tests");
    out.push_str(&format!(
        "  tests: {} runs, {} passed, {} failed; tested since last edit: {}\n",
        tests.get("runs").and_then(Value::as_u64).unwrap_or(0),
        tests.get("passed").and_then(Value::as_u64).unwrap_or(0),
        tests.get("failed").and_then(Value::as_u64).unwrap_or(0),
        tests
            .get("tested_since_last_edit")
            .and_then(Value::as_bool)
            .unwrap_or(true)
    ));
    out.push_str(&format!(
        "  spend: ${:.4}; tokens: {} in, {} out, {} cache writes, {} cache reads\n",
        spend.get("usd").and_then(Value::as_f64).unwrap_or(0.0),
        s("input_tokens"),
        s("output_tokens"),
        s("cache_creation_input_tokens"),
        s("cache_read_input_tokens")
    ));
    if let Some(unknown) = spend
        .get("unknown_models")
        .and_then(Value::as_array)
        .filter(|u| !u.is_empty())
    {
        out.push_str(&format!(
            "  priced at the conservative default (unknown models): {}\n",
            Value::Array(unknown.clone())
        ));
    }
    if let Some(limit) = spend.get("limit_reached").and_then(Value::as_str) {
        out.push_str(&format!("  spend limit reached: {limit}\n"));
    }
    if let Some(reason) = get("stopped").as_str() {
        out.push_str(&format!("  stopped: {reason}\n"));
    }
    if let Some(missing) = get("missing_evidence").as_array().filter(|m| !m.is_empty()) {
        for m in missing {
            out.push_str(&format!(
                "  missing evidence: {}\n",
                m.as_str().unwrap_or("?")
            ));
        }
    }
    out
}
