//! Whole-command tests of what one command tells about the others: whose exit status
//! decides the whole command's, and which branch each runs on.

use crate::fsview::FsView;
use crate::shell::{BranchContext, ShellContext, analyse};
use std::path::{Path, PathBuf};

/// A file system with only `/p/README.md`.
struct OneFile;

impl FsView for OneFile {
    fn exists(&self, path: &Path) -> bool {
        path == Path::new("/p/README.md") || path == Path::new("/p")
    }
    fn is_dir(&self, path: &Path) -> bool {
        path == Path::new("/p")
    }
    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        Some(path.to_path_buf())
    }
    fn read_small(&self, _: &Path, _: u64) -> Option<String> {
        None
    }
    fn list_dir(&self, _: &Path) -> Option<Vec<String>> {
        None
    }
}

fn context() -> ShellContext<'static> {
    ShellContext {
        cwd: "/p".into(),
        home: Some("/home/u".into()),
        project_dir: "/p".into(),
        fs: &OneFile,
    }
}

/// Whether the `cargo test` run of `command` decides the whole status.
fn test_run_decides(command: &str) -> bool {
    let analysis = analyse(command, &context());
    let runs: Vec<bool> = analysis
        .commands
        .iter()
        .filter(|c| c.argv.starts_with(&["cargo".to_owned(), "test".to_owned()]))
        .map(|c| c.status_decides)
        .collect();
    assert!(!runs.is_empty(), "{command}: no test run in {analysis:?}");
    runs.iter().all(|d| *d)
}

#[test]
fn a_test_run_decides_the_status_only_when_its_failure_would_show() {
    let rows: &[(&str, bool)] = &[
        ("cargo test", true),
        ("cargo fmt && cargo test", true),
        ("cargo test && echo ok", true),
        ("cargo build && cargo test && cargo clippy", true),
        ("timeout 600 cargo test", true),
        ("env RUST_LOG=info cargo test", true),
        ("RUST_BACKTRACE=1 cargo test", true),
        ("(cargo test)", true),
        ("{ cargo fmt; cargo test; }", true),
        ("set -o pipefail; cargo test 2>&1 | tail -5", true),
        ("set -e; cargo test; echo done", true),
        (
            "set -euo pipefail\ncargo test | tee log.txt\necho done",
            true,
        ),
        ("cargo test || true", false),
        ("cargo test | tail", false),
        ("cargo test 2>&1 | tail -20", false),
        ("cargo test; echo done", false),
        ("! cargo test", false),
        ("cargo test &", false),
        ("cargo test && echo ok || echo failed", false),
        ("true || cargo test", false),
        ("false || cargo test && echo ok", false),
        ("set -e; cargo test && echo x; echo done", false),
        ("if cargo test; then echo ok; fi", false),
        ("for i in 1; do cargo test; done", false),
        ("echo $(cargo test)", false),
        ("bash -c 'cargo test'", false),
        ("echo . | xargs cargo test", false),
        ("find . -name x -exec cargo test \\;", false),
        ("(cargo test) || true", false),
        ("set -o pipefail; set +o pipefail; cargo test | tail", false),
    ];
    for (command, want) in rows {
        assert_eq!(test_run_decides(command), *want, "{command}");
    }
}

/// The branch context of the first command whose argv starts with `prefix`.
fn branch_of(command: &str, prefix: &str) -> Option<BranchContext> {
    let analysis = analyse(command, &context());
    let found = analysis
        .commands
        .iter()
        .find(|c| c.argv.join(" ").starts_with(prefix));
    match found {
        Some(c) => c.git_branch.clone(),
        None => panic!("{command}: no `{prefix}` in {analysis:?}"),
    }
}

#[test]
fn commands_after_a_switch_run_on_the_branch_switched_to() {
    let main = Some(BranchContext::Known("main".into()));
    let unknown = Some(BranchContext::Unknown);
    let rows: &[(&str, Option<BranchContext>)] = &[
        ("git commit -m x", None),
        ("git checkout main && git commit -m x", main.clone()),
        ("git switch main; git commit -m x", main.clone()),
        ("git checkout -b main && git commit -m x", main.clone()),
        ("(git checkout main); git commit -m x", main.clone()),
        ("echo $(git switch main) && git commit -m x", main.clone()),
        ("git checkout \"$B\" && git commit -m x", unknown.clone()),
        ("git switch - && git commit -m x", unknown.clone()),
        ("git checkout README.md && git commit -m x", unknown.clone()),
        (
            "echo main | xargs git checkout && git commit -m x",
            unknown.clone(),
        ),
        ("git checkout -- src && git commit -m x", None),
        (
            "for i in 1 2; do git commit -m x; git checkout main; done",
            unknown.clone(),
        ),
        ("f() { git commit -m x; }; git checkout main; f", unknown),
        (
            "git checkout main && git checkout feature && git commit -m x",
            { Some(BranchContext::Known("feature".into())) },
        ),
    ];
    for (command, want) in rows {
        assert_eq!(branch_of(command, "git commit"), *want, "{command}");
    }
}
