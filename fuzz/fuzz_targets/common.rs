//! An in-memory project for the fuzz targets: one budget file, nothing else.

use budget_policy::fsview::FsView;
use std::path::{Path, PathBuf};

pub const ROOT: &str = "/fuzz/project";
pub const BUDGET_PATH: &str = "/fuzz/project/.claude/budget.toml";

/// A view holding only the budget file's text.
pub struct OneBudget(pub String);

impl FsView for OneBudget {
    fn exists(&self, path: &Path) -> bool {
        path == Path::new(BUDGET_PATH) || Path::new(BUDGET_PATH).starts_with(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        path != Path::new(BUDGET_PATH) && self.exists(path)
    }
    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        self.exists(path).then(|| path.to_path_buf())
    }
    fn read_small(&self, _path: &Path, _max_bytes: u64) -> Option<String> {
        None
    }
    fn list_dir(&self, _path: &Path) -> Option<Vec<String>> {
        None
    }
    fn read_text(&self, path: &Path) -> std::io::Result<String> {
        if path == Path::new(BUDGET_PATH) {
            Ok(self.0.clone())
        } else {
            Err(std::io::Error::from(std::io::ErrorKind::NotFound))
        }
    }
}

pub fn located() -> budget_policy::budget::Located {
    budget_policy::budget::Located {
        project_root: ROOT.into(),
        repo_budget: Some(BUDGET_PATH.into()),
        user_budget: None,
        managed_budgets: Vec::new(),
    }
}
