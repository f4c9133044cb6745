//! Hook input and output, as Claude Code sends and expects them.
//!
//! Every field of the input is optional and unknown fields are ignored: the schema grows
//! every few releases, and a missing field must never crash a hook. Tool inputs and
//! responses stay raw JSON; [`ToolCall`] gives the typed view `decide` needs.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The largest hook input we read (SPEC §5): a Write of a large file is normal.
pub const MAX_STDIN_BYTES: usize = 32 * 1024 * 1024;

/// One hook invocation's stdin.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct HookInput {
    pub session_id: Option<String>,
    pub transcript_path: Option<String>,
    pub cwd: Option<String>,
    pub hook_event_name: Option<String>,
    pub prompt_id: Option<String>,
    pub permission_mode: Option<String>,
    pub agent_id: Option<String>,
    pub agent_type: Option<String>,
    pub tool_name: Option<String>,
    pub tool_input: Option<Value>,
    pub tool_use_id: Option<String>,
    pub tool_response: Option<Value>,
    /// PostToolUseFailure: the error text (`Exit code N\n…` for Bash).
    pub error: Option<String>,
    pub is_interrupt: Option<bool>,
    pub duration_ms: Option<u64>,
    /// UserPromptSubmit.
    pub prompt: Option<String>,
    /// Stop / SubagentStop.
    pub stop_hook_active: Option<bool>,
    pub last_assistant_message: Option<String>,
    pub agent_transcript_path: Option<String>,
    /// SessionStart.
    pub source: Option<String>,
    pub model: Option<Value>,
    /// SessionEnd.
    pub reason: Option<String>,
}

impl HookInput {
    /// Parses hook stdin. Errors carry serde's message (line/column of the problem).
    ///
    /// A string with a lone UTF-16 surrogate escape (`"\ud800"`, which JavaScript's
    /// `JSON.stringify` writes for a broken string) is valid JSON that Rust strings cannot
    /// hold: such escapes are decoded lossily as U+FFFD instead of failing the whole input —
    /// a Stop or an Edit's PostToolUse must not go unchecked because one field is odd.
    pub fn parse(bytes: &[u8]) -> Result<HookInput, serde_json::Error> {
        serde_json::from_slice(bytes).or_else(|first| match replace_lone_surrogates(bytes) {
            Some(fixed) => serde_json::from_slice(&fixed),
            None => Err(first),
        })
    }

    /// True when no human will see an `ask` prompt (SPEC §4.1): `ask` becomes `deny`.
    pub fn nobody_can_answer(&self) -> bool {
        matches!(
            self.permission_mode.as_deref(),
            Some("bypassPermissions" | "dontAsk")
        )
    }

    /// The typed view of the tool call, if this is a tool event.
    pub fn tool_call(&self) -> Option<ToolCall> {
        let name = self.tool_name.as_deref()?;
        Some(ToolCall::from_parts(
            name,
            self.tool_input.as_ref().unwrap_or(&Value::Null),
        ))
    }
}

/// `bytes` with every `\uD800`–`\uDFFF` escape that is not part of a surrogate pair
/// replaced by `\uFFFD`; `None` when there is none (nothing to retry).
fn replace_lone_surrogates(bytes: &[u8]) -> Option<Vec<u8>> {
    let hex = |at: usize| -> Option<u32> {
        let digits = bytes.get(at..at + 4)?;
        u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    let escape_at = |at: usize| -> Option<u32> {
        (bytes.get(at) == Some(&b'\\') && bytes.get(at + 1) == Some(&b'u'))
            .then(|| hex(at + 2))
            .flatten()
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        match escape_at(i) {
            Some(0xD800..=0xDBFF)
                if escape_at(i + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) =>
            {
                out.extend_from_slice(&bytes[i..i + 12]);
                i += 12;
            }
            Some(0xD800..=0xDFFF) => {
                out.extend_from_slice(b"\\ufffd");
                changed = true;
                i += 6;
            }
            _ => {
                // Any other escape: copy the backslash and the escaped character.
                out.extend_from_slice(bytes.get(i..i + 2).unwrap_or(&bytes[i..]));
                i += 2;
            }
        }
    }
    changed.then_some(out)
}

/// What a tool call does, as far as the budget cares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToolCall {
    /// Read, or Grep/Glob by their `path` (None: the current directory).
    Read {
        tool: String,
        path: Option<String>,
        /// The files a Grep (`glob`) or Glob (`pattern`) names under `path`.
        glob: Option<String>,
    },
    /// Edit, Write, NotebookEdit, legacy MultiEdit.
    Edit {
        tool: String,
        path: Option<String>,
    },
    /// Bash. (PowerShell is [`ToolCall::Unanalysable`].)
    Bash {
        command: String,
    },
    WebFetch {
        url: String,
    },
    WebSearch {
        query: String,
    },
    /// `mcp__<server>__<tool>`.
    Mcp {
        server: String,
        tool: String,
    },
    /// A shell we cannot analyse (PowerShell): decided by `[run] unparsed`.
    Unanalysable {
        tool: String,
        text: String,
    },
    /// Agent, TodoWrite, AskUserQuestion, … : no opinion (SPEC §4.6).
    Other {
        tool: String,
    },
}

