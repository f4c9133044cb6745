//! The adversarial corpus (`tests/fixtures/corpus/*.toml`): every bypass class of
//! peers.md §(c) and benign look-alikes, as data. Each case states the decision it expects
//! under a named budget and, so the analysis itself is pinned, what the analysis must
//! contain (commands, effects, hosts, unanalysable parts, pack hits).

use super::{FakeFs, context};
use budget_policy::budget::{self, Budget, Located};
use budget_policy::decide::{DecideContext, SessionFacts, decide};
use budget_policy::packs::pack_hits;
use budget_policy::protocol::ToolCall;
use budget_policy::shell::{Analysis, EffectKind, analyse};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CorpusFile {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    class: String,
    command: String,
    expect: String,
    budget: String,
    why: String,
    #[serde(default)]
    commands: Vec<String>,
    #[serde(default)]
    no_commands: Vec<String>,
    #[serde(default)]
    effects: Vec<String>,
    #[serde(default)]
    hosts: Vec<String>,
    unanalysable: Option<bool>,
    pack: Option<String>,
    #[serde(default)]
    no_pack: bool,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus")
}

fn load() -> Vec<(String, Case)> {
    let mut cases = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for path in files {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file: CorpusFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        cases.extend(file.case.into_iter().map(|c| (name.clone(), c)));
    }
    cases
}

fn effect_label(kind: EffectKind) -> &'static str {
    match kind {
        EffectKind::Read => "read",
        EffectKind::Write => "write",
        EffectKind::Delete { recursive: false } => "delete",
        EffectKind::Delete { recursive: true } => "delete-r",
    }
}

/// Everything wrong with one case's analysis, in words.
fn check(case: &Case, analysis: &Analysis, hits: &[String]) -> Vec<String> {
    let mut problems = Vec::new();
    let argvs: Vec<String> = analysis.commands.iter().map(|c| c.argv.join(" ")).collect();
    for want in &case.commands {
        if !argvs.iter().any(|a| a.starts_with(want.as_str())) {
            problems.push(format!("missing command `{want}`"));
        }
    }
    for name in &case.no_commands {
        if analysis
            .commands
            .iter()
            .any(|c| c.argv.first() == Some(name))
        {
            problems.push(format!("data ran as command `{name}`"));
        }
    }
    let effects: Vec<String> = analysis
        .effects
        .iter()
        .map(|e| format!("{}:{}", effect_label(e.kind), e.path.display()))
        .collect();
    for want in &case.effects {
        if !effects.contains(want) {
            problems.push(format!("missing effect `{want}`"));
        }
    }
    let hosts: Vec<&str> = analysis.network.iter().map(|n| n.host.as_str()).collect();
    for want in &case.hosts {
        if !hosts.contains(&want.as_str()) {
            problems.push(format!("missing host `{want}`"));
        }
    }
    if let Some(want) = case.unanalysable
        && want == analysis.unanalysable.is_empty()
    {
        problems.push(format!("unanalysable expected {want}"));
    }
    if let Some(pack) = &case.pack
        && !hits.contains(pack)
    {
        problems.push(format!("missing pack hit `{pack}`"));
    }
    if case.no_pack && !hits.is_empty() {
        problems.push("unexpected pack hit".into());
    }
    problems
}

