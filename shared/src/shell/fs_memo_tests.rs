//! The memo of file-system answers ([`super::fs_memo`]) changes no analysis: the same
//! commands analysed with and without it give the same result, on a real folder with
//! symlinks, and a link the command makes after a question about the same path was
//! answered "no" is still followed.

use crate::fsview::RealFs;
use crate::shell::walk::{analyse, analyse_in};
use crate::shell::{Analysis, EffectKind, ShellContext};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A project with `secrets/k.pem`, `secrets/sub/x`, `src/lib.rs`, `billing/` and a symlink
/// `src/config -> ../secrets`.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let root = dir.path().canonicalize().expect("the temp dir resolves");
    for file in [
        "secrets/k.pem",
        "secrets/sub/x",
        "src/lib.rs",
        "billing/Cargo.toml",
    ] {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(&path, "x").expect("a file");
    }
    std::os::unix::fs::symlink("../secrets", root.join("src/config")).expect("a symlink");
    (dir, root)
}

fn both(command: &str, root: &Path) -> (Analysis, Analysis) {
    let ctx = ShellContext {
        cwd: root.to_path_buf(),
        home: Some(root.join("home")),
        project_dir: root.to_path_buf(),
        fs: &RealFs,
    };
    let time = Duration::from_secs(30);
    (
        analyse(command, &ctx, time),
        analyse_in(command, &ctx, time),
    )
}

#[test]
fn an_analysis_is_the_same_with_and_without_the_memo() {
    let (_dir, root) = project();
    for command in [
        "cargo test -p billing && git status",
        "cat billing/Cargo.toml billing/Cargo.toml src/lib.rs && cat billing/../secrets/k.pem",
        "cat src/config/k.pem src/config/../src/lib.rs src/config/sub/../k.pem",
        "cat l/k.pem; ln -s secrets l && cat l/k.pem l/../src/lib.rs",
        "ln -s secrets/sub l; cat l/../k.pem; rm -rf l/..",
        "HOME=. cat ~/k.pem; cat $HOME/src/lib.rs src/lib.rs",
        "for f in src/*.rs; do cat \"$f\" src/*.rs; done; git checkout billing",
        "cd src && cat ../secrets/k.pem lib.rs && cd config && cat ../k.pem k.pem",
    ] {
        let (memo, plain) = both(command, &root);
        assert_eq!(memo, plain, "{command}");
    }
}

#[test]
fn a_link_made_after_its_path_was_asked_about_is_still_followed() {
    let (_dir, root) = project();
    // The first `cat` asks whether `l/k.pem` exists: no, and the memo keeps that answer;
    // the `ln -s` makes it name `secrets/k.pem` for the commands after it.
    let command = "cat l/k.pem; ln -s secrets l && cat l/k.pem";
    let (memo, plain) = both(command, &root);
    assert_eq!(memo, plain);
    let secret = root.join("secrets/k.pem");
    let reads: Vec<&Path> = memo
        .effects
        .iter()
        .filter(|e| e.kind == EffectKind::Read)
        .map(|e| e.path.as_path())
        .collect();
    assert!(reads.contains(&secret.as_path()), "{reads:?}");
    assert!(reads.contains(&root.join("l/k.pem").as_path()), "{reads:?}");
}
