//! A background test run's completion (SPEC §6.6: "a background run counts when its
//! completion is seen"). `{"command": "cargo test", "run_in_background": true}` returns at
//! once with a task id; the agent later reads the result with `TaskOutput` (`BashOutput` in
//! older releases). Its `tool_response` names the task, its status, exit code and output.
//!
//! The response's exact shape has changed between releases, so it is read by meaning: the
//! first object (depth-first, bounded) that carries a task id and a final status or an exit
//! code. A task still running, or a response this cannot read, completes nothing — the run
//! stays pending and is not evidence.

use super::state::CompletedTask;
use serde_json::Value;

/// Tools that report a background task's output.
const OUTPUT_TOOLS: &[&str] = &["TaskOutput", "BashOutput", "BashOutputTool"];
/// How deep the response is searched.
const MAX_DEPTH: usize = 4;

/// The background task `response` reports finished, if `tool` reads task output.
pub fn completed(tool: &str, response: Option<&Value>) -> Option<CompletedTask> {
    if !OUTPUT_TOOLS.contains(&tool) {
        return None;
    }
    find(response?, 0)
}

fn find(value: &Value, depth: usize) -> Option<CompletedTask> {
    let object = value.as_object()?;
    if let Some(done) = read_task(object) {
        return Some(done);
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    object.values().find_map(|v| find(v, depth + 1))
}

fn read_task(object: &serde_json::Map<String, Value>) -> Option<CompletedTask> {
    let text = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| object.get(*k).and_then(Value::as_str))
    };
    let task = text(&["task_id", "taskId", "bash_id", "shell_id", "shellId", "id"])?;
    let status = text(&["status", "outcome"]);
    let exit = ["exitCode", "exit_code", "code"]
        .iter()
        .find_map(|k| object.get(*k).and_then(Value::as_i64));
    let failed = match (status, exit) {
        (Some("running" | "pending"), _) => return None,
        (Some("failed" | "killed" | "error"), _) => true,
        (_, Some(code)) => code != 0,
        (Some("completed"), None) => false,
        _ => return None,
    };
    let mut output = String::new();
    for key in ["output", "stdout", "stderr"] {
        if let Some(part) = object.get(key).and_then(Value::as_str) {
            output.push_str(part);
            output.push('\n');
        }
    }
    Some(CompletedTask {
        task: task.to_owned(),
        failed,
        output,
    })
}

/// A background task's completion as Claude Code announces it in a new turn (a
/// UserPromptSubmit whose prompt is a `<task-notification>`): the task id, whether it
/// failed (`<status>` not `completed`, or a non-zero `(exit code N)` in `<summary>`), and the
/// `<output-file>` holding its output (read by the caller).
pub fn from_notification(prompt: &str) -> Option<(CompletedTask, Option<String>)> {
    let body = tag(prompt, "task-notification")?;
    let task = tag(body, "task-id")?.trim().to_owned();
    let status = tag(body, "status").map(str::trim);
    let summary = tag(body, "summary").unwrap_or("");
    let exit = summary
        .split_once("(exit code ")
        .and_then(|(_, rest)| rest.split(')').next())
        .and_then(|code| code.trim().parse::<i64>().ok());
    let failed = match (status, exit) {
        (Some("running" | "pending"), _) | (None, None) => return None,
        (Some(s), _) if s != "completed" => true,
        (_, Some(code)) => code != 0,
        _ => false,
    };
    let output_file = tag(body, "output-file").map(|f| f.trim().to_owned());
    Some((
        CompletedTask {
            task,
            failed,
            output: String::new(),
        },
        output_file,
    ))
}

/// The text between `<name>` and `</name>`.
fn tag<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text.find(&open)? + open.len();
    let end = start + text[start..].find(&close)?;
    Some(&text[start..end])
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_task_notification_names_the_task_its_status_and_output_file() {
        let prompt = "<task-notification>\n<task-id>bdk7</task-id>\n<output-file>/tmp/t/bdk7.output</output-file>\n<status>completed</status>\n<summary>Background command \"tests\" completed (exit code 0)</summary>\n</task-notification>";
        let (done, file) = from_notification(prompt).unwrap_or_default();
        assert_eq!((done.task.as_str(), done.failed), ("bdk7", false));
        assert_eq!(file.as_deref(), Some("/tmp/t/bdk7.output"));
        let failing = prompt.replace("exit code 0", "exit code 101");
        assert!(from_notification(&failing).is_some_and(|(d, _)| d.failed));
        assert_eq!(from_notification("please run the tests"), None);
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn a_completed_task_with_exit_code_zero_is_read() {
        let response = json!({"retrieval_status": "success", "task": {"task_id": "b7", "status": "completed", "exitCode": 0, "output": "test result: ok. 1 passed; 0 failed;"}});
        let done = completed("TaskOutput", Some(&response)).unwrap_or_default();
        assert_eq!((done.task.as_str(), done.failed), ("b7", false));
        assert!(done.output.contains("1 passed"));
    }

    #[test]
    fn a_running_task_completes_nothing() {
        let response = json!({"task": {"task_id": "b7", "status": "running", "output": ""}});
        assert_eq!(completed("TaskOutput", Some(&response)), None);
    }

    #[test]
    fn a_non_zero_exit_is_a_failure() {
        let response =
            json!({"shellId": "b7", "status": "completed", "exitCode": 101, "stdout": ""});
        assert!(completed("BashOutput", Some(&response)).is_some_and(|d| d.failed));
    }

    #[test]
    fn other_tools_complete_nothing() {
        let response = json!({"task_id": "b7", "status": "completed", "exitCode": 0});
        assert_eq!(completed("Read", Some(&response)), None);
    }
}
