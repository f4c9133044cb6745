//! Integration tests: budget files as `claude-budget check` reports them. The diagnostics
//! are what users read, so their exact text is snapshot-tested.

use budget_policy::budget::{Severity, check_file};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/budgets")
        .join(name)
}

/// The diagnostics of one fixture, one per line, as `check` prints them.
fn check(name: &str) -> String {
    let diagnostics = check_file(&fixture(name), &format!("budgets/{name}"));
    diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_spec_example_budget_has_no_diagnostics() {
    assert_eq!(check("spec-example.toml"), "");
}

#[test]
fn an_empty_budget_is_valid() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("budget.toml");
    std::fs::write(&path, "").expect("write");
    assert!(check_file(&path, "budget.toml").is_empty());
}

#[test]
fn a_missing_file_is_one_error() {
    let diagnostics = check_file(&fixture("does-not-exist.toml"), "nope.toml");
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].severity, Severity::Error);
}

#[test]
fn syntax_error_points_at_the_broken_line() {
    insta::assert_snapshot!(check("syntax-error.toml"));
}

#[test]
fn unknown_key_suggests_the_closest_valid_key() {
    insta::assert_snapshot!(check("unknown-key.toml"));
}

#[test]
fn wrong_type_names_the_expected_type() {
    insta::assert_snapshot!(check("wrong-type.toml"));
}

#[test]
fn bad_glob_quotes_the_pattern() {
    insta::assert_snapshot!(check("bad-glob.toml"));
}

#[test]
fn bad_regex_is_reported_for_run_rules_and_redactions() {
    insta::assert_snapshot!(check("bad-regex.toml"));
}

#[test]
fn bad_verdict_lists_the_valid_words() {
    insta::assert_snapshot!(check("bad-verdict.toml"));
}

#[test]
fn unknown_pack_suggests_a_built_in_one() {
    insta::assert_snapshot!(check("unknown-pack.toml"));
}

#[test]
fn every_problem_of_a_file_is_reported_in_file_order() {
    insta::assert_snapshot!(check("several-errors.toml"));
}
