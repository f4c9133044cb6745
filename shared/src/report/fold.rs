//! Events → packet sections. One pass over the record; what a call *did* is read from its
//! post event (PostToolUse / PostToolUseFailure), what the budget *said* from its PreToolUse.

use super::event::{BudgetFileRef, Event};
use super::truth::{mark_unmodelled, split_folders, transcript_models};
use super::{Action, Approval, CommandRun, Count, FileChange, McpUse, Packet, Place};
use crate::budget::Budget;
use crate::protocol::split_mcp_name;
use crate::text::shorten;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Shows paths relative to the project root (and `~` for the home directory).
pub(super) struct Relative {
    root: String,
    home: Option<String>,
}

impl Relative {
    pub(super) fn new(root: &Path, home: Option<&Path>) -> Relative {
        let home = home
            .map(|h| h.to_string_lossy().into_owned())
            .filter(|h| h.len() > 1);
        Relative {
            root: root.to_string_lossy().trim_end_matches('/').to_owned(),
            home,
        }
    }

    pub(super) fn path(&self, path: &str) -> String {
        if path == self.root {
            return ".".into();
        }
        if let Some(rest) = path
            .strip_prefix(&self.root)
            .and_then(|r| r.strip_prefix('/'))
        {
            return rest.to_owned();
        }
        match &self.home {
            Some(home) if path.starts_with(home.as_str()) => format!("~{}", &path[home.len()..]),
            _ => path.to_owned(),
        }
    }

    /// A command or summary with the project root's absolute prefix removed.
    pub(super) fn text(&self, text: &str) -> String {
        if self.root.len() <= 1 {
            return text.to_owned();
        }
        text.replace(&format!("{}/", self.root), "")
            .replace(&self.root, ".")
    }
}

fn input_str<'a>(event: &'a Event, key: &str) -> Option<&'a str> {
    event.input.as_ref()?.get(key)?.as_str()
}

/// The file a file tool works on, if any.
fn tool_path(event: &Event) -> Option<&str> {
    match event.tool.as_deref()? {
        "Read" | "Edit" | "Write" | "MultiEdit" => input_str(event, "file_path"),
        "NotebookEdit" => input_str(event, "notebook_path"),
        "Grep" | "Glob" => Some(input_str(event, "path").unwrap_or(".")),
        _ => None,
    }
}

fn is_post(event: &Event) -> bool {
    matches!(event.event.as_str(), "PostToolUse" | "PostToolUseFailure")
}

fn action(event: &Event, rel: &Relative) -> Action {
    let what = match (tool_path(event), &event.summary) {
        (Some(path), _) => rel.path(path),
        (None, Some(summary)) => rel.text(summary),
        (None, None) => String::new(),
    };
    Action {
        tool: event.tool.clone().unwrap_or_default(),
        what: shorten(&what, 200),
        code: event.code.clone(),
        rule: event.rule.clone(),
        reason: event
            .reason
            .as_deref()
            .map(|r| super::reason::cap_words(r.lines().next().unwrap_or(""), 400)),
    }
}

/// Well-known test runners, for records whose events do not say (`test` unset).
const TEST_RUNNERS: &[&str] = &[
    "cargo test",
    "cargo nextest",
    "pytest",
    "python -m pytest",
    "npm test",
    "npm run test",
    "yarn test",
    "pnpm test",
    "go test",
    "make test",
    "jest",
    "vitest",
    "rspec",
    "mvn test",
    "gradle test",
    "./gradlew test",
    "dotnet test",
    "bundle exec rspec",
    "tox",
];

fn looks_like_tests(command: &str, budget: Option<&Budget>) -> bool {
    command.split(['&', ';', '|', '\n']).any(|part| {
        let words: Vec<String> = shlex::split(part.trim()).unwrap_or_default();
        let start = words
            .iter()
            .position(|w| !w.contains('='))
            .unwrap_or(words.len());
        let argv = &words[start..];
        if argv.is_empty() {
            return false;
        }
        if let Some(budget) = budget {
            return budget.layers.iter().any(|layer| layer.run.is_test(argv));
        }
        let joined = argv.join(" ");
        TEST_RUNNERS
            .iter()
            .any(|r| joined == *r || joined.starts_with(&format!("{r} ")))
    })
}

fn number(value: Option<&Value>) -> Option<f64> {
    match value? {
        Value::Number(n) => n.as_f64(),
        Value::Object(map) => Some(map.values().filter_map(Value::as_f64).sum()),
        _ => None,
    }
}