#[test]
fn every_corpus_case_keeps_its_commands_effects_and_pack_hits() {
    let fs = FakeFs::project();
    let ctx = context(&fs);
    let cases = load();
    let mut failures = Vec::new();
    for (file, case) in &cases {
        let analysis = analyse(&case.command, &ctx);
        let hits: Vec<String> = ["destructive", "secrets", "deploy"]
            .iter()
            .flat_map(|pack| {
                pack_hits(pack, &analysis, &ctx)
                    .into_iter()
                    .map(move |h| format!("{pack}/{}", h.id))
            })
            .collect();
        let problems = check(case, &analysis, &hits);
        if !problems.is_empty() {
            let shown: String = case.command.chars().take(120).collect();
            failures.push(format!(
                "{file} [{}] {shown:?} (expect {}, {}): {}\n    got commands {:?}\n    effects {:?}\n    unanalysable {:?}\n    packs {hits:?}",
                case.class,
                case.expect,
                case.why,
                problems.join("; "),
                analysis.commands.iter().map(|c| c.argv.join(" ")).collect::<Vec<_>>(),
                analysis.effects.iter().map(|e| format!("{}:{}", effect_label(e.kind), e.path.display())).collect::<Vec<_>>(),
                analysis.unanalysable.iter().map(|u| u.reason.as_str()).collect::<Vec<_>>(),
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn the_corpus_covers_every_class_with_enough_cases() {
    let cases = load();
    let mut per_class: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, case) in &cases {
        *per_class.entry(case.class.as_str()).or_default() += 1;
        let asserts = !case.commands.is_empty()
            || !case.no_commands.is_empty()
            || !case.effects.is_empty()
            || !case.hosts.is_empty()
            || case.unanalysable.is_some()
            || case.pack.is_some()
            || case.no_pack;
        assert!(
            asserts,
            "case {:?} asserts nothing about the analysis",
            case.command
        );
        assert!(
            matches!(case.expect.as_str(), "allow" | "ask" | "deny"),
            "bad expect in {:?}",
            case.command
        );
        let budget = corpus_dir()
            .join("budgets")
            .join(format!("{}.toml", case.budget));
        assert!(
            budget.exists(),
            "case {:?} names a missing budget {}",
            case.command,
            budget.display()
        );
    }
    eprintln!("corpus cases per class: {per_class:?}");
    let benign = cases.iter().filter(|(_, c)| c.expect == "allow").count();
    assert!(cases.len() >= 300, "only {} corpus cases", cases.len());
    assert!(benign >= 100, "only {benign} benign cases");
    for class in [
        "nested-execution",
        "substitution",
        "compound",
        "wrapper",
        "fed-to-shell",
        "name-tricks",
        "argument-shape",
        "writes",
        "reads",
        "pipe-to-shell",
        "network",
        "secrets",
        "deploy",
        "limits",
        "script-languages",
        "git-config",
        "benign",
    ] {
        assert!(
            per_class.contains_key(class),
            "no corpus case for class {class}"
        );
    }
}

/// Loads a named corpus budget as the repo budget of the fake project `/p`.
fn load_budget(name: &str) -> Budget {
    let located = Located {
        project_root: "/p".into(),
        repo_budget: Some(corpus_dir().join("budgets").join(format!("{name}.toml"))),
        user_budget: None,
        managed_budgets: Vec::new(),
    };
    match budget::load(&located, None) {
        Ok(Some(budget)) => budget,
        Ok(None) => panic!("budget {name} did not load"),
        Err(e) => panic!("budget {name}: {:?}", e.diagnostics),
    }
}

#[test]
fn every_corpus_case_gets_its_expected_decision() {
    let fs = FakeFs::project();
    let cases = load();
    let mut budgets: BTreeMap<String, Budget> = BTreeMap::new();
    let mut failures = Vec::new();
    for (file, case) in &cases {
        let budget = budgets
            .entry(case.budget.clone())
            .or_insert_with(|| load_budget(&case.budget));
        let ctx = DecideContext {
            cwd: "/p".into(),
            home: Some("/home/u".into()),
            nobody_can_answer: false,
            protected_dirs: Vec::new(),
            current_branch: None,
            fs: &fs,
        };
        let call = ToolCall::Bash {
            command: case.command.clone(),
        };
        let decision = decide(&call, budget, &SessionFacts::default(), &ctx);
        let got = decision.verdict.map_or("no opinion", |v| v.as_str());
        if got != case.expect {
            let shown: String = case.command.chars().take(120).collect();
            let rule = decision
                .rule
                .as_ref()
                .map(|h| format!("{} `{}` ({})", h.section, h.rule, h.origin))
                .unwrap_or_default();
            failures.push(format!(
                "{file} [{}] {shown:?}: expected {}, got {got} by {rule}\n    why expected: {}\n    reason: {}",
                case.class,
                case.expect,
                case.why,
                decision.reason.lines().next().unwrap_or_default(),
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus decisions differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
