//! Path normalisation (SPEC §4.2): lexical `.`/`..` resolution and symlink targets. The
//! glob matching of path rules lives in `budget::paths_rules`.

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

/// The path with every symlink resolved, also for a path that does not exist yet: the
/// nearest existing ancestor is resolved and the rest appended (a Write of a new file under
/// a symlinked folder lands in the link's target). `None` when nothing can be resolved.
pub fn resolve_target(path: &Path, fs: &dyn crate::fsview::FsView) -> Option<PathBuf> {
    let mut existing = path;
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    loop {
        if let Some(resolved) = fs.canonicalize(existing) {
            let mut out = resolved;
            out.extend(rest.iter().rev());
            return Some(out);
        }
        rest.push(existing.file_name()?);
        existing = existing.parent()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsview::RealFs;

    #[test]
    fn dot_dot_is_resolved_lexically_against_the_base() {
        let rows = [
            ("src/../secrets/k", "/p", "/p/secrets/k"),
            ("./a/./b", "/p", "/p/a/b"),
            ("/etc/../tmp/x", "/p", "/tmp/x"),
            ("../../../..", "/p/q", "/"),
        ];
        for (path, base, want) in rows {
            assert_eq!(
                normalise(Path::new(path), Path::new(base)),
                PathBuf::from(want),
                "{path}"
            );
        }
    }

    #[test]
    fn new_file_under_a_symlinked_folder_resolves_into_the_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path().canonicalize().expect("canon");
        std::fs::create_dir(base.join("secrets")).expect("mkdir");
        std::os::unix::fs::symlink(base.join("secrets"), base.join("link")).expect("symlink");
        let got = resolve_target(&base.join("link/new/file"), &RealFs);
        assert_eq!(got, Some(base.join("secrets/new/file")));
    }
}
