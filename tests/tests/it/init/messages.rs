//! Denials that help the agent move on (SPEC §9): an edit denial names what is editable, a
//! refused file viewer points to the Read tool, "Allowed instead" names each command once,
//! and `rm -rf ~` is refused as the recursive delete it is.

use super::{init, project};
use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};

fn reason(p: &TempProject, tool: &str, input: Value) -> (String, String) {
    let out = p.run_hook("claude-budget-pre-tool-use", &p.pre_tool_use(tool, input));
    let reply = stdout_json(&out).unwrap_or_else(|| panic!("no reply"));
    let output = &reply["hookSpecificOutput"];
    (
        output["permissionDecision"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        output["permissionDecisionReason"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

#[test]
fn an_edit_denial_names_the_paths_that_are_editable() {
    let p = project("rust-workspace");
    init(&p);
    let (decision, why) = reason(
        &p,
        "Edit",
        json!({"file_path": p.root.join(".github/workflows/ci.yml"), "old_string": "a", "new_string": "b"}),
    );
    assert_eq!(decision, "deny");
    assert!(
        why.contains("Editable here: `crates/**`") && why.contains("`.claude/scratch/**`"),
        "{why}"
    );
}

#[test]
fn a_refused_head_or_sed_points_to_the_read_tool_and_hints_name_each_command_once() {
    let p = project("rust-workspace").budget(
        "version = 1\n[run]\nallow = [\"cargo test\", \"cargo fmt\", \"re:^cargo fetch$\"]\n\
         tests = [\"cargo test\"]\ndefault = \"ask\"\n",
    );
    for command in [
        "head -5 crates/core/src/lib.rs",
        "sed -n 1,5p crates/core/src/lib.rs",
    ] {
        let (decision, why) = reason(&p, "Bash", json!({"command": command}));
        assert_eq!(decision, "ask", "{command}");
        assert!(why.contains("use the Read tool"), "{command}: {why}");
    }
    let (_, why) = reason(&p, "Bash", json!({"command": "cargo build"}));
    assert!(
        why.contains("Allowed instead: `cargo test`, `cargo fmt`.") && !why.contains("re:"),
        "each allowed command once, no regex rules: {why}"
    );
}

#[test]
fn rm_rf_home_is_refused_as_a_recursive_delete_not_as_a_shell_start_up_file() {
    let p = project("rust-workspace");
    init(&p);
    p.write("../home/.bashrc", "");
    let (decision, why) = reason(&p, "Bash", json!({"command": "rm -rf ~"}));
    assert_eq!(decision, "deny");
    assert!(why.contains("recursive-delete"), "{why}");
    assert!(!why.contains("start-up file"), "{why}");
}

#[test]
fn session_start_names_the_scratch_area_when_the_budget_lets_the_agent_write_there() {
    let start = |p: &TempProject| {
        let out = p.run_hook(
            "claude-budget-session",
            &json!({"session_id": "s", "cwd": p.root, "hook_event_name": "SessionStart", "source": "startup"}),
        );
        let reply = stdout_json(&out).unwrap_or_else(|| panic!("no reply"));
        reply["hookSpecificOutput"]["additionalContext"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let p = project("python-src");
    init(&p);
    let context = start(&p);
    assert!(
        context.contains("go in `.claude/scratch/`, not /tmp"),
        "{context}"
    );
    let closed = project("python-src")
        .budget("version = 1\n[edit]\nallow = [\"src/**\"]\ndefault = \"deny\"\n");
    assert!(
        !start(&closed).contains(".claude/scratch"),
        "not named where it cannot be written"
    );
}
