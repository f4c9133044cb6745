//! `claude-budget-session`: SessionStart, UserPromptSubmit, SessionEnd. Never blocks.

use budget_hooks::runner::run;
use budget_policy::events::post::bad_input;
use budget_policy::events::{Policy, session};

fn main() {
    run(Policy::NeverBlock, session::handle, bad_input)
}
