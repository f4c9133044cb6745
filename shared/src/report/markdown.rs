//! The packet as markdown: one short section per question a reviewer asks, lists capped so
//! the whole thing reads in two minutes, no raw JSON.

use super::fold::{UNDECIDED, list_short};
use super::reason::{Shown, condensed};
use super::truth::UNANALYSED;
use super::{Action, CommandRun, Packet};
use std::fmt::Write;

/// Most entries shown per list; the rest are counted.
const MAX_ROWS: usize = 12;
/// Longest reason shown on a denied or stop line (the record keeps the whole message).
const MAX_REASON: usize = 160;

/// Inline code that survives backticks inside the text.
fn code(text: &str) -> String {
    let one_line = text.replace('\n', " ⏎ ");
    if one_line.contains('`') {
        format!("`` {one_line} ``")
    } else {
        format!("`{one_line}`")
    }
}

fn more(out: &mut String, total: usize) {
    if total > MAX_ROWS {
        let _ = writeln!(out, "- … and {} more", total - MAX_ROWS);
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn action_line(a: &Action) -> String {
    action_line_with(a, false)
}

/// A stop rule's line: its reason is kept whole (the team wrote it for the reviewer too).
fn stop_line(a: &Action) -> String {
    action_line_with(a, true)
}

fn action_line_with(a: &Action, whole_reason: bool) -> String {
    let mut line = format!("- {} {}", a.tool, code(&a.what));
    let rule = match (&a.code, &a.rule) {
        (Some(c), Some(r)) => format!("{c}, {r}"),
        (Some(c), None) => c.clone(),
        (None, Some(r)) => r.clone(),
        (None, None) => String::new(),
    };
    if !rule.is_empty() {
        let _ = write!(line, " — {rule}");
    }
    if let Some(reason) = &a.reason {
        let shown = Shown {
            whole: whole_reason,
            what: &a.what,
            rule: a.rule.as_deref(),
            code: a.code.as_deref(),
        };
        let reason = condensed(reason, &shown, MAX_REASON);
        if !reason.is_empty() {
            let _ = write!(line, " — {reason}");
        }
    }
    line
}

fn run_line(c: &CommandRun) -> String {
    let mut line = format!("- {} — ", code(&c.command));
    let outcome = match c.last_outcome.as_str() {
        UNDECIDED => "status hidden (`|| true`, a pipe…): not evidence",
        UNANALYSED => "ran unanalysed: which files it read or changed is unknown",
        "secret-exposed" => "**its output exposed a secret from a denied file**",
        other => other,
    };
    if c.runs == 1 {
        line.push_str(outcome);
    } else {
        let _ = write!(
            line,
            "{} runs, {} failed, last {outcome}",
            c.runs, c.failures
        );
    }
    if let Some(error) = &c.last_error {
        let _ = write!(line, " ({error})");
    }
    line
}

/// Dollars as `status` shows them (4 decimals), so the two can be compared at a glance.
fn usd_text(usd: f64) -> String {
    format!("${usd:.4}")
}

/// `412330` → `412,330`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn section(out: &mut String, title: &str) {
    let _ = writeln!(out, "\n## {title}\n");
}

fn list<T>(out: &mut String, items: &[T], empty: &str, line: impl Fn(&T) -> String) {
    if items.is_empty() {
        let _ = writeln!(out, "{empty}");
        return;
    }
    for item in items.iter().take(MAX_ROWS) {
        let _ = writeln!(out, "{}", line(item));
    }
    more(out, items.len());
}

pub(super) fn render(p: &Packet) -> String {
    let mut out = String::new();
    let session = p.session_id.as_deref().unwrap_or("unknown session");
    let _ = writeln!(out, "# Review packet — {}", code(session));
    let _ = writeln!(out, "\n**Outcome: {}**", p.outcome.line());
    let _ = writeln!(
        out,
        "\n{} → {} · {} recorded events",
        p.started.as_deref().unwrap_or("?"),
        p.ended.as_deref().unwrap_or("?"),
        p.events
    );
    super::tripwire::render(&p.tripwires, &mut out);

    section(&mut out, "Task and identity");
    match &p.task_request {
        Some(task) => {
            for line in task.lines() {
                let _ = writeln!(out, "> {line}");
            }
        }
        None => out.push_str("> (no prompt recorded)\n"),
    }
    let _ = writeln!(out, "\n- Delegated by: {}", p.delegating_user);
    let agent = &p.agent;
    let modes = if agent.permission_modes.is_empty() {
        "unknown".to_owned()
    } else {
        agent.permission_modes.join(", ")
    };
    let _ = writeln!(
        out,
        "- Agent: session {}, model {}, permission mode {modes}, task {}",
        code(session),
        agent
            .model
            .as_deref()
            .map_or_else(|| "unknown".into(), code),
        agent.task.as_deref().map_or_else(|| "none".into(), code),
    );
    if !agent.subagents.is_empty() {
        let _ = writeln!(out, "- Subagents: {}", agent.subagents.join(", "));
    }
    let files: Vec<String> = p
        .budget
        .files
        .iter()
        .map(|f| {
            format!(
                "{} (sha256 {})",
                code(&f.file),
                f.sha256.get(..12).unwrap_or(&f.sha256)
            )
        })
        .collect();
    let _ = write!(
        out,
        "- Budget in force: {}",
        if files.is_empty() {
            "not recorded".into()
        } else {
            files.join(", ")
        }
    );
    if !p.budget.packs.is_empty() {
        let _ = write!(out, "; packs: {}", p.budget.packs.join(", "));
    }
    out.push('\n');

    section(&mut out, "What it touched");
    let _ = writeln!(
        out,
        "- Files inspected ({}): {}",
        p.files_inspected.len(),
        if p.files_inspected.is_empty() {
            "none".into()
        } else {
            list_short(&p.files_inspected, MAX_ROWS)
        }
    );
    if !p.folders_searched.is_empty() {
        let _ = writeln!(
            out,
            "- Folders listed or searched ({}): {}",
            p.folders_searched.len(),
            list_short(&p.folders_searched, MAX_ROWS)
        );
    }
    let _ = writeln!(out, "- Files changed ({}):", p.files_changed.len());
    for change in p.files_changed.iter().take(MAX_ROWS) {
        let risk = if change.high_risk {
            " — **high risk**"
        } else {
            ""
        };
        let lines = match (change.added, change.removed) {
            (Some(added), Some(removed)) => format!("+{added} −{removed}, "),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "  - {} ({lines}{}){risk}",
            code(&change.path),
            plural(change.edits, "edit", "edits")
        );
    }
    if p.files_changed.len() > MAX_ROWS {
        let _ = writeln!(out, "  - … and {} more", p.files_changed.len() - MAX_ROWS);
    }
    let tools: Vec<String> = p
        .tools
        .iter()
        .map(|t| format!("{} ×{}", t.name, t.calls))
        .collect();
    let _ = writeln!(
        out,
        "- Tools: {}",
        if tools.is_empty() {
            "none".into()
        } else {
            tools.join(", ")
        }
    );
    let servers: Vec<String> = p
        .mcp_servers
        .iter()
        .map(|s| {
            let tools: Vec<String> = s
                .tools
                .iter()
                .map(|t| format!("{} ×{}", t.name, t.calls))
                .collect();
            format!("{} ({})", s.server, tools.join(", "))
        })
        .collect();
    let _ = writeln!(
        out,
        "- MCP servers: {}",
        if servers.is_empty() {
            "none".into()
        } else {
            servers.join("; ")
        }
    );

    section(&mut out, "Commands run");
    list(&mut out, &p.commands, "None.", run_line);

    section(&mut out, "Sensitive actions denied");
    list(&mut out, &p.denied, "None.", action_line);

    section(&mut out, "Approvals requested");
    list(&mut out, &p.approvals, "None.", |a| {
        let then = if a.ran {
            "approved, ran"
        } else {
            "did not run"
        };
        let brief = Action {
            reason: None,
            ..a.action.clone()
        };
        format!("{} → {then}", action_line(&brief))
    });

    section(&mut out, "Tests");
    list(&mut out, &p.tests.runs, "No test runs recorded.", run_line);
    if !p.tests.gaps.is_empty() {
        let _ = writeln!(
            out,
            "- Test gaps (changed after the last passing run): {}",
            list_short(&p.tests.gaps, MAX_ROWS)
        );
    }

    section(&mut out, "Spend and retries");
    let spend = match (p.spend.tokens, p.spend.usd) {
        (Some(tokens), Some(usd)) => format!("{} tokens, {}", thousands(tokens), usd_text(usd)),
        (Some(tokens), None) => format!("{} tokens (USD not recorded)", thousands(tokens)),
        (None, Some(usd)) => format!("{} (tokens not recorded)", usd_text(usd)),
        (None, None) => "spend not recorded".to_owned(),
    };
    let _ = writeln!(
        out,
        "- {spend}; {} tool calls, {} failed",
        p.spend.tool_calls, p.spend.failures
    );
    for retried in p.spend.retried.iter().take(MAX_ROWS) {
        let _ = writeln!(
            out,
            "- Retried: {} failed {}",
            code(&retried.command),
            plural(retried.failures, "time", "times")
        );
    }

    section(&mut out, "Stop rules hit");
    list(&mut out, &p.stops, "None.", stop_line);

    // Only when it matters: a high-risk path was touched, or a note exists to review.
    if p.rollback.present || !p.rollback.high_risk_files.is_empty() {
        section(&mut out, "Rollback note");
        let state = if p.rollback.present {
            "present"
        } else {
            "missing"
        };
        let _ = writeln!(out, "- {}: {state}", code(&p.rollback.note));
        if !p.rollback.high_risk_files.is_empty() {
            let _ = writeln!(
                out,
                "- High-risk files: {}",
                list_short(&p.rollback.high_risk_files, MAX_ROWS)
            );
        }
    }

    section(&mut out, "Residual risks");
    list(
        &mut out,
        &p.residual_risks,
        "None found in the record.",
        |r| format!("- {r}"),
    );

    section(&mut out, "Reviewer decision");
    let _ = writeln!(
        out,
        "Decision: {}  (approve / request changes / reject) · Reviewer: ________ · Date: ________",
        if p.reviewer_decision.is_empty() {
            "________"
        } else {
            &p.reviewer_decision
        }
    );
    out
}
