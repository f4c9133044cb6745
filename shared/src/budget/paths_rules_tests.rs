//! One row per behaviour of SPEC §4.2, on a real temporary project with real symlinks.

use super::super::spec::PathSpec;
use super::*;
use crate::fsview::RealFs;

fn rules(list: &[&str]) -> Vec<PathRule> {
    list.iter()
        .enumerate()
        .map(|(i, p)| PathRule {
            pattern: (*p).into(),
            origin: Origin::file("b.toml", u32::try_from(i).unwrap_or(0) + 1, 1),
        })
        .collect()
}

fn section(
    allow: &[&str],
    ask: &[&str],
    deny: &[&str],
    default: Option<Verdict>,
    outside: Option<Verdict>,
) -> PathRules {
    let setting = |v: Option<Verdict>| v.map(|v| (v, Origin::file("b.toml", 99, 1)));
    PathSpec {
        allow: rules(allow).into(),
        base_allow: None,
        ask: rules(ask).into(),
        deny: rules(deny).into(),
        default: setting(default),
        outside_project: setting(outside),
    }
    .compile("edit")
    .unwrap()
}

struct World {
    _dir: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
}

fn world() -> World {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = dir.path().canonicalize().expect("canon");
    let (root, home) = (base.join("proj"), base.join("home"));
    for d in ["proj/src", "proj/secrets", "home/.ssh", "outside"] {
        std::fs::create_dir_all(base.join(d)).unwrap_or_else(|e| panic!("mkdir {d}: {e}"));
    }
    for f in ["proj/.env", "proj/secrets/k", "proj/src/main.rs"] {
        std::fs::write(base.join(f), "x").unwrap_or_else(|e| panic!("write {f}: {e}"));
    }
    let link = |target: &str, at: &str| {
        std::os::unix::fs::symlink(base.join(target), base.join(at))
            .unwrap_or_else(|e| panic!("symlink {at}: {e}"));
    };
    link("proj/secrets", "proj/src/link");
    link("proj/.env", "proj/notes");
    link("outside", "proj/src/out");
    World {
        _dir: dir,
        root,
        home,
    }
}

fn decide(rules: &PathRules, w: &World, path: &str) -> Option<(Verdict, String)> {
    let ctx = PathContext {
        project_root: &w.root,
        home: Some(&w.home),
        fs: &RealFs,
    };
    let path = if let Some(rest) = path.strip_prefix("~/") {
        w.home.join(rest)
    } else if let Some(rest) = path.strip_prefix("@/") {
        w.root.parent().unwrap_or(&w.root).join(rest)
    } else {
        crate::paths::normalise(Path::new(path), &w.root)
    };
    rules.decide(&path, &ctx).map(|h| (h.verdict, h.rule))
}

#[test]
fn path_rules_decide_as_documented() {
    let w = world();
    let tmp_rule = "//opt/scratch/**";
    let rules = section(
        &["src/**", "/docs/**", tmp_rule, "**/*.md"],
        &["Cargo.toml"],
        &[".env", "secrets/**", "~/.ssh/**", "*.pem"],
        Some(Verdict::Deny),
        None,
    );
    let some = |v: Verdict, r: &str| Some((v, r.to_string()));
    let rows: &[(&str, Option<(Verdict, String)>)] = &[
        ("src/main.rs", some(Verdict::Allow, "src/**")),
        ("src", some(Verdict::Allow, "src/**")),
        ("docs/a/b.txt", some(Verdict::Allow, "/docs/**")),
        ("sub/docs/x", some(Verdict::Deny, "default")),
        ("notes/readme.md", some(Verdict::Allow, "**/*.md")),
        ("Cargo.toml", some(Verdict::Ask, "Cargo.toml")),
        ("crates/a/Cargo.toml", some(Verdict::Ask, "Cargo.toml")),
        (".env", some(Verdict::Deny, ".env")),
        ("src/deep/.env", some(Verdict::Deny, ".env")),
        ("src/../secrets/k", some(Verdict::Deny, "secrets/**")),
        ("secrets", some(Verdict::Deny, "secrets/**")),
        ("src/key.pem", some(Verdict::Deny, "*.pem")),
        ("@/outside/key.pem", some(Verdict::Deny, "*.pem")),
        ("~/.ssh/id_rsa", some(Verdict::Deny, "~/.ssh/**")),
        ("/opt/scratch/x", some(Verdict::Allow, tmp_rule)),
        ("/etc/passwd", None),
        ("@/outside/readme.md", None),
        // symlinks: deny hits through either side, allow needs both
        ("src/link/k", some(Verdict::Deny, "secrets/**")),
        ("src/link/new-file", some(Verdict::Deny, "secrets/**")),
        ("notes", some(Verdict::Deny, ".env")),
        ("src/out/x", None),
    ];
    for (path, want) in rows {
        assert_eq!(decide(&rules, &w, path), *want, "{path}");
    }
}

