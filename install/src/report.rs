//! `claude-budget report [RUN]`: print the review packet of a run (SPEC §7), and the run
//! lookup every run-reading subcommand shares. RUN is a session id, a session directory, or
//! `latest` (the default: the newest run of this project, `store::latest_session`).
//!
//! `--check` is for CI after `claude -p`: it prints only the outcome line and exits 1 when
//! the run was halted, the gate was off, or it ended with evidence missing
//! (`budget_policy::report::outcome`).

use crate::{EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Format, project};
use budget_policy::budget::Budget;
use budget_policy::fsview::RealFs;
use budget_policy::report::{Packet, Place};
use budget_policy::store::record::{self, Event};
use budget_policy::store::{self, review};
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// A session id, a session directory, or `latest`.
    #[arg(default_value = "latest")]
    pub run: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Print the outcome line only; exit 1 unless the run completed with evidence.
    #[arg(long)]
    pub check: bool,
}

/// The budget in force here, when it loads (reports still work without one).
pub(crate) fn load_budget() -> Result<Option<Budget>, String> {
    let located = project::locate();
    project::load(&located).map_err(|err| {
        let lines: Vec<String> = err.diagnostics.iter().map(ToString::to_string).collect();
        format!("the budget does not load:\n{}", lines.join("\n"))
    })
}

/// Where any project's records may be, for a session id that is not this project's: the
/// data dir's runs and this budget's `[record] dir`.
fn record_roots(budget: Option<&Budget>) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = project::layout()
        .runs_dir()
        .map(Path::to_path_buf)
        .into_iter()
        .collect();
    if let Some(budget) = budget {
        for layer in &budget.layers {
            if let Some(dir) = &layer.record.dir {
                roots.push(budget.project_root.join(dir));
            }
        }
    }
    roots
}

/// Finds a run's session directory: a directory holding a record, `latest` (this project's
/// most recent session), or a session id (this project's first, then any project's).
pub(crate) fn resolve_run(run: &str, budget: Option<&Budget>) -> Result<PathBuf, String> {
    let as_path = Path::new(run);
    if as_path.join(record::EVENTS_FILE).is_file() {
        return Ok(as_path.to_path_buf());
    }
    let root = project_root(budget);
    let project_runs = project::layout()
        .project_dir(&root, budget)
        .map_err(|e| e.to_string())?;
    if run == "latest" {
        return store::latest_session(&project_runs).ok_or_else(|| {
            format!(
                "no recorded run of `{}` yet (runs are recorded once a budget is in force and the hooks are installed)",
                root.display()
            )
        });
    }
    let own = store::session_in(&project_runs, run);
    if own.join(record::EVENTS_FILE).is_file() {
        return Ok(own);
    }
    record::sessions_under(&record_roots(budget))
        .into_iter()
        .find(|s| s.file_name().is_some_and(|n| n.to_string_lossy() == run))
        .ok_or_else(|| {
            format!("no run `{run}`: give a session id, a session directory, or `latest`")
        })
}

/// One recorded run, found and read.
pub(crate) struct Run {
    pub dir: PathBuf,
    pub events: Vec<Event>,
    /// The session state, when there is one.
    pub state: Option<Value>,
}

/// Finds RUN ([`resolve_run`]) and reads its events and state; the error is for the user.
pub(crate) fn open_run(run: &str, budget: Option<&Budget>) -> Result<Run, String> {
    let dir = resolve_run(run, budget)?;
    let (events, state) = review::load_run(&dir)
        .map_err(|e| format!("cannot read the record in `{}`: {e}", dir.display()))?;
    Ok(Run { dir, events, state })
}

/// The project the CLI runs in: the budget's root, else where one would be.
fn project_root(budget: Option<&Budget>) -> PathBuf {
    budget.map_or_else(
        || project::locate().project_root,
        |b| b.project_root.clone(),
    )
}

pub(crate) fn run(args: &Args) -> u8 {
    let budget = load_budget().unwrap_or_else(|problem| {
        eprintln!("claude-budget: {problem}\n(the packet is built without it)");
        None
    });
    let run = match open_run(&args.run, budget.as_ref()) {
        Ok(run) => run,
        Err(problem) => {
            eprintln!("claude-budget: {problem}");
            return EXIT_USAGE;
        }
    };
    let root = project_root(budget.as_ref());
    let env = project::env();
    let place = Place::new(&root, &env, &RealFs);
    let packet = Packet::build(&run.events, run.state.as_ref(), budget.as_ref(), &place);
    if args.check {
        return check(&packet, &run, args.format);
    }
    match args.format {
        Format::Text => print!("{}", packet.markdown()),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&packet).unwrap_or_default()
        ),
    }
    EXIT_OK
}

/// `report --check`: the outcome line (or its JSON) and the exit code CI acts on.
fn check(packet: &Packet, run: &Run, format: Format) -> u8 {
    let outcome = &packet.outcome;
    let paint = crate::style::Paint::stdout();
    let line = format!("outcome: {}", outcome.line());
    let fails = outcome.is_problem();
    if format == Format::Json {
        let value = serde_json::json!({"outcome": outcome, "line": line,
            "fails_check": fails, "run": run.dir});
        println!("{value:#}");
    } else if fails {
        println!("{}", paint.bad(&line));
    } else {
        println!("{}", paint.ok(&line));
    }
    if fails { EXIT_PROBLEMS } else { EXIT_OK }
}
