//! `claude-budget prune [--older-than DAYS] [--dry-run]` (SPEC §8): delete this project's run
//! records past retention — `[record] retain_days` in force (the managed layer's wins, default
//! 90) unless `--older-than` says otherwise. Never the running session (see
//! `store::retention`). The agent may not run it from its shell: deleting records is erasing
//! evidence.

use crate::{EXIT_OK, EXIT_USAGE, project, report};
use budget_policy::budget::DEFAULT_RETAIN_DAYS;
use budget_policy::store::{record::rfc3339, retention};
use std::time::SystemTime;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Delete sessions inactive for more than DAYS days (default: `[record] retain_days`).
    #[arg(long, value_name = "DAYS")]
    older_than: Option<u64>,
    /// List what would be deleted; delete nothing.
    #[arg(long)]
    dry_run: bool,
}

pub(crate) fn run(args: &Args) -> u8 {
    let budget = match report::load_budget() {
        Ok(budget) => budget,
        Err(problem) => {
            // Retention comes from the budget: guessing it could delete what must be kept.
            eprintln!("claude-budget: {problem}\nnothing was pruned");
            return EXIT_USAGE;
        }
    };
    let root = budget.as_ref().map_or_else(
        || project::locate().project_root,
        |b| b.project_root.clone(),
    );
    let days = args.older_than.unwrap_or_else(|| {
        budget.as_ref().map_or(
            DEFAULT_RETAIN_DAYS,
            budget_policy::budget::Budget::retain_days,
        )
    });
    let runs = match project::layout().project_dir(&root, budget.as_ref()) {
        Ok(dir) => dir,
        Err(e) => {
            eprintln!("claude-budget: {e}");
            return EXIT_USAGE;
        }
    };
    let pruned = retention::prune(
        &runs,
        &retention::PruneOptions {
            older_than_days: days,
            now: SystemTime::now(),
            keep: None,
            dry_run: args.dry_run,
            max_seen: None,
            max_removed: None,
        },
    );
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removed"
    };
    for session in &pruned.removed {
        println!(
            "{verb} {} (last active {}, {})",
            session.path.display(),
            rfc3339(session.last_active),
            size(session.bytes)
        );
    }
    for (path, why) in &pruned.skipped {
        println!("kept {} ({why})", path.display());
    }
    let freed: u64 = pruned.removed.iter().map(|s| s.bytes).sum();
    let oldest = pruned.kept.iter().map(|s| s.last_active).min();
    println!(
        "{verb} {} session(s), {}, inactive for more than {days} day(s); kept {} session(s){}",
        pruned.removed.len(),
        size(freed),
        pruned.kept.len(),
        oldest.map_or_else(String::new, |t| format!(" since {}", rfc3339(t)))
    );
    EXIT_OK
}

/// `12.3 KiB`, `4.0 MiB`.
pub(crate) fn size(bytes: u64) -> String {
    #[expect(clippy::cast_precision_loss, reason = "a size shown with one decimal")]
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", b / (1024.0 * 1024.0))
    } else {
        format!("{:.1} KiB", b / 1024.0)
    }
}
