//! `claude-budget-pre-tool-use`: allow, ask or deny one tool call. Fails closed.

use budget_hooks::runner::{budget_in_force, run};
use budget_policy::events::{Policy, pre};

fn main() {
    run(
        Policy::FailClosed,
        |input, env| pre::handle(input, env, budget_in_force),
        pre::bad_input,
    )
}
