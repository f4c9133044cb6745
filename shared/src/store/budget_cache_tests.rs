use super::*;
use crate::budget::Located;

fn old_stamp(ino: u64) -> Stamp {
    Stamp {
        size: 2720,
        mtime_ns: 1_000_000_000_000,
        ctime_ns: 1_000_000_000_000,
        ino,
        dev: 2049,
    }
}

fn key() -> Key {
    Key {
        schema: SCHEMA,
        version: "0.1.0".into(),
        build: Stamp {
            mtime_ns: 500_000_000_000,
            ctime_ns: 500_000_000_000,
            ..old_stamp(7)
        },
        project_root: PathBuf::from("/p"),
        files: vec![
            FileKey {
                kind: LayerKind::User,
                path: PathBuf::from("/home/u/.config/claude-budget/budget.toml"),
                stamp: old_stamp(11),
            },
            FileKey {
                kind: LayerKind::Repo,
                path: PathBuf::from("/p/.claude/budget.toml"),
                stamp: old_stamp(12),
            },
        ],
    }
}

/// Long after every stamp of [`key`].
const LATER: i64 = 2_000_000_000_000;

#[test]
fn an_entry_with_the_same_key_and_old_files_is_trusted() {
    assert_eq!(trust(&key(), LATER, &key()), Trust::Full);
}

/// One way a key can differ.
type Change = fn(&mut Key);

#[test]
fn any_change_of_a_file_or_the_build_makes_the_entry_stale() {
    let changes: [(&str, Change); 13] = [
        ("size", |k| k.files[1].stamp.size += 1),
        ("mtime", |k| k.files[1].stamp.mtime_ns += 1),
        ("ctime", |k| k.files[1].stamp.ctime_ns += 1),
        ("inode", |k| k.files[1].stamp.ino += 1),
        ("device", |k| k.files[0].stamp.dev += 1),
        ("path", |k| k.files[1].path.push("x")),
        ("kind", |k| k.files[0].kind = LayerKind::Managed),
        ("root", |k| k.project_root.push("sub")),
        ("a new layer", |k| k.files.insert(0, k.files[0].clone())),
        ("a layer gone", |k| drop(k.files.remove(0))),
        ("executable", |k| k.build.mtime_ns += 1),
        ("version", |k| k.version = "0.1.1".into()),
        ("schema", |k| k.schema += 1),
    ];
    for (what, change) in changes {
        let mut now = key();
        change(&mut now);
        assert_eq!(trust(&key(), LATER, &now), Trust::Stale, "{what}");
    }
}

#[test]
fn a_file_changed_just_before_the_entry_is_trusted_only_by_its_content() {
    let mut racy = key();
    racy.files[1].stamp.ctime_ns = 1_500_000_000_000;
    let written = racy.files[1].stamp.ctime_ns + RACY_MARGIN_NS - 1;
    assert_eq!(
        trust(&racy, written, &racy),
        Trust::IfContentMatches(vec![1])
    );
    // A future mtime (`touch -d tomorrow`) is a doubt as well.
    let mut future = key();
    future.files[0].stamp.mtime_ns = LATER + 1;
    assert_eq!(
        trust(&future, LATER, &future),
        Trust::IfContentMatches(vec![0])
    );
    assert_eq!(
        trust(
            &key(),
            key().files[0].stamp.ctime_ns + RACY_MARGIN_NS + 1,
            &key()
        ),
        Trust::Full
    );
}

#[test]
fn an_executable_changed_just_before_the_entry_never_trusts_it() {
    let k = key();
    assert_eq!(trust(&k, k.build.ctime_ns + 1, &k), Trust::Stale);
}

#[test]
fn entries_of_other_executables_and_projects_have_other_names() {
    let exe = Path::new("/bin/claude-budget-pre-tool-use");
    let name = entry_name(exe, &key());
    assert!(
        name.starts_with("budget-") && name.ends_with(".bin"),
        "{name}"
    );
    assert_eq!(name, entry_name(exe, &key()), "stable");
    assert_ne!(
        name,
        entry_name(Path::new("/bin/claude-budget-stop"), &key())
    );
    let mut other = key();
    other.project_root = PathBuf::from("/q");
    assert_ne!(name, entry_name(exe, &other));
    // A rebuilt executable of the same name overwrites its own entry.
    let mut rebuilt = key();
    rebuilt.build.size += 1;
    assert_eq!(name, entry_name(exe, &rebuilt));
}

