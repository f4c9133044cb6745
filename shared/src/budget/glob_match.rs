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
            Form::AnyOf(alternatives) => f.debug_tuple("Glob").field(alternatives).finish(),
            Form::Globset(_) => f.debug_tuple("Glob").field(&self.text).finish(),
        }
    }
}

/// Tags of the binary form ([`Glob::encode`]).
mod tag {
    pub(super) const EVERYTHING: u8 = 0;
    pub(super) const TOKENS: u8 = 1;
    pub(super) const GLOBSET: u8 = 2;
    pub(super) const ANY_OF: u8 = 3;
    pub(super) const LITERAL: u8 = 0;
    pub(super) const ANY: u8 = 1;
    pub(super) const ZERO_OR_MORE: u8 = 2;
    pub(super) const RECURSIVE_PREFIX: u8 = 3;
    pub(super) const RECURSIVE_SUFFIX: u8 = 4;
    pub(super) const RECURSIVE_ZERO_OR_MORE: u8 = 5;
    /// Between two alternatives' tokens.
    pub(super) const OR: u8 = 6;
}

impl Glob {
    /// The binary form the compiled-budget cache keeps: one byte string, so a glob read back
    /// is neither tokenized again nor decoded field by field through serde (decoding each
    /// token that way was most of an Edit call's reading of the path rules). Options (a bit
    /// each), the form, then the text (`globset`) or each token (a tag; a literal's length,
    /// 4 bytes little-endian, and its bytes).
    fn encode(&self) -> Vec<u8> {
        let options = u8::from(self.options.literal_separator)
            | u8::from(self.options.backslash_escape) << 1
            | u8::from(self.options.empty_alternates) << 2;
        let mut out = vec![options];
        match &self.form {
            Form::Everything => out.push(tag::EVERYTHING),
            Form::Globset(_) => {
                out.push(tag::GLOBSET);
                out.extend_from_slice(self.text.as_bytes());
            }
            Form::Tokens(tokens) => {
                out.push(tag::TOKENS);
                encode_tokens(tokens, &mut out);
            }
            Form::AnyOf(alternatives) => {
                out.push(tag::ANY_OF);
                for (i, tokens) in alternatives.iter().enumerate() {
                    if i > 0 {
                        out.push(tag::OR);
                    }
                    encode_tokens(tokens, &mut out);
                }
            }
        }
        out
    }

    /// Reads [`Glob::encode`]'s form back; `None` when the bytes are not one (a damaged
    /// entry). Any tokens match without panicking, so damaged bytes that still read can
    /// change what a glob means only as damaged text could.
    fn decode(bytes: &[u8]) -> Option<Glob> {
        let (&options, rest) = bytes.split_first()?;
        if options > 0b111 {
            return None;
        }
        let options = GlobOptions {
            literal_separator: options & 1 != 0,
            backslash_escape: options & 2 != 0,
            empty_alternates: options & 4 != 0,
        };
        let (&form, mut rest) = rest.split_first()?;
        let (text, form) = match form {
            tag::EVERYTHING if rest.is_empty() => (String::new(), Form::Everything),
            tag::GLOBSET => {
                let text = std::str::from_utf8(rest).ok()?.to_string();
                (text, Form::Globset(Arc::default()))
            }
            tag::TOKENS => {
                let (tokens, after) = decode_tokens(rest)?;
                if !after.is_empty() {
                    return None;
                }
                (String::new(), Form::Tokens(tokens))
            }
            tag::ANY_OF => {
                let mut alternatives = Vec::with_capacity(4);
                loop {
                    let (tokens, after) = decode_tokens(rest)?;
                    alternatives.push(tokens);
                    match after.split_first() {
                        None => break,
                        Some((&tag::OR, after)) => rest = after,
                        Some(_) => return None,
                    }
                }
                (String::new(), Form::AnyOf(alternatives))
            }
            _ => return None,
        };
        Some(Glob {
            text,
            options,
            form,
        })
    }
}

/// Appends `tokens` in the binary form: a tag each; a literal's length, 4 bytes
/// little-endian, and its bytes.
fn encode_tokens(tokens: &[Token], out: &mut Vec<u8>) {
    for token in tokens {
        match token {
            Token::Literal(bytes) => {
                out.push(tag::LITERAL);
                let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(bytes.get(..len as usize).unwrap_or(bytes));
            }
            Token::Any => out.push(tag::ANY),
            Token::ZeroOrMore => out.push(tag::ZERO_OR_MORE),
            Token::RecursivePrefix => out.push(tag::RECURSIVE_PREFIX),
            Token::RecursiveSuffix => out.push(tag::RECURSIVE_SUFFIX),
            Token::RecursiveZeroOrMore => out.push(tag::RECURSIVE_ZERO_OR_MORE),
        }
    }
}

/// Reads tokens up to the end or an [`tag::OR`] (left in the rest); `None` when damaged.
fn decode_tokens(mut rest: &[u8]) -> Option<(Vec<Token>, &[u8])> {
    let mut tokens = Vec::with_capacity(4);
    while let Some((&token, after)) = rest.split_first() {
        if token == tag::OR {
            break;
        }
        rest = after;
        tokens.push(match token {
            tag::LITERAL => {
                let (len, after) = rest.split_first_chunk::<4>()?;
                let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
                let (literal, after) = after.split_at_checked(len)?;
                rest = after;
                Token::Literal(literal.to_vec())
            }
            tag::ANY => Token::Any,
            tag::ZERO_OR_MORE => Token::ZeroOrMore,
            tag::RECURSIVE_PREFIX => Token::RecursivePrefix,
            tag::RECURSIVE_SUFFIX => Token::RecursiveSuffix,
            tag::RECURSIVE_ZERO_OR_MORE => Token::RecursiveZeroOrMore,
            _ => return None,
        });
    }
    Some((tokens, rest))
}

/// A glob is stored as written, its text and options, in human-readable formats; binary
/// ones (the compiled-budget cache) get [`Glob::encode`]'s form. Read back without checking
/// it again: only a glob `Glob::new` accepted (or `Glob::checked` tokenized) is stored.
impl serde::Serialize for Glob {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !serializer.is_human_readable() {
            return serializer.serialize_bytes(&self.encode());
        }
        if self.text.is_empty() && !matches!(self.form, Form::Tokens(ref t) if t.is_empty()) {
            return Err(serde::ser::Error::custom(
                "a glob read back from the cache has no text to write",
            ));
        }
        serde::Serialize::serialize(&(&self.text, self.options), serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Glob {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Glob, D::Error> {
        if deserializer.is_human_readable() {
            let (text, options) =
                <(String, GlobOptions) as serde::Deserialize>::deserialize(deserializer)?;
            return Ok(Glob::checked(&text, options));
        }
        struct Encoded;
        impl serde::de::Visitor<'_> for Encoded {
            type Value = Glob;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an encoded glob")
            }
            fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Glob, E> {
                Glob::decode(bytes).ok_or_else(|| E::custom("a damaged glob"))
            }
        }
        deserializer.deserialize_bytes(Encoded)
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
