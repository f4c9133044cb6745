//! `claude-budget capture RUN --name NAME`: turn a recorded run's calls into
//! `.claude/budget-tests/NAME.toml`, one case per distinct call, today's decision as `expect`
//! — so the run that scared you becomes a regression test. Each call is decided on its own
//! (as `test` will decide it), not with the run's history of retries and stops.

use crate::cases::{relative_input, replayer, verdict_word};
use crate::report::{load_budget, open_run};
use crate::{EXIT_OK, EXIT_USAGE};
use serde_json::Value;
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Table, value};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// A session id, a session directory, or `latest`.
    pub run: String,
    /// The case file's name (`.claude/budget-tests/NAME.toml`).
    #[arg(long)]
    pub name: String,
}

fn toml_value(json: &Value) -> Option<toml_edit::Value> {
    Some(match json {
        Value::Null => return None,
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into(),
            None => n.as_f64().unwrap_or_default().into(),
        },
        Value::String(s) => s.as_str().into(),
        Value::Array(items) => {
            let mut array = Array::new();
            for item in items.iter().filter_map(toml_value) {
                array.push(item);
            }
            array.into()
        }
        Value::Object(map) => {
            let mut table = InlineTable::new();
            for (k, v) in map {
                if let Some(v) = toml_value(v) {
                    table.insert(k, v);
                }
            }
            table.into()
        }
    })
}

pub(crate) fn run(args: &Args) -> u8 {
    if args.name.is_empty() || args.name.contains(['/', '\\']) || args.name.starts_with('.') {
        eprintln!("claude-budget: `--name` must be a plain file name, e.g. `friday-force-push`");
        return EXIT_USAGE;
    }
    let budget = match load_budget() {
        Ok(Some(budget)) => budget,
        Ok(None) => {
            eprintln!(
                "claude-budget: no budget file here: capture records today's decisions, so it needs one"
            );
            return EXIT_USAGE;
        }
        Err(problem) => {
            eprintln!("claude-budget: {problem}");
            return EXIT_USAGE;
        }
    };
    let events = match open_run(&args.run, Some(&budget)) {
        Ok(run) => run.events,
        Err(problem) => {
            eprintln!("claude-budget: {problem}");
            return EXIT_USAGE;
        }
    };
    let mut seen: Vec<(String, Value)> = Vec::new();
    let mut cases = ArrayOfTables::new();
    for event in &events {
        let (true, Some(tool), Some(input)) =
            (event.event == "PreToolUse", &event.tool, &event.input)
        else {
            continue;
        };
        // Decided as `test` will decide the case: on its own, in a fresh session (retry
        // limits and an earlier stop are history, not part of the call).
        let decision = replayer(&budget).decide(
            tool,
            input,
            event.cwd.as_deref(),
            event.permission_mode.as_deref(),
        );
        let mut input = relative_input(input, &budget.project_root);
        if let Value::Object(map) = &mut input {
            map.remove("description"); // the agent's note to the user: not part of the decision
        }
        if seen.contains(&(tool.clone(), input.clone())) {
            continue;
        }
        seen.push((tool.clone(), input.clone()));
        let summary = relative_input(
            &Value::String(event.summary.clone().unwrap_or_default()),
            &budget.project_root,
        );
        let mut case = Table::new();
        case["name"] = value(format!(
            "{}: {} {}",
            seen.len(),
            tool,
            summary.as_str().unwrap_or("")
        ));
        case["tool"] = value(tool.as_str());
        case["input"] =
            toml_edit::Item::Value(toml_value(&input).unwrap_or_else(|| InlineTable::new().into()));
        case["expect"] = value(verdict_word(&decision));
        cases.push(case);
    }
    let count = cases.len();
    let mut doc = DocumentMut::new();
    doc.insert("case", toml_edit::Item::ArrayOfTables(cases));
    let dir = budget.project_root.join(".claude/budget-tests");
    let path = dir.join(format!("{}.toml", args.name));
    let header = "# Captured by `claude-budget capture`: each recorded call with the decision the budget\n\
                  # gave it at capture time. `claude-budget test` fails when a decision changes.\n\n";
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&path, format!("{header}{doc}")));
    if let Err(e) = written {
        eprintln!("claude-budget: cannot write `{}`: {e}", path.display());
        return EXIT_USAGE;
    }
    println!("wrote {count} cases to {}", path.display());
    EXIT_OK
}
