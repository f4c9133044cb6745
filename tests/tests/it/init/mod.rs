//! `claude-budget init` on fixture repositories of five layouts (tests/fixtures/init/): the
//! starter it writes (snapshots), the friction of an ordinary session under it, and what
//! `check` says about contradictions.

mod check;
mod friction;
mod messages;

use budget_tests::TempProject;
use std::path::Path;

/// The fixture layouts: a Rust workspace, a Python src-layout package, an npm library with
/// `lib/` and `test/`, a Go module with its package at the root, a Rust+Python monorepo.
pub(crate) const LAYOUTS: &[&str] = &[
    "rust-workspace",
    "python-src",
    "npm-lib",
    "go-root",
    "rust-python",
];

fn fixtures() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/init"))
}

fn copy_tree(from: &Path, to: &Path) {
    let entries = std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    for entry in entries.flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap_or_else(|e| panic!("mkdir: {e}"));
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("copy: {e}"));
        }
    }
}

/// A throw-away copy of one fixture layout, on branch `main`, without a budget yet.
pub(crate) fn project(layout: &str) -> TempProject {
    let p = TempProject::new();
    copy_tree(&fixtures().join(layout), &p.root);
    p.write(".git/HEAD", "ref: refs/heads/main\n");
    p
}

/// Runs `claude-budget init` in the project and returns the budget it wrote.
pub(crate) fn init(p: &TempProject) -> String {
    let out = p
        .command("claude-budget")
        .arg("init")
        .output()
        .unwrap_or_else(|e| panic!("init: {e}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(p.root.join(".claude/budget.toml"))
        .unwrap_or_else(|e| panic!("read budget: {e}"))
}

/// The sections a reviewer checks in a starter: edit areas, run rules, test commands, hosts.
fn essentials(budget: &str) -> String {
    let value: toml::Table = budget.parse().unwrap_or_else(|e| panic!("toml: {e}"));
    let pick = |section: &str, key: &str| {
        let list = value
            .get(section)
            .and_then(|s| s.get(key))
            .and_then(toml::Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(toml::Value::as_str)
                    .collect::<Vec<_>>()
                    .join("  ")
            })
            .unwrap_or_default();
        format!("[{section}] {key}: {list}\n")
    };
    [
        pick("edit", "allow"),
        pick("edit", "ask"),
        pick("run", "tests"),
        pick("run", "allow"),
        pick("web", "allow"),
    ]
    .concat()
}

macro_rules! starter_snapshots {
    ($($name:ident: $layout:expr,)*) => {$(
        #[test]
        fn $name() {
            let p = project($layout);
            let budget = init(&p);
            insta::assert_snapshot!(essentials(&budget));
            let check = p
                .command("claude-budget")
                .arg("check")
                .output()
                .unwrap_or_else(|e| panic!("check: {e}"));
            let said = String::from_utf8_lossy(&check.stdout);
            assert_eq!(said.trim(), ".claude/budget.toml: ok", "the starter has no contradictions");
            assert!(p.root.join(".claude/scratch/.gitignore").is_file(), "scratch area made");
        }
    )*};
}

starter_snapshots! {
    init_for_a_rust_workspace_edits_the_member_crates_and_runs_ci_commands: "rust-workspace",
    init_for_a_python_src_layout_edits_src_and_tests_and_runs_pytest_ruff_tox: "python-src",
    init_for_an_npm_library_edits_lib_and_test_and_runs_its_scripts: "npm-lib",
    init_for_a_go_module_edits_the_root_package_and_runs_make_targets: "go-root",
    init_for_a_rust_python_monorepo_gets_both_ecosystems: "rust-python",
}