/// Spend from the session state, whatever its exact layout: `spend.{usd,tokens}` (tokens may
/// be by kind) or top-level `spend_usd` / `spend_tokens`.
fn spend_from_state(state: &Value) -> (Option<u64>, Option<f64>) {
    let spend = state.get("spend");
    let pick = |keys: &[&str], top: &str| {
        keys.iter()
            .find_map(|k| number(spend.and_then(|s| s.get(*k))))
            .or_else(|| number(state.get(top)))
    };
    let tokens = pick(&["tokens", "total_tokens"], "spend_tokens");
    let usd = pick(&["usd", "cost_usd", "total_usd"], "spend_usd");
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "token counts"
    )]
    (tokens.map(|t| t as u64), usd)
}

fn bump(list: &mut Vec<Count>, name: &str) {
    match list.iter_mut().find(|c| c.name == name) {
        Some(count) => count.calls += 1,
        None => list.push(Count {
            name: name.to_owned(),
            calls: 1,
        }),
    }
}

fn record_run(list: &mut Vec<CommandRun>, command: &str, event: &Event) {
    let failed = event.outcome.as_deref() == Some("failed");
    let run = match list.iter_mut().find(|c| c.command == command) {
        Some(run) => run,
        None => {
            list.push(CommandRun {
                command: command.to_owned(),
                ..CommandRun::default()
            });
            let last = list.len() - 1;
            &mut list[last]
        }
    };
    run.runs += 1;
    run.failures += u32::from(failed);
    run.last_outcome = if failed { "failed" } else { "ok" }.into();
    run.last_error = if failed { event.error.clone() } else { None };
}

/// `test_status` (and then `last_outcome`) of a test run whose exit status the call hid.
pub(super) const UNDECIDED: &str = "undecided";

/// The run just recorded hid its status: its last outcome is `undecided`, and a failed call
/// is not a failed test run.
fn mark_undecided(list: &mut [CommandRun], command: &str, ok: bool) {
    if let Some(run) = list.iter_mut().find(|c| c.command == command) {
        run.failures -= u32::from(!ok);
        run.last_outcome = UNDECIDED.into();
        run.last_error = None;
    }
}