fn str_field(input: &Value, key: &str) -> Option<String> {
    input.get(key).and_then(Value::as_str).map(str::to_owned)
}

impl ToolCall {
    pub fn from_parts(tool: &str, input: &Value) -> ToolCall {
        let owned = tool.to_owned();
        match tool {
            "Read" => ToolCall::Read {
                tool: owned,
                path: str_field(input, "file_path"),
                glob: None,
            },
            "Grep" => ToolCall::Read {
                tool: owned,
                path: str_field(input, "path"),
                glob: str_field(input, "glob"),
            },
            "Glob" => ToolCall::Read {
                tool: owned,
                path: str_field(input, "path"),
                glob: str_field(input, "pattern"),
            },
            "Edit" | "Write" | "MultiEdit" => ToolCall::Edit {
                tool: owned,
                path: str_field(input, "file_path"),
            },
            "NotebookEdit" => ToolCall::Edit {
                tool: owned,
                path: str_field(input, "notebook_path"),
            },
            // A Bash call with no usable command (missing, not a string, blank, or an input
            // that is not an object) cannot be checked: decided as unparsed, never silent.
            "Bash" => match str_field(input, "command") {
                Some(command) if !command.trim().is_empty() => ToolCall::Bash { command },
                _ => ToolCall::Unanalysable {
                    tool: owned,
                    text: String::new(),
                },
            },
            "PowerShell" => ToolCall::Unanalysable {
                tool: owned,
                text: str_field(input, "command").unwrap_or_default(),
            },
            "WebFetch" => ToolCall::WebFetch {
                url: str_field(input, "url").unwrap_or_default(),
            },
            "WebSearch" => ToolCall::WebSearch {
                query: str_field(input, "query").unwrap_or_default(),
            },
            // NotebookRead and file-reading tools we do not know by name (the LSP tool's
            // `filePath`): a file named in the input is read, and `[read]` decides it.
            "NotebookRead" => ToolCall::Read {
                tool: owned,
                path: str_field(input, "notebook_path"),
                glob: None,
            },
            _ => match split_mcp_name(tool) {
                Some((server, tool)) => ToolCall::Mcp { server, tool },
                // `mcp____x`, `mcp__github`, `MCP__x__y`: shaped like an MCP tool but not
                // one we can split. Decided by `[mcp]`'s default, never silently allowed.
                None if tool
                    .get(..5)
                    .is_some_and(|p| p.eq_ignore_ascii_case("mcp__")) =>
                {
                    ToolCall::Mcp {
                        server: String::new(),
                        tool: owned,
                    }
                }
                None => match ["file_path", "filePath", "notebook_path"]
                    .iter()
                    .find_map(|key| str_field(input, key))
                {
                    Some(path) => ToolCall::Read {
                        tool: owned,
                        path: Some(path),
                        glob: None,
                    },
                    None => ToolCall::Other { tool: owned },
                },
            },
        }
    }

    /// The tool name as Claude Code sent it.
    pub fn tool_name(&self) -> String {
        match self {
            ToolCall::Read { tool, .. }
            | ToolCall::Edit { tool, .. }
            | ToolCall::Unanalysable { tool, .. }
            | ToolCall::Other { tool } => tool.clone(),
            ToolCall::Bash { .. } => "Bash".into(),
            ToolCall::WebFetch { .. } => "WebFetch".into(),
            ToolCall::WebSearch { .. } => "WebSearch".into(),
            // A malformed MCP name keeps its own spelling (no server could be split off).
            ToolCall::Mcp { server, tool } if server.is_empty() => tool.clone(),
            ToolCall::Mcp { server, tool } => format!("mcp__{server}__{tool}"),
        }
    }
}

