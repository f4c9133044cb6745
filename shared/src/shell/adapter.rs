//! The one file that imports `brush-parser`: it turns brush's AST into the small
//! intermediate form ([`Script`], [`Word`] pieces) the rest of the analyser walks, so a
//! parser upgrade touches only this file.
//!
//! brush-parser is exponential on some hostile inputs (unclosed `$(` and `(` nests) and
//! slow on very long flat ones, so every parse is guarded: a lexical nesting pre-scan
//! ([`crate::shell::limits::nesting_depth`]), `catch_unwind`, and for long inputs a worker
//! thread abandoned when the time budget runs out.

use crate::shell::limits::{self, Budget};
use brush_parser::ast;
use brush_parser::word::{self as bword, Parameter, ParameterExpr, WordPiece};
use brush_parser::{Parser, ParserOptions};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;

/// A sequence of and-or lists (`;`, `&`, newlines).
#[derive(Clone, Debug, Default)]
pub struct Script(pub Vec<AndOr>);

/// Pipelines joined by `&&` / `||`, and whether the list runs in the background (`&`).
#[derive(Clone, Debug)]
pub struct AndOr(pub Vec<Pipeline>, pub Background);

/// An and-or list ended by `&`: its status is not the script's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Background(pub bool);

/// Commands joined by `|` / `|&`, with how the pipeline is joined to the one before it.
#[derive(Clone, Debug)]
pub struct Pipeline(pub Vec<Cmd>, pub Joined);

/// How a pipeline's status enters its and-or list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Joined {
    /// `a || b`: `b` is joined by `||` (otherwise by `&&`, or it is the first).
    pub after_or: bool,
    /// `! a`: the status is negated.
    pub negated: bool,
}

#[derive(Clone, Debug)]
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

#[derive(Clone, Debug, Default)]
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

#[derive(Clone, Debug)]
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