pub(super) fn fold(
    events: &[Event],
    state: Option<&Value>,
    budget: Option<&Budget>,
    place: &Place<'_>,
) -> Packet {
    let root = place.project_root;
    let rel = Relative::new(root, place.home);
    let mut p = Packet {
        events: events.len(),
        ..Packet::default()
    };
    let ran: HashSet<&str> = events
        .iter()
        .filter(|e| is_post(e))
        .filter_map(|e| e.tool_use_id.as_deref())
        .collect();
    let mut changed: BTreeMap<String, (u32, usize)> = BTreeMap::new(); // path → (edits, last index)
    let mut inspected: Vec<String> = Vec::new();
    let mut high_risk: Vec<String> = Vec::new();
    let mut last_pass: Option<usize> = None;
    let mut mcp: BTreeMap<String, Vec<Count>> = BTreeMap::new();
    let mut missing_evidence: Vec<String> = Vec::new();
    let mut stop_spend: (Option<u64>, Option<f64>) = (None, None);
    let mut stop_reasons: HashSet<Option<String>> = HashSet::new();
    // Calls the analyser could not model (decided by `[run] unparsed`), by tool_use_id.
    let mut unmodelled: HashSet<&str> = HashSet::new();

    for (index, event) in events.iter().enumerate() {
        p.session_id = p.session_id.take().or_else(|| event.session_id.clone());
        if p.started.is_none() && !event.ts.is_empty() {
            p.started = Some(event.ts.clone());
        }
        if !event.ts.is_empty() {
            p.ended = Some(event.ts.clone());
        }
        if p.task_request.is_none() && event.event == "UserPromptSubmit" {
            p.task_request = event.prompt.as_deref().map(|t| shorten(t.trim(), 600));
        }
        p.agent.model = p.agent.model.take().or_else(|| event.model.clone());
        p.agent.task = p.agent.task.take().or_else(|| event.task.clone());
        if let Some(mode) = &event.permission_mode
            && !p.agent.permission_modes.contains(mode)
        {
            p.agent.permission_modes.push(mode.clone());
        }
        if let Some(agent) = event.agent_type.as_ref().or(event.agent_id.as_ref())
            && event.agent_id.is_some()
            && !p.agent.subagents.contains(agent)
        {
            p.agent.subagents.push(agent.clone());
        }
        if !event.budget.is_empty() {
            p.budget.files.clone_from(&event.budget);
        }
        if (event.high_risk == Some(true) || event.code.as_deref() == Some("rollback-note-missing"))
            && let Some(path) = tool_path(event).map(|p| rel.path(p))
            && !high_risk.contains(&path)
        {
            high_risk.push(path);
        }
        if event.event == "PreToolUse"
            && (event.code.as_deref() == Some("unparsed-command")
                || event.rule_text.as_deref() == Some("unparsed"))
            && let Some(id) = event.tool_use_id.as_deref()
        {
            unmodelled.insert(id);
        }
        match event.event.as_str() {
            "PreToolUse" => match event.decision.as_deref() {
                // A stop rule or a spend halt ends the run; the calls refused after it carry
                // the same stop reason and are not new stops.
                Some("deny") if event.stop_reason.is_some() => {
                    let first = stop_reasons.insert(event.stop_reason.clone());
                    p.stops.extend(first.then(|| action(event, &rel)));
                }
                Some("deny") => p.denied.push(action(event, &rel)),
                Some("ask") => {
                    let did_run = event
                        .tool_use_id
                        .as_deref()
                        .is_some_and(|id| ran.contains(id));
                    p.approvals.push(Approval {
                        action: action(event, &rel),
                        ran: did_run,
                    });
                }
                _ => {}
            },
            "Stop" | "SubagentStop" => {
                missing_evidence.clone_from(&event.missing_evidence);
                if event.spend_usd.is_some() || event.spend_tokens.is_some() {
                    stop_spend = (event.spend_tokens, event.spend_usd);
                }
            }
            _ => {}
        }
        if !is_post(event) {
            continue;
        }
        let tool = event.tool.clone().unwrap_or_default();
        let ok = event.outcome.as_deref() != Some("failed");
        p.spend.tool_calls += 1;
        p.spend.failures += u32::from(!ok);
        match split_mcp_name(&tool) {
            Some((server, name)) => bump(mcp.entry(server).or_default(), &name),
            None => bump(&mut p.tools, &tool),
        }
        let mut reads: Vec<String> = event.reads.iter().map(|r| rel.path(r)).collect();
        let mut writes: Vec<String> = event.writes.iter().map(|w| rel.path(w)).collect();
        match tool.as_str() {
            "Read" | "Grep" | "Glob" => reads.extend(tool_path(event).map(|p| rel.path(p))),
            "Edit" | "Write" | "MultiEdit" | "NotebookEdit" if ok => {
                writes.extend(tool_path(event).map(|p| rel.path(p)));
            }
            "Bash" | "PowerShell" => {
                let command = rel.text(event.summary.as_deref().unwrap_or(""));
                record_run(&mut p.commands, &command, event);
                let unanalysed = event
                    .tool_use_id
                    .as_deref()
                    .is_some_and(|id| unmodelled.contains(id));
                mark_unmodelled(&mut p.commands, &command, event, unanalysed);
                let raw = input_str(event, "command").unwrap_or(&command);
                if event.test.unwrap_or_else(|| looks_like_tests(raw, budget)) {
                    record_run(&mut p.tests.runs, &command, event);
                    if event.test_status.as_deref() == Some(UNDECIDED) {
                        // `cargo test || true`: the call's status is not the tests', so the
                        // run proves neither a pass nor a failure.
                        mark_undecided(&mut p.tests.runs, &command, ok);
                        p.tests.last_outcome = Some(UNDECIDED.into());
                    } else {
                        p.tests.last_outcome = Some(if ok { "ok" } else { "failed" }.into());
                        if ok {
                            last_pass = Some(index);
                        }
                    }
                }
            }
            _ => {}
        }
        for path in reads {
            if !inspected.contains(&path) {
                inspected.push(path);
            }
        }
        for path in writes {
            let entry = changed.entry(path).or_insert((0, index));
            *entry = (entry.0 + 1, index);
        }
    }

    if let Some(budget) = budget {
        p.budget.files = budget
            .layers
            .iter()
            .map(|l| BudgetFileRef {
                file: l.display.clone(),
                sha256: l.sha256.clone(),
            })
            .collect();
        p.budget.packs = budget
            .layers
            .iter()
            .flat_map(|l| l.packs.iter().cloned())
            .collect();
        p.budget.packs.dedup();
        p.agent.task = p.agent.task.take().or_else(|| budget.task.clone());
    }
    p.rollback.note = budget
        .and_then(|b| {
            b.layers
                .iter()
                .rev()
                .find(|l| !l.evidence.rollback_note.is_empty())
        })
        .map_or_else(
            || ".claude/rollback.md".to_owned(),
            |l| l.evidence.rollback_note.clone(),
        );
    p.files_inspected = inspected;
    p.tests.gaps = changed
        .iter()
        .filter(|(path, (_, last_edit))| {
            **path != p.rollback.note && last_pass.is_none_or(|pass| pass < *last_edit)
        })
        .map(|(path, _)| path.clone())
        .collect();
    p.files_changed = changed
        .into_iter()
        .map(|(path, (edits, _))| FileChange {
            high_risk: high_risk.contains(&path),
            path,
            edits,
            ..FileChange::default()
        })
        .collect();
    p.tools
        .sort_by(|a, b| b.calls.cmp(&a.calls).then_with(|| a.name.cmp(&b.name)));
    p.mcp_servers = mcp
        .into_iter()
        .map(|(server, tools)| McpUse { server, tools })
        .collect();
    p.spend.retried = p
        .commands
        .iter()
        .filter(|c| c.failures > 1)
        .cloned()
        .collect();
    // The state is what `claude-budget status` shows, re-read from the transcript by the
    // last hook: it wins over the figures the last Stop event recorded.
    let (tokens, usd) = state.map(spend_from_state).unwrap_or_default();
    p.spend.tokens = tokens.or(stop_spend.0);
    p.spend.usd = usd.or(stop_spend.1);
    let (files, folders) = split_folders(std::mem::take(&mut p.files_inspected), root, place.fs);
    p.files_inspected = files;
    p.folders_searched = folders;
    p.rollback.present = place.fs.is_file(&root.join(&p.rollback.note));
    p.rollback.high_risk_files = high_risk;
    if let Some(state) = state {
        let text = |k: &str| state.get(k).and_then(Value::as_str).map(str::to_owned);
        p.task_request = p
            .task_request
            .take()
            .or_else(|| text("task_request").map(|t| shorten(&t, 600)));
        // The transcript's models (what really answered) before what hook inputs said.
        p.agent.model = transcript_models(state).or_else(|| p.agent.model.take());
        p.agent.model = p.agent.model.take().or_else(|| text("model"));
        if missing_evidence.is_empty()
            && let Some(Value::Array(items)) = state.get("missing_evidence")
        {
            missing_evidence = items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
        }
    }
    p.residual_risks = residual_risks(&p, &missing_evidence);
    p.tripwires = super::tripwire::fold(events, &rel);
    p.outcome = super::outcome::outcome(&super::outcome::signals(events, &p, &missing_evidence));
    p
}

