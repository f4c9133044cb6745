//! Finding the project and its budgets from the CLI's point of view: the current directory
//! (or `$CLAUDE_PROJECT_DIR`), the same rules the hooks use (`events::context`).

use budget_policy::budget::{Budget, BudgetError, Located};
use budget_policy::env::Env;
use budget_policy::events::context;
use budget_policy::store::RunsLayout;
use std::path::PathBuf;

/// The process environment, read once per call (cheap: a handful of variables).
pub(crate) fn env() -> Env {
    Env::from_process()
}

/// The current directory, or `.` when it cannot be read.
pub(crate) fn cwd() -> PathBuf {
    env().cwd()
}

/// The budgets in force for the current directory.
pub(crate) fn locate() -> Located {
    let env = env();
    context::locate_from(&env, &env.cwd())
}

/// The budget in force here with `$CLAUDE_BUDGET_TASK`'s overlay.
pub(crate) fn load(located: &Located) -> Result<Option<Budget>, BudgetError> {
    context::load(&env(), located)
}

/// Where runs live for this environment.
pub(crate) fn layout() -> RunsLayout {
    RunsLayout::new(&env())
}
