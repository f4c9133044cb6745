//! Globs matched without building a regex (DESIGN §3: every tool call loads the budget).
//!
//! Building `globset` matchers (aho-corasick automata and regexes) was most of a hook's
//! cost, and nearly every glob in a budget uses only literal characters, `?`, `*` and `**`.
//! Those are turned into the same tokens `globset` parses them into and matched here with
//! the same meaning as the regex `globset` would build (`?` one byte, `*` a run of bytes, not
//! `/` when `literal_separator`; `**/`, `/**/` and `/**` any depth). Alternatives of plain
//! names (`id_{rsa,dsa}*`, `*.{pem,key}`) are spelled out into one such glob each: the
//! secrets pack has one, and compiling it with `globset` (a regex) cost ~0.2 M instructions on
//! every Read. A glob with a class or an escape (`[`, `\`), or alternatives holding more than
//! names, is handed to `globset`, compiled the first time it is needed. The differential
//! tests check both ways agree.

use super::rule_error::{RuleError, RuleKind};
use globset::{Candidate, GlobBuilder, GlobSet, GlobSetBuilder};
use packed::{decode_tokens, ends_could_match};
use std::sync::{Arc, OnceLock};

/// `globset` options a glob is built with (only the ones our budgets use).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct GlobOptions {
    /// `*` and `?` never match `/` (path globs); otherwise they match any byte.
    pub literal_separator: bool,
    pub backslash_escape: bool,
    pub empty_alternates: bool,
}

impl GlobOptions {
    fn builder<'a>(&self, text: &'a str) -> GlobBuilder<'a> {
        let mut builder = GlobBuilder::new(text);
        builder
            .literal_separator(self.literal_separator)
            .backslash_escape(self.backslash_escape)
            .empty_alternates(self.empty_alternates);
        builder
    }
}

/// One glob, ready to match.
#[derive(Clone)]
pub(crate) struct Glob {
    /// As written; empty when read back from the compiled-budget cache in its tokens (only
    /// a `globset` glob needs its text).
    text: String,
    options: GlobOptions,
    form: Form,
}

#[derive(Clone, Debug)]
enum Form {
    /// The whole glob is `**`: everything matches.
    Everything,
    Tokens(Vec<Token>),
    /// Alternatives spelled out (see [`spell_out`]): matches when one of them does.
    AnyOf(Vec<Vec<Token>>),
    /// Tokens as the compiled-budget cache keeps them ([`encode_tokens`], already checked
    /// whole), turned into [`Token`]s only when the path could match: an Edit consults lists
    /// of dozens of globs, most of which its path's first or last bytes already rule out.
    Packed(Vec<u8>),
    /// Built on first use; `None` inside when `globset` could not build it.
    Globset(Arc<OnceLock<Option<GlobSet>>>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Literal(Vec<u8>),
    /// `?`
    Any,
    /// `*`
    ZeroOrMore,
    /// `**/` at the start: nothing, `/`, or anything ending in `/`.
    RecursivePrefix,
    /// `/**` at the end: `/` then anything.
    RecursiveSuffix,
    /// `/**/` inside: `/`, or `/` anything `/`.
    RecursiveZeroOrMore,
}

/// Characters only `globset` handles (alternatives are validated by it, and matched here
/// when [`spell_out`] can).
fn needs_globset(text: &str) -> bool {
    text.contains(['[', '{', '}', '\\'])
}

/// At most this many spelled-out globs per glob (`{a,b}{c,d}` is four); past it, `globset`.
const MAX_SPELLED_OUT: usize = 64;

/// `text` with each group of alternatives spelled out (`a{b,c}d` → `abd`, `acd`), when every
/// group is `{` names separated by `,` `}`: not nested, none empty, no `/ * ? [ ] { } \` in
/// a name. Then each result means what the group meant to `globset` (a name holds no `/`, so
/// no `**` around it changes meaning: `globset` reads `**` by whether a `/` is beside it).
/// `None`: leave it to `globset`.
fn spell_out(text: &str) -> Option<Vec<String>> {
    if text.contains(['[', '\\']) {
        return None;
    }
    let mut done = vec![String::new()];
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        let (before, group) = rest.split_at(open);
        let close = group.find('}')?;
        let names = group.get(1..close)?;
        if group.starts_with('}') || names.is_empty() {
            return None;
        }
        let names: Vec<&str> = names.split(',').collect();
        let plain = |name: &&str| {
            !name.is_empty() && !name.contains(['/', '*', '?', '[', ']', '{', '}', '\\'])
        };
        if !names.iter().all(plain) || done.len() * names.len() > MAX_SPELLED_OUT {
            return None;
        }
        done = done
            .iter()
            .flat_map(|head| {
                names
                    .iter()
                    .map(move |name| format!("{head}{before}{name}"))
            })
            .collect();
        rest = group.get(close + 1..)?;
    }
    for head in &mut done {
        head.push_str(rest);
    }
    Some(done)
}

