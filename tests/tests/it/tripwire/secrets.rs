//! A secret in a tool's output halts the run (SPEC §3): the value of a `.env` line the
//! secrets pack denies, or of a secret-named variable of the hook's environment. The record
//! names where the secret came from and keeps a hash; the value is nowhere under the data dir.

use super::{
    POST, assert_later_calls_refused, decision, halts, input, post_bash, pre_bash, project,
};
use budget_tests::{TempProject, stdout_json};
use serde_json::json;
use std::path::Path;

const VALUE: &str = "sk-live-4f9a8b7c6d5e4f3a2b1c";

fn with_dotenv() -> TempProject {
    let project = project();
    project.write(
        ".env",
        &format!("NODE_ENV=production\nSTRIPE_API_KEY={VALUE}\n"),
    );
    project
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if std::fs::read(&path)
                .is_ok_and(|b| String::from_utf8_lossy(&b).contains(needle))
            {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

#[test]
fn a_dotenv_value_in_a_commands_output_halts_the_run_and_is_stored_nowhere() {
    let project = with_dotenv();
    // `cat` of a copy the analysis did not know was a copy of `.env`.
    let command = "cat config/settings.txt";
    assert_eq!(decision(&pre_bash(&project, "t1", command)), "allow");
    let reply = post_bash(
        &project,
        "t1",
        command,
        &format!("STRIPE_API_KEY={VALUE}\n"),
    );
    assert!(halts(&reply), "{reply}");
    let reason = reply["stopReason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("`.env`") && reason.contains("[secret-exposed]"),
        "{reason}"
    );
    assert!(!reason.contains(VALUE));
    assert_later_calls_refused(&project, "secret-exposed");
    assert_eq!(files_containing(&project.data, VALUE), Vec::<String>::new());
    let notes: Vec<_> = super::events(&project)
        .into_iter()
        .flat_map(|e| e["tripwire"].as_array().cloned().unwrap_or_default())
        .filter(|n| n["code"] == "secret-exposed")
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["file"], ".env");
    assert!(notes[0]["after"].is_string(), "a hash is kept: {notes:?}");
}

#[test]
fn a_failing_command_printing_the_value_halts_and_its_error_line_is_scrubbed() {
    let project = with_dotenv();
    let command = "cargo test";
    assert_eq!(decision(&pre_bash(&project, "t1", command)), "allow");
    let failure = input(
        &project,
        "PostToolUseFailure",
        "t1",
        json!({"tool_name": "Bash", "tool_input": {"command": command},
               "error": format!("Exit code 1\n./backup/env.old:STRIPE_API_KEY={VALUE}")}),
    );
    let out = project.run_hook(POST, &failure);
    let reply = stdout_json(&out).unwrap_or_default();
    assert!(halts(&reply), "{reply}");
    assert_eq!(files_containing(&project.data, VALUE), Vec::<String>::new());
}

#[test]
fn a_secret_named_variable_of_the_hook_environment_in_the_output_halts_the_run() {
    let project = project();
    let token = "ghs_Zq81LmN0pQ7rS2tU3vW4";
    let command = "cat debug.log";
    assert_eq!(decision(&pre_bash(&project, "t1", command)), "allow");
    let post = input(
        &project,
        "PostToolUse",
        "t1",
        json!({"tool_name": "Bash", "tool_input": {"command": command},
               "tool_response": {"stdout": format!("auth={token}"), "stderr": ""}}),
    );
    let out = project.run_hook_raw(
        POST,
        post.to_string().as_bytes(),
        &[("DEPLOY_TOKEN", token)],
    );
    let reply = stdout_json(&out).unwrap_or_default();
    assert!(halts(&reply), "{reply}");
    let reason = reply["stopReason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("$DEPLOY_TOKEN") && !reason.contains(token),
        "{reason}"
    );
}

#[test]
fn ordinary_configuration_values_in_output_do_not_halt() {
    let project = with_dotenv();
    assert_eq!(decision(&pre_bash(&project, "t1", "cargo build")), "allow");
    let reply = post_bash(
        &project,
        "t1",
        "cargo build",
        "running in production mode\n",
    );
    assert!(!halts(&reply), "{reply}");
    assert_eq!(decision(&pre_bash(&project, "t2", "ls")), "allow");
}

#[test]
fn placeholder_values_of_a_committed_env_example_do_not_halt() {
    let project = project();
    project.write(
        ".env.example",
        "STRIPE_API_KEY=sk_test_your-key-here-0000\n",
    );
    assert_eq!(
        decision(&pre_bash(&project, "t1", "cat README.md")),
        "allow"
    );
    let reply = post_bash(
        &project,
        "t1",
        "cat README.md",
        "Set STRIPE_API_KEY=sk_test_your-key-here-0000 in .env\n",
    );
    assert!(!halts(&reply), "{reply}");
}