/// The budget read back from an entry is the one loaded from source: same layers, rules,
/// origins, literals and settings (compared through `Debug`, which shows every field).
/// A project whose repo budget is the realistic one plus `extra`.
fn realistic_project(extra: &str) -> (tempfile::TempDir, Located) {
    let dir = tempfile::tempdir().unwrap();
    let claude = dir.path().join(".claude");
    fs::create_dir_all(&claude).unwrap();
    let realistic = include_str!("../../../tests/fixtures/bench/realistic-budget.toml");
    fs::write(claude.join("budget.toml"), format!("{realistic}{extra}")).unwrap();
    let located = Located {
        project_root: dir.path().to_path_buf(),
        repo_budget: Some(claude.join("budget.toml")),
        user_budget: None,
        managed_budgets: Vec::new(),
    };
    (dir, located)
}

/// The budget loaded from source, and the same read back through a cache entry's bytes.
fn from_source_and_cache(located: &Located, task: Option<&str>) -> (Budget, Budget) {
    let from_source = budget::load_with(located, task, &RealFs).unwrap().unwrap();
    let parsed = budget::parse_sources(located, &RealFs).unwrap().unwrap();
    let bytes = postcard::to_stdvec(&parsed).unwrap();
    let back: ParsedBudget = postcard::from_bytes(&bytes).unwrap();
    (from_source, back.into_budget(located, task).unwrap())
}

#[test]
fn a_budget_read_back_from_the_cache_is_the_budget_from_source() {
    let tasks = "\n[tasks.docs]\nedit.allow = [\"docs/**\"]\nrun.deny = [\"re:^make (release|deploy)\"]\n\
                 [mcp.servers.\"{a,b}-*\"]\nread_only = [\"get_[xy]\"]\n";
    let (_dir, located) = realistic_project(tasks);
    for task in [None, Some("docs")] {
        let (from_source, from_cache) = from_source_and_cache(&located, task);
        assert_eq!(
            format!("{from_source:?}"),
            format!("{from_cache:?}"),
            "task {task:?}"
        );
    }
}

#[test]
fn every_run_decision_from_the_cache_is_the_one_from_source() {
    // Rules the lazy lists must not skip: any program (a regex, a glob in the program
    // word), a path as program, and a task that narrows the allow list.
    let extra = "\n[tasks.docs]\nrun.allow = [\"git status\", \"g*t log\"]\n\
                 run.deny = [\"re:^make (release|deploy)\", \"/usr/bin/tee\", \"*sh -c\"]\n";
    let (_dir, located) = realistic_project(extra);
    let commands = [
        "git push origin main",
        "/usr/bin/git push --force",
        "\\git reset --hard",
        "git status",
        "git log --oneline",
        "gxt log",
        "cargo test -p billing",
        "cargo publish",
        "make deploy",
        "make test",
        "aws s3 rb s3://b --force",
        "aws ec2 delete-vpc",
        "bash -c ls",
        "zsh -c ls",
        "tee x",
        "/usr/bin/tee x",
        "rm -rf /",
        "terraform apply",
        "unknown-tool --flag",
        "",
    ];
    for task in [None, Some("docs")] {
        let (from_source, from_cache) = from_source_and_cache(&located, task);
        for command in commands {
            let argv: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
            for (a, b) in from_source.layers.iter().zip(&from_cache.layers) {
                assert_eq!(
                    a.run.decide(&argv),
                    b.run.decide(&argv),
                    "task {task:?}: `{command}`"
                );
                // The index by program never changes which rule meets a command first.
                for run in [&a.run, &b.run] {
                    assert_eq!(
                        run.decide_named(&argv),
                        run.decide_named_unindexed(&argv),
                        "task {task:?}: `{command}`"
                    );
                }
                assert_eq!(a.run.is_test(&argv), b.run.is_test(&argv), "`{command}`");
            }
        }
    }
}