/// What a reviewer should worry about: evidence the run did not produce.
fn residual_risks(p: &Packet, missing_evidence: &[String]) -> Vec<String> {
    let mut risks: Vec<String> = missing_evidence.to_vec();
    if !p.tests.gaps.is_empty() && !missing_evidence.iter().any(|m| m.contains("test")) {
        risks.push(format!(
            "no passing test run after the last edit of {}",
            list_short(&p.tests.gaps, 5)
        ));
    }
    match p.tests.last_outcome.as_deref() {
        Some("failed") => risks.push("the last test run failed".into()),
        Some(UNDECIDED) => risks.push(
            "the last test run hid its exit status (`|| true`, a pipe…): it is not evidence that the tests pass".into(),
        ),
        _ => {}
    }
    if !p.files_changed.is_empty() && p.tests.runs.is_empty() {
        risks.push("files were changed and no tests ran".into());
    }
    if !p.rollback.high_risk_files.is_empty() && !p.rollback.present {
        risks.push(format!(
            "high-risk files touched ({}) and no rollback note at `{}`",
            list_short(&p.rollback.high_risk_files, 3),
            p.rollback.note
        ));
    }
    if let Some(stop) = p.stops.first() {
        let reason = stop.reason.as_deref().unwrap_or("a stop rule matched");
        risks.push(format!("the run was stopped: {reason}"));
    }
    let unfinished: Vec<String> = p
        .commands
        .iter()
        .filter(|c| {
            c.last_outcome == "failed" && !p.tests.runs.iter().any(|t| t.command == c.command)
        })
        .map(|c| c.command.clone())
        .collect();
    if !unfinished.is_empty() {
        risks.push(format!(
            "commands whose last run failed: {}",
            list_short(&unfinished, 3)
        ));
    }
    let outside: Vec<String> = p
        .files_changed
        .iter()
        .filter(|f| f.path.starts_with(['/', '~']))
        .map(|f| f.path.clone())
        .collect();
    if !outside.is_empty() {
        risks.push(format!(
            "files changed outside the project: {}",
            list_short(&outside, 3)
        ));
    }
    if !p.denied.is_empty() {
        risks.push(format!(
            "{} denied action(s): check the agent did not reach the same goal another way",
            p.denied.len()
        ));
    }
    let mut seen = HashMap::new();
    risks.retain(|r| seen.insert(r.clone(), ()).is_none());
    risks
}

/// `a`, `b`, `c` and N more — names in backticks.
pub(super) fn list_short(items: &[String], max: usize) -> String {
    let mut shown: Vec<String> = items.iter().take(max).map(|i| format!("`{i}`")).collect();
    if items.len() > max {
        shown.push(format!("{} more", items.len() - max));
    }
    shown.join(", ")
}
