//! Table tests for `decide`: one row per behaviour, each on a real compiled budget.

use super::*;
use crate::budget::{self, Budget};
use crate::fsview::RealFs;
use crate::protocol::ToolCall;

/// A temp project with `.claude/budget.toml` (and optionally a user budget), compiled.
struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
    budget: Budget,
}

fn fixture_with(repo: &str, user: Option<&str>, task: Option<&str>) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().canonicalize().unwrap();
    let root = base.join("proj");
    let config = base.join("config");
    std::fs::create_dir_all(root.join(".claude")).unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    std::fs::write(root.join(".claude/budget.toml"), repo).unwrap();
    if let Some(user) = user {
        std::fs::create_dir_all(config.join("claude-budget")).unwrap();
        std::fs::write(config.join("claude-budget/budget.toml"), user).unwrap();
    }
    let located = budget::locate(&root, Some(&root), Some(&config), &crate::fsview::RealFs);
    let budget = budget::load(&located, task)
        .unwrap_or_else(|e| panic!("budget does not load: {:?}", e.diagnostics))
        .expect("no budget found");
    Fixture {
        _dir: dir,
        root,
        budget,
    }
}

fn fixture(repo: &str) -> Fixture {
    fixture_with(repo, None, None)
}

impl Fixture {
    fn decide_with(&self, call: ToolCall, facts: &SessionFacts, nobody: bool) -> Decision {
        let fs = RealFs;
        let ctx = DecideContext {
            cwd: self.root.clone(),
            home: Some(self.root.join("home")),
            nobody_can_answer: nobody,
            protected_dirs: vec![self.root.join("state")],
            current_branch: merge::current_branch(&self.root, &fs),
            fs: &fs,
        };
        decide(&call, &self.budget, facts, &ctx)
    }
    fn decide(&self, call: ToolCall) -> Decision {
        self.decide_with(call, &SessionFacts::default(), false)
    }
    fn path(&self, rel: &str) -> String {
        self.root.join(rel).display().to_string()
    }
    fn edit(&self, rel: &str) -> ToolCall {
        ToolCall::Edit {
            tool: "Edit".into(),
            path: Some(self.path(rel)),
        }
    }
    fn read(&self, rel: &str) -> ToolCall {
        ToolCall::Read {
            tool: "Read".into(),
            path: Some(self.path(rel)),
            glob: None,
        }
    }
}

fn bash(cmd: &str) -> ToolCall {
    ToolCall::Bash {
        command: cmd.into(),
    }
}

fn verdict(d: &Decision) -> Option<Verdict> {
    d.verdict
}

const SECTIONS: &str = r#"
version = 1
[read]
allow = ["**"]
deny = [".env", "secrets/**"]
[edit]
allow = ["src/**"]
ask = ["Cargo.toml"]
deny = ["src/generated/**"]
default = "deny"
outside_project = "deny"
[run]
allow = ["cargo test", "ls"]
ask = ["git commit"]
deny = ["git push", "sudo"]
default = "ask"
[mcp]
default = "deny"
[mcp.servers.github]
owner = "platform-team"
read_only = ["get_*"]
write = ["create_pull_request"]
[mcp.servers.jira]
owner = "pm-team"
read_only = ["get_*"]
enabled = false
[web]
allow = ["docs.rs"]
default = "ask"
search = "deny"
"#;

#[test]
fn the_kill_switch_names_the_servers_owner() {
    let f = fixture(SECTIONS);
    let d = f.decide(ToolCall::Mcp {
        server: "jira".into(),
        tool: "get_issue".into(),
    });
    assert!(d.reason.contains("pm-team"), "{}", d.reason);
}

#[test]
fn an_empty_budget_asks_only_about_what_it_cannot_analyse() {
    let f = fixture("");
    assert_eq!(f.decide(bash("ls")).verdict, None);
    assert_eq!(f.decide(f.edit("src/x.rs")).verdict, None);
    assert_eq!(f.decide(bash("$cmd x")).verdict, Some(Verdict::Ask));
    assert_eq!(
        f.decide(f.edit(".claude/budget.toml")).code,
        Code::SelfProtection
    );
}