/// The words check that skips packed `[run]` rules before decoding them never skips one
/// that meets: each command is decided by a budget freshly read from the cache (so no rule
/// was decoded by an earlier command) and by the budget from source. The rules under test
/// come first in the file's own deny list (a task's rules are never packed).
#[test]
fn a_packed_run_rule_skipped_by_its_words_is_one_that_could_not_meet() {
    let (dir, located) =
        realistic_project("\n[tasks.ops]\nrun.allow = [\"git status\", \"kubectl get *\"]\n");
    let file = dir.path().join(".claude/budget.toml");
    let text = fs::read_to_string(&file).unwrap();
    let first = "deny = [\"deployctl * prod*\", \"relctl ** ship\", \"psql 'quoted word'\", \
                 \"make a=b\", \"aws ** delete*\", \"git push * --force\", \"scp * user@host:/srv\", \
                 \"kubectl delete ns prod\", \"npm publish --access=public\", \"git clean -f\", ";
    let run = text.find("[run]").unwrap();
    let at = run + text[run..].find("deny = [").unwrap();
    let text = format!("{}{first}{}", &text[..at], &text[at + "deny = [".len()..]);
    assert!(text[run..].contains("relctl"));
    fs::write(&file, text).unwrap();
    let commands = [
        "git status",
        "git push origin main --force",
        "git push -f origin main",
        "git push origin --force",
        "git -C ../x push --force",
        "git reset --hard HEAD",
        "git clean -fd",
        "git clean -n",
        "aws ec2 delete-vpc --vpc-id x",
        "aws s3 ls",
        "kubectl delete ns prod",
        "kubectl delete ns staging",
        "kubectl get pods",
        "npm publish --access=public",
        "npm publish",
        "scp f user@host:/srv",
        "scp f user@host:/tmp",
        "psql 'quoted word'",
        "psql quoted word",
        "make a=b",
        "make a",
        "deployctl push production",
        "deployctl push staging",
        "relctl a b ship",
        "relctl ship",
        "relctl shipit",
        "cargo test -p billing",
        "rm -rf /",
    ];
    for task in [None, Some("ops")] {
        for command in commands {
            let argv: Vec<String> = shlex::split(command).unwrap();
            let (from_source, from_cache) = from_source_and_cache(&located, task);
            for (a, b) in from_source.layers.iter().zip(&from_cache.layers) {
                assert_eq!(
                    a.run.decide(&argv),
                    b.run.decide(&argv),
                    "task {task:?}: `{command}`"
                );
            }
        }
    }
}

/// One call of the spread the cache must decide as the source does.
fn call(tool: &str, input: serde_json::Value) -> crate::protocol::ToolCall {
    crate::protocol::ToolCall::from_parts(tool, &input)
}

/// Decides `call` against `budget` as the hook does (protected dirs, home, branch).
fn decide_in(
    budget: &Budget,
    root: &Path,
    call: &crate::protocol::ToolCall,
) -> crate::decide::Decision {
    let fs = RealFs;
    let ctx = crate::decide::DecideContext {
        cwd: root.to_path_buf(),
        home: Some(root.join("home")),
        nobody_can_answer: false,
        protected_dirs: vec![root.join("state")],
        current_branch: Some("main".into()),
        fs: &fs,
    };
    crate::decide::decide(call, budget, &crate::decide::SessionFacts::default(), &ctx)
}

