//! `claude-budget report [RUN]`: print the review packet of a run (SPEC §7), and the run
//! lookup every run-reading subcommand shares. RUN is a session id, a session directory, or
//! `latest` (the default: the newest run of this project).

use crate::{EXIT_OK, EXIT_USAGE, Format, project};
use budget_policy::budget::{self, Budget};
use budget_policy::report::Packet;
use budget_policy::store::record::{self, Event};
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct Args {
    /// A session id, a session directory, or `latest`.
    #[arg(default_value = "latest")]
    pub run: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// The budget in force here, when it loads (reports still work without one).
pub fn load_budget() -> Result<Option<Budget>, String> {
    let located = project::locate();
    let task = std::env::var("CLAUDE_BUDGET_TASK")
        .ok()
        .filter(|t| !t.is_empty());
    budget::load(&located, task.as_deref()).map_err(|err| {
        let lines: Vec<String> = err.diagnostics.iter().map(ToString::to_string).collect();
        format!("the budget does not load:\n{}", lines.join("\n"))
    })
}

/// Where this project's records may be: the data dir's runs and a `[record] dir` in the repo.
fn record_roots(budget: Option<&Budget>) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = record::runs_dir().into_iter().collect();
    if let Some(budget) = budget {
        for layer in &budget.layers {
            if let Some(dir) = &layer.record.dir {
                roots.push(budget.project_root.join(dir));
            }
        }
    }
    roots
}

/// True when the run's events say it ran in `root` (or below it).
fn belongs_to(session: &Path, root: &Path) -> bool {
    let Ok(events) = record::read(session) else {
        return false;
    };
    events
        .iter()
        .find_map(|e| e.cwd.as_deref())
        .is_some_and(|cwd| Path::new(cwd).starts_with(root))
}

/// Finds a run's session directory.
pub fn resolve_run(run: &str, budget: Option<&Budget>) -> Result<PathBuf, String> {
    let as_path = Path::new(run);
    if as_path.join(record::EVENTS_FILE).is_file() {
        return Ok(as_path.to_path_buf());
    }
    let sessions = record::sessions_under(&record_roots(budget));
    if run == "latest" {
        let root = budget.map_or_else(
            || project::locate().project_root,
            |b| b.project_root.clone(),
        );
        return sessions
            .into_iter()
            .find(|s| belongs_to(s, &root))
            .ok_or_else(|| format!("no recorded run of `{}` yet (runs are recorded once a budget is in force and the hooks are installed)", root.display()));
    }
    sessions
        .into_iter()
        .find(|s| s.file_name().is_some_and(|n| n.to_string_lossy() == run))
        .ok_or_else(|| {
            format!("no run `{run}`: give a session id, a session directory, or `latest`")
        })
}

/// A run's events, and its session state when there is one.
pub fn load_run(dir: &Path) -> Result<(Vec<Event>, Option<Value>), String> {
    let events = record::read(dir)
        .map_err(|e| format!("cannot read the record in `{}`: {e}", dir.display()))?;
    let state = std::fs::read(dir.join("state.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    Ok((events, state))
}

pub fn run(args: &Args) -> u8 {
    let budget = load_budget().unwrap_or_else(|problem| {
        eprintln!("claude-budget: {problem}\n(the packet is built without it)");
        None
    });
    let dir = match resolve_run(&args.run, budget.as_ref()) {
        Ok(dir) => dir,
        Err(problem) => {
            eprintln!("claude-budget: {problem}");
            return EXIT_USAGE;
        }
    };
    let (events, state) = match load_run(&dir) {
        Ok(run) => run,
        Err(problem) => {
            eprintln!("claude-budget: {problem}");
            return EXIT_USAGE;
        }
    };
    let root = budget.as_ref().map_or_else(
        || project::locate().project_root,
        |b| b.project_root.clone(),
    );
    let packet = Packet::build(&events, state.as_ref(), budget.as_ref(), &root);
    match args.format {
        Format::Text => print!("{}", packet.markdown()),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&packet).unwrap_or_default()
        ),
    }
    EXIT_OK
}
