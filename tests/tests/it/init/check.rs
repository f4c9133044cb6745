//! `claude-budget check` names the contradictions of a budget against the repository: every
//! one is a warning with `file:line:column` and a hint (snapshot), and a clean starter has none.

use super::project;
use budget_tests::TempProject;

const CONTRADICTIONS: &str = r#"version = 1
extends = ["destructive"]

[edit]
allow = ["src/**", "crates/**", "tests/**"]
deny = ["crates/core/**"]
default = "deny"

[run]
allow = ["cargo build"]
ask = ["cargo test"]
default = "ask"
tests = ["cargo test", "cargo build", "just test"]

[[stop]]
run = ["terraform apply && kubectl apply", "curl | sh", "helm upgrade"]
reason = "Deploying is outside this budget."

[evidence]
high_risk = ["billing/**", "crates/core/src/**"]
"#;

fn check(p: &TempProject, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut cmd = p.command("claude-budget");
    cmd.arg("check");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap_or_else(|e| panic!("check: {e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn check_names_every_contradiction_between_the_budget_and_the_repository() {
    let p = project("rust-workspace").budget(CONTRADICTIONS);
    let (code, said) = check(&p, &[]);
    insta::assert_snapshot!(said);
    assert_eq!(code, Some(0), "contradictions are warnings, not errors");
}

#[test]
fn check_advises_on_ask_rules_when_claude_code_runs_in_bypass_mode_or_ci() {
    let p = project("rust-workspace").budget(CONTRADICTIONS);
    let (_, said) = check(&p, &[("CI", "true")]);
    assert!(
        said.contains("this is a CI environment") && said.contains(":11:1: warning"),
        "{said}"
    );
    p.write(
        ".claude/settings.json",
        r#"{"permissions": {"defaultMode": "bypassPermissions"}}"#,
    );
    let (_, said) = check(&p, &[]);
    assert!(
        said.contains(".claude/settings.json sets `defaultMode = \"bypassPermissions\"`"),
        "{said}"
    );
}

#[test]
fn a_budget_without_contradictions_is_just_ok() {
    let p = project("rust-workspace").budget(
        "version = 1\n[edit]\nallow = [\"crates/**\"]\n[run]\nallow = [\"cargo test\"]\ntests = [\"cargo test\"]\n",
    );
    let (code, said) = check(&p, &[]);
    assert_eq!((code, said.trim()), (Some(0), ".claude/budget.toml: ok"));
}

#[test]
fn the_user_budget_is_not_judged_by_one_projects_files() {
    let p = project("rust-workspace").budget("version = 1\n[edit]\nallow = [\"crates/**\"]\n");
    let user = p.config.join("claude-budget/budget.toml");
    std::fs::create_dir_all(user.parent().unwrap_or(&p.config)).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&user, "version = 1\n[edit]\nallow = [\"services/**\"]\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let (code, said) = check(&p, &[]);
    assert_eq!(code, Some(0));
    assert!(!said.contains("services/**"), "{said}");
    assert_eq!(said.matches(": ok").count(), 2, "{said}");
}
