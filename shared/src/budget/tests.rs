//! Loading whole budgets: the SPEC §4 example, MCP, merge, stops, evidence, tasks, layering.

use super::*;
use crate::fsview::RealFs;

const SPEC_EXAMPLE: &str = include_str!("../../../tests/fixtures/budgets/spec-example.toml");

struct Project {
    _dir: tempfile::TempDir,
    root: PathBuf,
    config: PathBuf,
}

fn project(repo: Option<&str>, user: Option<&str>) -> Project {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = dir.path().canonicalize().expect("canon");
    let (root, config) = (base.join("proj"), base.join("config"));
    std::fs::create_dir_all(root.join(".git")).expect("mkdir");
    std::fs::create_dir_all(root.join("sub/deeper")).expect("mkdir");
    std::fs::create_dir_all(config.join("claude-budget")).expect("mkdir");
    if let Some(text) = repo {
        std::fs::create_dir_all(root.join(".claude")).expect("mkdir");
        std::fs::write(root.join(".claude/budget.toml"), text).expect("write");
    }
    if let Some(text) = user {
        std::fs::write(config.join("claude-budget/budget.toml"), text).expect("write");
    }
    Project {
        _dir: dir,
        root,
        config,
    }
}

fn load_in(p: &Project, task: Option<&str>) -> Result<Option<Budget>, BudgetError> {
    load(
        &locate(
            &p.root.join("sub/deeper"),
            None,
            Some(&p.config),
            &crate::fsview::RealFs,
        ),
        task,
    )
}

