//! The one module that imports `brush-parser`: it turns brush's AST into the small
//! intermediate form ([`Script`], [`Word`] pieces) the rest of the analyser walks, so a
//! parser upgrade touches only this folder. Here: the intermediate form, the guarded parse
//! and word splitting; [`convert`] maps the AST, [`params`] the parameter expansions.
//!
//! brush-parser is exponential on some hostile inputs (unclosed `$(` and `(` nests) and
//! slow on very long flat ones, so every parse is guarded: a lexical nesting pre-scan
//! ([`crate::shell::limits::nesting_depth`]), `catch_unwind`, and for long inputs a worker
//! thread abandoned when the time budget runs out.

use crate::shell::limits::{self, AnalysisLimits};
use brush_parser::ast;
use brush_parser::word::{self as bword, WordPiece};

mod convert;
mod params;
mod plain;
use brush_parser::{Parser, ParserOptions};
use convert::convert_program;
use params::convert_parameter;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

/// A sequence of and-or lists (`;`, `&`, newlines).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Script(pub Vec<AndOr>);

/// Pipelines joined by `&&` / `||`, and whether the list runs in the background (`&`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AndOr(pub Vec<Pipeline>, pub Background);

/// An and-or list ended by `&`: its status is not the script's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Background(pub bool);

/// Commands joined by `|` / `|&`, with how the pipeline is joined to the one before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline(pub Vec<Cmd>, pub Joined);

/// How a pipeline's status enters its and-or list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Joined {
    /// `a || b`: `b` is joined by `||` (otherwise by `&&`, or it is the first).
    pub after_or: bool,
    /// `! a`: the status is negated.
    pub negated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cmd {
    Simple(Simple),
    /// `( ( cmd ) )` that the parser read as an arithmetic command: the text inside the
    /// outer parentheses, to be parsed again as a script.
    Reparse(String),
    /// Subshells, brace groups, loops, `if`, `case`, functions, `[[ ]]`, `(( ))`: the
    /// bodies run, the words are expanded (their substitutions run).
    Compound {
        bodies: Vec<Script>,
        words: Vec<Word>,
        redirects: Vec<Redirect>,
        /// `[[ … ]]` is reported as a transparent builtin.
        is_test: bool,
        /// `( … )`: a `cd` inside does not move the rest of the list.
        subshell: bool,
        /// The variable a `for`/`select` loop assigns.
        loop_var: Option<String>,
        /// Loops and function bodies: the body may run again, or later than written.
        repeats: bool,
        /// `[[ -v NAME ]]` and `[[ A -eq B ]]`: bash evaluates the words' values (a
        /// subscript, an arithmetic expression), so code held in them may run.
        evaluates: bool,
    },
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Simple {
    /// Leading `VAR=value` assignments (name, value words; arrays give several).
    pub assigns: Vec<(String, Vec<Word>)>,
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
    pub text: String,
}

/// A shell word as written; [`pieces`] splits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word(pub String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirKind {
    Read,
    Write,
    Append,
    ReadWrite,
    /// `>&file` style duplications with a word target (`2>&1`, `>&-`).
    Dup,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redirect {
    File {
        fd: Option<i32>,
        kind: RedirKind,
        target: Word,
    },
    /// `&>` / `&>>`.
    OutputAndError {
        target: Word,
    },
    ProcessSub(Script),
    HereDoc {
        fd: Option<i32>,
        body: String,
        expands: bool,
    },
    HereString {
        fd: Option<i32>,
        word: Word,
    },
}

/// One piece of a word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    /// Literal text; `quoted` text is not glob-expanded. ANSI-C and escapes are still raw
    /// here (`ansi_c` set); [`crate::shell::words`] decodes them.
    Lit {
        text: String,
        quoted: bool,
        ansi_c: bool,
        escape: bool,
    },
    /// `~` (`None`) or `~user` / `~+` / `~-` (`Some`: not expanded).
    Tilde(Option<String>),
    /// `$NAME` / `${NAME}` when `plain`; otherwise an expansion with operators. `inner`
    /// are embedded word texts (defaults, patterns) whose substitutions also run.
    Var {
        name: String,
        plain: bool,
        inner: Vec<String>,
        /// `${NAME:=…}` / `${NAME=…}`: the expansion may assign the variable.
        assigns: bool,
        /// `${a[i]}`, `${x:off:len}`, `${!x}`: bash evaluates a value here (an arithmetic
        /// subscript or offset, an indirect name), so code held in a variable may run.
        evaluates: bool,
        /// `${NAME:?message}` / `${NAME?message}`: bash prints the message (the `inner`
        /// text, expanded) on standard error when `NAME` is unset.
        error_message: bool,
    },
    /// `$( … )` or backticks: the script text.
    Subst(String),
    /// `$(( … ))`: the expression text (it may hold substitutions).
    Arith(String),
}

