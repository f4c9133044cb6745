//! brush's AST → the intermediate form of [`super`]: lists, pipelines, compound and
//! simple commands, assignments, redirections; words keep their source text (bash 5.3
//! function substitutions are rewritten from it, [`crate::shell::funsub`]).

use super::{AndOr, Background, Cmd, Joined, Pipeline, RedirKind, Redirect, Script, Simple, Word};
use brush_parser::ast;

thread_local! {
    /// The text being converted, for [`word`] to read a word's source when brush lost it.
    static SOURCE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

pub(super) fn convert_program(src: &str, program: &ast::Program) -> Script {
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
    // The items are read where they are in the AST (prefix, name, suffix), not copied.
    for item in simple.prefix.iter().flat_map(|p| p.0.iter()) {
        convert_item(src, item, &mut out);
    }
    if let Some(name) = &simple.word_or_name {
        out.words.push(word(name));
    }
    for item in simple.suffix.iter().flat_map(|s| s.0.iter()) {
        convert_item(src, item, &mut out);
    }
    out
}

/// One prefix or suffix item of a simple command, added to `out`.
fn convert_item(src: &str, item: &ast::CommandPrefixOrSuffixItem, out: &mut Simple) {
    use ast::CommandPrefixOrSuffixItem as I;
    match item {
        I::IoRedirect(r) => out.redirects.push(convert_redirect(src, r)),
        I::Word(w) => out.words.push(word(w)),
        I::AssignmentWord(assignment, whole) => {
            if out.words.is_empty() {
                let mut converted = convert_assignment(assignment);
                // `x=${ cmd; }`: the value's location is not kept, the whole word's is.
                let whole_word = word(whole);
                if whole_word.0 != whole.value
                    && let Some((_, value)) = whole_word.0.split_once('=')
                {
                    converted.1.push(Word(value.to_owned()));
                }
                out.assigns.push(converted);
            } else {
                // `export A=b`, `local x=$(…)`: an argument of the command.
                out.words.push(word(whole));
            }
        }
        I::ProcessSubstitution(_, sub) => {
            out.redirects
                .push(Redirect::ProcessSub(convert_list(src, &sub.list)));
        }
    }
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