fn repo_layer(text: &str, task: Option<&str>) -> (Project, Layer) {
    let p = project(Some(text), None);
    let budget = load_in(&p, task)
        .unwrap_or_else(|e| {
            panic!(
                "{}",
                e.diagnostics
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        })
        .expect("no budget");
    let layer = budget.layers.into_iter().next().expect("no layer");
    (p, layer)
}

fn words(command: &str) -> Vec<String> {
    shlex::split(command).unwrap_or_default()
}

fn verdict_of(hit: Option<Hit>) -> Option<Verdict> {
    hit.map(|h| h.verdict)
}

#[test]
fn the_spec_example_loads_with_every_section_compiled() {
    let (p, layer) = repo_layer(SPEC_EXAMPLE, None);
    let ctx = PathContext {
        project_root: &p.root,
        home: None,
        fs: &RealFs,
    };
    assert_eq!(layer.display, ".claude/budget.toml");
    assert_eq!(layer.packs, ["destructive", "secrets"]);
    assert_eq!(
        verdict_of(layer.edit.decide(&p.root.join("migrations/1.sql"), &ctx)),
        Some(Verdict::Deny)
    );
    assert_eq!(
        verdict_of(layer.run.decide(&words("cargo test -p x"))),
        Some(Verdict::Allow)
    );
    let reset = layer
        .run
        .decide(&words("git reset --hard HEAD~1"))
        .expect("no hit");
    assert_eq!(reset.origin, Origin::pack("destructive", "git-reset-hard"));
    assert_eq!(
        verdict_of(layer.mcp.decide("github", "create_pull_request")),
        Some(Verdict::Ask)
    );
    assert_eq!(verdict_of(layer.web.decide_search()), Some(Verdict::Allow));
    assert_eq!(layer.spend.max_usd, Some(10.0));
    assert_eq!(layer.spend.max_tokens, Some(5_000_000));
    assert_eq!(layer.retry.stop_blocks, Some(3));
    assert_eq!(
        layer.merge.protected("release/2.0").map(|p| p.0.as_str()),
        Some("release/*")
    );
    assert!(layer.merge.protected("feature/x").is_none());
    assert_eq!(layer.stops.len(), 2);
    assert!(layer.stops[0].matches_edit(&p.root.join("db/schema.sql"), &ctx));
    assert!(layer.stops[1].matches_command(&words("kubectl -n prod apply -f x")));
    assert!(layer.evidence.tests_after_edit);
    assert!(
        layer
            .evidence
            .high_risk(&p.root.join("billing/a.rs"), &ctx)
            .is_some()
    );
    assert_eq!(layer.record.redact.len(), 1);
    assert!(layer.run.is_test(&words("cargo nextest run -p x")));
    assert!(!layer.run.is_test(&words("cargo build")));
}

#[test]
fn an_empty_file_decides_nothing_but_unparsed() {
    let (p, layer) = repo_layer("", None);
    let ctx = PathContext {
        project_root: &p.root,
        home: None,
        fs: &RealFs,
    };
    assert_eq!(layer.read.decide(&p.root.join("src/a"), &ctx), None);
    assert_eq!(layer.run.decide(&words("rm -rf x")), None);
    assert_eq!(layer.mcp.decide("github", "x"), None);
    assert_eq!(layer.web.decide_host("docs.rs"), None);
    assert_eq!(layer.run.unparsed().verdict, Verdict::Ask);
    assert_eq!(layer.evidence.rollback_note, ".claude/rollback.md");
    assert_eq!(layer.evidence.rollback_fields.len(), 6);
}

#[test]
fn mcp_rules_decide_as_documented() {
    let text = r#"
[mcp]
default = "deny"
[mcp.servers."plugin_*_github"]
owner = "platform"
read_only = ["get_*"]
write = ["create_*"]
unlisted = "ask"
[mcp.servers.gmail]
owner = "it"
enabled = false
[mcp.servers.docs]
read_only = ["search"]
write = ["publish"]
write_decision = "deny"
"#;
    let (_p, layer) = repo_layer(text, None);
    let rows: &[(&str, &str, Option<Verdict>, &str)] = &[
        (
            "plugin_acme_github",
            "get_issue",
            Some(Verdict::Allow),
            "get_*",
        ),
        (
            "plugin_acme_github",
            "create_issue",
            Some(Verdict::Ask),
            "create_*",
        ),
        (
            "plugin_acme_github",
            "delete_repo",
            Some(Verdict::Ask),
            "unlisted",
        ),
        ("gmail", "search", Some(Verdict::Deny), "enabled = false"),
        ("docs", "publish", Some(Verdict::Deny), "publish"),
        ("docs", "other", Some(Verdict::Deny), "default"),
        ("slack", "post", Some(Verdict::Deny), "default"),
    ];
    for (server, tool, verdict, rule) in rows {
        let hit = layer.mcp.decide(server, tool);
        assert_eq!(hit.as_ref().map(|h| h.verdict), *verdict, "{server}/{tool}");
        assert_eq!(
            hit.map(|h| h.rule).as_deref(),
            Some(*rule),
            "{server}/{tool}"
        );
    }
    assert_eq!(
        layer.mcp.server("gmail").and_then(|s| s.owner),
        Some("it".into())
    );
    assert_eq!(layer.mcp.servers().len(), 3);
}

const TASKS: &str = r#"
[edit]
allow = ["src/**", "docs/**"]
deny = ["migrations/**"]
[run]
allow = ["cargo test", "cargo build"]
[tasks.narrow]
edit.allow = ["src/billing/**"]
edit.deny = ["src/billing/secret.rs"]
run.ask = ["cargo build"]
stop = [{ run = ["terraform apply"], reason = "deploying is out of scope" }]
"#;

#[test]
fn a_task_replaces_allow_lists_and_adds_deny_ask_and_stops() {
    let (p, base) = repo_layer(TASKS, None);
    let (_q, task) = repo_layer(TASKS, Some("narrow"));
    let ctx = PathContext {
        project_root: &p.root,
        home: None,
        fs: &RealFs,
    };
    let at = |rel: &str| p.root.join(rel);
    let rows: &[(&str, Option<Verdict>, Option<Verdict>)] = &[
        ("docs/a.md", Some(Verdict::Allow), None),
        (
            "src/billing/a.rs",
            Some(Verdict::Allow),
            Some(Verdict::Allow),
        ),
        (
            "src/billing/secret.rs",
            Some(Verdict::Allow),
            Some(Verdict::Deny),
        ),
        ("migrations/1.sql", Some(Verdict::Deny), Some(Verdict::Deny)),
    ];
    for (path, in_base, in_task) in rows {
        assert_eq!(
            verdict_of(base.edit.decide(&at(path), &ctx)),
            *in_base,
            "base {path}"
        );
        assert_eq!(
            verdict_of(task.edit.decide(&at(path), &ctx)),
            *in_task,
            "task {path}"
        );
    }
    assert_eq!(
        verdict_of(task.run.decide(&words("cargo build"))),
        Some(Verdict::Ask)
    );
    assert_eq!(
        verdict_of(task.run.decide(&words("cargo test"))),
        Some(Verdict::Allow)
    );
    assert_eq!((base.stops.len(), task.stops.len()), (0, 1));
}

#[test]
fn an_unknown_task_is_an_error_naming_the_known_ones() {
    let p = project(Some(TASKS), None);
    let Err(error) = load_in(&p, Some("wide")) else {
        panic!("an unknown task loaded")
    };
    let text = error.diagnostics[0].to_string();
    assert!(
        text.contains("unknown task `wide`") && text.contains("`narrow`"),
        "{text}"
    );
}

#[test]
fn layering_finds_both_budgets_and_orders_user_first() {
    let p = project(
        Some("[run]\ndeny = [\"sudo\"]\n"),
        Some("[run]\nallow = [\"sudo\"]\n"),
    );
    let located = locate(
        &p.root.join("sub/deeper"),
        None,
        Some(&p.config),
        &crate::fsview::RealFs,
    );
    assert_eq!(located.project_root, p.root);
    let budget = load(&located, None).ok().flatten().expect("no budget");
    let kinds: Vec<LayerKind> = budget.layers.iter().map(|l| l.kind).collect();
    assert_eq!(kinds, [LayerKind::User, LayerKind::Repo]);
    assert!(
        budget.layers[0]
            .display
            .ends_with("claude-budget/budget.toml")
    );
    assert_eq!(
        verdict_of(budget.layers[1].run.decide(&words("sudo ls"))),
        Some(Verdict::Deny)
    );
}

#[test]
fn locate_stops_at_the_git_root_and_honours_the_project_dir() {
    let none = project(None, None);
    let located = locate(
        &none.root.join("sub/deeper"),
        None,
        Some(&none.config),
        &crate::fsview::RealFs,
    );
    assert_eq!(
        (
            located.project_root.clone(),
            located.repo_budget,
            located.user_budget
        ),
        (none.root.clone(), None, None)
    );
    assert!(
        load(
            &locate(&none.root, None, Some(&none.config), &crate::fsview::RealFs),
            None
        )
        .ok()
        .flatten()
        .is_none()
    );
    let given = locate(
        &none.root,
        Some(&none.root.join("sub")),
        Some(&none.config),
        &crate::fsview::RealFs,
    );
    assert_eq!(given.project_root, none.root.join("sub"));
}

#[test]
fn retry_and_spend_limits_point_at_the_line_of_their_key_not_the_section_header() {
    let text = "version = 1\n[retry]\nfailures = 9\nsame_command_failures = 3\n[spend]\nmax_minutes = 5\nmax_usd = 2.5\n";
    let (_p, layer) = repo_layer(text, None);
    let line = |o: Option<&Origin>| match o {
        Some(Origin::File { line, .. }) => *line,
        other => panic!("not a file origin: {other:?}"),
    };
    assert_eq!(line(layer.retry.origin_of("same_command_failures")), 4);
    assert_eq!(line(layer.retry.origin_of("failures")), 3);
    assert_eq!(line(layer.spend.origin_of("max_usd")), 7);
    // A key that was not written falls back to the section header.
    assert_eq!(line(layer.retry.origin_of("same_file_edits")), 2);
}

#[test]
fn a_run_rule_the_cache_cannot_decode_refuses_what_it_could_have_met_and_allows_nothing() {
    let damaged = |texts: &[&str]| rule_list::with_first_damaged(texts);
    let run = RunRules {
        deny: damaged(&["git push", "curl"]),
        allow: damaged(&["git status", "cargo test"]),
        ..RunRules::default()
    };
    let hit = run.decide(&words("git status")).unwrap();
    assert_eq!(hit.verdict, Verdict::Deny, "{hit:?}");
    assert_eq!(hit.origin, Origin::builtin("budget-cache"));
    assert!(hit.rule.contains("ask the user"), "{}", hit.rule);
    // Rules that decoded still decide their own commands.
    assert_eq!(
        verdict_of(run.decide(&words("curl x"))),
        Some(Verdict::Deny)
    );
    assert_eq!(
        verdict_of(run.decide(&words("cargo test"))),
        Some(Verdict::Allow)
    );
    // The damaged allow rule allows nothing: `git log` falls to no rule at all.
    let only_allow = RunRules {
        allow: damaged(&["git log", "cargo test"]),
        ..RunRules::default()
    };
    assert_eq!(only_allow.decide(&words("git log")), None);
}