#[test]
fn outside_project_decides_paths_no_rule_names() {
    let w = world();
    let rules = section(
        &["src/**"],
        &[],
        &[],
        Some(Verdict::Ask),
        Some(Verdict::Deny),
    );
    assert_eq!(
        decide(&rules, &w, "/etc/hosts").map(|h| h.1),
        Some("outside_project".into())
    );
    assert_eq!(
        decide(&rules, &w, "README").map(|h| h.1),
        Some("default".into())
    );
    // an allowed folder whose symlink leads outside: the target falls to `outside_project`
    assert_eq!(
        decide(&rules, &w, "src/out/x"),
        Some((Verdict::Deny, "outside_project".into()))
    );
}

#[test]
fn a_section_without_rules_or_defaults_abstains() {
    let w = world();
    let rules = section(&[], &[], &[], None, None);
    for path in ["src/main.rs", "/etc/passwd", ".env"] {
        assert_eq!(decide(&rules, &w, path), None, "{path}");
    }
}

#[test]
fn hits_name_the_exact_element_that_matched() {
    let w = world();
    let rules = section(&[], &[], &["a/**", "secrets/**"], None, None);
    let ctx = PathContext {
        project_root: &w.root,
        home: Some(&w.home),
        fs: &RealFs,
    };
    let hit = rules
        .decide(&w.root.join("secrets/k"), &ctx)
        .expect("no hit");
    assert_eq!(hit.origin, Origin::file("b.toml", 2, 1));
    assert_eq!(hit.section, "edit");
    assert!(rules.denies_explicitly(&w.root.join("src/link/k"), &ctx));
    assert!(!rules.denies_explicitly(&w.root.join("src/main.rs"), &ctx));
}

#[test]
fn invalid_globs_are_rejected() {
    for bad in ["src/[abc", "a/{b,c", ""] {
        assert!(validate(bad).is_err(), "{bad}");
    }
}

fn decide_tree(rules: &PathRules, w: &World, path: &str) -> Option<(Verdict, String)> {
    let ctx = PathContext {
        project_root: &w.root,
        home: Some(&w.home),
        fs: &RealFs,
    };
    let path = match path.strip_prefix("@/") {
        Some(rest) => w.root.parent().unwrap_or(&w.root).join(rest),
        None if path == "~" => w.home.clone(),
        None => crate::paths::normalise(Path::new(path), &w.root),
    };
    rules.decide_tree(&path, &ctx).map(|h| (h.verdict, h.rule))
}

