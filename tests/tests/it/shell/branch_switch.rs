//! Branch switches inside one Bash command (SPEC §4.9): on branch `feature`, with
//! `git checkout`/`git commit` allowed and `main` protected, `git checkout main && git
//! commit` is denied — the commit is decided on the branch it runs on, not the one checked
//! out when the command started.

use super::FakeFs;
use budget_policy::budget::{self, Located};
use budget_policy::decide::{DecideContext, SessionFacts, decide};
use budget_policy::protocol::ToolCall;
use budget_policy::verdict::Verdict;
use std::path::Path;

#[test]
fn commits_and_pushes_are_decided_on_the_branch_the_same_command_switched_to() {
    let located = Located {
        project_root: "/p".into(),
        repo_budget: Some(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus/budgets/branches.toml"),
        ),
        user_budget: None,
        managed_budgets: Vec::new(),
    };
    let budget = match budget::load(&located, None) {
        Ok(Some(budget)) => budget,
        other => panic!("budget: {:?}", other.err().map(|e| e.diagnostics)),
    };
    let fs = FakeFs::project();
    let ctx = DecideContext {
        cwd: "/p".into(),
        home: Some("/home/u".into()),
        nobody_can_answer: false,
        protected_dirs: Vec::new(),
        current_branch: Some("feature".into()),
        fs: &fs,
    };
    let rows: &[(&str, Verdict)] = &[
        ("git commit -m x", Verdict::Allow),
        ("git checkout main", Verdict::Allow),
        ("git checkout main && git commit -m x", Verdict::Deny),
        ("git switch main; git commit -m x", Verdict::Deny),
        ("git switch -c release/2 && git commit -m x", Verdict::Deny),
        ("git checkout main && git push", Verdict::Deny),
        (
            "git checkout main && git push origin feature",
            Verdict::Allow,
        ),
        (
            "git checkout main && git checkout feature && git commit -m x",
            Verdict::Allow,
        ),
        ("git checkout -b topic && git commit -m x", Verdict::Allow),
        ("git checkout \"$B\" && git commit -m x", Verdict::Deny),
        ("git switch - && git commit -m x", Verdict::Deny),
        (
            "echo main | xargs git checkout; git commit -m x",
            Verdict::Deny,
        ),
        (
            "for b in 1 2; do git commit -m x; git checkout main; done",
            Verdict::Deny,
        ),
        (
            "f() { git commit -m x; }; git checkout main && f",
            Verdict::Deny,
        ),
        (
            "git checkout -- src/main.rs && git commit -m x",
            Verdict::Allow,
        ),
    ];
    let mut wrong = Vec::new();
    for (command, want) in rows {
        let call = ToolCall::Bash {
            command: (*command).into(),
        };
        let got = decide(&call, &budget, &SessionFacts::default(), &ctx);
        if got.verdict != Some(*want) {
            wrong.push(format!(
                "{command:?}: want {want:?}, got {:?} ({})",
                got.verdict, got.reason
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
