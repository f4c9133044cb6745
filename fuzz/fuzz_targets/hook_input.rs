//! Fuzzes the hook input path: bytes on standard input → parsed hook input → tool call →
//! decision → the JSON reply, under a fixed budget. Nothing may panic: the hook must always
//! answer.
#![no_main]

#[path = "common.rs"]
mod common;

use budget_policy::decide::{DecideContext, SessionFacts, decide};
use budget_policy::fsview::RealFs;
use budget_policy::protocol::HookInput;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const BUDGET: &str = r#"version = 1
extends = ["destructive", "secrets", "deploy"]
[read]
deny = [".env", "secrets/**"]
[edit]
allow = ["src/**"]
default = "ask"
[run]
allow = ["cargo", "git status", "ls", "cat", "echo"]
default = "ask"
[web]
allow = ["docs.rs"]
default = "deny"
"#;

fn budget() -> &'static budget_policy::budget::Budget {
    static BUDGET_ONCE: OnceLock<budget_policy::budget::Budget> = OnceLock::new();
    BUDGET_ONCE.get_or_init(|| {
        let fs = common::OneBudget(BUDGET.to_owned());
        match budget_policy::budget::load_with(&common::located(), None, &fs) {
            Ok(Some(budget)) => budget,
            _ => panic!("the fuzz budget does not load"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = HookInput::parse(data) else { return };
    let Some(call) = input.tool_call() else { return };
    let ctx = DecideContext {
        cwd: common::ROOT.into(),
        home: Some("/fuzz/home".into()),
        nobody_can_answer: input.nobody_can_answer(),
        protected_dirs: Vec::new(),
        current_branch: None,
        fs: &RealFs,
    };
    let decision = decide(&call, budget(), &SessionFacts::default(), &ctx);
    let _ = budget_policy::events::pre::reply(&decision);
});
