//! `claude-budget stats [--since DAYS] [--format text|json|html]`: rollout metrics per day and
//! per project, from every run record on this machine (the data dir's runs of all projects,
//! and this project's `[record] dir`). The HTML form is one self-contained page with inline
//! SVG charts (`stats/html.rs`): no script, no network, so it can be mailed or archived.

use crate::{EXIT_OK, EXIT_USAGE, report};
use budget_policy::report::stats::{Row, RunStats, add, run_day, run_stats};
use budget_policy::store::{self, record, review};
use clap::ValueEnum;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

mod html;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatsFormat {
    #[default]
    Text,
    Json,
    Html,
}

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Only runs that started within the last DAYS days.
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    since: u64,
    #[arg(long, value_enum, default_value_t)]
    format: StatsFormat,
}

pub(crate) fn run(args: &Args) -> u8 {
    let budget = report::load_budget().unwrap_or_else(|problem| {
        eprintln!("claude-budget: {problem}\n(counting without it)");
        None
    });
    let mut roots: Vec<PathBuf> = crate::project::layout()
        .runs_dir()
        .map(Path::to_path_buf)
        .into_iter()
        .collect();
    if let Some(b) = &budget
        && let Some(dir) = b.record_dir()
    {
        roots.push(b.project_root.join(dir));
    }
    if roots.is_empty() {
        eprintln!("claude-budget: {}", store::StoreError::NoDataDir);
        return EXIT_USAGE;
    }
    let since = SystemTime::now() - Duration::from_secs(args.since.saturating_mul(86_400));
    let rows = collect(&roots, since);
    let mut total = RunStats::default();
    for row in &rows {
        add(&mut total, &row.stats);
    }
    match args.format {
        StatsFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "since_days": args.since,
                "rows": rows,
                "total": total,
            }))
            .unwrap_or_default()
        ),
        StatsFormat::Text => print!("{}", text(&rows, &total, args.since)),
        StatsFormat::Html => print!("{}", html::page(&rows, &total, args.since)),
    }
    EXIT_OK
}

/// Per (day, project) rows, oldest day first, for runs started since `since`.
fn collect(roots: &[PathBuf], since: SystemTime) -> Vec<Row> {
    let first_day = record::rfc3339(since).get(..10).unwrap_or("").to_owned();
    let mut rows: BTreeMap<(String, String), RunStats> = BTreeMap::new();
    for root in roots {
        for project in dirs(root) {
            let name = project
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            for session in dirs(&project) {
                // Cheap first: a run last active before the window cannot have started in it.
                let active = session
                    .join(record::EVENTS_FILE)
                    .metadata()
                    .and_then(|m| m.modified());
                if active.is_ok_and(|t| t < since) {
                    continue;
                }
                let Ok((events, state)) = review::load_run(&session) else {
                    continue;
                };
                let Some(day) = run_day(&events).filter(|d| *d >= first_day) else {
                    continue;
                };
                let stats = run_stats(&events, state.as_ref());
                add(rows.entry((day, name.clone())).or_default(), &stats);
            }
        }
    }
    rows.into_iter()
        .map(|((day, project), stats)| Row {
            day,
            project,
            stats,
        })
        .collect()
}

fn dirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

/// `path-denied 3, command-denied 1`.
pub(crate) fn denial_codes(stats: &RunStats) -> String {
    if stats.denials.is_empty() {
        return "none".into();
    }
    let mut codes: Vec<(&String, &u64)> = stats.denials.iter().collect();
    codes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    codes
        .iter()
        .map(|(code, n)| format!("{code} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn text(rows: &[Row], total: &RunStats, since: u64) -> String {
    use std::fmt::Write;
    let mut out = format!("Runs started in the last {since} day(s), per day and project:\n");
    if rows.is_empty() {
        out.push_str("no recorded runs\n");
        return out;
    }
    let _ = writeln!(
        out,
        "\n{:<10}  {:<28} {:>5} {:>6} {:>6} {:>9} {:>6} {:>6} {:>9} {:>5} {:>8}",
        "day",
        "project",
        "runs",
        "calls",
        "denied",
        "asks(ok)",
        "stops",
        "gaps",
        "spend",
        "retry",
        "tripwire"
    );
    for row in rows {
        let s = &row.stats;
        let _ = writeln!(
            out,
            "{:<10}  {:<28} {:>5} {:>6} {:>6} {:>9} {:>6} {:>6} {:>9} {:>5} {:>8}",
            row.day,
            budget_policy::text::shorten(&row.project, 28),
            s.runs,
            s.tool_calls,
            s.denials_total(),
            format!("{}({})", s.asks, s.asks_granted),
            s.stop_rule_halts + s.spend_halts,
            s.ended_with_gaps,
            format!("${:.2}", s.spend_usd),
            s.retries_exhausted,
            s.tamper_events + s.secret_events + s.gate_off_events,
        );
    }
    let t = total;
    let _ = writeln!(
        out,
        "\nTotal: {} runs, {} tool calls, {} denied ({}), {} asks ({} granted), {} stop-rule and {} spend halts, ${:.2} spent, {} retries exhausted, {} runs ended with gaps, tripwires: {} tamper, {} secret exposed, {} gate off",
        t.runs,
        t.tool_calls,
        t.denials_total(),
        denial_codes(t),
        t.asks,
        t.asks_granted,
        t.stop_rule_halts,
        t.spend_halts,
        t.spend_usd,
        t.retries_exhausted,
        t.ended_with_gaps,
        t.tamper_events,
        t.secret_events,
        t.gate_off_events
    );
    out
}
