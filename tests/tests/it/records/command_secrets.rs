//! Passwords typed on a command line never reach the disk: a PreToolUse + PostToolUseFailure
//! pair per command (the failure echoes the command, as `set -x` output would), then every
//! file under the data dir — `events.jsonl`, `state.msgpack` (failure fingerprints), the packet —
//! is searched for the secret.

use budget_tests::TempProject;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const BUDGET: &str = "version = 1\n[run]\nallow = [\"ls\"]\n";

/// (command as the agent typed it, the secret in it)
const COMMANDS: &[(&str, &str)] = &[
    ("PGPASSWORD=pgsecret42 psql -h db -U app", "pgsecret42"),
    ("mysql -u root -psupersecretpw app", "supersecretpw"),
    ("mysql --password=mysqlpw77 -u app", "mysqlpw77"),
    ("mysql --password mysqlpw88 -u app", "mysqlpw88"),
    (
        "curl -u admin:hunter2secret https://api.example.com",
        "hunter2secret",
    ),
    (
        "curl --user admin:curlpw55 https://api.example.com",
        "curlpw55",
    ),
    ("sshpass -p sshpw123 ssh deploy@host uptime", "sshpw123"),
    ("export MY_DB_PASSWD=passwd66 && ./migrate", "passwd66"),
    ("AWS_SECRET=awsS3cr3tValue ./deploy.sh", "awsS3cr3tValue"),
];

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn hook_input(project: &TempProject, event: &str, id: &str, command: &str) -> Value {
    json!({
        "session_id": "s1", "cwd": project.root, "hook_event_name": event,
        "permission_mode": "default", "transcript_path": project.root.join("none.jsonl"),
        "tool_name": "Bash", "tool_use_id": id,
        "tool_input": {"command": command, "description": "connect"},
        "error": format!("Exit code 1\n+ {command}\naccess denied"),
    })
}

#[test]
fn passwords_in_commands_never_reach_the_record_or_the_state() {
    let project = TempProject::new().budget(BUDGET);
    for (index, (command, _)) in COMMANDS.iter().enumerate() {
        let id = format!("toolu_{index}");
        project.run_hook(
            "claude-budget-pre-tool-use",
            &hook_input(&project, "PreToolUse", &id, command),
        );
        let out = project.run_hook(
            "claude-budget-post-tool-use",
            &hook_input(&project, "PostToolUseFailure", &id, command),
        );
        assert_eq!(out.status.code(), Some(0), "{command}");
    }
    let mut files = Vec::new();
    files_under(&project.data, &mut files);
    let texts: Vec<(PathBuf, String)> = files
        .into_iter()
        .map(|f| {
            let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap_or_default()).into_owned();
            (f, text)
        })
        .collect();
    for required in ["events.jsonl", "state.msgpack"] {
        assert!(
            texts.iter().any(|(f, _)| f.ends_with(required)),
            "{required} was written"
        );
    }
    let leaks: Vec<String> = COMMANDS
        .iter()
        .flat_map(|(command, secret)| {
            texts
                .iter()
                .filter(move |(_, text)| text.contains(secret))
                .map(move |(file, _)| format!("{command} → {}", file.display()))
        })
        .collect();
    assert!(leaks.is_empty(), "secrets on disk:\n{}", leaks.join("\n"));
}
