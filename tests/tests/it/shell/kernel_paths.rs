//! Issue 9, classes 1 and 2 beyond the corpus: tool paths resolved as the kernel does, files
//! protected for what they are (reached through a symlinked `.claude`), and the property
//! that a symlink anywhere in a path never turns a denied file into an allowed one.

use super::FakeFs;
use budget_policy::budget::{self, Located};
use budget_policy::decide::{DecideContext, SessionFacts, decide};
use budget_policy::fsview::FsView;
use budget_policy::protocol::ToolCall;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn strict() -> budget::Budget {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus/budgets");
    let located = Located {
        project_root: "/p".into(),
        repo_budget: Some(dir.join("strict.toml")),
        user_budget: None,
        managed_budgets: Vec::new(),
    };
    match budget::load(&located, None) {
        Ok(Some(budget)) => budget,
        Ok(None) => panic!("strict budget did not load"),
        Err(e) => panic!("strict budget: {:?}", e.diagnostics),
    }
}

fn verdict(call: &ToolCall, budget: &budget::Budget, fs: &dyn FsView) -> String {
    let ctx = DecideContext {
        cwd: "/p".into(),
        home: Some("/home/u".into()),
        nobody_can_answer: false,
        protected_dirs: Vec::new(),
        current_branch: None,
        fs,
    };
    let decision = decide(call, budget, &SessionFacts::default(), &ctx);
    decision
        .verdict
        .map_or("no opinion", |v| v.as_str())
        .to_owned()
}

fn tool(name: &str, input: &str) -> ToolCall {
    let input: serde_json::Value =
        serde_json::from_str(input).unwrap_or_else(|e| panic!("{input}: {e}"));
    ToolCall::from_parts(name, &input)
}