/// Reads, edits, writes, shell commands, MCP tools and web fetches spread over every section
/// the cache keeps packed (read/edit lists, tasks, stops, high-risk, MCP servers, web hosts).
fn spread_of_calls(root: &Path) -> Vec<crate::protocol::ToolCall> {
    use serde_json::json;
    let at = |rel: &str| root.join(rel).display().to_string();
    let mut calls = Vec::new();
    for rel in [
        "src/lib.rs",
        ".env",
        "secrets/k",
        "a/b/key.pem",
        "docs/x.md",
        "home/.ssh/id_rsa",
        "/etc/passwd",
    ] {
        calls.push(call("Read", json!({ "file_path": at(rel) })));
    }
    for glob in ["*.pem", "**/.env*", "*", "src/**/*.rs"] {
        calls.push(call(
            "Grep",
            json!({ "pattern": "x", "path": at(""), "glob": glob }),
        ));
    }
    for rel in [
        "src/lib.rs",
        "Cargo.toml",
        "migrations/1.sql",
        "db/schema.sql",
        "billing/a.rs",
        "docs/x.md",
        "crates/c7/src/x.rs",
        "vendor/x",
        ".claude/budget.toml",
        "/tmp/outside",
    ] {
        let edit = json!({ "file_path": at(rel), "old_string": "a", "new_string": "b" });
        calls.push(call("Edit", edit));
        calls.push(call(
            "Write",
            json!({ "file_path": at(rel), "content": "x" }),
        ));
    }
    for command in [
        "cargo test -p billing && git status",
        "rm -rf migrations",
        "rm -rf docs",
        "cat .env",
        "echo hi > src/a.rs",
        "cp x db/schema.sql",
        "terraform apply",
        "kubectl apply -f x",
        "make deploy",
        "git push origin main",
        "curl https://example.com",
        "find . -name '*.pem' -delete",
    ] {
        calls.push(call("Bash", json!({ "command": command })));
    }
    for tool in [
        "mcp__github__get_issue",
        "mcp__github__create_pull_request",
        "mcp__github__delete_repo",
        "mcp__a-x__get_x",
        "mcp__a-x__put_x",
        "mcp__slack__post",
    ] {
        calls.push(call(tool, json!({})));
    }
    for url in [
        "https://docs.rs/serde",
        "https://www.rust-lang.org/learn",
        "https://evil.example/x",
    ] {
        calls.push(call("WebFetch", json!({ "url": url, "prompt": "p" })));
    }
    calls.push(call("WebSearch", json!({ "query": "q" })));
    calls
}

/// A task that narrows and adds to every list kind a task can touch.
const TASK_AND_SERVER: &str = "\n[tasks.docs]\nedit.allow = [\"docs/**\", \"src/**\"]\n\
    edit.ask = [\"src/lib.rs\"]\nread.deny = [\"docs/private/**\"]\n\
    run.deny = [\"re:^make (release|deploy)\"]\n\
    stop = [{ edit = [\"docs/frozen/**\"], reason = \"frozen\" }]\n\
    [mcp.servers.\"{a,b}-*\"]\nread_only = [\"get_[xy]\"]\n";

#[test]
fn every_decision_from_the_cache_is_the_one_from_source() {
    let (dir, located) = realistic_project(TASK_AND_SERVER);
    let root = dir.path();
    for rel in ["src", "docs", "migrations", "billing", "secrets", "a/b"] {
        fs::create_dir_all(root.join(rel)).unwrap();
    }
    fs::write(root.join("a/b/key.pem"), "k").unwrap();
    fs::write(root.join(".env"), "k").unwrap();
    let calls = spread_of_calls(root);
    for task in [None, Some("docs")] {
        // A budget read back from the cache per call: each call decodes only what it needs.
        let from_source = budget::load_with(&located, task, &RealFs).unwrap().unwrap();
        let parsed = budget::parse_sources(&located, &RealFs).unwrap().unwrap();
        let bytes = postcard::to_stdvec(&parsed).unwrap();
        for call in &calls {
            let back: ParsedBudget = postcard::from_bytes(&bytes).unwrap();
            let from_cache = back.into_budget(&located, task).unwrap();
            assert_eq!(
                decide_in(&from_source, root, call),
                decide_in(&from_cache, root, call),
                "task {task:?}: {call:?}"
            );
        }
    }
}

/// The realistic budget's entry bytes with the first byte of `text` (inside one packed part)
/// made invalid UTF-8, read back and built: a damaged entry as the hooks would read it.
fn damaged_at(located: &Located, text: &str, task: Option<&str>) -> Result<Budget, BudgetError> {
    damaged(located, text.as_bytes(), 0, task)
}

/// The same with the length of the glob literal `literal` made to run past its glob: the
/// whole packed part of path rules holding it no longer decodes.
fn damaged_glob_at(located: &Located, literal: &str) -> Budget {
    let len = u32::try_from(literal.len()).unwrap().to_le_bytes();
    let needle = [&len[..], literal.as_bytes()].concat();
    damaged(located, &needle, 3, None).unwrap()
}

