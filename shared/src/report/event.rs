//! The run record's schema (SPEC §7): one [`Event`] per hook event, what a line of
//! `events.jsonl` holds, and how a hook input becomes one ([`Event::from_input`],
//! [`compact_input`]: enough to re-decide, never file contents). Writing and reading the
//! file is I/O and lives in `store::record`; folding events into a packet is [`super::fold`].

use crate::budget::Budget;
use crate::protocol::HookInput;
use crate::text::shorten;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::time::{SystemTime, UNIX_EPOCH};

/// Longest string kept from a tool input (a Bash command up to this size is kept whole, which
/// covers every command the analyser accepts: SPEC §5 caps them at 64 KiB).
pub const MAX_INPUT_STRING: usize = 64 * 1024 + 1;
/// Longest string kept from other fields (prompt, reason, error line).
pub const MAX_TEXT: usize = 4 * 1024;

/// One hook event as recorded. Every field but `ts` and `event` is optional, so old records
/// stay readable as the format grows, and a line is only as long as what it says.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Event {
    /// RFC 3339 UTC with milliseconds (`2026-03-01T12:00:00.123Z`), see [`rfc3339_now`].
    pub ts: String,
    /// The session's event counter when the hook knows it (from the session state).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// The hook event name (`PreToolUse`, `PostToolUseFailure`, `Stop`, …).
    pub event: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_use_id: Option<String>,
    /// One line saying what the call was: the command, the path, the MCP tool, the URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The tool input, compacted ([`compact_input`]) and redacted: enough to re-decide.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<Value>,
    /// `allow` / `ask` / `deny` (PreToolUse), `block` / `stop` (Stop); absent: no opinion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// The decision's stable code (`path-denied`, `stop-rule`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The deciding rule's origin: `.claude/budget.toml:23:5` or `pack:destructive/…`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The rule as written (`git push`, `migrations/**`, `default`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Post events: `ok` or `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Post events that failed: the first meaningful line of the error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cwd: Option<String>,
    /// UserPromptSubmit: the prompt (redacted, capped).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// SessionStart: the model, when Claude Code sends it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// SessionStart: who delegated the run (git user, else OS user), so an incident lookup
    /// (`claude-budget why`) names them as they were then, not as the config says today.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `$CLAUDE_BUDGET_TASK` in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// SessionStart (and whenever it changes): the budget files in force and their hashes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub budget: Vec<BudgetFileRef>,
    /// The call counts as running the tests (`[run] tests`), as the hook decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test: Option<bool>,
    /// How a test run ended, when `test` is true: `passed`, `failed`, or `undecided` (the
    /// call's exit status was not the tests': `cargo test || true`, `cargo test | tail`).
    /// Absent in records written before it existed: read them by `outcome`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_status: Option<String>,
    /// Why a test run is not evidence (`--no-run` builds without running, it ran outside
    /// the project, it only started in the background, …), or that an unknown runner was
    /// counted on its exit status alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_note: Option<String>,
    /// The call edits a `high_risk` path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high_risk: Option<bool>,
    /// Files the call reads / writes, as the analysis found them (absolute paths).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub writes: Vec<String>,
    /// Set when the run was told to stop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
    /// Stop events: evidence still missing (tests after edit, rollback note, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_evidence: Vec<String>,
    /// Stop events: spend so far.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spend_usd: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spend_tokens: Option<u64>,
    /// Post events: what the tripwires found (tamper, secret exposure, gate off, budget
    /// changed). A secret is named by its source and a hash, never by its value.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tripwire: Vec<crate::tripwire::TripwireNote>,
}

/// One budget file in force.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BudgetFileRef {
    pub file: String,
    pub sha256: String,
}

impl Event {
    /// An event for this hook input, stamped now: event name, session, tool, summary,
    /// compacted input, mode, agent, cwd, prompt, and for failures the first error line.
    /// The caller adds the decision (PreToolUse) or the outcome (post events).
    pub fn from_input(input: &HookInput) -> Event {
        let tool = input.tool_name.clone();
        let summary = match (&tool, &input.tool_input) {
            (Some(tool), Some(tool_input)) => summarize(tool, tool_input),
            _ => None,
        };
        let outcome = match input.hook_event_name.as_deref() {
            Some("PostToolUse") => Some("ok".to_owned()),
            Some("PostToolUseFailure") => Some("failed".to_owned()),
            _ => None,
        };
        Event {
            ts: rfc3339_now(),
            event: input.hook_event_name.clone().unwrap_or_default(),
            session_id: input.session_id.clone(),
            tool_use_id: input.tool_use_id.clone(),
            input: match (&tool, &input.tool_input) {
                (Some(tool), Some(tool_input)) => Some(compact_input(tool, tool_input)),
                _ => None,
            },
            tool,
            summary,
            outcome,
            error: input.error.as_deref().map(first_error_line),
            permission_mode: input.permission_mode.clone(),
            agent_id: input.agent_id.clone(),
            agent_type: input.agent_type.clone(),
            cwd: input.cwd.clone(),
            prompt: input.prompt.as_deref().map(|p| cut(p, MAX_TEXT)),
            model: input.model.as_ref().and_then(model_name),
            ..Event::default()
        }
    }
}

