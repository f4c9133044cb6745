//! The hooks' standard streams as the process found them: a reader of stderr that has gone
//! away must not end a call before it is decided (a hook ended by a signal lets the call
//! through in Claude Code).

use super::fail_closed::PRE;
use budget_tests::{TempProject, stdout_json};
use serde_json::json;
use std::io::Write;
use std::process::Stdio;

#[test]
fn a_pre_tool_use_hook_whose_stderr_reader_has_gone_still_decides() {
    let p = TempProject::new()
        .budget("version = 1\n[run]\nallow = [\"echo\"]\ndeny = [\"git push\"]\n");
    // The hook writes its deadline note to stderr before it decides; every write to this
    // pipe fails, as it would if Claude Code had stopped reading.
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut child = p
        .command(PRE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(writer))
        .spawn()
        .expect("spawn the hook");
    let input = p.pre_tool_use("Bash", json!({"command": "git push origin main"}));
    child
        .stdin
        .take()
        .expect("stdin piped")
        .write_all(input.to_string().as_bytes())
        .expect("write the input");
    let out = child.wait_with_output().expect("wait for the hook");
    assert_eq!(
        out.status.code(),
        Some(0),
        "the hook answered and exited 0 (not ended by SIGPIPE): {:?}",
        out.status
    );
    let reply = stdout_json(&out).expect("a JSON reply on stdout");
    assert_eq!(reply["hookSpecificOutput"]["permissionDecision"], "deny");
}