#[test]
fn a_folder_tree_meets_every_deny_and_ask_rule_inside_it() {
    let w = world();
    let base = w.root.parent().unwrap_or(&w.root).to_path_buf();
    for dir in ["proj/keys", "proj/docs", "proj/big"] {
        std::fs::create_dir_all(base.join(dir)).unwrap_or_else(|e| panic!("mkdir {dir}: {e}"));
    }
    let mut files = vec!["proj/keys/a.pem".to_string(), "outside/b.pem".to_string()];
    files.extend((0..=TREE_WALK_LIMIT).map(|i| format!("proj/big/f{i}.txt")));
    for f in &files {
        std::fs::write(base.join(f), "x").unwrap_or_else(|e| panic!("write {f}: {e}"));
    }
    let rules = section(
        &["**"],
        &["migrations/*.sql"],
        &[".github/workflows/**", "*.pem", "~/.ssh/**"],
        None,
        None,
    );
    let some = |v: Verdict, r: &str| Some((v, r.to_string()));
    let workflows = some(Verdict::Deny, ".github/workflows/**");
    let pem = some(Verdict::Deny, "*.pem");
    let rows: &[(&str, Option<(Verdict, String)>)] = &[
        (".github", workflows.clone()),
        (".github/workflows", workflows.clone()),
        (".github/workflows/ci.yml", workflows.clone()),
        ("/", workflows.clone()),
        ("keys", pem.clone()),
        ("@/outside", pem.clone()),
        // past the walk's bound, un-anchored rules count as matching
        ("big", pem.clone()),
        ("~", some(Verdict::Deny, "~/.ssh/**")),
        ("migrations", some(Verdict::Ask, "migrations/*.sql")),
        ("migrations/old", some(Verdict::Allow, "**")),
        ("docs", some(Verdict::Allow, "**")),
        // `src/out` links to `outside` (which holds b.pem): the link goes, not its target
        ("src", some(Verdict::Allow, "**")),
        ("src/main.rs", some(Verdict::Allow, "**")),
        ("no-such-folder", some(Verdict::Allow, "**")),
    ];
    for (path, want) in rows {
        assert_eq!(decide_tree(&rules, &w, path), *want, "{path}");
    }
}

#[test]
fn a_glob_meets_the_rules_for_the_files_it_names() {
    let w = world();
    let rules = section(
        &["**"],
        &[],
        &[".env", "**/*.pem", "secrets/**"],
        None,
        None,
    );
    let ctx = PathContext {
        project_root: &w.root,
        home: Some(&w.home),
        fs: &RealFs,
    };
    let some = |v: Verdict, r: &str| Some((v, r.to_string()));
    type Row<'a> = (&'a str, &'a str, Option<(Verdict, String)>);
    let rows: &[Row<'_>] = &[
        ("", ".env", some(Verdict::Deny, ".env")),
        ("", "**/.env*", some(Verdict::Deny, ".env")),
        ("src", ".env", some(Verdict::Deny, ".env")),
        ("", "*.pem", some(Verdict::Deny, "**/*.pem")),
        ("", "secrets/*", some(Verdict::Deny, "secrets/**")),
        ("src", "../secrets/k", some(Verdict::Deny, "secrets/**")),
        ("", "*.rs", some(Verdict::Allow, "**")),
        ("", "**/*", some(Verdict::Allow, "**")),
        ("", "src/**/*.rs", some(Verdict::Allow, "**")),
    ];
    for (base, glob, want) in rows {
        let got = rules
            .decide_glob(&w.root.join(base), glob, &ctx)
            .map(|h| (h.verdict, h.rule));
        assert_eq!(got, *want, "{base} {glob}");
    }
}

#[test]
fn prefixes_stripped_by_bytes_are_the_ones_components_strip() {
    let paths = [
        "/", "/a", "/a/b", "/ab", "/a/b/", "/a//b", "/a/./b", "/a/..", "/a/b/c", "a/b", "",
    ];
    for path in paths.map(Path::new) {
        for base in paths.map(Path::new) {
            let by_components = path
                .strip_prefix(base)
                .ok()
                .map(|rest| rest.as_os_str().as_encoded_bytes());
            assert_eq!(
                strip_prefix_bytes(path, base),
                by_components,
                "{path:?} {base:?}"
            );
        }
    }
}
