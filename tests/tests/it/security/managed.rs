//! The managed layer (`$CLAUDE_BUDGET_MANAGED_DIR/budget.toml`, `/etc/claude-budget` by
//! default) decides beside the user and repo budgets: the most restrictive answer wins, so an
//! organisation's floor can be tightened by a repository but never loosened.

use budget_tests::{TempProject, stdout_json};
use serde_json::{Value, json};

const PRE: &str = "claude-budget-pre-tool-use";

/// The verdict the pre-tool-use hook gives, `none` for no opinion, and the reason.
fn verdict(p: &TempProject, tool: &str, input: Value) -> (String, String) {
    let out = p.run_hook(PRE, &p.pre_tool_use(tool, input));
    let Some(reply) = stdout_json(&out) else {
        return ("none".into(), String::new());
    };
    let hso = &reply["hookSpecificOutput"];
    (
        hso["permissionDecision"].as_str().unwrap_or("none").into(),
        hso["permissionDecisionReason"]
            .as_str()
            .unwrap_or_default()
            .into(),
    )
}

fn project(managed: &str, repo: Option<&str>) -> TempProject {
    let p = TempProject::new();
    std::fs::write(p.managed.join("budget.toml"), managed)
        .unwrap_or_else(|e| panic!("write managed: {e}"));
    match repo {
        Some(repo) => p.budget(repo),
        None => p,
    }
}

/// One row: the managed budget, the repo budget, a call, the verdict a user sees.
macro_rules! layered {
    ($name:ident, managed: $managed:expr, repo: $repo:expr, $tool:expr, $input:expr => $want:expr) => {
        #[test]
        fn $name() {
            let p = project($managed, $repo);
            let (got, reason) = verdict(&p, $tool, $input);
            assert_eq!(got, $want, "reason: {reason}");
        }
    };
}

// The managed layer tightens: its deny or ask wins over a repo allow.
layered!(managed_deny_beats_a_repo_allow,
    managed: "[run]\ndeny = [\"curl\"]\n", repo: Some("[run]\nallow = [\"curl\", \"ls\"]\n"),
    "Bash", json!({"command": "curl https://example.com"}) => "deny");
layered!(managed_ask_beats_a_repo_allow,
    managed: "[edit]\nask = [\"billing/**\"]\n", repo: Some("[edit]\nallow = [\"**\"]\n"),
    "Edit", json!({"file_path": "billing/a.rs", "old_string": "a", "new_string": "b"}) => "ask");
layered!(managed_read_deny_holds_with_no_repo_budget,
    managed: "[read]\ndeny = [\"**/.env*\"]\n", repo: None,
    "Read", json!({"file_path": ".env"}) => "deny");
layered!(managed_web_deny_beats_a_repo_allow,
    managed: "[web]\ndeny = [\"pastebin.com\"]\n", repo: Some("[web]\nallow = [\"*\"]\n"),
    "WebFetch", json!({"url": "https://pastebin.com/x", "prompt": "p"}) => "deny");
layered!(managed_pack_applies_under_a_permissive_repo,
    managed: "extends = [\"destructive\"]\n", repo: Some("[run]\ndefault = \"allow\"\n"),
    "Bash", json!({"command": "git reset --hard HEAD~3"}) => "deny");

// A repo cannot loosen it: a repo allow never overrides a managed deny/ask, and the repo
// may still tighten further.
layered!(a_repo_allow_cannot_loosen_a_managed_default_deny,
    managed: "[run]\ndefault = \"deny\"\nallow = [\"cargo test\"]\n", repo: Some("[run]\nallow = [\"rm\"]\n"),
    "Bash", json!({"command": "rm notes.txt"}) => "deny");
layered!(a_repo_may_tighten_what_the_managed_layer_allows,
    managed: "[run]\nallow = [\"cargo test\", \"ls\"]\n", repo: Some("[run]\ndeny = [\"ls\"]\n"),
    "Bash", json!({"command": "ls"}) => "deny");
