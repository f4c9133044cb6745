//! `claude-budget-stop`: the evidence gate before the agent finishes. Never blocks on its own failures.

use budget_hooks::runner::run;
use budget_policy::events::post::bad_input;
use budget_policy::events::{Policy, stop};

fn main() {
    run(Policy::NeverBlock, stop::handle, bad_input)
}
