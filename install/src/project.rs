//! Finding the project and its budgets from the CLI's point of view: the current directory
//! (or `$CLAUDE_PROJECT_DIR`), the same rules the hooks use (`events::context`).

use budget_policy::budget::{Budget, BudgetError, Located};
use budget_policy::env::Env;
use budget_policy::events::context;
use budget_policy::store::RunsLayout;
use std::path::PathBuf;

/// The process environment, read once per call (cheap: a handful of variables).
pub fn env() -> Env {
    Env::from_process()
}

/// The current directory, or `.` when it cannot be read.
pub fn cwd() -> PathBuf {
    env().cwd()
}

/// The budgets in force for the current directory.
pub fn locate() -> Located {
    let env = env();
    context::locate_from(&env, &env.cwd())
}

/// The budget in force here with `$CLAUDE_BUDGET_TASK`'s overlay.
pub fn load(located: &Located) -> Result<Option<Budget>, BudgetError> {
    context::load(&env(), located)
}

/// Where runs live for this environment.
pub fn layout() -> RunsLayout {
    RunsLayout::new(&env())
}
