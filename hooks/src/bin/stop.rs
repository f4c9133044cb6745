//! `claude-budget-stop`: the evidence gate before the agent finishes. Never blocks on its own failures.

use budget_hooks::post::bad_input;
use budget_hooks::runner::{Policy, run};
use budget_hooks::stop;

fn main() {
    run(Policy::NeverBlock, stop::handle, bad_input)
}
