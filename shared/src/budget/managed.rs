//! The managed layer (SPEC §3 "Layering"): a budget an organisation's IT/security team deploys
//! for every user of a machine, evaluated beside the user and repo budgets (most restrictive
//! wins), and whose `[record]` settings — where records go, how long they stay — are the ones
//! in force, so a company decides retention once instead of trusting every repository.

use super::{Budget, Layer, LayerKind};
use std::path::{Path, PathBuf};

/// Run records older than this many days are pruned when no layer says otherwise.
pub const DEFAULT_RETAIN_DAYS: u64 = 90;

/// The folder holding the managed `budget.toml`: `$CLAUDE_BUDGET_MANAGED_DIR` when set, else
/// [`platform_managed_dir`].
pub fn managed_dir() -> Option<PathBuf> {
    match std::env::var_os("CLAUDE_BUDGET_MANAGED_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => platform_managed_dir(),
    }
}

/// The platform's system-wide place (the same idea as Claude Code's managed settings):
/// `/etc/claude-budget` on Linux and other Unix, `/Library/Application Support/ClaudeBudget`
/// on macOS, `%ProgramData%\ClaudeBudget` on Windows.
pub fn platform_managed_dir() -> Option<PathBuf> {
    if cfg!(target_os = "macos") {
        Some(PathBuf::from("/Library/Application Support/ClaudeBudget"))
    } else if cfg!(windows) {
        let base = std::env::var_os("ProgramData")
            .map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from);
        Some(base.join("ClaudeBudget"))
    } else {
        Some(PathBuf::from("/etc/claude-budget"))
    }
}

/// `<dir>/budget.toml` when it is a file.
fn managed_budget(dir: Option<&Path>) -> Option<PathBuf> {
    dir.map(|d| d.join("budget.toml")).filter(|p| p.is_file())
}

/// The managed budgets in force: the platform's file first, then the one in
/// `$CLAUDE_BUDGET_MANAGED_DIR` when that names another dir. The variable adds a managed
/// layer but cannot remove the platform's: a repository's `.claude/settings.json` can set
/// environment variables for the hooks (`env`), and a floor that a repository could switch
/// off would not be a floor.
pub(super) fn managed_budgets() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = managed_budget(platform_managed_dir().as_deref())
        .into_iter()
        .collect();
    if let Some(other) = managed_budget(managed_dir().as_deref())
        && !found.contains(&other)
    {
        found.push(other);
    }
    found
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
