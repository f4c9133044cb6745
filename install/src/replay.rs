//! `claude-budget replay RUN`: re-decide every recorded PreToolUse of a run under today's
//! budget and print only what changed. Exit 1 when a call that was denied would now get
//! through (allowed, or no opinion), so CI notices a budget that got looser.

use crate::cases::{replayer, rule_label, verdict_word};
use crate::report::{Run, load_budget, open_run};
use crate::{EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, Format};
use budget_policy::verdict::Code;
use serde::Serialize;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// A session id, a session directory, or `latest`.
    pub run: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Serialize)]
struct Change {
    tool: String,
    call: String,
    was: String,
    now: String,
    rule: String,
    reason: String,
    /// Denied then, through now.
    loosened: bool,
}

/// Recorded codes that depend on what cannot be rebuilt from the record (spend, the
/// hook's own failures): not compared.
const NOT_REPLAYABLE: [Code; 3] = [
    Code::SpendExceeded,
    Code::HookInternalError,
    Code::BudgetInvalid,
];

pub(crate) fn run(args: &Args) -> u8 {
    let budget = match load_budget() {
        Ok(Some(budget)) => budget,
        Ok(None) => {
            eprintln!("claude-budget: no budget file here: nothing to replay against");
            return EXIT_USAGE;
        }
        Err(problem) => {
            eprintln!("claude-budget: {problem}");
            return EXIT_USAGE;
        }
    };
    let Run { dir, events, .. } = match open_run(&args.run, Some(&budget)) {
        Ok(run) => run,
        Err(problem) => {
            eprintln!("claude-budget: {problem}");
            return EXIT_USAGE;
        }
    };
    let mut replayer = replayer(&budget);
    let (mut changes, mut compared) = (Vec::new(), 0);
    for event in &events {
        if event.event != "PreToolUse" {
            if event.event.starts_with("PostToolUse") {
                replayer.observe(event);
            }
            continue;
        }
        let (Some(tool), Some(input)) = (&event.tool, &event.input) else {
            continue;
        };
        let decision = replayer.decide_call(
            tool,
            input,
            event.tool_use_id.as_deref(),
            event.cwd.as_deref(),
            event.permission_mode.as_deref(),
        );
        if event
            .code
            .as_deref()
            .and_then(Code::parse)
            .is_some_and(|c| NOT_REPLAYABLE.contains(&c))
        {
            continue;
        }
        compared += 1;
        let was = event.decision.clone().unwrap_or_else(|| "none".into());
        let now = verdict_word(&decision);
        if was != now {
            changes.push(Change {
                tool: tool.clone(),
                call: event.summary.clone().unwrap_or_default(),
                loosened: was == "deny" && matches!(now, "allow" | "none"),
                was,
                now: now.to_owned(),
                rule: rule_label(&decision),
                reason: decision.reason.lines().next().unwrap_or("").to_owned(),
            });
        }
    }
    let loosened = changes.iter().filter(|c| c.loosened).count();
    match args.format {
        Format::Json => {
            let out = serde_json::json!({"run": dir, "compared": compared, "changes": changes, "loosened": loosened});
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Text => {
            for c in &changes {
                let mark = if c.loosened { "LOOSER" } else { "changed" };
                println!(
                    "{mark}: {} `{}`: {} → {} ({})",
                    c.tool, c.call, c.was, c.now, c.rule
                );
            }
            println!(
                "{compared} recorded calls re-decided, {} changed, {loosened} denied call(s) would now get through",
                changes.len()
            );
        }
    }
    if loosened > 0 { EXIT_PROBLEMS } else { EXIT_OK }
}
