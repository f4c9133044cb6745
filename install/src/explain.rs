//! `claude-budget explain`: how one call is analysed and decided (SPEC §8): the simple
//! commands and file effects found, every rule that matched with its origin, the decision.

use crate::{EXIT_OK, EXIT_USAGE, Format, project};
use budget_policy::decide::Decision;
use budget_policy::events::context::{self, CallSite};
use budget_policy::protocol::{HookInput, ToolCall};
use budget_policy::session::SessionFacts;
use budget_policy::shell::{Analysis, EffectKind};
use budget_policy::verdict::Code;
use serde_json::{Value, json};
use std::path::PathBuf;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// A Bash command to explain.
    command: Option<String>,
    /// The tool name, with --input (e.g. `Edit`, `Read`, `mcp__github__create_issue`).
    #[arg(long)]
    tool: Option<String>,
    /// The tool input as JSON, with --tool.
    #[arg(long)]
    input: Option<String>,
    /// A recorded hook input (JSON file), as Claude Code sends it.
    #[arg(long)]
    hook: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// The call to explain and the permission mode it came with.
fn call_of(args: &Args) -> Result<(ToolCall, HookInput), String> {
    if let Some(file) = &args.hook {
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let input = HookInput::parse(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        let call = input.tool_call().ok_or("the hook input has no tool_name")?;
        return Ok((call, input));
    }
    if let Some(tool) = &args.tool {
        let raw = args.input.as_deref().unwrap_or("{}");
        let value: Value = serde_json::from_str(raw).map_err(|e| format!("--input: {e}"))?;
        return Ok((ToolCall::from_parts(tool, &value), HookInput::default()));
    }
    match &args.command {
        Some(cmd) => Ok((
            ToolCall::Bash {
                command: cmd.clone(),
            },
            HookInput::default(),
        )),
        None => Err("give a command, --tool T --input JSON, or --hook FILE".into()),
    }
}

pub(crate) fn run(args: &Args) -> u8 {
    let (call, input) = match call_of(args) {
        Ok(pair) => pair,
        Err(e) => {
            eprintln!("claude-budget explain: {e}");
            return EXIT_USAGE;
        }
    };
    let env = project::env();
    let located = context::locate_from(&env, &env.cwd());
    let budget = match context::load(&env, &located) {
        Ok(Some(b)) => b,
        Ok(None) => {
            eprintln!("no budget in force here: every call gets no opinion from claude-budget");
            return EXIT_OK;
        }
        Err(err) => {
            for d in &err.diagnostics {
                eprintln!("{d}");
            }
            return crate::EXIT_PROBLEMS;
        }
    };
    let cwd = input
        .cwd
        .as_deref()
        .map_or_else(|| env.cwd(), PathBuf::from);
    let analysis = match &call {
        ToolCall::Bash { command } => Some(context::analyse(command, &cwd, &budget, &env)),
        _ => None,
    };
    let site = CallSite {
        cwd: Some(&cwd),
        permission_mode: input.permission_mode.as_deref(),
    };
    let decision = context::decide_call(&call, &budget, &SessionFacts::default(), &env, site);
    match args.format {
        Format::Json => println!("{}", json_report(&call, analysis.as_ref(), &decision)),
        Format::Text => print!("{}", text_report(&call, analysis.as_ref(), &decision)),
    }
    EXIT_OK
}

fn json_report(call: &ToolCall, analysis: Option<&Analysis>, decision: &Decision) -> Value {
    json!({
        "tool": call.tool_name(),
        "analysis": analysis,
        "hits": decision.hits.iter().map(|h| json!({
            "verdict": h.verdict, "section": h.section, "rule": h.rule, "origin": h.origin.to_string(),
        })).collect::<Vec<_>>(),
        "decision": decision.verdict.map_or(Code::NoOpinion.as_str(), |v| v.as_str()),
        "code": decision.code.as_str(),
        "rule": decision.rule.as_ref().map(|h| h.origin.to_string()),
        "reason": decision.reason,
        "stop_reason": decision.stop_reason,
    })
}

/// A file effect as a reader says it: `read`, `write`, `delete`, `delete (recursive)`.
fn effect_word(kind: EffectKind) -> &'static str {
    match kind {
        EffectKind::Read => "read",
        EffectKind::Write => "write",
        EffectKind::Delete { recursive: false } => "delete",
        EffectKind::Delete { recursive: true } => "delete (recursive)",
    }
}

/// The analysis as a small tree, then the rules and the decision.
fn text_report(call: &ToolCall, analysis: Option<&Analysis>, decision: &Decision) -> String {
    let mut out = format!("{}\n", call.tool_name());
    if let Some(a) = analysis {
        for c in &a.commands {
            let note = if c.transparent {
                "  (wrapper/builtin: decided only if a rule names it)"
            } else {
                ""
            };
            out.push_str(&format!("├─ command: {}{note}\n", c.argv.join(" ")));
        }
        for e in &a.effects {
            out.push_str(&format!(
                "├─ {}: {}  (by `{}`)\n",
                effect_word(e.kind),
                e.path.display(),
                e.command
            ));
        }
        for n in &a.network {
            out.push_str(&format!("├─ network: {}  (by `{}`)\n", n.host, n.command));
        }
        for u in &a.unanalysable {
            out.push_str(&format!("├─ unanalysable: {}  (`{}`)\n", u.reason, u.text));
        }
    }
    out.push_str("rules that matched:\n");
    if decision.hits.is_empty() {
        out.push_str("  (none)\n");
    }
    for h in &decision.hits {
        out.push_str(&format!(
            "  {:<5} [{}] {}  ({})\n",
            h.verdict.as_str(),
            h.section,
            h.rule,
            h.origin
        ));
    }
    let verdict = decision.verdict.map(|v| v.as_str()).unwrap_or("no opinion");
    out.push_str(&format!(
        "decision: {verdict} [{}]\n",
        decision.code.as_str()
    ));
    if !decision.reason.is_empty() {
        out.push_str(&format!("reason: {}\n", decision.reason));
    }
    out
}
