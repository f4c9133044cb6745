//! Globs matched without building a regex (DESIGN §3: every tool call loads the budget).
//!
//! Building `globset` matchers (aho-corasick automata and regexes) was most of a hook's
//! cost, and nearly every glob in a budget uses only literal characters, `?`, `*` and `**`.
//! Those are turned into the same tokens `globset` parses them into and matched here with
//! the same meaning as the regex `globset` would build (`?` one byte, `*` a run of bytes, not
//! `/` when `literal_separator`; `**/`, `/**/` and `/**` any depth). A glob with a class,
//! alternatives or an escape (`[`, `{`, `}`, `\`) is handed to `globset`, compiled the first
//! time it is needed. The differential tests check both ways agree.

use super::rule_error::{RuleError, RuleKind};
use globset::{Candidate, GlobBuilder, GlobSet, GlobSetBuilder};
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
#[derive(Clone, Debug)]
pub(crate) struct Glob {
    text: String,
    options: GlobOptions,
    form: Form,
}

#[derive(Clone, Debug)]
enum Form {
    /// The whole glob is `**`: everything matches.
    Everything,
    Tokens(Vec<Token>),
    /// Built on first use; `None` inside when `globset` could not build it.
    Globset(Arc<OnceLock<Option<GlobSet>>>),
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Token {
    Literal(#[serde(with = "literal_bytes")] Vec<u8>),
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

/// Characters only `globset` handles.
fn needs_globset(text: &str) -> bool {
    text.contains(['[', '{', '}', '\\'])
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
        let form = if needs_globset(text) {
            Form::Globset(Arc::default())
        } else {
            let tokens = tokenize(text);
            if tokens == [Token::RecursivePrefix] {
                Form::Everything
            } else {
                Form::Tokens(tokens)
            }
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

/// How a glob's prepared form is stored in binary formats: its tokens, so a glob read back
/// from the compiled-budget cache is not tokenized again on every call (a `globset` one is
/// still built on first use).
#[derive(serde::Serialize, serde::Deserialize)]
enum Stored<T> {
    Everything,
    Tokens(T),
    Globset,
}

/// A glob is stored as written, its text and options; binary formats (the compiled-budget
/// cache) add its tokens. Read back without checking it again: only a glob `Glob::new`
/// accepted (or `Glob::checked` tokenized) is ever stored, and any tokens match without
/// panicking, so a damaged entry can change what a glob means only as damaged text could.
impl serde::Serialize for Glob {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            return (&self.text, self.options).serialize(serializer);
        }
        let stored = match &self.form {
            Form::Everything => Stored::Everything,
            Form::Tokens(tokens) => Stored::Tokens(tokens.as_slice()),
            Form::Globset(_) => Stored::Globset,
        };
        (&self.text, self.options, stored).serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Glob {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Glob, D::Error> {
        if deserializer.is_human_readable() {
            let (text, options) = <(String, GlobOptions)>::deserialize(deserializer)?;
            return Ok(Glob::checked(&text, options));
        }
        let (text, options, stored) =
            <(String, GlobOptions, Stored<Vec<Token>>)>::deserialize(deserializer)?;
        let form = match stored {
            Stored::Everything => Form::Everything,
            Stored::Tokens(tokens) => Form::Tokens(tokens),
            Stored::Globset => Form::Globset(Arc::default()),
        };
        Ok(Glob {
            text,
            options,
            form,
        })
    }
}

/// A literal run as one byte string (postcard: its length and bytes, copied once), not a
/// sequence of numbers.
mod literal_bytes {
    use serde::de::{Deserializer, Error, Visitor};
    use serde::ser::Serializer;
    use std::fmt;

    pub(super) fn serialize<S: Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<u8>, D::Error> {
        struct Bytes;
        impl Visitor<'_> for Bytes {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the bytes of a literal")
            }
            fn visit_bytes<E: Error>(self, bytes: &[u8]) -> Result<Vec<u8>, E> {
                Ok(bytes.to_vec())
            }
            fn visit_byte_buf<E: Error>(self, bytes: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(bytes)
            }
        }
        deserializer.deserialize_byte_buf(Bytes)
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

#[cfg(test)]
#[path = "glob_match_tests.rs"]
mod tests;
