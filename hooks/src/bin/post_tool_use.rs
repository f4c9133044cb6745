//! `claude-budget-post-tool-use`: count a finished tool call. Never blocks.

use budget_hooks::post;
use budget_hooks::post::bad_input;
use budget_hooks::runner::{Policy, run};

fn main() {
    run(Policy::NeverBlock, post::handle, bad_input)
}
