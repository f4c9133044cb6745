use super::*;

/// A session folder whose one watched file is a budget, its manifest not made yet.
fn session_with_budget() -> (tempfile::TempDir, Tripwire, Vec<Seen>) {
    let dir = tempfile::tempdir().unwrap();
    let budget = dir.path().join("budget.toml");
    std::fs::write(&budget, "[edit]\n").unwrap();
    let tripwire = Tripwire::new(dir.path());
    let now = seen(&budget);
    (dir, tripwire, now)
}

fn seen(path: &Path) -> Vec<Seen> {
    let meta = std::fs::metadata(path).unwrap();
    vec![Seen {
        path: path.to_str().unwrap().to_owned(),
        kind: WatchKind::Budget,
        ident: ident(&meta),
    }]
}

/// A session that was running when claude-budget was upgraded: the call's PreToolUse (the
/// older version) wrote its note as a file of its own; the new post still finds it.
#[test]
fn a_note_written_before_the_upgrade_is_still_taken_by_its_post() {
    let (_dir, tripwire, now) = session_with_budget();
    tripwire.ensure_manifest(&now).unwrap();
    let legacy = tripwire.legacy_pre_path("toolu_old");
    std::fs::create_dir_all(legacy.parent().unwrap()).unwrap();
    std::fs::write(&legacy, format!("dirty\n{}", idents_text(&now))).unwrap();
    let pre = tripwire.take_pre("toolu_old").unwrap();
    assert!(!pre.clean);
    assert_eq!(pre.seen, now);
    assert!(!legacy.exists(), "taken once");
    assert!(tripwire.take_pre("toolu_old").is_none());
}

#[test]
fn a_pre_note_is_one_line_in_the_log_and_no_file_of_its_own() {
    let (dir, tripwire, now) = session_with_budget();
    tripwire.note_pre("toolu_1", &now).unwrap();
    tripwire.note_pre("toolu_2", &now).unwrap();
    assert!(!dir.path().join(TRIPWIRE_DIR).join("pre").exists());
    let pre = tripwire.take_pre("toolu_2").unwrap();
    assert!(pre.clean, "the manifest was made from the same identities");
    assert!(
        pre.earlier_running,
        "toolu_1 came first and has no post yet"
    );
    assert!(!tripwire.take_pre("toolu_1").unwrap().earlier_running);
}

/// The user's files are watched under the same path text `home.join(name)` gives, whatever
/// the shape of HOME: the manifest of a session started by an earlier version keys them so.
#[test]
fn the_user_files_keep_the_path_text_of_a_join_for_any_home() {
    for home in [
        "/home/u",
        "/home/u/",
        "/home/u/.",
        "/home/u//",
        "/",
        "rel/home",
    ] {
        let home = Path::new(home);
        let mut got = Vec::new();
        user_files(home, |path, _| got.push(path.to_path_buf()));
        let mut names: Vec<&str> = crate::decide::protect::STARTUP_FILES.to_vec();
        names.extend([
            ".claude/settings.json",
            ".claude/settings.local.json",
            ".gitconfig",
            ".config/git/config",
        ]);
        let want: Vec<PathBuf> = names.iter().map(|n| home.join(n)).collect();
        let text = |p: &[PathBuf]| {
            p.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(text(&got), text(&want), "HOME={}", home.display());
    }
}
