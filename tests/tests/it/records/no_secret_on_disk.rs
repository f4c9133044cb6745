//! Records keep no secret (SPEC §7), as a property of the real hooks: a token of any built-in
//! format, placed in any input field of a session's events (a command, a file path, an Edit's
//! path, an MCP argument, a URL, a prompt, an error text, a command long enough to be cut),
//! never reaches any file under the data directory — record, state, review packet, logs —
//! not even its first 14 characters.

use budget_tests::TempProject;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::path::Path;

/// One token per built-in format (the redaction table's formats).
const TOKENS: &[&str] = &[
    "ghp_R2d2C3poL0rEmIpSuMd0L0rS1tAmEt0001",
    "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    "AKIAIOSFODNN7EXAMPLE",
    "xoxb-123456789012-abcdefghijkl",
    "sk-proj-abcdefghijklmnopqrstuvwxyz0123",
    "sk-ant-api03-abcdefghijklmnopqrstuvwxyz-0123",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "glpat-Xy9zAbCdEfGhIjKlMnOp",
    "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW",
    "npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
    "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345",
    "sk_live_51HxYzAbCdEfGhIjKl",
    "rk_live_51HxYzAbCdEfGhIjKlMn",
    "hooks.slack.com/services/T0001/B0002/XyZ123abcDEF456",
];

const BUDGET: &str = r#"
version = 1
[run]
allow = ["cat", "echo", "cargo", "curl"]
tests = ["cargo test"]
[read]
allow = ["**"]
[edit]
allow = ["**"]
[mcp]
default = "allow"
[web]
allow = ["example.com"]
[evidence]
tests_after_edit = true
"#;

/// The hook events of one session with `token` (after `pad` filler characters) in `field`.
fn events(root: &Path, field: usize, token: &str, pad: usize) -> Vec<(&'static str, Value)> {
    // Filler text, then a separator a path, URL, assignment or name may hold before it.
    let separator = [" ", "/", "=", ":", "_", "-", "."][pad % 7];
    let filler = "x".repeat(pad);
    let text = format!("{filler}{separator}{token}");
    let call = |tool: &str, input: Value| -> Vec<(&'static str, Value)> {
        let base = json!({
            "session_id": "secret", "cwd": root, "permission_mode": "default",
            "tool_name": tool, "tool_input": input, "tool_use_id": "t1",
            "transcript_path": root.join("none.jsonl"),
        });
        let mut pre = base.clone();
        pre["hook_event_name"] = json!("PreToolUse");
        let mut post = base;
        post["hook_event_name"] = json!("PostToolUse");
        post["tool_response"] = json!({"stdout": "ok", "stderr": "", "interrupted": false});
        vec![
            ("claude-budget-pre-tool-use", pre),
            ("claude-budget-post-tool-use", post),
        ]
    };
    let mut out = match field {
        0 => call(
            "Bash",
            json!({"command": format!("cat /tmp/{text}/notes.txt")}),
        ),
        1 => call("Bash", json!({"command": format!("echo {text}")})),
        2 => call("Read", json!({"file_path": format!("/tmp/{text}/x.txt")})),
        3 => call(
            "Edit",
            json!({"file_path": root.join(format!("src/{text}.rs")), "old_string": "a", "new_string": "b"}),
        ),
        4 => call(
            "mcp__github__search",
            json!({"query": text, "headers": {"X-Note": text}}),
        ),
        5 => call(
            "WebFetch",
            json!({"url": format!("https://example.com/?q={text}"), "prompt": "x"}),
        ),
        6 => vec![(
            "claude-budget-session",
            json!({"session_id": "secret", "cwd": root, "hook_event_name": "UserPromptSubmit", "prompt": format!("use {text} please")}),
        )],
        7 => {
            let mut failed = call("Bash", json!({"command": "cargo build"}));
            failed[1].1["hook_event_name"] = json!("PostToolUseFailure");
            failed[1].1["error"] = json!(format!("Exit code 1\nbad token {text}"));
            failed
        }
        // A command longer than the record's summary: the cut falls inside the token.
        _ => call(
            "Bash",
            json!({"command": format!("echo {} {token} done", "y".repeat(300 - 6 - token.len() / 2))}),
        ),
    };
    out.push((
        "claude-budget-stop",
        json!({"session_id": "secret", "cwd": root, "hook_event_name": "Stop", "stop_hook_active": false}),
    ));
    out
}

/// Every file under `dir` that contains `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if std::fs::read(&path)
            .is_ok_and(|bytes| String::from_utf8_lossy(&bytes).contains(needle))
        {
            found.push(path.display().to_string());
        }
    }
    found
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn no_token_in_any_input_field_reaches_a_file_under_the_data_dir(
        token in 0..TOKENS.len(),
        field in 0usize..9,
        pad in 0usize..40,
    ) {
        let token = TOKENS[token];
        let project = TempProject::new().budget(BUDGET);
        project.write("src/lib.rs", "fn main() {}\n");
        for (hook, input) in events(&project.root, field, token, pad) {
            let _ = project.run_hook(hook, &input);
        }
        let data = project.data.clone();
        // Not even its first 14 characters (a token cut before it was redacted).
        let head = &token[..14];
        let leaks = files_containing(&data, head);
        prop_assert!(leaks.is_empty(), "field {field}: `{head}` of `{token}` found in {leaks:?}");
        // The session really was recorded (the property is not vacuous).
        prop_assert!(!files_containing(&data, "\"event\"").is_empty(), "nothing recorded");
    }
}