layered!(where_both_allow_the_call_is_allowed,
    managed: "[run]\nallow = [\"cargo test\"]\n", repo: Some("[run]\nallow = [\"cargo test\"]\n"),
    "Bash", json!({"command": "cargo test"}) => "allow");
layered!(a_silent_managed_layer_abstains,
    managed: "[web]\ndeny = [\"pastebin.com\"]\n", repo: Some("[run]\nallow = [\"ls\"]\n"),
    "Bash", json!({"command": "ls"}) => "allow");
#[test]
fn an_mcp_kill_switch_in_the_managed_file_denies_for_every_project() {
    let managed = "[mcp.servers.\"acme-crm\"]\nenabled = false\nowner = \"security@acme\"\n";
    let repo_allows =
        "[mcp]\ndefault = \"allow\"\n[mcp.servers.\"acme-crm\"]\nread_only = [\"*\"]\n";
    for repo in [Some(repo_allows), None] {
        let p = project(managed, repo);
        let (got, reason) = verdict(&p, "mcp__acme-crm__list_customers", json!({}));
        assert_eq!(got, "deny", "repo {repo:?}: {reason}");
        assert!(
            reason.contains("enabled = false"),
            "names the rule: {reason}"
        );
        assert!(
            reason.contains(&p.managed.display().to_string()),
            "names the managed file: {reason}"
        );
    }
}

#[test]
fn the_agent_may_not_edit_the_managed_budget_even_where_the_repo_allows_every_edit() {
    let p = project(
        "",
        Some("[edit]\ndefault = \"allow\"\noutside_project = \"allow\"\n"),
    );
    let file = p.managed.join("budget.toml");
    let (got, reason) = verdict(&p, "Write", json!({"file_path": file, "content": ""}));
    assert_eq!(got, "deny", "{reason}");
    let command = format!("echo '' > {}", file.display());
    let (got, reason) = verdict(&p, "Bash", json!({ "command": command }));
    assert_eq!(got, "deny", "{reason}");
    let command = format!("rm -rf {}", p.managed.display());
    let (got, reason) = verdict(&p, "Bash", json!({ "command": command }));
    assert_eq!(got, "deny", "{reason}");
}

#[test]
fn managed_record_settings_win_over_the_repo() {
    let p = project(
        "[record]\ndir = \".claude/org-runs\"\nretain_days = 30\n",
        Some("[record]\ndir = \".claude/runs\"\nretain_days = 400\n"),
    );
    let _ = verdict(&p, "Read", json!({"file_path": "README.md"}));
    assert!(
        p.root.join(".claude/org-runs").is_dir(),
        "records go where the managed layer says"
    );
    assert!(!p.root.join(".claude/runs").exists());
    let out = p
        .command("claude-budget")
        .args(["status", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("status: {e}"));
    let status: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(status["retention"]["retain_days"], 30, "{status}");
}

#[test]
fn status_and_touchmap_show_every_layer_with_its_hash() {
    let p = project(
        "[run]\ndeny = [\"curl\"]\n",
        Some("[run]\nallow = [\"ls\"]\n"),
    );
    let status = p
        .command("claude-budget")
        .arg("status")
        .output()
        .unwrap_or_else(|e| panic!("status: {e}"));
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.contains("managed layer, sha256 "), "{text}");
    assert!(text.contains("repo layer, sha256 "), "{text}");
    let touchmap = p
        .command("claude-budget")
        .arg("touchmap")
        .output()
        .unwrap_or_else(|e| panic!("touchmap: {e}"));
    let text = String::from_utf8_lossy(&touchmap.stdout);
    assert!(text.contains("Layers in force: managed + repo"), "{text}");
    assert!(text.contains("(managed layer, sha256 "), "{text}");
    assert!(text.contains("`curl`"), "{text}");
}
