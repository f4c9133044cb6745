use super::packed::tag;
use super::*;
use proptest::prelude::*;

const PATHS: GlobOptions = GlobOptions {
    literal_separator: true,
    backslash_escape: true,
    empty_alternates: true,
};
const NAMES: GlobOptions = GlobOptions {
    literal_separator: false,
    backslash_escape: true,
    empty_alternates: false,
};

/// What `globset` itself says (the code this module replaced built a `GlobSet`).
fn globset_says(text: &str, path: &str, options: GlobOptions) -> bool {
    let glob = options
        .builder(text)
        .build()
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    let set = GlobSetBuilder::new()
        .add(glob)
        .build()
        .unwrap_or_else(|e| panic!("{text}: {e}"));
    set.is_match_candidate(&Candidate::from_bytes(path.as_bytes()))
}

/// What our glob says, written and read back through the compiled-budget cache's binary
/// form too (read back, token globs stay packed until a path could match them): both must
/// agree, and the written one is returned.
fn we_say(text: &str, path: &str, options: GlobOptions) -> bool {
    let glob = Glob::new(text, options).unwrap_or_else(|e| panic!("{text}: {e}"));
    let says = glob
        .try_matches(path.as_bytes())
        .unwrap_or_else(|()| panic!("{text} did not build"));
    let bytes = postcard::to_stdvec(&glob).unwrap();
    let back: Glob = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(
        back.try_matches(path.as_bytes()),
        Ok(says),
        "{text} ~ {path}, read back"
    );
    says
}

#[test]
fn budget_shaped_globs_match_as_globset_does() {
    let rows: &[(&str, &str, bool)] = &[
        ("src/**", "src/a/b.rs", true),
        ("src/**", "src", false),
        ("src/**", "srcx/a", false),
        ("**/*.pem", "a/b/key.pem", true),
        ("**/*.pem", "key.pem", true),
        ("**/*.pem", "a/key.pem/x", false),
        ("**/.env.*", "deep/.env.local", true),
        ("**/.env", "x/.envrc", false),
        ("**/**", "anything/at/all", true),
        ("**", "", true),
        ("a/**/b", "a/b", true),
        ("a/**/b", "a/x/y/b", true),
        ("a/**/b", "a/xb", false),
        ("crates/c1/src/**", "crates/c10/src/x", false),
        ("release/*", "release/1.0", true),
        ("release/*", "release/1/0", false),
        ("a?c", "abc", true),
        ("a?c", "a/c", false),
        ("**/id_rsa*", "home/.ssh/id_rsa.pub", true),
        ("src/[ab].rs", "src/a.rs", true),
        ("src/{a,b}.rs", "src/b.rs", true),
        ("src/{a,b}.rs", "src/c.rs", false),
        ("id_{rsa,dsa,ecdsa,ed25519}*", "id_ed25519.pub", true),
        ("id_{rsa,dsa,ecdsa,ed25519}*", "id_dsa", true),
        ("id_{rsa,dsa,ecdsa,ed25519}*", "id_ecdsa/x", false),
        ("id_{rsa,dsa,ecdsa,ed25519}*", "x/id_rsa", false),
        ("**/*.{pem,key}", "a/b/c.key", true),
        ("**/*.{pem,key}", "c.pe", false),
        ("{src,tests}/**", "tests/a/b", true),
        ("{src,tests}/**", "docs/a", false),
        ("{a,b}{c,d}", "bc", true),
        ("{a,b}{c,d}", "ab", false),
        ("x{a,b}**", "xa/y", false),
        ("x{a,b}**", "xbyy", true),
        ("{a,b},{c}", "a,c", true),
    ];
    for (text, path, want) in rows {
        assert_eq!(
            globset_says(text, path, PATHS),
            *want,
            "globset: {text} ~ {path}"
        );
        assert_eq!(we_say(text, path, PATHS), *want, "{text} ~ {path}");
    }
}

#[test]
fn invalid_globs_are_refused_with_globsets_reason() {
    for text in ["src/[a", "src/{a", "a}b", "trailing\\"] {
        let ours = Glob::new(text, PATHS).err().map(|e| e.reason);
        let theirs = PATHS
            .builder(text)
            .build()
            .err()
            .map(|e| e.kind().to_string());
        assert!(ours.is_some(), "{text}");
        assert_eq!(ours, theirs, "{text}");
    }
}