/// Why a parse failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseFailure(pub String);

fn options() -> ParserOptions {
    ParserOptions::default()
}

/// Inputs shorter than this parse inline; longer ones in a worker thread with a deadline.
const INLINE_PARSE_BYTES: usize = 2048;

/// Parses a script within the analysis limits.
pub fn parse_script(text: &str, bounds: &AnalysisLimits) -> Result<Script, ParseFailure> {
    limits::prescan(text)?;
    if bounds.expired() {
        return Err(ParseFailure(limits::TIME_REASON.into()));
    }
    if let Some(script) = plain::parse(text) {
        return Ok(script);
    }
    let program = if text.len() < INLINE_PARSE_BYTES {
        parse_guarded(text.to_owned())?
    } else {
        parse_in_worker(text.to_owned(), bounds)?
    };
    Ok(convert_program(text, &program))
}

thread_local! {
    /// Set while brush-parser runs under [`quietly`]: its panics are caught and reported as
    /// parse failures, so the panic hook stays silent for them.
    static IN_PARSER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

static QUIET_HOOK: std::sync::Once = std::sync::Once::new();
static CAUGHT_PANICS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many brush-parser panics this process caught (and turned into parse failures): the
/// fuzz targets tell these from a crash of ours.
pub fn caught_parser_panics() -> usize {
    CAUGHT_PANICS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Runs brush-parser code, catching its panics without the message and backtrace the
/// default hook prints on stderr (`explain` showed them). The hook is scoped: a panic
/// anywhere else, or on another thread, goes to the hook that was installed before.
fn quietly<T>(parse: impl FnOnce() -> T) -> Result<T, ()> {
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_PARSER.with(std::cell::Cell::get) {
                previous(info);
            }
        }));
    });
    let outer = IN_PARSER.with(|flag| flag.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(parse));
    IN_PARSER.with(|flag| flag.set(outer));
    outcome.map_err(|_| {
        CAUGHT_PANICS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    })
}

fn parse_guarded(text: String) -> Result<ast::Program, ParseFailure> {
    let outcome = quietly(|| {
        let mut parser = Parser::new(std::io::BufReader::new(text.as_bytes()), &options());
        parser.parse_program()
    });
    match outcome {
        Ok(Ok(program)) => Ok(program),
        Ok(Err(error)) => Err(ParseFailure(format!(
            "the shell parser rejected it ({error})"
        ))),
        Err(_) => Err(ParseFailure("the shell parser failed on it".into())),
    }
}

fn parse_in_worker(text: String, bounds: &AnalysisLimits) -> Result<ast::Program, ParseFailure> {
    let (send, receive) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("shell-parse".into())
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            // The receiver may be gone when the deadline passed: nothing to report then.
            let _ = send.send(parse_guarded(text));
        });
    if spawned.is_err() {
        return Err(ParseFailure("could not start the shell parser".into()));
    }
    match receive.recv_timeout(bounds.remaining()) {
        Ok(result) => result,
        Err(_) => Err(ParseFailure(limits::TIME_REASON.into())),
    }
}

/// Whether a word is plain text: only letters, digits and `_ - . / , : = + % @`, so no
/// quote, escape, expansion, glob, brace, tilde or extglob can be in it. Most words of
/// ordinary commands are (`cargo`, `-p`, `src/lib.rs`, `--jobs=4`); they are one unquoted
/// literal piece, which brush's word parser would take thousands of instructions to say
/// (the test `plain_words_are_what_the_parser_makes_of_them` checks the two agree).
pub fn is_plain_word(word: &str) -> bool {
    !word.is_empty()
        && word.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'-' | b'.' | b'/' | b',' | b':' | b'=' | b'+' | b'%' | b'@'
                )
        })
}

