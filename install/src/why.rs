//! `claude-budget why PATH [--format json]` (SPEC §8): the incident lookup. Every recorded
//! call of this project's runs that read, changed, or was refused on PATH (a path — a folder
//! means everything under it — or a glob), newest first, with when, the task request, the
//! delegating user, the command or tool, and the decision and rule.
//!
//! Why a scan and not an index: the record is the evidence, so the lookup reads the record
//! itself — an index would be a second copy that can go stale, be pruned apart from it, or be
//! edited. The scan stays fast because it is bounded by what it must parse: a session file
//! that does not contain the query's literal text (its `needle`, e.g. `billing`) is skipped
//! with one substring search, and inside a file only the lines containing it are parsed.
//! Measured on 10,000 generated sessions (see the README and the issue note).
//!
//! A refused shell command is recorded before it ran, without file effects: its recorded
//! text is analysed again here by the same shell analyser the hook uses, so `why` finds a
//! denied `rm -rf billing` too.

use crate::{EXIT_OK, EXIT_USAGE, Format, project, report};
use budget_policy::fsview::RealFs;
use budget_policy::report::why::{Finding, PathQuery, Touch, finding};
use budget_policy::shell::{self, ShellContext};
use budget_policy::store::{record::Event, scan};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// A path (a folder means everything under it) or a glob (`billing/**`, `**/*.sql`).
    path: String,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Show at most this many calls (newest first).
    #[arg(long)]
    limit: Option<usize>,
}

/// One call that met the path, with its run's context.
#[derive(Serialize)]
struct Row {
    session: String,
    task_request: Option<String>,
    delegating_user: Option<String>,
    #[serde(flatten)]
    finding: Finding,
}

pub(crate) fn run(args: &Args) -> u8 {
    let budget = report::load_budget().unwrap_or_else(|problem| {
        eprintln!("claude-budget: {problem}\n(looking up without it)");
        None
    });
    let root = budget.as_ref().map_or_else(
        || project::locate().project_root,
        |b| b.project_root.clone(),
    );
    let query = match PathQuery::new(&args.path, &project::cwd(), &root) {
        Ok(query) => query,
        Err(e) => {
            eprintln!("claude-budget: {e}");
            return EXIT_USAGE;
        }
    };
    let runs = match project::layout().project_dir(&root, budget.as_ref()) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("claude-budget: {e}");
            return EXIT_USAGE;
        }
    };
    let mut rows = lookup(&runs, &query, &root);
    rows.sort_by(|a, b| b.finding.ts.cmp(&a.finding.ts));
    rows.truncate(args.limit.unwrap_or(usize::MAX));
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        ),
        Format::Text => print!("{}", text(&args.path, &rows, &root)),
    }
    EXIT_OK
}

/// Every finding in every session under `runs`.
fn lookup(runs: &Path, query: &PathQuery, root: &Path) -> Vec<Row> {
    let Ok(entries) = std::fs::read_dir(runs) else {
        return Vec::new();
    };
    let home = project::env().home;
    let mut rows = Vec::new();
    for dir in entries.filter_map(Result::ok).map(|e| e.path()) {
        let Some(matched) = scan::matching(&dir, query.needle()) else {
            continue;
        };
        let session = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for mut event in matched.events {
            with_shell_effects(&mut event, root, home.as_deref());
            if let Some(finding) = finding(&event, query) {
                rows.push(Row {
                    session: session.clone(),
                    task_request: matched.task_request.clone(),
                    delegating_user: matched.user.clone(),
                    finding,
                });
            }
        }
    }
    rows
}

/// A refused or asked shell command has no recorded effects (it never ran): analyse its
/// recorded text with the hook's own analyser to learn which files it named.
fn with_shell_effects(event: &mut Event, root: &Path, home: Option<&Path>) {
    let refused = matches!(event.decision.as_deref(), Some("deny" | "ask"));
    if event.event != "PreToolUse" || !refused || event.tool.as_deref() != Some("Bash") {
        return;
    }
    let Some(command) = event
        .input
        .as_ref()
        .and_then(|i| i.get("command"))
        .and_then(|c| c.as_str())
    else {
        return;
    };
    let ctx = ShellContext {
        cwd: event
            .cwd
            .as_deref()
            .map_or_else(|| root.to_path_buf(), PathBuf::from),
        home: home.map(Path::to_path_buf),
        project_dir: root.to_path_buf(),
        fs: &RealFs,
    };
    let analysis = shell::analyse(command, &ctx);
    for effect in analysis.effects {
        let path = effect.path.display().to_string();
        if effect.kind.is_edit() {
            event.writes.push(path);
        } else {
            event.reads.push(path);
        }
    }
}

fn text(asked: &str, rows: &[Row], root: &Path) -> String {
    use std::fmt::Write;
    if rows.is_empty() {
        return format!("no recorded run read, changed or was refused on `{asked}`\n");
    }
    let rel = |p: &str| {
        p.strip_prefix(&format!("{}/", root.display()))
            .unwrap_or(p)
            .to_owned()
    };
    let mut out = format!(
        "{} recorded call(s) on `{asked}`, newest first:\n",
        rows.len()
    );
    for row in rows {
        let f = &row.finding;
        let touch = match f.touch {
            Touch::Read => "read",
            Touch::Changed => "changed",
            Touch::Denied => "DENIED",
            Touch::Asked => "asked",
        };
        let paths: Vec<String> = f.paths.iter().map(|p| rel(p)).collect();
        let _ = writeln!(
            out,
            "\n{}  {touch} {}  by {} `{}`",
            f.ts,
            paths.join(", "),
            f.tool,
            rel(&f.what).replace('\n', " ⏎ ")
        );
        let mut decided = f.decision.clone().unwrap_or_else(|| "ran".into());
        if let Some(outcome) = &f.outcome {
            let _ = write!(decided, " ({outcome})");
        }
        if let Some(code) = &f.code {
            let _ = write!(decided, " — {code}");
        }
        if let Some(rule) = &f.rule {
            let _ = write!(decided, " — {rule}");
        }
        let _ = writeln!(out, "  decision: {decided}");
        let _ = writeln!(
            out,
            "  run {} · delegated by {} · task: {}",
            row.session,
            row.delegating_user.as_deref().unwrap_or("not recorded"),
            row.task_request.as_deref().map_or_else(
                || "(no prompt recorded)".into(),
                |t| { budget_policy::text::shorten(t.lines().next().unwrap_or(""), 120) }
            )
        );
    }
    out
}
