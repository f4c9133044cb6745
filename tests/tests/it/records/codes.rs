//! Every decision code, derived from the one `Code` enum, with one message of each as the
//! agent reads it — snapshotted, so a changed code string or wording shows up in review.

use super::stable;
use budget_policy::decide::SessionFacts;
use budget_policy::env::Env;
use budget_policy::events::context::{self, CallSite};
use budget_policy::events::{Outcome, pre};
use budget_policy::protocol::ToolCall;
use budget_policy::session::FailureFact;
use budget_policy::verdict::Code;
use budget_tests::TempProject;
use serde_json::{Value, json};
use std::collections::BTreeMap;

const BUDGET: &str = r#"version = 1
extends = ["destructive", "secrets", "deploy"]
[read]
allow = ["**"]
deny = [".env"]
[edit]
allow = ["src/**", "billing/**"]
ask = ["Cargo.toml"]
default = "deny"
[run]
allow = ["cargo test", "cargo build", "git status"]
ask = ["cargo add"]
deny = ["sudo"]
unparsed = "ask"
[mcp]
default = "deny"
[mcp.servers.github]
read_only = ["get_issue"]
write = ["create_pull_request"]
write_decision = "ask"
unlisted = "deny"
[web]
allow = ["docs.rs"]
deny = ["evil.example"]
default = "ask"
[spend]
max_tool_calls = 100
[retry]
same_command_failures = 3
[merge]
push = "deny"
[[stop]]
edit = ["migrations/**"]
reason = "The fix needs a schema change. Stop and ask for a new approval."
[evidence]
high_risk = ["billing/**"]
rollback_note = ".claude/rollback.md"
"#;

/// Codes no outcome produces yet: reserved for the tripwire (issue: tripwires).
const RESERVED: [Code; 3] = [Code::TamperDetected, Code::SecretExposed, Code::GateOff];

#[test]
fn every_code_and_one_message_of_each() {
    let project = TempProject::new().budget(BUDGET);
    let env = Env {
        project_dir: Some(project.root.clone()),
        config_dir: Some(project.config.clone()),
        data_dir: Some(project.data.clone()),
        home: Some(project.home.clone()),
        ..Env::default()
    };
    let budget = context::load(&env, &context::locate_from(&env, &project.root))
        .unwrap()
        .unwrap();
    let path = |rel: &str| project.root.join(rel).display().to_string();
    let failed_build = SessionFacts {
        failures: [(
            "cargo build".to_owned(),
            FailureFact {
                count: 3,
                last_error_line: "error[E0308]: mismatched types".into(),
                ..FailureFact::default()
            },
        )]
        .into(),
        ..SessionFacts::default()
    };
    let spent = SessionFacts {
        tool_calls: 100,
        ..SessionFacts::default()
    };
    let fresh = SessionFacts::default();
    let rows: Vec<(&str, Value, &SessionFacts, Option<&str>)> = vec![
        ("Bash", json!({"command": "cargo test"}), &fresh, None),
        ("TodoWrite", json!({}), &fresh, None),
        ("Read", json!({"file_path": path(".env")}), &fresh, None),
        (
            "Edit",
            json!({"file_path": path("Cargo.toml")}),
            &fresh,
            None,
        ),
        ("Bash", json!({"command": "sudo ls"}), &fresh, None),
        ("Bash", json!({"command": "cargo add serde"}), &fresh, None),
        ("Bash", json!({"command": "eval \"$CMD\""}), &fresh, None),
        ("mcp__github__delete_repo", json!({}), &fresh, None),
        ("mcp__github__create_pull_request", json!({}), &fresh, None),
        (
            "WebFetch",
            json!({"url": "https://evil.example/x"}),
            &fresh,
            None,
        ),
        (
            "WebFetch",
            json!({"url": "https://example.com/x"}),
            &fresh,
            None,
        ),
        (
            "Bash",
            json!({"command": "git push origin main"}),
            &fresh,
            None,
        ),
        ("Bash", json!({"command": "git status"}), &spent, None),
        (
            "Bash",
            json!({"command": "cargo build"}),
            &failed_build,
            None,
        ),
        (
            "Edit",
            json!({"file_path": path("migrations/001.sql")}),
            &fresh,
            None,
        ),
        (
            "Edit",
            json!({"file_path": path("billing/rates.rs")}),
            &fresh,
            None,
        ),
        (
            "Edit",
            json!({"file_path": path(".claude/budget.toml")}),
            &fresh,
            None,
        ),
        (
            "Bash",
            json!({"command": "cargo add serde"}),
            &fresh,
            Some("bypassPermissions"),
        ),
    ];
    let mut messages: BTreeMap<&str, String> = BTreeMap::new();
    for (tool, input, facts, mode) in &rows {
        let call = ToolCall::from_parts(tool, input);
        let site = CallSite {
            cwd: Some(&project.root),
            permission_mode: *mode,
        };
        let decision = context::decide_call(&call, &budget, facts, &env, site);
        let verdict = decision.verdict.map_or("none", |v| v.as_str());
        messages
            .entry(decision.code.as_str())
            .or_insert_with(|| format!("{verdict}: {}", decision.reason));
    }
    let outcome_text = |o: Outcome| o.stderr.unwrap_or_default();
    messages.insert(
        Code::HookInternalError.as_str(),
        format!(
            "deny: {}",
            outcome_text(Outcome::internal_failure(
                "the hook input on stdin was empty (expected Claude Code's JSON)"
            ))
        ),
    );
    project.write(".claude/budget.toml", "version = 1\n[read]\nallow = 3\n");
    let err = match context::load(&env, &context::locate_from(&env, &project.root)) {
        Err(err) => err,
        Ok(_) => panic!("an invalid budget loaded"),
    };
    messages.insert(
        Code::BudgetInvalid.as_str(),
        format!("deny: {}", outcome_text(pre::invalid_budget(&err))),
    );
    let mut listing = String::new();
    for code in Code::ALL {
        let message = match messages.get(code.as_str()) {
            Some(message) => message.clone(),
            None if RESERVED.contains(&code) => "(reserved: no outcome produces it yet)".into(),
            None => panic!("no row produces `{code}`: add one"),
        };
        listing.push_str(&format!("{code}\n    {message}\n"));
    }
    insta::assert_snapshot!(stable(&listing, &project.root));
}
