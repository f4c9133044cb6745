//! Finding the project and its budgets from the CLI's point of view: the current directory
//! (or `$CLAUDE_PROJECT_DIR`), the same rules the hooks use.

use budget_policy::budget::{self, Located};
use std::path::PathBuf;

/// The current directory, or `.` when it cannot be read.
pub fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// The budgets in force for the current directory.
pub fn locate() -> Located {
    let project_dir = std::env::var_os("CLAUDE_PROJECT_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let config_dir = std::env::var_os("CLAUDE_BUDGET_CONFIG_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    budget::locate(&cwd(), project_dir.as_deref(), config_dir.as_deref())
}