impl Glob {
    /// Whether `text` is a valid glob, without preparing it for matching.
    pub(super) fn check(text: &str, options: GlobOptions) -> Result<(), RuleError> {
        if needs_globset(text) {
            options
                .builder(text)
                .build()
                .map_err(|e| RuleError::new(text, RuleKind::Glob, e.kind().to_string()))?;
        }
        Ok(())
    }

    /// Parses a glob; the error is `globset`'s reason, for a diagnostic.
    pub(super) fn new(text: &str, options: GlobOptions) -> Result<Glob, RuleError> {
        if needs_globset(text) {
            options
                .builder(text)
                .build()
                .map_err(|e| RuleError::new(text, RuleKind::Glob, e.kind().to_string()))?;
        }
        Ok(Glob::checked(text, options))
    }

    /// A glob [`Glob::new`] already accepted (read back from the compiled-budget cache, or
    /// validated with the budget file). One that is not valid after all fails at its first
    /// match attempt (`try_matches` errs).
    pub(super) fn checked(text: &str, options: GlobOptions) -> Glob {
        let whole = |tokens: Vec<Token>| {
            if tokens == [Token::RecursivePrefix] {
                Form::Everything
            } else {
                Form::Tokens(tokens)
            }
        };
        let form = if !needs_globset(text) {
            whole(tokenize(text))
        } else if let Some(texts) = spell_out(text) {
            let mut alternatives: Vec<Vec<Token>> = texts.iter().map(|t| tokenize(t)).collect();
            match alternatives.len() {
                1 => whole(alternatives.pop().unwrap_or_default()),
                _ if alternatives.iter().any(|t| t == &[Token::RecursivePrefix]) => {
                    Form::Everything
                }
                _ => Form::AnyOf(alternatives),
            }
        } else {
            Form::Globset(Arc::default())
        };
        Glob {
            text: text.to_string(),
            options,
            form,
        }
    }

    /// Whether the glob matches `candidate` as a whole; `Err` when `globset` could not
    /// build it (the caller decides which way to fail).
    pub(super) fn try_matches(&self, candidate: &[u8]) -> Result<bool, ()> {
        match &self.form {
            Form::Everything => Ok(true),
            Form::Tokens(tokens) => Ok(matches(tokens, candidate, self.options)),
            Form::Packed(bytes) => {
                if !ends_could_match(bytes, candidate) {
                    return Ok(false);
                }
                let (tokens, _) = decode_tokens(bytes).ok_or(())?;
                Ok(matches(&tokens, candidate, self.options))
            }
            Form::AnyOf(alternatives) => Ok(alternatives
                .iter()
                .any(|tokens| matches(tokens, candidate, self.options))),
            Form::Globset(cell) => {
                let set = cell.get_or_init(|| {
                    let glob = self.options.builder(&self.text).build().ok()?;
                    GlobSetBuilder::new().add(glob).build().ok()
                });
                let set = set.as_ref().ok_or(())?;
                Ok(set.is_match_candidate(&Candidate::from_bytes(candidate)))
            }
        }
    }
}

/// What a glob is, however it was made (from a file, or read back from the cache without
/// its text): its tokens, or the text `globset` builds.
impl std::fmt::Debug for Glob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.form {
            Form::Everything => f.write_str("Glob(**)"),
            Form::Tokens(tokens) => f.debug_tuple("Glob").field(tokens).finish(),
            Form::Packed(bytes) => match decode_tokens(bytes) {
                Some((tokens, _)) => f.debug_tuple("Glob").field(&tokens).finish(),
                None => f.debug_tuple("Glob").field(bytes).finish(),
            },
            Form::AnyOf(alternatives) => f.debug_tuple("Glob").field(alternatives).finish(),
            Form::Globset(_) => f.debug_tuple("Glob").field(&self.text).finish(),
        }
    }
}