#[test]
fn ask_becomes_deny_when_no_human_can_answer() {
    let f = fixture(SECTIONS);
    let d = f.decide_with(f.edit("Cargo.toml"), &SessionFacts::default(), true);
    assert_eq!(
        (d.verdict, d.code),
        (Some(Verdict::Deny), Code::ApprovalNeeded)
    );
    let d = f.decide_with(f.edit("src/lib.rs"), &SessionFacts::default(), true);
    assert_eq!(d.verdict, Some(Verdict::Allow));
}

#[test]
fn self_protection_covers_the_enforcement_files_and_persistence() {
    let f = fixture("version = 1\n[edit]\nallow = [\"**\"]\n");
    for rel in [
        ".claude/budget.toml",
        ".claude/settings.json",
        ".claude/settings.local.json",
        ".claude/budget-tests/case.toml",
        ".git/hooks/pre-commit",
        ".git/config",
        "state/x.json",
        "home/.bashrc",
        "home/.zshrc",
    ] {
        let d = f.decide(f.edit(rel));
        assert_eq!(d.code, Code::SelfProtection, "{rel}: {}", d.reason);
    }
    assert_eq!(
        f.decide(f.read(".claude/budget.toml")).verdict,
        None,
        "reading the budget is fine"
    );
    assert_eq!(f.decide(f.edit("src/x.rs")).verdict, Some(Verdict::Allow));
}

#[test]
fn layers_combine_to_the_most_restrictive_and_abstain_when_silent() {
    let user = "version = 1\n[run]\ndeny = [\"curl\"]\n";
    let repo = "version = 1\n[run]\nallow = [\"curl\", \"ls\"]\n";
    let f = fixture_with(repo, Some(user), None);
    assert_eq!(
        f.decide(bash("curl x")).verdict,
        Some(Verdict::Deny),
        "repo cannot loosen user"
    );
    assert_eq!(
        f.decide(bash("ls")).verdict,
        Some(Verdict::Allow),
        "user layer abstains"
    );
}

#[test]
fn a_task_narrows_the_allow_lists_and_adds_stops() {
    let repo = r#"
version = 1
[edit]
allow = ["src/**", "billing/**"]
[tasks.invoice-export]
edit.allow = ["billing/export/**"]
stop = [{ edit = ["billing/**/schema.*"], reason = "Schema change: stop." }]
"#;
    let f = fixture_with(repo, None, Some("invoice-export"));
    assert_eq!(
        f.decide(f.edit("billing/export/a.rs")).verdict,
        Some(Verdict::Allow)
    );
    assert_eq!(
        f.decide(f.edit("src/lib.rs")).verdict,
        None,
        "base allow replaced"
    );
    let d = f.decide(f.edit("billing/export/schema.sql"));
    assert_eq!((d.verdict, d.code), (Some(Verdict::Deny), Code::StopRule));
    assert_eq!(d.stop_reason.as_deref(), Some("Schema change: stop."));
}

#[test]
fn a_task_cannot_widen_what_the_base_allows() {
    let repo = r#"
version = 1
[edit]
allow = ["src/**"]
default = "deny"
[run]
allow = ["cargo test"]
default = "deny"
[tasks.wide]
edit.allow = ["**"]
run.allow = ["terraform", "cargo test"]
"#;
    let f = fixture_with(repo, None, Some("wide"));
    assert_eq!(f.decide(f.edit("src/a.rs")).verdict, Some(Verdict::Allow));
    let d = f.decide(f.edit("deploy/prod.tf"));
    assert_eq!(
        d.verdict,
        Some(Verdict::Deny),
        "base default still applies: {}",
        d.reason
    );
    assert_eq!(
        f.decide(bash("cargo test -p x")).verdict,
        Some(Verdict::Allow)
    );
    let d = f.decide(bash("terraform apply"));
    assert_eq!(
        d.verdict,
        Some(Verdict::Deny),
        "not in the base allow list: {}",
        d.reason
    );
}

