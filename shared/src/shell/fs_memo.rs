//! The file system as one analysis sees it, each question asked of the real view once.
//! The pre-tool-use hook also decides a whole call through one (the path rules, the
//! self-protection and the edit's count key resolve the same path), as `decide_call` does.
//!
//! One command asks about the same path several times: an operand of a program that is
//! not modelled is checked as a read and again as a path the program may name
//! ([`super::programs::unmodelled`]), the walk runs twice when the command reassigns a
//! watched variable, and every `..` resolves the folder before it. The answers of the view
//! below cannot change during one analysis (the analyser only reads), so each is kept.
//!
//! What the command itself does to the file system is not in the view: links made by an
//! earlier part of the same command (`ln -s secrets l && cat l/k`) live in the walk
//! (`Walker::links`) and are consulted *above* this memo on every question
//! (`SameCommandLinks` in [`super::file_effects`]), so a link made halfway through the
//! command is seen by every question after it, memo or not.

use crate::fsview::FsView;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A [`FsView`] that remembers the answers of `inner` to `exists`, `is_dir`, `is_file` and
/// `canonicalize` for the length of one analysis. Directory listings and file contents are
/// passed through (asked rarely, and large).
pub struct MemoFs<'a> {
    inner: &'a dyn FsView,
    exists: RefCell<HashMap<PathBuf, bool>>,
    is_dir: RefCell<HashMap<PathBuf, bool>>,
    is_file: RefCell<HashMap<PathBuf, bool>>,
    canonical: RefCell<HashMap<PathBuf, Option<PathBuf>>>,
}

impl<'a> MemoFs<'a> {
    pub fn new(inner: &'a dyn FsView) -> MemoFs<'a> {
        MemoFs {
            inner,
            exists: RefCell::default(),
            is_dir: RefCell::default(),
            is_file: RefCell::default(),
            canonical: RefCell::default(),
        }
    }
}

/// The answer for `path` from `memo`, asking `ask` only the first time. The borrow is not
/// held while `ask` runs.
fn remembered<T: Clone>(
    memo: &RefCell<HashMap<PathBuf, T>>,
    path: &Path,
    ask: impl FnOnce() -> T,
) -> T {
    if let Some(known) = memo.borrow().get(path) {
        return known.clone();
    }
    let answer = ask();
    memo.borrow_mut().insert(path.to_path_buf(), answer.clone());
    answer
}

impl FsView for MemoFs<'_> {
    fn exists(&self, path: &Path) -> bool {
        remembered(&self.exists, path, || self.inner.exists(path))
    }
    fn is_dir(&self, path: &Path) -> bool {
        remembered(&self.is_dir, path, || self.inner.is_dir(path))
    }
    fn is_file(&self, path: &Path) -> bool {
        remembered(&self.is_file, path, || self.inner.is_file(path))
    }
    fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
        remembered(&self.canonical, path, || self.inner.canonicalize(path))
    }
    fn read_small(&self, path: &Path, max_bytes: u64) -> Option<String> {
        self.inner.read_small(path, max_bytes)
    }
    fn list_dir(&self, path: &Path) -> Option<Vec<String>> {
        self.inner.list_dir(path)
    }
    fn read_text(&self, path: &Path) -> std::io::Result<String> {
        self.inner.read_text(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A view where `/p/a` exists, that counts the questions it is asked.
    #[derive(Default)]
    struct Counting {
        asked: Cell<usize>,
    }

    impl FsView for Counting {
        fn exists(&self, path: &Path) -> bool {
            self.asked.set(self.asked.get() + 1);
            path == Path::new("/p/a")
        }
        fn is_dir(&self, _: &Path) -> bool {
            self.asked.set(self.asked.get() + 1);
            false
        }
        fn canonicalize(&self, path: &Path) -> Option<PathBuf> {
            self.asked.set(self.asked.get() + 1);
            self.exists(path).then(|| path.to_path_buf())
        }
        fn read_small(&self, _: &Path, _: u64) -> Option<String> {
            None
        }
        fn list_dir(&self, _: &Path) -> Option<Vec<String>> {
            None
        }
    }

    #[test]
    fn each_question_reaches_the_real_view_once_with_the_same_answer() {
        let real = Counting::default();
        let memo = MemoFs::new(&real);
        for _ in 0..3 {
            assert!(memo.exists(Path::new("/p/a")));
            assert!(!memo.exists(Path::new("/p/b")));
        }
        assert_eq!(real.asked.get(), 2);
        assert_eq!(
            memo.canonicalize(Path::new("/p/a")),
            Some(PathBuf::from("/p/a"))
        );
        assert_eq!(memo.canonicalize(Path::new("/p/b")), None);
        assert_eq!(memo.canonicalize(Path::new("/p/b")), None);
        assert!(!memo.is_dir(Path::new("/p/a")));
        assert!(!memo.is_dir(Path::new("/p/a")));
        // Two canonicalize questions (each asking `exists` inside) and one is_dir.
        assert_eq!(real.asked.get(), 2 + 4 + 1);
    }
}
