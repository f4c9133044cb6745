use super::*;
use crate::fsview::RealFs;
use crate::shell::{self, ShellContext};
use std::path::PathBuf;

const ROOT: &str = "/work/project-under-test";
const PASSED: &str =
    "test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s";

/// Judges `command` as a `cargo test` / `pytest` / `make test` run that exited 0 (or failed)
/// with `output`.
fn judged(command: &str, failed: bool, output: RunOutput<'_>) -> Evidence {
    let root = PathBuf::from(ROOT);
    let ctx = ShellContext {
        cwd: root.clone(),
        home: Some(PathBuf::from("/home/agent")),
        project_dir: root.clone(),
        fs: &RealFs,
    };
    let analysis = shell::analyse(command, &ctx);
    let tests: Vec<&SimpleCommand> = analysis
        .commands
        .iter()
        .filter(|c| {
            matches!(
                (
                    c.argv.first().map(String::as_str),
                    c.argv.get(1).map(String::as_str)
                ),
                (Some("cargo"), Some("test" | "nextest"))
                    | (Some("pytest"), _)
                    | (Some("make"), Some("test"))
            )
        })
        .collect();
    judge(&analysis, &tests, &root, &root, failed, &output)
}

fn with(text: &str) -> RunOutput<'_> {
    RunOutput {
        text: Some(text),
        ..RunOutput::default()
    }
}

fn is_not_evidence(evidence: &Evidence) -> bool {
    matches!(evidence, Evidence::NotEvidence(_) | Evidence::StatusHidden)
}

macro_rules! not_evidence {
    ($($name:ident: $command:expr, $output:expr;)*) => {$(
        #[test]
        fn $name() {
            let got = judged($command, false, with($output));
            assert!(is_not_evidence(&got), "`{}` must not be evidence, got {got:?}", $command);
        }
    )*};
}

not_evidence! {
    no_run_is_not_a_test_run: "cargo test --no-run", "   Compiling x\n    Finished `test` profile";
    help_is_not_a_test_run: "cargo test --help", "Usage: cargo test [OPTIONS]";
    list_is_not_a_test_run: "cargo test -- --list", "a: test\n\n1 test, 0 benchmarks";
    list_even_with_a_forged_summary: "cargo test -- --list", PASSED;
    filter_matching_nothing_ran_no_test: "cargo test no_such_test", "running 0 tests\n\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 9 filtered out; finished in 0.00s";
    cd_elsewhere_is_not_the_project: "cd /tmp && cargo test", PASSED;
    cd_up_and_out_is_not_the_project: "cd .. && cd other && cargo test", PASSED;
    cd_to_a_variable_is_not_known_to_stay: "cd \"$OTHER\" && cargo test", PASSED;
    manifest_elsewhere_is_not_the_project: "cargo test --manifest-path /tmp/other/Cargo.toml", PASSED;
    manifest_elsewhere_with_equals: "cargo test --manifest-path=../other/Cargo.toml", PASSED;
    env_chdir_elsewhere: "env -C /tmp cargo test", PASSED;
    pytest_of_another_tree: "pytest /tmp/other/tests", "===== 3 passed in 0.01s =====";
    shadowing_function_runs_instead: "cargo() { :; }; cargo test", "";
    shadowing_function_forging_a_summary: "cargo() { echo 'test result: ok. 3 passed; 0 failed;'; }; cargo test", PASSED;
    trap_forging_output: "trap 'echo done' EXIT; cargo test", PASSED;
    echo_forging_a_summary_before_listing: "echo 'test result: ok. 3 passed; 0 failed; 0 ignored'; cargo test --no-run", PASSED;
    sed_rewriting_the_summary: "set -o pipefail; cargo test 2>&1 | sed s/FAILED/ok/", PASSED;
    runner_by_path_may_be_fake: "./cargo test", PASSED;
    swallowed_status: "cargo test || true", PASSED;
    known_runner_with_no_summary: "cargo test", "";
    unknown_runner_after_a_shadowing_function: "make() { :; }; make test", "";
}

#[test]
fn a_passing_libtest_summary_is_evidence() {
    assert_eq!(
        judged("cargo test", false, with(PASSED)),
        Evidence::Passed { tests: 3 }
    );
}

#[test]
fn honest_companions_keep_a_run_evidence() {
    for command in [
        "cargo fmt && cargo test",
        "cd src && cargo test",
        "set -o pipefail; cargo test 2>&1 | tail -20",
        "cargo build && cargo test --manifest-path ./Cargo.toml",
        "timeout 600 cargo test --target-dir /tmp/target",
    ] {
        assert_eq!(
            judged(command, false, with(PASSED)),
            Evidence::Passed { tests: 3 },
            "{command}"
        );
    }
}

#[test]
fn a_failing_summary_or_failure_event_is_a_failure() {
    let failing = "test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s";
    assert_eq!(judged("cargo test", false, with(failing)), Evidence::Failed);
    assert_eq!(judged("cargo test", true, with(failing)), Evidence::Failed);
}

#[test]
fn an_unknown_runner_counts_on_exit_status_alone() {
    assert_eq!(
        judged("make test", false, with("all good")),
        Evidence::PassedByStatus
    );
}

#[test]
fn an_interrupted_run_is_not_evidence() {
    let output = RunOutput {
        text: Some(PASSED),
        interrupted: true,
        background_task: None,
    };
    assert!(is_not_evidence(&judged("cargo test", false, output)));
}

#[test]
fn a_background_run_is_pending_until_its_completion_is_seen() {
    let output = RunOutput {
        text: Some(""),
        interrupted: false,
        background_task: Some("b1x2"),
    };
    assert_eq!(
        judged("cargo test", false, output),
        Evidence::Pending {
            task: "b1x2".into(),
            known_runner: true
        }
    );
}
