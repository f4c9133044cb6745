//! Path normalisation and glob matching (SPEC §4.2).

use std::path::{Component, Path, PathBuf};

/// Makes `path` absolute against `base` and resolves `.` and `..` lexically (no symlinks).
pub fn normalise(path: &Path, base: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}