/// `globset`'s tokens for a glob without classes, alternatives or escapes (its parser, the
/// one-branch case), adjacent literal characters kept together.
fn tokenize(text: &str) -> Vec<Token> {
    // Sized once: this runs for every glob of a list a call consults (dozens per Edit).
    let mut tokens: Vec<Token> = Vec::with_capacity(8);
    let mut chars = text.chars().peekable();
    // The character consumed before the current one (`globset`'s `prev`).
    let mut last: Option<char> = None;
    let two_stars = |tokens: &mut Vec<Token>| {
        tokens.push(Token::ZeroOrMore);
        tokens.push(Token::ZeroOrMore);
    };
    while let Some(c) = chars.next() {
        let before = last;
        last = Some(c);
        match c {
            '?' => tokens.push(Token::Any),
            '*' if chars.next_if_eq(&'*').is_none() => tokens.push(Token::ZeroOrMore),
            '*' => {
                let next_is_slash = chars.peek() == Some(&'/');
                let at_end = chars.peek().is_none();
                if tokens.is_empty() {
                    if at_end || next_is_slash {
                        tokens.push(Token::RecursivePrefix);
                        if chars.next().is_some() {
                            last = Some('/');
                        }
                    } else {
                        two_stars(&mut tokens);
                    }
                    continue;
                }
                if before != Some('/') || !(at_end || next_is_slash) {
                    two_stars(&mut tokens);
                    continue;
                }
                if chars.next().is_some() {
                    last = Some('/');
                }
                // `globset` pops its last token, one character: the `/` before the stars
                // when it was a literal.
                let popped = match tokens.last_mut() {
                    Some(Token::Literal(run)) if run.len() > 1 => {
                        run.pop();
                        None
                    }
                    _ => tokens.pop(),
                };
                let token = match popped {
                    Some(Token::RecursivePrefix) => Token::RecursivePrefix,
                    Some(Token::RecursiveSuffix) => Token::RecursiveSuffix,
                    _ if at_end => Token::RecursiveSuffix,
                    _ => Token::RecursiveZeroOrMore,
                };
                tokens.push(token);
            }
            c => {
                let mut buf = [0; 4];
                let bytes = c.encode_utf8(&mut buf).as_bytes();
                match tokens.last_mut() {
                    Some(Token::Literal(run)) if c.is_ascii() => run.push(c as u8),
                    Some(Token::Literal(run)) => run.extend_from_slice(bytes),
                    _ => {
                        let mut run = Vec::with_capacity(text.len());
                        run.extend_from_slice(bytes);
                        tokens.push(Token::Literal(run));
                    }
                }
            }
        }
    }
    tokens
}

/// Whether `tokens` match all of `path`, with the meaning of `globset`'s regex (`.` there
/// matches any byte, newlines too). Dynamic programming over (token, offset), one row per
/// token from the last: linear in tokens × path length whatever the pattern.
fn matches(tokens: &[Token], path: &[u8], options: GlobOptions) -> bool {
    if let Some(Token::Literal(first)) = tokens.first()
        && !path.starts_with(first)
    {
        return false;
    }
    if let Some(Token::Literal(last)) = tokens.last()
        && !path.ends_with(last)
    {
        return false;
    }
    let n = path.len();
    let free = |b: u8| !options.literal_separator || b != b'/';
    // `next[j]`: the tokens after this one match `path[j..]`.
    let mut next = vec![false; n + 1];
    next[n] = true;
    let mut here = vec![false; n + 1];
    for token in tokens.iter().rev() {
        // `any_after[j]`: next matches from some k >= j; `slash_then[j]`: some k >= j holds
        // `/` and next matches from k + 1.
        let mut any_after = vec![false; n + 2];
        let mut slash_then = vec![false; n + 2];
        for j in (0..=n).rev() {
            any_after[j] = next[j] || any_after[j + 1];
            slash_then[j] = (j < n && path[j] == b'/' && next[j + 1]) || slash_then[j + 1];
        }
        for j in (0..=n).rev() {
            here[j] = match token {
                Token::Literal(lit) => {
                    path.get(j..).is_some_and(|rest| rest.starts_with(lit)) && next[j + lit.len()]
                }
                Token::Any => j < n && free(path[j]) && next[j + 1],
                Token::ZeroOrMore => next[j] || (j < n && free(path[j]) && here[j + 1]),
                Token::RecursivePrefix => next[j] || slash_then[j],
                Token::RecursiveSuffix => j < n && path[j] == b'/' && any_after[j + 1],
                Token::RecursiveZeroOrMore => {
                    j < n && path[j] == b'/' && (next[j + 1] || slash_then[j + 1])
                }
            };
        }
        std::mem::swap(&mut next, &mut here);
    }
    next[0]
}

#[path = "glob_packed.rs"]
mod packed;

#[cfg(test)]
#[path = "glob_match_tests.rs"]
mod tests;