#[test]
fn plain_alternatives_are_matched_without_building_a_regex() {
    for text in [
        "id_{rsa,dsa,ecdsa,ed25519}*",
        "**/*.{pem,key}",
        "{a,b}{c,d}/**",
        "{x}",
    ] {
        let glob = Glob::new(text, PATHS).unwrap();
        assert!(!matches!(glob.form, Form::Globset(_)), "{text}: {glob:?}");
    }
    // Classes, escapes, nesting, empty or non-name alternatives, too many: still `globset`'s.
    for text in [
        "{a,*.rs}",
        "{a/b,c}",
        "{a,}",
        "{a,{b,c}}",
        "[ab]{c,d}",
        "{a\\,b}",
    ] {
        let glob = Glob::new(text, PATHS).unwrap();
        assert!(matches!(glob.form, Form::Globset(_)), "{text}: {glob:?}");
    }
    let many = "{a,b}".repeat(7);
    assert!(matches!(
        Glob::new(&many, PATHS).unwrap().form,
        Form::Globset(_)
    ));
}

/// Globs with groups of alternatives, plain names or not.
fn glob_with_alternatives() -> impl Strategy<Value = String> {
    let part = proptest::sample::select(vec![
        "a", "b", ".", "/", "*", "**", "?", ",", "{a,b}", "{ab,.}", "{a}", "{a,b*}", "{a/,b}",
    ]);
    proptest::collection::vec(part, 0..7).prop_map(|parts| parts.concat())
}

fn glob_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(vec!["a", "b", ".", "/", "*", "**", "?", "é", ","]),
        0..9,
    )
    .prop_map(|parts| parts.concat())
}

/// Paths as the rules see them: relative, lexically normalised (no empty, `.` or `..`
/// components; `globset`'s own strategies read those as having no file name).
fn path_text() -> impl Strategy<Value = String> {
    let component =
        proptest::sample::select(vec!["a", "b", ".a", "a.", "a.b", "..a", "é", "a\nb", "*"]);
    proptest::collection::vec(component, 0..4).prop_map(|parts| parts.join("/"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn globs_with_alternatives_agree_with_globset(
        text in glob_with_alternatives(),
        path in path_text(),
    ) {
        for options in [PATHS, NAMES] {
            prop_assert_eq!(
                we_say(&text, &path, options),
                globset_says(&text, &path, options),
                "{:?} ~ {:?} ({:?})", text, path, options
            );
        }
    }

    #[test]
    fn simple_globs_agree_with_globset(text in glob_text(), path in path_text()) {
        for options in [PATHS, NAMES] {
            prop_assert_eq!(
                we_say(&text, &path, options),
                globset_says(&text, &path, options),
                "{:?} ~ {:?} ({:?})", text, path, options
            );
        }
    }
}

#[test]
fn a_glob_read_back_from_its_binary_form_matches_as_the_one_written() {
    let options = GlobOptions {
        literal_separator: true,
        backslash_escape: true,
        empty_alternates: true,
    };
    let globs = [
        "**",
        "src/**",
        "**/*.pem",
        "a?c/**/d",
        "*.{rs,toml}",
        "{src,a?c}/**",
        "x[ab]",
        "",
        "é/**",
    ];
    let paths = [
        "src/a",
        "a/b/k.pem",
        "abc/d",
        "abc/x/y/d",
        "m.rs",
        "xa",
        "",
        "é/z",
        "src",
    ];
    for text in globs {
        let glob = Glob::checked(text, options);
        let bytes = postcard::to_stdvec(&glob).unwrap();
        let back: Glob = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(format!("{glob:?}"), format!("{back:?}"), "{text}");
        for path in paths {
            assert_eq!(
                glob.try_matches(path.as_bytes()),
                back.try_matches(path.as_bytes()),
                "{text} {path}"
            );
        }
    }
    // An unknown tag, a literal cut short, unknown options: refused.
    assert!(Glob::decode(&[0b1000, tag::EVERYTHING]).is_none());
    assert!(Glob::decode(&[0, tag::TOKENS, 9]).is_none());
    assert!(Glob::decode(&[0, tag::TOKENS, tag::LITERAL, 5, 0, 0, 0, b'a']).is_none());
    assert!(Glob::decode(&[0, tag::TOKENS, tag::ANY, tag::OR, tag::ANY]).is_none());
    assert!(Glob::decode(&[0, tag::ANY_OF, tag::ANY, tag::OR, 9]).is_none());
    // Alternatives no glob spells out: one alone, or an empty one.
    assert!(Glob::decode(&[0, tag::ANY_OF, tag::ANY]).is_none());
    assert!(Glob::decode(&[0, tag::ANY_OF, tag::ANY, tag::OR]).is_none());
}
