//! `claude-budget-pre-tool-use`: allow, ask or deny one tool call. Fails closed.

use budget_hooks::runner::run;
use budget_policy::events::{Policy, pre};

fn main() {
    run(Policy::FailClosed, pre::handle, pre::bad_input)
}