/// `model` as Claude Code sends it: a string, or `{ "id": …, "display_name": … }`.
pub fn model_name(model: &Value) -> Option<String> {
    match model {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => ["id", "display_name", "name"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str).map(str::to_owned)),
        _ => None,
    }
}

/// One line saying what a call was: the command, the path, the MCP tool, the URL, the query.
pub fn summarize(tool: &str, input: &Value) -> Option<String> {
    let field = |k: &str| input.get(k).and_then(Value::as_str);
    let text = match tool {
        "Bash" | "PowerShell" => field("command"),
        "Read" | "Edit" | "Write" | "MultiEdit" => field("file_path"),
        "NotebookEdit" => field("notebook_path"),
        "Grep" | "Glob" => {
            let pattern = field("pattern").unwrap_or("");
            return Some(match field("path") {
                Some(path) => format!("{pattern} in {path}"),
                None => pattern.to_owned(),
            });
        }
        "WebFetch" => field("url"),
        "WebSearch" => field("query"),
        "Agent" | "Task" => field("description"),
        "Skill" => field("skill").or_else(|| field("command")),
        _ if tool.starts_with("mcp__") => return Some(tool.to_owned()),
        _ => None,
    }?;
    Some(cut(text, 300))
}

/// The part of a tool input worth keeping: everything a re-decision reads, with file
/// contents (`content`, `old_string`, `new_string`, `new_source`, `edits`) replaced by their
/// size and every other string capped at [`MAX_INPUT_STRING`].
pub fn compact_input(tool: &str, input: &Value) -> Value {
    const CONTENT_KEYS: &[&str] = &["content", "old_string", "new_string", "new_source", "edits"];
    let Value::Object(map) = input else {
        return input.clone();
    };
    let is_file_tool = matches!(tool, "Write" | "Edit" | "MultiEdit" | "NotebookEdit");
    let mut out = Map::with_capacity(map.len());
    for (key, value) in map {
        let kept = if is_file_tool && CONTENT_KEYS.contains(&key.as_str()) {
            Value::String(format!("[{} bytes not recorded]", value.to_string().len()))
        } else {
            cap_strings(value)
        };
        out.insert(key.clone(), kept);
    }
    Value::Object(out)
}

fn cap_strings(value: &Value) -> Value {
    match value {
        Value::String(s) if s.len() > MAX_INPUT_STRING => Value::String(cut(s, MAX_INPUT_STRING)),
        Value::Array(items) => Value::Array(items.iter().map(cap_strings).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), cap_strings(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// [`shorten`] for what the record keeps: secrets of the built-in formats are redacted
/// *before* the cut, since a token cut in half no longer matches its format and its first
/// characters would reach the record.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    shorten(&crate::redact::Redactor::default().text(text), max)
}

/// The line of an error worth showing: Bash failures start with `Exit code N`, so the first
/// line after it that says something, with the exit code kept in front.
pub fn first_error_line(error: &str) -> String {
    let mut lines = error.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("");
    let line = if first.starts_with("Exit code") {
        match lines.next() {
            Some(next) => format!("{first}: {next}"),
            None => first.to_owned(),
        }
    } else {
        first.to_owned()
    };
    cut(&line, 300)
}

/// The budget files in force and their hashes, as the record names them.
pub fn budget_files(budget: &Budget) -> Vec<BudgetFileRef> {
    budget
        .layers
        .iter()
        .map(|l| BudgetFileRef {
            file: l.display.clone(),
            sha256: l.sha256.clone(),
        })
        .collect()
}

/// Now as RFC 3339 UTC with milliseconds.
pub fn rfc3339_now() -> String {
    rfc3339(SystemTime::now())
}

/// A time as RFC 3339 UTC with milliseconds (`1970-01-01T00:00:00.000Z` before the epoch).
pub fn rfc3339(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since.subsec_millis()
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar, counting
/// in 400-year eras of 146 097 days that start on 1 March (so leap days fall at era ends).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153; // 0 = March
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_rfc3339_utc_across_leap_days_and_centuries() {
        let at = |secs: u64, millis: u64| {
            rfc3339(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis))
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(at(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(at(1_709_251_199, 999), "2024-02-29T23:59:59.999Z");
        assert_eq!(at(4_107_542_400, 0), "2100-03-01T00:00:00.000Z");
    }

    #[test]
    fn bash_failures_keep_the_exit_code_and_the_first_message() {
        assert_eq!(
            first_error_line("Exit code 2\nls: cannot access 'x': No such file\nmore"),
            "Exit code 2: ls: cannot access 'x': No such file"
        );
        assert_eq!(
            first_error_line("\nFile does not exist.\n"),
            "File does not exist."
        );
    }

    #[test]
    fn file_contents_are_not_kept_but_paths_are() {
        let input = serde_json::json!({"file_path": "/p/a.rs", "content": "secret body"});
        let kept = compact_input("Write", &input);
        assert_eq!(kept["file_path"], "/p/a.rs");
        assert!(!kept.to_string().contains("secret body"));
    }
}
