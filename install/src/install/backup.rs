//! Where `install`/`uninstall` keep the settings file as it was before they changed it.
//!
//! Not beside it: `.claude/` is committed, and a `settings.json.bak` there ends up in a
//! commit (and in every teammate's checkout). Backups go to the data dir instead,
//! `<data dir>/claude-budget/settings-backups/<project key>/` (or `…/user/`), one file per
//! change, named after the file and the time.

use super::Scope;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The backup folder for the settings file at `settings` of `scope`.
fn folder(settings: &Path, scope: Scope) -> io::Result<PathBuf> {
    let data = crate::project::env().data_base().ok_or_else(|| {
        io::Error::other("no data dir for backups: set HOME or CLAUDE_BUDGET_DATA_DIR")
    })?;
    let base = data.join("claude-budget").join("settings-backups");
    // `<root>/.claude/settings.json` → the project key of `<root>`.
    let key = match (scope, settings.parent().and_then(Path::parent)) {
        (Scope::User, _) | (_, None) => "user".to_owned(),
        (_, Some(root)) => budget_policy::store::project_key(root),
    };
    Ok(base.join(key))
}

fn stamped_name(settings: &Path) -> String {
    let name = settings.file_name().map_or_else(
        || "settings.json".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{name}.{}-{:03}.bak",
        since_epoch.as_secs(),
        since_epoch.subsec_millis()
    )
}

/// Saves `original` (the file's text before the change); `None` when there was no file.
pub(super) fn save(settings: &Path, original: &str, scope: Scope) -> io::Result<Option<PathBuf>> {
    if original.is_empty() {
        return Ok(None);
    }
    let dir = folder(settings, scope)?;
    std::fs::create_dir_all(&dir)?;
    let to = dir.join(stamped_name(settings));
    std::fs::write(&to, original)?;
    Ok(Some(to))
}

/// A backup an older version of `install` left beside a project's settings file.
pub(super) fn stale_in_project(settings: &Path, scope: Scope) -> Option<PathBuf> {
    if scope == Scope::User {
        return None;
    }
    let old = settings.with_extension("json.bak");
    old.is_file().then_some(old)
}

/// Moves such a backup into the backup folder; returns where it went.
pub(super) fn move_stale(old: &Path, scope: Scope) -> io::Result<PathBuf> {
    let dir = folder(old, scope)?;
    std::fs::create_dir_all(&dir)?;
    let to = dir.join(stamped_name(old));
    std::fs::copy(old, &to)?;
    std::fs::remove_file(old)?;
    Ok(to)
}