#[test]
fn tool_paths_through_a_symlink_and_dot_dot_meet_the_rule_of_the_file_opened() {
    let fs = FakeFs::project();
    let budget = strict();
    let rows = [
        ("Read", r#"{"file_path":"src/config/../.env"}"#, "deny"),
        ("Read", r#"{"file_path":"/p/src/config/../.env"}"#, "deny"),
        (
            "Grep",
            r#"{"pattern":"K","path":"src/config/../.env"}"#,
            "deny",
        ),
        (
            "Read",
            r#"{"file_path":"src/config/app.toml"}"#,
            "no opinion",
        ),
        (
            "Write",
            r#"{"file_path":"src/config/../.claude/settings.json","content":"{}"}"#,
            "deny",
        ),
        (
            "Write",
            r#"{"file_path":"src/config/../src/new.rs","content":"x"}"#,
            "allow",
        ),
        ("Read", r#"{"file_path":"/proc/self/environ"}"#, "ask"),
        ("Read", r#"{"file_path":"/dev/fd/../environ"}"#, "ask"),
        // `/proc/self/cwd` is the call's own directory: the file there decides.
        ("Read", r#"{"file_path":"/proc/self/cwd/x"}"#, "no opinion"),
        ("Read", r#"{"file_path":"/proc/self/cwd/.env"}"#, "deny"),
        ("Read", r#"{"file_path":"/proc/cpuinfo"}"#, "allow"),
    ];
    let mut failures = Vec::new();
    for (name, input, want) in rows {
        let got = verdict(&tool(name, input), &budget, &fs);
        if got != want {
            failures.push(format!("{name} {input}: expected {want}, got {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn settings_and_budget_tests_are_protected_through_a_symlinked_claude_folder() {
    // The project's `.claude` is a link to `/srv/claude`: the files there are the
    // project's settings and replay cases, whatever path reaches them.
    let fs = FakeFs::new(&[
        "/p/src/main.rs",
        "/srv/claude/settings.json",
        "/srv/claude/budget-tests/case.toml",
        "/srv/claude/notes.md",
    ])
    .with_link("/p/.claude", "/srv/claude");
    let budget = strict();
    let bash = |command: &str| ToolCall::Bash {
        command: command.into(),
    };
    let rows = [
        (bash("echo '{}' > /srv/claude/settings.json"), "deny"),
        (bash("rm -rf /srv/claude/budget-tests"), "deny"),
        (bash("echo x > /srv/claude/budget-tests/case.toml"), "deny"),
        (
            tool(
                "Write",
                r#"{"file_path":"/srv/claude/settings.json","content":"{}"}"#,
            ),
            "deny",
        ),
        (bash("cat /srv/claude/notes.md"), "allow"),
    ];
    let mut failures = Vec::new();
    for (call, want) in rows {
        let got = verdict(&call, &budget, &fs);
        if got != want {
            failures.push(format!("{call:?}: expected {want}, got {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The property test's tree: links into, out of and around the project.
fn linked_tree() -> FakeFs {
    FakeFs::project()
        .with_link("/p/cfg/up", "/p")
        .with_link("/srv/deep/back", "/p/src")
        .with_link("/p/src/dot", "/p/.claude")
}

const PARTS: &[&str] = &[
    "src", "config", "cfg", "up", "out", "back", "dot", "..", ".", "deep", "srv", ".claude",
];

fn path_strategy() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(prop::sample::select(PARTS), 0..7),
        prop::sample::select(&[".env", "settings.json", "k.pem", "main.rs"][..]),
    )
        .prop_map(|(absolute, parts, last)| {
            let mut text = if absolute {
                "/p/".to_owned()
            } else {
                String::new()
            };
            for part in parts {
                text.push_str(part);
                text.push('/');
            }
            text.push_str(last);
            text
        })
}

/// What the kernel opens for `path` from `/p`: the resolved folder plus the last name.
fn opened(fs: &FakeFs, path: &str) -> Option<PathBuf> {
    let full = Path::new("/p").join(path);
    let parent = fs.canonicalize(full.parent()?)?;
    Some(parent.join(full.file_name()?))
}

/// The property for one path: when the file the kernel opens is denied, no spelling of
/// its path is allowed.
fn check_path(path: &str) -> Result<(), String> {
    let fs = linked_tree();
    let budget = strict();
    let Some(target) = opened(&fs, path) else {
        // The kernel fails on a missing folder: nothing is opened.
        return Ok(());
    };
    let mut calls = Vec::new();
    if [Path::new("/p/.env"), Path::new("/p/secrets/k.pem")].contains(&target.as_path()) {
        calls.push(ToolCall::Bash {
            command: format!("cat {path}"),
        });
        calls.push(tool(
            "Read",
            &serde_json::json!({ "file_path": path }).to_string(),
        ));
    }
    if target == Path::new("/p/.claude/settings.json") {
        calls.push(ToolCall::Bash {
            command: format!("echo '{{}}' > {path}"),
        });
        calls.push(tool(
            "Write",
            &serde_json::json!({ "file_path": path, "content": "{}" }).to_string(),
        ));
    }
    for call in calls {
        let got = verdict(&call, &budget, &fs);
        if got == "allow" || got == "no opinion" {
            return Err(format!("{call:?} opens {} and got {got}", target.display()));
        }
    }
    Ok(())
}

#[test]
fn known_symlinked_spellings_of_denied_files_are_refused() {
    for path in [
        "src/config/../.env",
        "src/config/../secrets/k.pem",
        "out/back/../.env",
        "cfg/up/src/config/../.claude/settings.json",
        "src/dot/settings.json",
        "src/dot/../.env",
        "out/../../p/.env",
    ] {
        if let Err(problem) = check_path(path) {
            panic!("{path}: {problem}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn a_symlink_anywhere_in_a_path_never_makes_a_denied_file_allowed(path in path_strategy()) {
        prop_assert!(check_path(&path).is_ok(), "{}", check_path(&path).err().unwrap_or_default());
    }
}