/// Splits a word into pieces. Fails on malformed words (unclosed quotes or expansions).
pub fn pieces(word: &str) -> Result<Vec<Piece>, ParseFailure> {
    if is_plain_word(word) {
        return Ok(vec![Piece::Lit {
            text: word.to_owned(),
            quoted: false,
            ansi_c: false,
            escape: false,
        }]);
    }
    parsed_pieces(word)
}

/// [`pieces`] as brush-parser splits the word.
fn parsed_pieces(word: &str) -> Result<Vec<Piece>, ParseFailure> {
    limits::prescan(word)?;
    let parsed = quietly(|| bword::parse(word, &options()));
    match parsed {
        Ok(Ok(list)) => {
            let mut out = Vec::new();
            for p in list {
                push_piece(p.piece, false, &mut out);
            }
            Ok(out)
        }
        Ok(Err(error)) => Err(ParseFailure(format!(
            "the word `{word}` does not parse ({error})"
        ))),
        Err(_) => Err(ParseFailure(format!(
            "the word `{word}` could not be parsed"
        ))),
    }
}

/// Pieces of an expanding here-document body (quotes are literal there).
pub fn heredoc_pieces(body: &str) -> Result<Vec<Piece>, ParseFailure> {
    limits::prescan(body)?;
    let parsed = quietly(|| bword::parse_heredoc(body, &options()));
    match parsed {
        Ok(Ok(list)) => {
            let mut out = Vec::new();
            for p in list {
                push_piece(p.piece, true, &mut out);
            }
            Ok(out)
        }
        _ => Err(ParseFailure("a here-document body does not parse".into())),
    }
}

fn push_piece(piece: WordPiece, quoted: bool, out: &mut Vec<Piece>) {
    let lit = |text: String, quoted, ansi_c, escape| Piece::Lit {
        text,
        quoted,
        ansi_c,
        escape,
    };
    match piece {
        WordPiece::Text(text) => out.push(lit(text, quoted, false, false)),
        WordPiece::SingleQuotedText(text) => out.push(lit(text, true, false, false)),
        WordPiece::AnsiCQuotedText(text) => out.push(lit(text, true, true, false)),
        WordPiece::EscapeSequence(text) => out.push(lit(text, true, false, true)),
        WordPiece::DoubleQuotedSequence(inner) | WordPiece::GettextDoubleQuotedSequence(inner) => {
            for p in inner {
                push_piece(p.piece, true, out);
            }
        }
        WordPiece::TildeExpansion(expr) => out.push(match expr {
            bword::TildeExpr::Home => Piece::Tilde(None),
            other => Piece::Tilde(Some(format!("{other:?}"))),
        }),
        WordPiece::ParameterExpansion(expr) => out.push(convert_parameter(expr)),
        WordPiece::CommandSubstitution(text) | WordPiece::BackquotedCommandSubstitution(text) => {
            out.push(Piece::Subst(text));
        }
        WordPiece::ArithmeticExpression(expr) => out.push(Piece::Arith(expr.value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Words at the edges of the plain alphabet: flags, assignments, separators alone.
    const EDGES: &[&str] = &[
        "-", "--", "-p", "--jobs=4", "=", "a=b", "x=", "@", "a@b", "%", "%1", "+", "+x", ":",
        "a:b", ",", "a,b", ".", "..", "...", "/", "//", "/a/b/", "./x", "../x", "1", "_", "if",
        "then", "fi", "done", "case", "in", "esac", "time", "function", "select", "!x",
    ];

    #[test]
    fn plain_words_are_what_the_parser_makes_of_them() {
        for word in EDGES.iter().copied().filter(|w| is_plain_word(w)) {
            assert_eq!(pieces(word), parsed_pieces(word), "{word}");
        }
    }

    #[test]
    fn words_with_shell_syntax_are_not_plain() {
        for word in [
            "", "~", "~/x", "a*", "a?", "[a]", "{a,b}", "$x", "`x`", "'a'", "\"a\"", "a\\b",
            "@(a)", "!(a)", "a b", "a;b", "a&b", "a|b", "a<b", "a>b", "#x", "a\tb", "a\nb", "é",
        ] {
            assert!(!is_plain_word(word), "{word}");
        }
    }

    proptest! {
        #[test]
        fn any_plain_word_is_one_unquoted_literal_to_the_parser(
            word in "[A-Za-z0-9_./,:=+%@-]{1,16}"
        ) {
            prop_assert!(is_plain_word(&word));
            prop_assert_eq!(pieces(&word), parsed_pieces(&word));
        }
    }
}
