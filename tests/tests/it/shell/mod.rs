//! Integration tests: shell analysis (SPEC §5) — the adversarial corpus, property tests,
//! and an ignored timing probe.

mod bench;
mod branch_switch;
mod corpus;
mod props;
mod tool_paths;

use budget_policy::fsview::FsView;
use budget_policy::shell::ShellContext;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// An in-memory file tree: the corpus project at `/p`, a home at `/home/u`.
pub(crate) struct FakeFs {
    files: BTreeSet<PathBuf>,
    dirs: BTreeSet<PathBuf>,
}

impl FakeFs {
    pub(crate) fn new(files: &[&str]) -> FakeFs {
        let mut fs = FakeFs {
            files: BTreeSet::new(),
            dirs: BTreeSet::new(),
        };
        for file in files {
            let path = PathBuf::from(file);
            let mut parent = path.parent();
            while let Some(dir) = parent {
                fs.dirs.insert(dir.to_path_buf());
                parent = dir.parent();
            }
            if file.ends_with('/') {
                fs.dirs.insert(path);
            } else {
                fs.files.insert(path);
            }
        }
        fs
    }

    /// The project every corpus case runs in.
    pub(crate) fn project() -> FakeFs {
        FakeFs::new(&[
            "/p/.env",
            "/p/src/main.rs",
            "/p/src/lib.rs",
            "/p/src/old.rs",
            "/p/Cargo.toml",
            "/p/README.md",
            "/p/secrets/k.pem",
            "/p/migrations/001.sql",
            "/p/package.json",
            "/p/.git/HEAD",
            "/p/.git/hooks/",
            "/p/.claude/settings.json",
            "/p/log.txt",
            "/p/body.json",
            "/p/x.txt",
            "/p/target/debug/",
            "/home/u/.ssh/id_rsa",
            "/home/u/.bashrc",
            "/home/u/.zshrc",
            "/tmp/x",
            "/etc/passwd",
            "/proc/self/environ",
        ])
    }
}

impl FsView for FakeFs {
    fn exists(&self, path: &Path) -> bool {
        self.files.contains(path) || self.dirs.contains(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.dirs.contains(path)
    }
    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        self.exists(path).then(|| path.to_path_buf())
    }
    fn read_small(&self, _path: &Path, _max_bytes: u64) -> Option<String> {
        None
    }
    fn list_dir(&self, path: &Path) -> Option<Vec<String>> {
        if !self.dirs.contains(path) {
            return None;
        }
        let children = self
            .files
            .iter()
            .chain(self.dirs.iter())
            .filter(|p| p.parent() == Some(path));
        Some(
            children
                .filter_map(|p| p.file_name()?.to_str().map(String::from))
                .collect(),
        )
    }
}

/// The context of every corpus case: cwd and project `/p`, home `/home/u`.
pub(crate) fn context(fs: &FakeFs) -> ShellContext<'_> {
    ShellContext {
        cwd: "/p".into(),
        home: Some("/home/u".into()),
        project_dir: "/p".into(),
        fs,
    }
}
