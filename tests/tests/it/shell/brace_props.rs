//! Issue 9, class 3: quoting parts of a brace word never changes the decision (Bash removes
//! the quotes after brace expansion, so `.{e''nv,x}` is `.{env,x}`).

use super::FakeFs;
use budget_policy::budget::{self, Located};
use budget_policy::decide::{DecideContext, SessionFacts, decide};
use budget_policy::protocol::ToolCall;
use proptest::prelude::*;
use std::path::Path;

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
        _ => panic!("strict budget did not load"),
    }
}

fn verdict(command: &str, budget: &budget::Budget, fs: &FakeFs) -> String {
    let ctx = DecideContext {
        cwd: "/p".into(),
        home: Some("/home/u".into()),
        nobody_can_answer: false,
        protected_dirs: Vec::new(),
        current_branch: None,
        fs,
    };
    let call = ToolCall::Bash {
        command: command.into(),
    };
    let decision = decide(&call, budget, &SessionFacts::default(), &ctx);
    decision
        .verdict
        .map_or("no opinion", |v| v.as_str())
        .to_owned()
}

const PROGRAMS: &[&str] = &["cat", "rm -rf", "sed -i s/x/y/", "touch", "wc -l"];
const PREFIXES: &[&str] = &["", "src/", "secrets/", "."];
const ITEMS: &[&str] = &[
    ".env",
    "env",
    "x",
    "main.rs",
    "../.claude/budget.toml",
    "../migrations",
    "k.pem",
    "lib.rs",
    "",
];

/// `text` with some characters quoted: `mode` per character picks none, `'c'`, `"c"`, or
/// an empty `''` before it.
fn quote_parts(text: &str, modes: &[u8]) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        match modes.get(i).copied().unwrap_or(0) % 4 {
            1 => out.push_str(&format!("'{c}'")),
            2 => out.push_str(&format!("\"{c}\"")),
            3 => {
                out.push_str("''");
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn quoting_parts_of_a_brace_word_never_changes_the_decision(
        program in prop::sample::select(PROGRAMS),
        prefix in prop::sample::select(PREFIXES),
        items in prop::collection::vec(prop::sample::select(ITEMS), 2..4),
        modes in prop::collection::vec(any::<u8>(), 64),
    ) {
        let fs = FakeFs::project();
        let budget = strict();
        let plain = format!("{program} {prefix}{{{}}}", items.join(","));
        let quoted_items: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(k, item)| quote_parts(item, &modes[(k * 16) % 48..]))
            .collect();
        let quoted = format!(
            "{program} {}{{{}}}",
            quote_parts(prefix, &modes[48..]),
            quoted_items.join(",")
        );
        prop_assert_eq!(
            verdict(&plain, &budget, &fs),
            verdict(&quoted, &budget, &fs),
            "{} vs {}",
            plain,
            quoted
        );
    }
}