/// Splits `mcp__<server>__<tool>` at the first `__` after the prefix (SPEC §4.4).
/// `mcp__plugin_acme_github__get_issue` → (`plugin_acme_github`, `get_issue`).
pub fn split_mcp_name(name: &str) -> Option<(String, String)> {
    let rest = name.strip_prefix("mcp__")?;
    let at = rest.find("__")?;
    let (server, tool) = (&rest[..at], &rest[at + 2..]);
    if server.is_empty() || tool.is_empty() {
        return None;
    }
    Some((server.to_owned(), tool.to_owned()))
}

/// The PreToolUse reply envelope (hooks reference §3.3). Field names are Claude Code's.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PreToolUseReply {
    #[serde(rename = "hookSpecificOutput")]
    pub hook_specific_output: PreToolUseOutput,
    /// `false` halts the run (stop rules, `on_exceed = "halt"`).
    #[serde(rename = "continue", skip_serializing_if = "Option::is_none")]
    pub continue_: Option<bool>,
    #[serde(rename = "stopReason", skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PreToolUseOutput {
    #[serde(rename = "hookEventName")]
    pub hook_event_name: &'static str,
    #[serde(rename = "permissionDecision")]
    pub permission_decision: &'static str,
    #[serde(rename = "permissionDecisionReason")]
    pub permission_decision_reason: String,
    #[serde(rename = "additionalContext", skip_serializing_if = "Option::is_none")]
    pub additional_context: Option<String>,
}

/// `hookSpecificOutput.additionalContext` for events that accept it
/// (SessionStart, UserPromptSubmit, PostToolUse, PostToolUseFailure).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ContextReply {
    #[serde(rename = "hookSpecificOutput")]
    pub hook_specific_output: ContextOutput,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ContextOutput {
    #[serde(rename = "hookEventName")]
    pub hook_event_name: String,
    #[serde(rename = "additionalContext")]
    pub additional_context: String,
}

/// Stop / SubagentStop: `decision: "block"` keeps the agent working with `reason`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct StopReply {
    pub decision: &'static str,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mcp_names_split_at_the_first_separator_after_the_prefix() {
        assert_eq!(
            split_mcp_name("mcp__plugin_acme_github__get_issue"),
            Some(("plugin_acme_github".into(), "get_issue".into()))
        );
        assert_eq!(
            split_mcp_name("mcp__github__search__code"),
            Some(("github".into(), "search__code".into()))
        );
        assert_eq!(split_mcp_name("mcp__github"), None);
        assert_eq!(split_mcp_name("Read"), None);
    }

    #[test]
    fn grep_and_glob_are_reads_of_their_path_and_glob() {
        let call = ToolCall::from_parts("Grep", &json!({"pattern": "x", "path": "/p/src"}));
        assert_eq!(
            call,
            ToolCall::Read {
                tool: "Grep".into(),
                path: Some("/p/src".into()),
                glob: None,
            }
        );
        let call = ToolCall::from_parts("Glob", &json!({"pattern": "**/*.rs"}));
        assert_eq!(
            call,
            ToolCall::Read {
                tool: "Glob".into(),
                path: None,
                glob: Some("**/*.rs".into()),
            }
        );
    }

    #[test]
    fn missing_and_unknown_fields_parse() {
        let input = HookInput::parse(br#"{"hook_event_name":"PreToolUse","brand_new":1}"#);
        assert!(input.is_ok_and(|i| i.tool_name.is_none()));
    }

    #[test]
    fn a_lone_surrogate_is_decoded_lossily_not_dropped() {
        let input = HookInput::parse(
            br#"{"hook_event_name":"Stop","last_assistant_message":"done \ud83d","stop_hook_active":false}"#,
        );
        let input = input.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            input.last_assistant_message.as_deref(),
            Some("done \u{fffd}")
        );
        assert_eq!(input.hook_event_name.as_deref(), Some("Stop"));
    }

    #[test]
    fn surrogate_pairs_and_other_escapes_are_kept() {
        let input = HookInput::parse(br#"{"prompt":"\ud83d\ude00 \\ud800 \"q\" \udc00"}"#);
        let input = input.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            input.prompt.as_deref(),
            Some("\u{1f600} \\ud800 \"q\" \u{fffd}")
        );
    }
}