/// Parses a script under the budget's limits.
pub fn parse_script(text: &str, budget: &Budget) -> Result<Script, ParseFailure> {
    limits::prescan(text)?;
    if budget.expired() {
        return Err(ParseFailure(limits::TIME_REASON.into()));
    }
    let program = if text.len() < INLINE_PARSE_BYTES {
        parse_guarded(text.to_owned())?
    } else {
        parse_in_worker(text.to_owned(), budget)?
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

fn parse_in_worker(text: String, budget: &Budget) -> Result<ast::Program, ParseFailure> {
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
    match receive.recv_timeout(budget.remaining()) {
        Ok(result) => result,
        Err(_) => Err(ParseFailure(limits::TIME_REASON.into())),
    }
}

/// Splits a word into pieces. Fails on malformed words (unclosed quotes or expansions).
pub fn pieces(word: &str) -> Result<Vec<Piece>, ParseFailure> {
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

fn parameter_name(parameter: &Parameter) -> String {
    match parameter {
        Parameter::Positional(n) => n.to_string(),
        Parameter::Special(special) => special.to_string(),
        Parameter::Named(name) => name.clone(),
        Parameter::NamedWithIndex { name, .. } | Parameter::NamedWithAllIndices { name, .. } => {
            name.clone()
        }
    }
}

fn convert_parameter(expr: ParameterExpr) -> Piece {
    use ParameterExpr as P;
    let assigns = matches!(expr, P::AssignDefaultValues { .. });
    let evaluates = match &expr {
        P::Parameter { indirect, .. } => *indirect,
        P::Substring { .. } => true,
        _ => false,
    };
    let error_message = matches!(expr, P::IndicateErrorIfNullOrUnset { .. });
    let var = |parameter: &Parameter, plain: bool, inner: Vec<Option<String>>| Piece::Var {
        name: parameter_name(parameter),
        plain,
        inner: inner.into_iter().flatten().collect(),
        assigns,
        evaluates: evaluates || matches!(parameter, Parameter::NamedWithIndex { .. }),
        error_message,
    };
    match expr {
        P::Parameter {
            parameter,
            indirect,
        } => {
            let plain = !indirect && matches!(parameter, Parameter::Named(_));
            let mut inner = Vec::new();
            if let Parameter::NamedWithIndex { index, .. } = &parameter {
                inner.push(Some(index.clone()));
            }
            var(&parameter, plain, inner)
        }
        P::UseDefaultValues {
            parameter,
            default_value: v,
            ..
        }
        | P::AssignDefaultValues {
            parameter,
            default_value: v,
            ..
        }
        | P::IndicateErrorIfNullOrUnset {
            parameter,
            error_message: v,
            ..
        }
        | P::UseAlternativeValue {
            parameter,
            alternative_value: v,
            ..
        }
        | P::RemoveSmallestSuffixPattern {
            parameter,
            pattern: v,
            ..
        }
        | P::RemoveLargestSuffixPattern {
            parameter,
            pattern: v,
            ..
        }
        | P::RemoveSmallestPrefixPattern {
            parameter,
            pattern: v,
            ..
        }
        | P::RemoveLargestPrefixPattern {
            parameter,
            pattern: v,
            ..
        }
        | P::UppercaseFirstChar {
            parameter,
            pattern: v,
            ..
        }
        | P::UppercasePattern {
            parameter,
            pattern: v,
            ..
        }
        | P::LowercaseFirstChar {
            parameter,
            pattern: v,
            ..
        }
        | P::LowercasePattern {
            parameter,
            pattern: v,
            ..
        } => var(&parameter, false, vec![v]),
        // `${#NAME}` is the value's length, not the value: named `#NAME` so it is not
        // taken for an expansion of `NAME` (the secrets pack), and stays dynamic.
        P::ParameterLength { parameter, .. } => Piece::Var {
            name: format!("#{}", parameter_name(&parameter)),
            plain: false,
            inner: vec![],
            assigns: false,
            evaluates: false,
            error_message: false,
        },
        P::Transform { parameter, .. } => var(&parameter, false, vec![]),
        P::Substring {
            parameter,
            offset,
            length,
            ..
        } => var(
            &parameter,
            false,
            vec![Some(offset.value), length.map(|l| l.value)],
        ),
        P::ReplaceSubstring {
            parameter,
            pattern,
            replacement,
            ..
        } => var(&parameter, false, vec![Some(pattern), replacement]),
        P::VariableNames { prefix, .. } => Piece::Var {
            name: prefix,
            plain: false,
            inner: vec![],
            assigns: false,
            evaluates: false,
            error_message: false,
        },
        P::MemberKeys { variable_name, .. } => Piece::Var {
            name: variable_name,
            plain: false,
            inner: vec![],
            assigns: false,
            evaluates: false,
            error_message: false,
        },
    }
}

thread_local! {
    /// The text being converted, for [`word`] to read a word's source when brush lost it.
    static SOURCE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

fn convert_program(src: &str, program: &ast::Program) -> Script {
    SOURCE.with(|s| s.replace(src.to_owned()));
    let script = convert_items(src, program);
    SOURCE.with(|s| s.borrow_mut().clear());
    script
}

fn convert_items(src: &str, program: &ast::Program) -> Script {
    let mut items = Vec::new();
    for complete in &program.complete_commands {
        items.extend(convert_list(src, complete).0);
    }
    Script(items)
}

fn convert_list(src: &str, list: &ast::CompoundList) -> Script {
    Script(
        list.0
            .iter()
            .map(|item| {
                let background = matches!(item.1, ast::SeparatorOperator::Async);
                convert_and_or(src, &item.0, Background(background))
            })
            .collect(),
    )
}

fn convert_and_or(src: &str, list: &ast::AndOrList, background: Background) -> AndOr {
    let mut pipelines = vec![convert_pipeline(src, &list.first, false)];
    for next in &list.additional {
        match next {
            ast::AndOr::And(p) => pipelines.push(convert_pipeline(src, p, false)),
            ast::AndOr::Or(p) => pipelines.push(convert_pipeline(src, p, true)),
        }
    }
    AndOr(pipelines, background)
}

fn convert_pipeline(src: &str, pipeline: &ast::Pipeline, after_or: bool) -> Pipeline {
    Pipeline(
        pipeline
            .seq
            .iter()
            .map(|c| convert_command(src, c))
            .collect(),
        Joined {
            after_or,
            negated: pipeline.bang,
        },
    )
}

/// A word as the rest of the analyser sees it. Bash 5.3's function substitutions
/// (`${ cmd; }`, `${| cmd; }`) are not understood by brush-parser, which drops their blanks
/// and hands back literal text (`${git push;}`): from the word's source they are rewritten
/// to `$( cmd; )`, so the command inside is analysed and the word is not a literal.
fn word(w: &ast::Word) -> Word {
    if w.value.contains("${")
        && let Some(loc) = &w.loc
    {
        let original: String = SOURCE.with(|s| {
            s.borrow()
                .chars()
                .skip(loc.start.index)
                .take(loc.end.index.saturating_sub(loc.start.index))
                .collect()
        });
        if let Some(rewritten) = crate::shell::funsub::rewrite(&original) {
            return Word(rewritten);
        }
    }
    Word(w.value.clone())
}

fn compound(
    src: &str,
    bodies: Vec<Script>,
    words: Vec<Word>,
    redirects: Option<&ast::RedirectList>,
) -> Cmd {
    Cmd::Compound {
        bodies,
        words,
        redirects: redirects
            .map(|r| r.0.iter().map(|r| convert_redirect(src, r)).collect())
            .unwrap_or_default(),
        is_test: false,
        subshell: false,
        loop_var: None,
        repeats: false,
        evaluates: false,
    }
}

fn repeating(mut command: Cmd) -> Cmd {
    if let Cmd::Compound { repeats, .. } = &mut command {
        *repeats = true;
    }
    command
}

fn convert_command(src: &str, command: &ast::Command) -> Cmd {
    match command {
        ast::Command::Simple(simple) => Cmd::Simple(convert_simple(src, simple)),
        ast::Command::Compound(inner, redirects) => {
            convert_compound(src, inner, redirects.as_ref())
        }
        ast::Command::Function(def) => {
            repeating(convert_compound(src, &def.body.0, def.body.1.as_ref()))
        }
        ast::Command::ExtendedTest(test, redirects) => {
            let mut words = Vec::new();
            let mut evaluated = false;
            collect_test_words(&test.expr, &mut words, &mut evaluated);
            let mut command = compound(src, vec![], words, redirects.as_ref());
            if let Cmd::Compound {
                is_test, evaluates, ..
            } = &mut command
            {
                *is_test = true;
                *evaluates = evaluated;
            }
            command
        }
    }
}

fn collect_test_words(expr: &ast::ExtendedTestExpr, out: &mut Vec<Word>, evaluates: &mut bool) {
    use ast::BinaryPredicate as B;
    use ast::ExtendedTestExpr as E;
    match expr {
        E::And(a, b) | E::Or(a, b) => {
            collect_test_words(a, out, evaluates);
            collect_test_words(b, out, evaluates);
        }
        E::Not(a) | E::Parenthesized(a) => collect_test_words(a, out, evaluates),
        E::UnaryTest(op, w) => {
            *evaluates |= matches!(
                op,
                ast::UnaryPredicate::ShellVariableIsSetAndAssigned
                    | ast::UnaryPredicate::ShellVariableIsSetAndNameRef
            );
            out.push(word(w));
        }
        E::BinaryTest(op, a, b) => {
            *evaluates |= matches!(
                op,
                B::ArithmeticEqualTo
                    | B::ArithmeticNotEqualTo
                    | B::ArithmeticLessThan
                    | B::ArithmeticLessThanOrEqualTo
                    | B::ArithmeticGreaterThan
                    | B::ArithmeticGreaterThanOrEqualTo
            );
            out.push(word(a));
            out.push(word(b));
        }
    }
}

fn convert_compound(
    src: &str,
    command: &ast::CompoundCommand,
    redirects: Option<&ast::RedirectList>,
) -> Cmd {
    use ast::CompoundCommand as C;
    let arith = |e: &ast::UnexpandedArithmeticExpr| Word(format!("$(({}))", e.value));
    match command {
        C::Arithmetic(a) => match nested_subshells(src, &a.loc) {
            Some(inner) => Cmd::Reparse(inner),
            None => compound(src, vec![], vec![arith(&a.expr)], redirects),
        },
        C::ArithmeticForClause(f) => {
            let words = [&f.initializer, &f.condition, &f.updater]
                .into_iter()
                .flatten()
                .map(arith)
                .collect();
            repeating(compound(
                src,
                vec![convert_list(src, &f.body.list)],
                words,
                redirects,
            ))
        }
        C::BraceGroup(g) => compound(src, vec![convert_list(src, &g.list)], vec![], redirects),
        C::Subshell(s) => {
            let mut command = compound(src, vec![convert_list(src, &s.list)], vec![], redirects);
            if let Cmd::Compound { subshell, .. } = &mut command {
                *subshell = true;
            }
            command
        }
        C::ForClause(f) => {
            let words = f.values.iter().flatten().map(word).collect();
            let mut command =
                compound(src, vec![convert_list(src, &f.body.list)], words, redirects);
            if let Cmd::Compound { loop_var, .. } = &mut command {
                *loop_var = Some(f.variable_name.clone());
            }
            repeating(command)
        }
        C::CaseClause(c) => {
            let mut words = vec![word(&c.value)];
            let mut bodies = Vec::new();
            for item in &c.cases {
                words.extend(item.patterns.iter().map(word));
                if let Some(cmd) = &item.cmd {
                    bodies.push(convert_list(src, cmd));
                }
            }
            compound(src, bodies, words, redirects)
        }
        C::IfClause(i) => {
            let mut bodies = vec![convert_list(src, &i.condition), convert_list(src, &i.then)];
            for e in i.elses.iter().flatten() {
                if let Some(cond) = &e.condition {
                    bodies.push(convert_list(src, cond));
                }
                bodies.push(convert_list(src, &e.body));
            }
            compound(src, bodies, vec![], redirects)
        }
        C::WhileClause(w) | C::UntilClause(w) => repeating(compound(
            src,
            vec![convert_list(src, &w.0), convert_list(src, &w.1.list)],
            vec![],
            redirects,
        )),
        C::Coprocess(c) => {
            let inner = Script(vec![AndOr(
                vec![Pipeline(
                    vec![convert_command(src, &c.body)],
                    Joined::default(),
                )],
                Background(true),
            )]);
            compound(src, vec![inner], vec![], redirects)
        }
    }
}

fn convert_simple(src: &str, simple: &ast::SimpleCommand) -> Simple {
    let mut out = Simple {
        text: simple.to_string(),
        ..Simple::default()
    };
    use ast::CommandPrefixOrSuffixItem as I;
    let prefix = simple.prefix.iter().flat_map(|p| p.0.iter());
    let name = simple.word_or_name.iter().cloned().map(I::Word);
    let suffix = simple.suffix.iter().flat_map(|s| s.0.iter()).cloned();
    for item in prefix.cloned().chain(name).chain(suffix) {
        match item {
            I::IoRedirect(r) => out.redirects.push(convert_redirect(src, &r)),
            I::Word(w) => out.words.push(word(&w)),
            I::AssignmentWord(assignment, whole) => {
                if out.words.is_empty() {
                    let mut converted = convert_assignment(&assignment);
                    // `x=${ cmd; }`: the value's location is not kept, the whole word's is.
                    let whole_word = word(&whole);
                    if whole_word.0 != whole.value
                        && let Some((_, value)) = whole_word.0.split_once('=')
                    {
                        converted.1.push(Word(value.to_owned()));
                    }
                    out.assigns.push(converted);
                } else {
                    // `export A=b`, `local x=$(…)`: an argument of the command.
                    out.words.push(word(&whole));
                }
            }
            I::ProcessSubstitution(_, sub) => {
                out.redirects
                    .push(Redirect::ProcessSub(convert_list(src, &sub.list)));
            }
        }
    }
    out
}

fn convert_assignment(assignment: &ast::Assignment) -> (String, Vec<Word>) {
    let (name, index) = match &assignment.name {
        ast::AssignmentName::VariableName(n) => (n.clone(), None),
        ast::AssignmentName::ArrayElementName(n, index) => (n.clone(), Some(index)),
    };
    // `a[$(cmd)]=1`: the subscript is expanded and evaluated arithmetically.
    let subscript = index.map(|i| Word(format!("$(({i}))")));
    let values = match &assignment.value {
        ast::AssignmentValue::Scalar(w) => vec![word(w)],
        ast::AssignmentValue::Array(items) => items
            .iter()
            .flat_map(|(k, v)| k.iter().map(word).chain(std::iter::once(word(v))))
            .collect(),
    };
    (name, subscript.into_iter().chain(values).collect())
}

fn convert_redirect(src: &str, redirect: &ast::IoRedirect) -> Redirect {
    use ast::IoFileRedirectKind as K;
    match redirect {
        ast::IoRedirect::File(fd, kind, target) => {
            let target = match target {
                ast::IoFileRedirectTarget::Filename(w)
                | ast::IoFileRedirectTarget::Duplicate(w) => word(w),
                ast::IoFileRedirectTarget::Fd(n) => Word(format!("&{n}")),
                ast::IoFileRedirectTarget::ProcessSubstitution(_, sub) => {
                    return Redirect::ProcessSub(convert_list(src, &sub.list));
                }
            };
            let kind = match kind {
                K::Read => RedirKind::Read,
                K::Write | K::Clobber => RedirKind::Write,
                K::Append => RedirKind::Append,
                K::ReadAndWrite => RedirKind::ReadWrite,
                K::DuplicateInput | K::DuplicateOutput => RedirKind::Dup,
            };
            Redirect::File {
                fd: *fd,
                kind,
                target,
            }
        }
        ast::IoRedirect::HereDocument(fd, doc) => Redirect::HereDoc {
            fd: *fd,
            body: if doc.requires_expansion {
                crate::shell::funsub::rewrite(&doc.doc.value)
                    .unwrap_or_else(|| doc.doc.value.clone())
            } else {
                doc.doc.value.clone()
            },
            expands: doc.requires_expansion,
        },
        ast::IoRedirect::HereString(fd, w) => Redirect::HereString {
            fd: *fd,
            word: word(w),
        },
        ast::IoRedirect::OutputAndError(w, _) => Redirect::OutputAndError { target: word(w) },
    }
}

/// brush reads `( ( cmd ) )` as the arithmetic command `(( cmd ))`; Bash runs two nested
/// subshells. When the source has a blank between the two parentheses, hand back the text
/// inside the outer pair so it is analysed as a script.
fn nested_subshells(src: &str, loc: &brush_parser::SourceSpan) -> Option<String> {
    let text: String = src
        .chars()
        .skip(loc.start.index)
        .take(loc.end.index.saturating_sub(loc.start.index))
        .collect();
    let rest = text.strip_prefix('(')?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let inner = rest.trim_end().strip_suffix(')')?;
    Some(inner.to_owned())
}
