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