#[test]
fn a_stop_rule_beats_an_allow_and_a_stopped_run_refuses_everything() {
    let repo = r#"
version = 1
[run]
allow = ["terraform"]
[[stop]]
run = ["terraform apply"]
reason = "Deploying is outside this budget."
"#;
    let f = fixture(repo);
    let d = f.decide(bash("terraform -chdir=infra apply -auto-approve"));
    assert_eq!(d.code, Code::StopRule, "{}", d.reason);
    assert_eq!(
        d.stop_reason.as_deref(),
        Some("Deploying is outside this budget.")
    );
    let facts = SessionFacts {
        stopped: Some(StopFact {
            reason: "Deploying is outside this budget.".into(),
            origin: "x".into(),
        }),
        ..SessionFacts::default()
    };
    let d = f.decide_with(bash("terraform plan"), &facts, false);
    assert_eq!((d.verdict, d.code), (Some(Verdict::Deny), Code::StopRule));
    assert!(d.reason.contains("outside this budget"));
}

#[test]
fn a_high_risk_edit_needs_a_complete_rollback_note_which_may_always_be_written() {
    let repo = r#"
version = 1
[edit]
allow = ["billing/**"]
default = "ask"
[evidence]
high_risk = ["billing/**"]
rollback_fields = ["Change", "Undo path"]
"#;
    let f = fixture(repo);
    let d = f.decide(f.edit("billing/invoice.rs"));
    assert_eq!(d.code, Code::RollbackNoteMissing);
    assert!(
        d.reason.contains("## Undo path"),
        "shows the template: {}",
        d.reason
    );
    let d = f.decide(f.edit(".claude/rollback.md"));
    assert_eq!(
        d.verdict,
        Some(Verdict::Allow),
        "the note may be written: {}",
        d.reason
    );
    std::fs::write(
        f.root.join(".claude/rollback.md"),
        "## Change\nx\n## Undo path\nrevert\n",
    )
    .unwrap();
    assert_eq!(
        f.decide(f.edit("billing/invoice.rs")).verdict,
        Some(Verdict::Allow)
    );
}

#[test]
fn pushes_to_protected_branches_and_moves_of_them_are_denied() {
    let repo = r#"
version = 1
[run]
allow = ["git"]
[merge]
protected_branches = ["main", "release/*"]
pr_merge = "deny"
"#;
    let f = fixture(repo); // HEAD is on main
    for cmd in [
        "git push origin main",
        "git push origin +HEAD:release/2",
        "git push",
        "git commit -m x",
        "git -C . rebase dev",
        "gh pr merge 12",
    ] {
        let d = f.decide(bash(cmd));
        assert_eq!(d.verdict, Some(Verdict::Deny), "{cmd}: {}", d.reason);
    }
    assert_eq!(
        f.decide(bash("git push origin feature")).verdict,
        Some(Verdict::Allow)
    );
    assert_eq!(f.decide(bash("git status")).verdict, Some(Verdict::Allow));
}

#[test]
fn denial_messages_say_what_which_rule_and_what_instead() {
    let f = fixture(SECTIONS);
    let d = f.decide(bash("git push origin main"));
    assert!(
        d.reason.contains("git push origin main"),
        "what: {}",
        d.reason
    );
    assert!(
        d.reason.contains(".claude/budget.toml:"),
        "which rule: {}",
        d.reason
    );
    assert!(d.reason.contains("ask the user"), "instead: {}", d.reason);
}

/// Rollback-note layering, self-protection reach and wording rows.
#[path = "exemptions_reach_wording_tests.rs"]
mod exemptions_reach_wording;

/// `[spend]` and `[retry]` limits.
#[path = "limits_tests.rs"]
mod limits;

/// Each section on its own kind of call.
#[path = "sections_tests.rs"]
mod sections;
