//! The managed layer (SPEC §3 "Layering"): a budget an organisation's IT/security team deploys
//! for every user of a machine, evaluated beside the user and repo budgets (most restrictive
//! wins), and whose `[record]` settings — where records go, how long they stay — are the ones
//! in force, so a company decides retention once instead of trusting every repository.

use super::{Budget, Layer, LayerKind, Located};
use crate::fsview::FsView;
use std::path::{Path, PathBuf};

/// Run records older than this many days are pruned when no layer says otherwise.
pub const DEFAULT_RETAIN_DAYS: u64 = 90;

impl Located {
    /// The same budgets plus the managed ones: `<dir>/budget.toml` of each dir that has one
    /// (`Env::managed_dirs`: the platform's folder, and `$CLAUDE_BUDGET_MANAGED_DIR` when it
    /// names another — it adds a managed layer but cannot remove the platform's, since a
    /// repository's `.claude/settings.json` can set environment variables for the hooks).
    #[must_use]
    pub fn with_managed(mut self, dirs: &[PathBuf], fs: &dyn FsView) -> Located {
        for dir in dirs {
            let file = dir.join("budget.toml");
            if fs.is_file(&file) && !self.managed_budgets.contains(&file) {
                self.managed_budgets.push(file);
            }
        }
        self
    }
}

impl Budget {
    /// The layer whose `[record]` settings are in force for one key: the managed layer when
    /// it sets the key (its settings win, SPEC §3), else the repo layer, else the user layer.
    fn record_setting<'a, T>(&'a self, pick: impl Fn(&'a Layer) -> Option<T>) -> Option<T> {
        let managed = self
            .layers
            .iter()
            .filter(|l| l.kind == LayerKind::Managed)
            .find_map(&pick);
        managed.or_else(|| {
            self.layers
                .iter()
                .rev()
                .filter(|l| l.kind != LayerKind::Managed)
                .find_map(&pick)
        })
    }

    /// `[record] dir` in force (relative to the project root), if any layer sets one.
    pub fn record_dir(&self) -> Option<&Path> {
        self.record_setting(|l| l.record.dir.as_deref())
    }

    /// `[record] retain_days` in force (default [`DEFAULT_RETAIN_DAYS`]).
    pub fn retain_days(&self) -> u64 {
        self.record_setting(|l| l.record.retain_days)
            .unwrap_or(DEFAULT_RETAIN_DAYS)
    }
}

/// SHA-256 of a budget file's bytes, hex: how records, `status`, `touchmap` and the packet
/// name the exact version of each layer that was in force.
pub fn file_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
