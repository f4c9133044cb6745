//! Integration tests: shell analysis (SPEC §5) — the adversarial corpus, property tests,
//! and an ignored timing probe.

mod bench;
mod brace_props;
mod branch_switch;
mod corpus;
mod kernel_paths;
mod parse_failures;
mod props;
mod secret_props;
mod tool_paths;

use budget_policy::fsview::FsView;
use budget_policy::shell::ShellContext;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// An in-memory file tree: the corpus project at `/p`, a home at `/home/u`.
pub(crate) struct FakeFs {
    files: BTreeSet<PathBuf>,
    dirs: BTreeSet<PathBuf>,
    /// Text of the files whose contents matter (`.gitignore`).
    contents: std::collections::BTreeMap<PathBuf, String>,
    /// Symlinks: where they are → their absolute target.
    links: BTreeMap<PathBuf, PathBuf>,
}

impl FakeFs {
    pub(crate) fn new(files: &[&str]) -> FakeFs {
        let mut fs = FakeFs {
            files: BTreeSet::new(),
            dirs: BTreeSet::new(),
            contents: std::collections::BTreeMap::new(),
            links: BTreeMap::new(),
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

    /// Gives a file of the tree its text.
    pub(crate) fn with_text(mut self, file: &str, text: &str) -> FakeFs {
        self.contents.insert(PathBuf::from(file), text.to_owned());
        self
    }

    /// Adds a symlink at `at` pointing to the absolute `target`.
    pub(crate) fn with_link(mut self, at: &str, target: &str) -> FakeFs {
        self.links.insert(PathBuf::from(at), PathBuf::from(target));
        self
    }

    /// `path` with every symlink followed, as the kernel would (at most 40 hops); `None`
    /// when a component does not exist.
    fn resolve(&self, path: &Path) -> Option<PathBuf> {
        let mut hops = 0;
        let mut pending: Vec<std::ffi::OsString> = path
            .components()
            .rev()
            .filter_map(|c| match c {
                std::path::Component::Normal(n) => Some(n.to_owned()),
                std::path::Component::ParentDir => Some("..".into()),
                _ => None,
            })
            .collect();
        let mut out = PathBuf::from("/");
        while let Some(part) = pending.pop() {
            if part == ".." {
                out.pop();
                continue;
            }
            let next = out.join(&part);
            if let Some(target) = self.links.get(&next) {
                hops += 1;
                if hops > 40 {
                    return None;
                }
                out = PathBuf::from("/");
                pending.extend(target.components().rev().filter_map(|c| match c {
                    std::path::Component::Normal(n) => Some(n.to_owned()),
                    std::path::Component::ParentDir => Some("..".into()),
                    _ => None,
                }));
                continue;
            }
            if !(self.files.contains(&next) || self.dirs.contains(&next)) {
                return None;
            }
            out = next;
        }
        Some(out)
    }

    /// The project every corpus case runs in: a git repository whose `.gitignore` leaves
    /// out `secrets/` and `target/` (so `rg` skips them, `grep -r` does not); `src/config`
    /// links to `cfg` (so `src/config/..` is the project root), `out` links outside the project.
    pub(crate) fn project() -> FakeFs {
        FakeFs::new(&[
            "/p/cfg/app.toml",
            "/srv/deep/x.txt",
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
            "/home/u/.bash_history",
            "/home/u/.zsh_history",
            "/tmp/x",
            "/etc/passwd",
            "/proc/self/environ",
            "/p/.gitignore",
        ])
        .with_text("/p/.gitignore", "secrets/\n/target/\n")
        .with_link("/p/src/config", "/p/cfg")
        .with_link("/p/out", "/srv/deep")
    }
}

impl FsView for FakeFs {
    fn exists(&self, path: &Path) -> bool {
        self.links.contains_key(path) || self.resolve(path).is_some()
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.resolve(path).is_some_and(|p| self.dirs.contains(&p))
    }
    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        self.resolve(path)
    }
    fn read_small(&self, path: &Path, _max_bytes: u64) -> Option<String> {
        self.contents.get(path).cloned()
    }
    fn list_dir(&self, path: &Path) -> Option<Vec<String>> {
        let path = self.resolve(path)?;
        if !self.dirs.contains(&path) {
            return None;
        }
        let path = path.as_path();
        let children = self
            .files
            .iter()
            .chain(self.dirs.iter())
            .chain(self.links.keys())
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
