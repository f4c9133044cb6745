//! Property tests: wrapping never loses a command or an effect; renaming through quotes,
//! escapes and paths keeps argv[0]; arbitrary input never panics and stays within bounds.

use super::{FakeFs, context};
use budget_policy::shell::{Analysis, EffectKind, analyse};
use proptest::prelude::*;
use std::path::Path;

/// A path and what happens to it.
type Effect = (&'static str, EffectKind);

/// (payload, the argv it must yield, the effect it must yield)
const PAYLOADS: &[(&str, &str, Option<Effect>)] = &[
    (
        "rm -rf /",
        "rm -rf /",
        Some(("/", EffectKind::Delete { recursive: true })),
    ),
    ("cat .env", "cat .env", Some(("/p/.env", EffectKind::Read))),
    (
        "touch migrations/x",
        "touch migrations/x",
        Some(("/p/migrations/x", EffectKind::Write)),
    ),
    ("git reset --hard", "git reset --hard", None),
    (
        "echo x > migrations/a",
        "echo x",
        Some(("/p/migrations/a", EffectKind::Write)),
    ),
];

fn single_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// Wraps `inner` in the `kind`-th way a command can be hidden.
fn wrap(kind: usize, inner: &str) -> String {
    // Prefix wrappers take a simple command: anything else goes through `bash -c`, as a
    // user would have to write it.
    let simple = !inner.starts_with(['(', '{'])
        && !inner.starts_with("if ")
        && !inner.starts_with("x=")
        && !inner.contains(['|', ';', '&']);
    let prefixed = |prefix: &str| {
        if simple {
            format!("{prefix} {inner}")
        } else {
            format!("{prefix} bash -c {}", single_quote(inner))
        }
    };
    match kind {
        0 => format!("bash -c {}", single_quote(inner)),
        1 => format!("sh -lc {}", single_quote(inner)),
        2 => format!("echo $( {inner} )"),
        3 => format!("( {inner} )"),
        4 => format!("{{ {inner}; }}"),
        5 => prefixed("env FOO=1"),
        6 => prefixed("sudo -u root"),
        7 => prefixed("timeout 5"),
        8 => format!("true | {inner}"),
        9 => format!("true && {inner}"),
        10 => prefixed("nice -n 5"),
        11 => format!("x=$( {inner} )"),
        12 => format!("eval {}", single_quote(inner)),
        13 => format!("if true; then {inner}; fi"),
        14 if !inner.contains('`') => format!("echo `{inner}`"),
        _ => prefixed("command"),
    }
}

fn keeps(analysis: &Analysis, argv: &str, effect: Option<Effect>) -> bool {
    let has_command = analysis
        .commands
        .iter()
        .any(|c| c.argv.join(" ").starts_with(argv));
    let has_effect = effect.is_none_or(|(path, kind)| {
        analysis
            .effects
            .iter()
            .any(|e| e.path == Path::new(path) && e.kind == kind)
    });
    has_command && has_effect
}

/// What every analysis must satisfy, whatever the input: reasons an agent can read and
/// absolute effect paths the rules can decide.
fn well_formed(analysis: &budget_policy::shell::Analysis) -> Result<(), String> {
    if let Some(part) = analysis
        .unanalysable
        .iter()
        .find(|u| u.reason.trim().is_empty())
    {
        return Err(format!("an unanalysable part without a reason: {part:?}"));
    }
    if let Some(effect) = analysis.effects.iter().find(|e| !e.path.is_absolute()) {
        return Err(format!("a relative effect path: {effect:?}"));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn wrapping_never_loses_a_command_or_its_effect(
        payload in 0..PAYLOADS.len(),
        wrappers in proptest::collection::vec(0usize..16, 1..4),
    ) {
        let (text, argv, effect) = PAYLOADS[payload];
        let command = wrappers.iter().fold(text.to_owned(), |inner, &kind| wrap(kind, &inner));
        let fs = FakeFs::project();
        let analysis = analyse(&command, &context(&fs));
        prop_assert!(keeps(&analysis, argv, effect), "{command:?} lost `{argv}`: {analysis:#?}");
    }

    #[test]
    fn renaming_through_quotes_escapes_and_paths_keeps_argv0(
        name in prop::sample::select(vec!["rm", "git", "cat", "curl", "sudo"]),
        style in 0usize..7,
    ) {
        let hex: String = name.bytes().map(|b| format!("\\x{b:02x}")).collect();
        let spelled = match style {
            0 => format!("\\{name}"),
            1 => format!("'{name}'"),
            2 => format!("\"{name}\""),
            3 => format!("/usr/bin/{name}"),
            4 => format!("{}''{}", &name[..1], &name[1..]),
            5 => format!("$'{hex}'"),
            _ => format!("{}\\{}", &name[..1], &name[1..]),
        };
        let fs = FakeFs::project();
        let analysis = analyse(&format!("{spelled} x"), &context(&fs));
        prop_assert_eq!(analysis.commands.first().map(|c| c.argv[0].as_str()), Some(name), "{}", spelled);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "(?s).{0,300}") {
        // No timing assert (DESIGN §3): a hang would stop the suite, which is its own failure.
        let fs = FakeFs::project();
        let analysis = analyse(&text, &context(&fs));
        prop_assert!(well_formed(&analysis).is_ok(), "{:?} for {text:?}", well_formed(&analysis));
    }

    #[test]
    fn shell_syntax_soup_never_panics(
        parts in proptest::collection::vec(prop::sample::select(vec![
            "$(", ")", "`", "${", "}", "((", "'", "\"", "<<EOF\n", "\nEOF\n", "|", "&&", ";", "{ ", "(",
            "if ", "then ", "fi", "bash -c ", "eval ", "rm -rf /", "$'\\x72'", "<(", ">(", "\\", "\n", "*", "~",
        ]), 0..60),
    ) {
        let text: String = parts.concat();
        let fs = FakeFs::project();
        let analysis = analyse(&text, &context(&fs));
        prop_assert!(well_formed(&analysis).is_ok(), "{:?} for {text:?}", well_formed(&analysis));
    }
}
