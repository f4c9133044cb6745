//! The binary form the compiled-budget cache keeps a glob in, and reading it back (token
//! globs stay packed until a path could match them).

use super::{Form, Glob, GlobOptions, Token};
use std::sync::Arc;

/// Tags of the binary form ([`Glob::encode`]).
pub(super) mod tag {
    pub(crate) const EVERYTHING: u8 = 0;
    pub(crate) const TOKENS: u8 = 1;
    pub(crate) const GLOBSET: u8 = 2;
    pub(crate) const ANY_OF: u8 = 3;
    pub(crate) const LITERAL: u8 = 0;
    pub(crate) const ANY: u8 = 1;
    pub(crate) const ZERO_OR_MORE: u8 = 2;
    pub(crate) const RECURSIVE_PREFIX: u8 = 3;
    pub(crate) const RECURSIVE_SUFFIX: u8 = 4;
    pub(crate) const RECURSIVE_ZERO_OR_MORE: u8 = 5;
    /// Between two alternatives' tokens.
    pub(crate) const OR: u8 = 6;
}

impl Glob {
    /// The binary form the compiled-budget cache keeps: one byte string, so a glob read back
    /// is neither tokenized again nor decoded field by field through serde (decoding each
    /// token that way was most of an Edit call's reading of the path rules). Options (a bit
    /// each), the form, then the text (`globset`) or each token (a tag; a literal's length,
    /// 4 bytes little-endian, and its bytes).
    pub(super) fn encode(&self) -> Vec<u8> {
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
            Form::Packed(bytes) => {
                out.push(tag::TOKENS);
                out.extend_from_slice(bytes);
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
    pub(super) fn decode(bytes: &[u8]) -> Option<Glob> {
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
                if token_ends(rest)?.len != rest.len() {
                    return None;
                }
                (String::new(), Form::Packed(rest.to_vec()))
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
                // What `Glob::checked` writes: two alternatives or more, none empty.
                if alternatives.len() < 2 || alternatives.iter().any(Vec::is_empty) {
                    return None;
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

/// What [`token_ends`] reads of packed tokens.
struct TokenEnds<'a> {
    /// The first token, when it is a literal.
    first: Option<&'a [u8]>,
    /// The last token, when it is a literal.
    last: Option<&'a [u8]>,
    /// How many bytes the tokens take (up to the end or an [`tag::OR`]).
    len: usize,
}

/// The ends of packed tokens; `None` when damaged. Reads tags and lengths only: nothing is
/// allocated.
fn token_ends(bytes: &[u8]) -> Option<TokenEnds<'_>> {
    let (mut first, mut last, mut at, mut count) = (None, None, 0, 0);
    while let Some(&token) = bytes.get(at) {
        match token {
            tag::OR => break,
            tag::LITERAL => {
                let len = bytes.get(at + 1..at + 5)?;
                let len = usize::try_from(u32::from_le_bytes(len.try_into().ok()?)).ok()?;
                let literal = bytes.get(at + 5..(at + 5).checked_add(len)?)?;
                if count == 0 {
                    first = Some(literal);
                }
                last = Some(literal);
                at += 5 + len;
            }
            tag::ANY
            | tag::ZERO_OR_MORE
            | tag::RECURSIVE_PREFIX
            | tag::RECURSIVE_SUFFIX
            | tag::RECURSIVE_ZERO_OR_MORE => {
                last = None;
                at += 1;
            }
            _ => return None,
        }
        count += 1;
    }
    Some(TokenEnds {
        first,
        last,
        len: at,
    })
}

/// Whether packed tokens could match `path` as far as their first and last literals tell
/// (what [`matches`] checks first, without decoding them).
pub(super) fn ends_could_match(bytes: &[u8], path: &[u8]) -> bool {
    match token_ends(bytes) {
        Some(TokenEnds { first, last, .. }) => {
            first.is_none_or(|f| path.starts_with(f)) && last.is_none_or(|l| path.ends_with(l))
        }
        // Damaged: left to the decoding, which refuses it.
        None => true,
    }
}

/// Reads tokens up to the end or an [`tag::OR`] (left in the rest); `None` when damaged.
pub(super) fn decode_tokens(mut rest: &[u8]) -> Option<(Vec<Token>, &[u8])> {
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
        let no_tokens = match &self.form {
            Form::Tokens(tokens) => tokens.is_empty(),
            Form::Packed(bytes) => bytes.is_empty(),
            _ => false,
        };
        if self.text.is_empty() && !no_tokens {
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
