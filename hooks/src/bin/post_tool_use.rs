//! `claude-budget-post-tool-use`: count a finished tool call. Never blocks.

use budget_hooks::runner::run;
use budget_policy::events::post::bad_input;
use budget_policy::events::{Policy, post};

fn main() {
    run(Policy::NeverBlock, post::handle, bad_input)
}