fn damaged(
    located: &Located,
    needle: &[u8],
    offset: usize,
    task: Option<&str>,
) -> Result<Budget, BudgetError> {
    let parsed = budget::parse_sources(located, &RealFs).unwrap().unwrap();
    let mut bytes = postcard::to_stdvec(&parsed).unwrap();
    let at = (bytes.windows(needle.len()))
        .position(|w| w == needle)
        .unwrap();
    bytes[at + offset] = 0xff;
    let back: ParsedBudget = postcard::from_bytes(&bytes).expect("the outer shape is intact");
    back.into_budget(located, task)
}

fn assert_refused_for_the_cache(decision: &crate::decide::Decision, what: &str) {
    assert_eq!(
        decision.verdict,
        Some(crate::verdict::Verdict::Deny),
        "{what}: {decision:?}"
    );
    assert!(
        decision.reason.contains("claude-budget/cache") && decision.reason.contains("ask the user"),
        "{what}: {}",
        decision.reason
    );
}

#[test]
fn a_damaged_part_of_the_cache_refuses_what_it_could_have_refused_and_allows_nothing() {
    use serde_json::json;
    let (dir, located) = realistic_project("");
    let root = dir.path();
    let at = |rel: &str| root.join(rel).display().to_string();
    // A part of `[edit] deny` whose globs do not decode: every edit is refused, naming the
    // cache; reads and commands without a file operand do not consult it.
    let budget = damaged_glob_at(&located, "migrations");
    let edit = json!({ "file_path": at("src/lib.rs"), "old_string": "a", "new_string": "b" });
    assert_refused_for_the_cache(&decide_in(&budget, root, &call("Edit", edit)), "edit");
    let read = decide_in(
        &budget,
        root,
        &call("Read", json!({ "file_path": at("src/lib.rs") })),
    );
    assert_eq!(
        read.verdict,
        Some(crate::verdict::Verdict::Allow),
        "{read:?}"
    );
    let bash = json!({ "command": "cargo test -p billing && git status" });
    let bash = decide_in(&budget, root, &call("Bash", bash));
    assert_eq!(
        bash.verdict,
        Some(crate::verdict::Verdict::Allow),
        "{bash:?}"
    );
    // One `[edit] deny` rule whose pattern and origin do not decode: the paths its globs
    // meet are refused, naming the cache; the others decide as before.
    let budget = damaged_at(&located, "vendor/**", None).unwrap();
    let edit = json!({ "file_path": at("vendor/x"), "old_string": "a", "new_string": "b" });
    assert_refused_for_the_cache(&decide_in(&budget, root, &call("Edit", edit)), "rule");
    let edit = json!({ "file_path": at("src/lib.rs"), "old_string": "a", "new_string": "b" });
    let decision = decide_in(&budget, root, &call("Edit", edit));
    assert_eq!(
        decision.verdict,
        Some(crate::verdict::Verdict::Allow),
        "{decision:?}"
    );
    // `[edit] allow` (non-erring): a damaged rule or part allows nothing; the default
    // (deny) decides.
    let budget = damaged_at(&located, "crates/c0/src/**", None).unwrap();
    let edit =
        json!({ "file_path": at("crates/c0/src/a.rs"), "old_string": "a", "new_string": "b" });
    let decision = decide_in(&budget, root, &call("Edit", edit));
    assert_eq!(
        decision.verdict,
        Some(crate::verdict::Verdict::Deny),
        "{decision:?}"
    );
    let budget = damaged_glob_at(&located, "crates/c0/src");
    let edit = json!({ "file_path": at("src/lib.rs"), "old_string": "a", "new_string": "b" });
    let decision = decide_in(&budget, root, &call("Edit", edit));
    assert_eq!(
        decision.verdict,
        Some(crate::verdict::Verdict::Deny),
        "{decision:?}"
    );
    // The MCP servers: every MCP tool is refused, naming the cache.
    let budget = damaged_at(&located, "get_pull_request", None).unwrap();
    let mcp = decide_in(&budget, root, &call("mcp__github__get_issue", json!({})));
    assert_refused_for_the_cache(&mcp, "mcp");
    // The web allow list: nothing is allowed by it; `[web] default` (ask) decides.
    let budget = damaged_at(&located, "crates.io", None).unwrap();
    let fetch = json!({ "url": "https://docs.rs/x", "prompt": "p" });
    let fetch = decide_in(&budget, root, &call("WebFetch", fetch));
    assert_eq!(
        fetch.verdict,
        Some(crate::verdict::Verdict::Ask),
        "{fetch:?}"
    );
    // A stop rule's edit globs: every edit meets the stop, naming the cache.
    let budget = damaged_glob_at(&located, "schema.sql");
    let edit = json!({ "file_path": at("docs/x.md"), "old_string": "a", "new_string": "b" });
    assert_refused_for_the_cache(&decide_in(&budget, root, &call("Edit", edit)), "stop edit");
    // A stop rule's damaged rule: the edits its globs meet stop, naming the cache.
    let budget = damaged_at(&located, "**/schema.sql", None).unwrap();
    let edit = json!({ "file_path": at("db/schema.sql"), "old_string": "a", "new_string": "b" });
    assert_refused_for_the_cache(&decide_in(&budget, root, &call("Edit", edit)), "stop rule");
    // A stop rule's commands: the damaged rule meets commands of its program.
    let (dir, located) = realistic_project("\n[[stop]]\nrun = [\"zork frob\"]\nreason = \"z\"\n");
    let budget = damaged_at(&located, "zork frob", None).unwrap();
    let bash = json!({ "command": "zork get x" });
    let bash = decide_in(&budget, dir.path(), &call("Bash", bash));
    assert_refused_for_the_cache(&bash, "stop run");
}

