//! `claude-budget touchmap`: the budget as one table a security reviewer can read — what the
//! agent may Read, Write, Execute, Call, Expose, Spend and Merge (SPEC §8). Built from the
//! budget files as written (each layer's rules in its own column of allow / ask / deny), so
//! it shows exactly what the team committed; packs are named, their rules live in `explain`.

use crate::{EXIT_OK, EXIT_USAGE, project};
use std::fmt::Write;
use toml::{Table, Value};

#[derive(clap::Args)]
pub(crate) struct Args {}

fn words(table: Option<&Value>, key: &str) -> String {
    match table.and_then(|t| t.get(key)) {
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map_or_else(|| i.to_string(), |s| format!("`{s}`"))
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => "—".into(),
    }
}

fn row(out: &mut String, area: &str, section: Option<&Value>, extra: &[(&str, &str)]) {
    let mut cells = vec![
        words(section, "allow"),
        words(section, "ask"),
        words(section, "deny"),
    ];
    let others: Vec<String> = extra
        .iter()
        .filter(|(key, _)| section.and_then(|s| s.get(*key)).is_some())
        .map(|(key, label)| format!("{label}: {}", words(section, key)))
        .collect();
    cells.push(if others.is_empty() {
        "—".into()
    } else {
        others.join("; ")
    });
    let _ = writeln!(out, "| {area} | {} |", cells.join(" | "));
}

/// The table for one budget file.
pub(crate) fn render(display: &str, budget: &Table) -> String {
    let mut out = format!("## {display}\n\n");
    if let Some(Value::Array(packs)) = budget.get("extends") {
        let names: Vec<&str> = packs.iter().filter_map(Value::as_str).collect();
        let _ = writeln!(out, "Packs: {}\n", names.join(", "));
    }
    out.push_str("| may | allow | ask | deny | otherwise |\n|---|---|---|---|---|\n");
    row(
        &mut out,
        "Read",
        budget.get("read"),
        &[
            ("default", "default"),
            ("outside_project", "outside project"),
        ],
    );
    row(
        &mut out,
        "Write",
        budget.get("edit"),
        &[
            ("default", "default"),
            ("outside_project", "outside project"),
        ],
    );
    row(
        &mut out,
        "Execute",
        budget.get("run"),
        &[("default", "default"), ("unparsed", "unparsed")],
    );
    let mut servers = String::new();
    if let Some(Value::Table(list)) = budget.get("mcp").and_then(|m| m.get("servers")) {
        for (name, server) in list {
            let enabled = server
                .get("enabled")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            let _ = write!(
                servers,
                "{name}{}: read {} / write {} ({}); ",
                if enabled { "" } else { " (disabled)" },
                words(Some(server), "read_only"),
                words(Some(server), "write"),
                words(Some(server), "write_decision").replace('—', "ask"),
            );
        }
    }
    let mcp_default = words(budget.get("mcp"), "default");
    let _ = writeln!(
        out,
        "| Call (MCP) | {} | — | — | default: {mcp_default} |",
        if servers.is_empty() {
            "—".into()
        } else {
            servers.trim_end_matches("; ").to_owned()
        }
    );
    let mut exposes = Vec::new();
    if let Some(Value::Table(list)) = budget.get("mcp").and_then(|m| m.get("servers")) {
        for (name, server) in list {
            if let Some(text) = server.get("exposes").and_then(Value::as_str) {
                let owner = server
                    .get("owner")
                    .and_then(Value::as_str)
                    .unwrap_or("no owner");
                exposes.push(format!("{name} ({owner}): {text}"));
            }
        }
    }
    row(
        &mut out,
        "Call (web)",
        budget.get("web"),
        &[("default", "default"), ("search", "search")],
    );
    let _ = writeln!(
        out,
        "| Expose | {} | — | — | — |",
        if exposes.is_empty() {
            "—".into()
        } else {
            exposes.join("; ")
        }
    );
    let spend: Vec<String> = budget
        .get("spend")
        .and_then(Value::as_table)
        .map(|t| {
            t.iter()
                .filter(|(k, _)| *k != "prices")
                .map(|(k, v)| format!("{k} = {v}"))
                .collect()
        })
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "| Spend | {} | — | — | — |",
        if spend.is_empty() {
            "no limits".into()
        } else {
            spend.join(", ")
        }
    );
    let merge = budget.get("merge");
    let _ = writeln!(
        out,
        "| Merge | — | — | protected: {} | push: {}; pr_merge: {} |",
        words(merge, "protected_branches"),
        words(merge, "push"),
        words(merge, "pr_merge")
    );
    if let Some(Value::Array(stops)) = budget.get("stop") {
        out.push_str("\nStop rules (the run must end):\n");
        for stop in stops {
            let _ = writeln!(
                out,
                "- edit {} / run {}: {}",
                words(Some(stop), "edit"),
                words(Some(stop), "run"),
                words(Some(stop), "reason")
            );
        }
    }
    out
}

pub(crate) fn run(_args: &Args) -> u8 {
    let located = project::locate();
    // Every layer in force, in evaluation order; the most restrictive answer wins.
    let files: Vec<(&str, &std::path::PathBuf)> = located
        .managed_budgets
        .iter()
        .map(|f| ("managed", f))
        .chain(located.user_budget.iter().map(|f| ("user", f)))
        .chain(located.repo_budget.iter().map(|f| ("repo", f)))
        .collect();
    if files.is_empty() {
        eprintln!("claude-budget: no budget file here (run `claude-budget init` to write one)");
        return EXIT_USAGE;
    }
    if files.len() > 1 {
        println!(
            "Layers in force: {} — each decides, the most restrictive answer wins (deny > ask > allow).\n",
            files
                .iter()
                .map(|(k, _)| *k)
                .collect::<Vec<_>>()
                .join(" + ")
        );
    }
    for (kind, file) in files {
        let parsed = std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|t| {
                let hash = budget_policy::budget::file_hash(t.as_bytes());
                t.parse::<Table>()
                    .map(|table| (table, hash))
                    .map_err(|e| e.to_string())
            });
        match parsed {
            Ok((table, hash)) => {
                let title = format!(
                    "{} ({kind} layer, sha256 {})",
                    file.display(),
                    hash.get(..12).unwrap_or(&hash)
                );
                println!("{}", render(&title, &table));
            }
            Err(problem) => {
                eprintln!(
                    "claude-budget: `{}`: {problem} (run `claude-budget check`)",
                    file.display()
                );
                return EXIT_USAGE;
            }
        }
    }
    EXIT_OK
}
