//! `claude-budget-session`: SessionStart, UserPromptSubmit, SessionEnd. Never blocks.

use budget_hooks::post::bad_input;
use budget_hooks::runner::{Policy, run};
use budget_hooks::session;

fn main() {
    run(Policy::NeverBlock, session::handle, bad_input)
}
