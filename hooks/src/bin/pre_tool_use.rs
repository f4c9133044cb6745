//! `claude-budget-pre-tool-use`: allow, ask or deny one tool call. Fails closed.

use budget_hooks::pre;
use budget_hooks::runner::{Policy, run};

fn main() {
    run(Policy::FailClosed, pre::handle, pre::bad_input)
}
