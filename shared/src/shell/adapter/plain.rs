//! Plain command lists without brush-parser: `cargo test -p billing && git status`.
//!
//! Most commands an agent runs are plain words ([`super::is_plain_word`]) joined by blanks,
//! `&&`, `||`, `|` and `;`. For those the [`Script`] is read off the text directly, which
//! costs a fraction of brush's tokenizer and grammar (it tries every word as an
//! assignment). Anything else — a quote, a `$`, a redirection, a newline, `&`, an
//! assignment before the command, a reserved word where a command starts, an empty
//! command — returns `None` and goes to brush as before. The tests check the two give the
//! same [`Script`] on generated lists, and that brush accepts every list read here.

use super::{AndOr, Background, Cmd, Joined, Pipeline, Script, Simple, Word, is_plain_word};

/// Words bash reads as syntax where a command starts.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
    "in", "function", "select", "time", "coproc",
];

/// The script of a plain command list, or `None` when `text` is anything more.
pub(super) fn parse(text: &str) -> Option<Script> {
    let mut items = Vec::new();
    let mut pipelines = Vec::new();
    let mut commands = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut after_or = false;
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches([' ', '\t']);
        let word_len = rest.find([' ', '\t', '&', '|', ';']).unwrap_or(rest.len());
        if word_len > 0 {
            let word = &rest[..word_len];
            if !is_plain_word(word) {
                return None;
            }
            if words.is_empty() && (word.contains('=') || RESERVED.contains(&word)) {
                return None;
            }
            words.push(Word(word.to_owned()));
            rest = &rest[word_len..];
            continue;
        }
        // An operator or the end: the command so far must have words.
        if words.is_empty() {
            // Only a list ended by `;` may end with nothing after it.
            let ended_by_semicolon = rest.is_empty()
                && commands.is_empty()
                && pipelines.is_empty()
                && !items.is_empty()
                && text.trim_end_matches([' ', '\t']).ends_with(';');
            return ended_by_semicolon.then_some(Script(items));
        }
        commands.push(simple(std::mem::take(&mut words)));
        let (operator, next) = if let Some(next) = rest.strip_prefix("&&") {
            ("&&", next)
        } else if let Some(next) = rest.strip_prefix("||") {
            ("||", next)
        } else if let Some(next) = rest.strip_prefix('|') {
            ("|", next)
        } else if let Some(next) = rest.strip_prefix(';') {
            (";", next)
        } else if rest.is_empty() {
            ("", rest)
        } else {
            // `&` alone, `|&`, `;;` and the like.
            return None;
        };
        if operator == "|" {
            if next.starts_with(['&', '|', ';']) {
                return None;
            }
            rest = next;
            continue;
        }
        pipelines.push(Pipeline(
            std::mem::take(&mut commands),
            Joined {
                after_or,
                negated: false,
            },
        ));
        after_or = operator == "||";
        if matches!(operator, ";" | "") {
            items.push(AndOr(std::mem::take(&mut pipelines), Background(false)));
            after_or = false;
        }
        if operator.is_empty() {
            return Some(Script(items));
        }
        if operator == ";" && next.starts_with(['&', '|', ';']) {
            return None;
        }
        rest = next;
    }
}

/// A simple command of plain words; its text is the words joined by one blank, as brush
/// writes a simple command back.
fn simple(words: Vec<Word>) -> Cmd {
    let mut text = String::with_capacity(words.iter().map(|w| w.0.len() + 1).sum());
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(&word.0);
    }
    Cmd::Simple(Simple {
        assigns: Vec::new(),
        words,
        redirects: Vec::new(),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What brush and the conversion make of `text`, when brush accepts it.
    fn through_brush(text: &str) -> Option<Script> {
        let program = super::super::parse_guarded(text.to_owned()).ok()?;
        Some(super::super::convert::convert_program(text, &program))
    }

    #[test]
    fn plain_lists_are_read_as_brush_reads_them() {
        for text in [
            "cargo test -p billing && git status",
            "echo hi && echo hi && echo hi",
            "cargo fmt; cargo clippy -- -D warnings || echo failed",
            "ls -la src | wc -l | sort",
            "a;",
            " \tgit  status\t ;  ",
            "make -j4 all && ./target/bin/x --out=/tmp/y",
            "export A=b && env X=1",
            "declare -n ref=SECRET; declare -x A=1 B",
            "local x=1 && readonly A=b && typeset -i n=2",
            "alias ll=ls; let x=1; eval a; unset A; builtin export C=d",
            "command export E=f | exec env G=h",
            "echo if then fi",
        ] {
            let plain = parse(text);
            assert!(plain.is_some(), "{text}");
            assert_eq!(plain, through_brush(text), "{text}");
        }
    }

    #[test]
    fn anything_more_goes_to_brush() {
        for text in [
            "",
            ";",
            "a &&",
            "&& a",
            "a && && b",
            "a ; ; b",
            "a;;",
            "a & b",
            "a &",
            "a |& b",
            "a || | b",
            "X=1 cargo test",
            "if true",
            "time ls",
            "for x",
            "echo 'a'",
            "echo $x",
            "echo > f",
            "a\nb",
            "(a)",
            "{ a; }",
            "! a",
            "echo a#b",
            "cat ~/x",
            "echo *.rs",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }

    const WORDS: &[&str] = &[
        "echo",
        "hi",
        "cargo",
        "test",
        "-p",
        "billing",
        "git",
        "status",
        "x=1",
        "a=",
        "=b",
        "if",
        "then",
        "fi",
        "time",
        "in",
        "do",
        "done",
        "ls",
        "-la",
        "src/lib.rs",
        "1",
        "2",
        "%",
        "@",
        "a,b",
        "--x=y",
        "export",
        "declare",
        "-",
    ];
    const SEPARATORS: &[&str] = &[
        " ", "  ", "\t", " && ", "&&", " || ", "||", "|", " | ", ";", " ; ", "; ", "&", " & ",
        "|&", ";;", "",
    ];

    proptest! {
        #[test]
        fn a_list_read_without_brush_is_the_list_brush_reads(
            parts in prop::collection::vec((0..WORDS.len(), 0..SEPARATORS.len()), 1..8),
            lead in prop::sample::select(vec!["", " ", "\t", "&&", ";"]),
        ) {
            let mut text = String::from(lead);
            for (word, separator) in parts {
                text.push_str(WORDS[word]);
                text.push_str(SEPARATORS[separator]);
            }
            if let Some(plain) = parse(&text) {
                prop_assert_eq!(Some(plain), through_brush(&text), "{:?}", text);
            }
        }
    }
}
