//! A read-only view of the file system, so analysis and path rules can ask what exists
//! without owning any I/O policy. [`RealFs`] is the one the hooks use.

use std::path::{Path, PathBuf};

pub trait FsView {
    fn exists(&self, path: &Path) -> bool;
    fn is_dir(&self, path: &Path) -> bool;
    /// A regular file (symlinks followed). Views without files of other kinds can keep the
    /// default.
    fn is_file(&self, path: &Path) -> bool {
        self.exists(path) && !self.is_dir(path)
    }
    /// The fully resolved path (symlinks followed), or `None` when it cannot be resolved.
    fn canonicalize(&self, path: &Path) -> Option<PathBuf>;
    /// Reads a small text file (e.g. `.git/HEAD`); `None` on any error.
    fn read_small(&self, path: &Path, max_bytes: u64) -> Option<String>;
    /// Lists the names in a directory (for glob expansion); `None` on any error.
    fn list_dir(&self, path: &Path) -> Option<Vec<String>>;
    /// Reads a whole text file (a budget file), keeping the error for the diagnostic. Views
    /// without file contents can keep the default.
    fn read_text(&self, path: &Path) -> std::io::Result<String> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            format!("`{}` cannot be read through this view", path.display()),
        ))
    }
}

/// The real file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealFs;

impl FsView for RealFs {
    fn exists(&self, path: &Path) -> bool {
        path.symlink_metadata().is_ok()
    }
    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }
    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        std::fs::canonicalize(path).ok()
    }
    fn read_small(&self, path: &Path, max_bytes: u64) -> Option<String> {
        use std::io::Read;
        let file = std::fs::File::open(path).ok()?;
        let mut text = String::new();
        file.take(max_bytes).read_to_string(&mut text).ok()?;
        Some(text)
    }
    fn read_text(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
    fn list_dir(&self, path: &Path) -> Option<Vec<String>> {
        let entries = std::fs::read_dir(path).ok()?;
        Some(
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect(),
        )
    }
}