#[test]
fn a_damaged_active_task_refuses_the_budget_and_names_the_cache() {
    use serde_json::json;
    let (dir, located) = realistic_project(TASK_AND_SERVER);
    // The task itself (here its stop's reason) does not decode: the budget is refused.
    let error = damaged_at(&located, "frozen", Some("docs")).unwrap_err();
    let text = error.diagnostics[0].to_string();
    assert!(text.contains("claude-budget/cache"), "{text}");
    // Without the task active, the damaged task is never decoded.
    assert!(damaged_at(&located, "frozen", None).is_ok());
    // One rule of the task's lists does not decode: the paths its globs meet are refused.
    let budget = damaged_at(&located, "docs/private/**", Some("docs")).unwrap();
    let read = json!({ "file_path": dir.path().join("docs/private/x").display().to_string() });
    assert_refused_for_the_cache(&decide_in(&budget, dir.path(), &call("Read", read)), "task");
}

#[test]
fn a_header_is_trusted_only_with_this_calls_key_in_either_form() {
    let entry = Entry {
        path: PathBuf::new(),
        key: key(),
        now_ns: LATER,
    };
    let header_of = |key: Key| Header {
        key,
        written_ns: 5,
        hashes: vec!["a".into(), "b".into()],
        body_len: 3,
    };
    let as_written = serde_json::to_vec(&header_of(key())).unwrap();
    let tail = entry.header_if_same_key(&as_written).expect("as written");
    assert_eq!(
        (tail.written_ns, tail.body_len, tail.hashes.len()),
        (5, 3, 2)
    );
    // The same header with its fields in another order (rewritten by another tool).
    let key_json = serde_json::to_string(&key()).unwrap();
    let reordered =
        format!("{{\"written_ns\":5,\"hashes\":[\"a\",\"b\"],\"body_len\":3,\"key\":{key_json}}}");
    let tail = entry
        .header_if_same_key(reordered.as_bytes())
        .expect("reordered");
    assert_eq!(tail.written_ns, 5);
    // Another key, in either form: not trusted.
    let mut other = key();
    other.files[1].stamp.size += 1;
    let other_json = serde_json::to_string(&other).unwrap();
    assert!(
        entry
            .header_if_same_key(&serde_json::to_vec(&header_of(other)).unwrap())
            .is_none()
    );
    let reordered = reordered.replace(&key_json, &other_json);
    assert!(entry.header_if_same_key(reordered.as_bytes()).is_none());
}
