//! The secret-exposure tripwire's search (SPEC §3): which values count as secrets, and one
//! Aho-Corasick pass over a tool's output for all of them at once.
//!
//! Needles come from three places: `KEY=value` lines of files the budget refuses to read
//! ([`needles_from_file`]), the body lines of private keys in those files, and secret-named
//! variables of the hook's own environment ([`needles_from_env`]). Besides, any PEM private
//! key block in the output is a hit whoever's key it is ([`private_key_block`]).
//!
//! A `.env` file also holds configuration that is no secret (`NODE_ENV=production`,
//! `API_URL=http://localhost:3000`), and those values appear in ordinary output all the time;
//! halting on them would stop runs for nothing. So a value is a needle when its name looks
//! secret, when it is a URL carrying credentials, or when it looks generated (16+ characters
//! mixing three character classes) — never a plain word, a number, or a credential-less URL.
//!
//! Pure: the caller reads the files and the environment (`store::tripwire_secrets`).

use aho_corasick::AhoCorasick;
use serde_json::Value;

/// Shortest value that counts (SPEC §3).
pub const MIN_SECRET_LEN: usize = 8;
/// At most this many bytes are scanned from each end of an output.
pub const SCAN_WINDOW: usize = 1024 * 1024;
/// Needles kept at most (the first ones win: files are read in a fixed order).
pub const MAX_NEEDLES: usize = 1024;

/// One secret value and where it came from (a file path or `$NAME`); the value itself is
/// never shown, stored or logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Needle {
    pub label: String,
    pub value: String,
}

/// A hit: where the secret came from, and a short hash of it for the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exposure {
    pub label: String,
    pub sha256: String,
}

/// Words that make a name secret (SPEC §4.8). `SESSION` and `COOKIE` are left out for the
/// environment: Claude Code's own session ids appear in ordinary output (transcript paths).
const ENV_SECRET_WORDS: &[&str] = &[
    "TOKEN",
    "KEY",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "CREDENTIAL",
    "PRIVATE",
];

fn env_name_is_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    !upper.starts_with("CLAUDE_BUDGET_") && ENV_SECRET_WORDS.iter().any(|w| upper.contains(w))
}

/// A value worth looking for: long enough, and not a path or a number.
fn plausible(value: &str) -> bool {
    value.len() >= MIN_SECRET_LEN
        && !value.starts_with('/')
        && !value.starts_with('~')
        && !value.chars().all(|c| c.is_ascii_digit())
        && !value.chars().any(char::is_whitespace)
}

/// Looks generated: 16+ characters mixing at least three of lower, upper, digit, symbol.
fn looks_generated(value: &str) -> bool {
    let classes = [
        value.chars().any(|c| c.is_ascii_lowercase()),
        value.chars().any(|c| c.is_ascii_uppercase()),
        value.chars().any(|c| c.is_ascii_digit()),
        value.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    value.len() >= 16 && classes.iter().filter(|c| **c).count() >= 3
}

/// `scheme://user:password@host`: the URL carries a credential.
fn url_with_credentials(value: &str) -> bool {
    value.split_once("://").is_some_and(|(_, rest)| {
        let authority = rest.split('/').next().unwrap_or("");
        authority.contains('@')
    })
}

/// A `KEY=value` (or, for a secret-looking key, `key: value`) line's key and value,
/// unquoted, without `export` and without a trailing ` # comment`.
fn key_value(line: &str) -> Option<(&str, String)> {
    let line = line.trim();
    let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
    if line.starts_with('#') || line.starts_with(';') {
        return None;
    }
    let (key, value) = match line.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !k.trim().contains(char::is_whitespace) => (k, v),
        _ => {
            let (k, v) = line.split_once(": ")?;
            if !crate::packs::secrets::secret_name(k.trim()) {
                return None;
            }
            (k, v)
        }
    };
    let value = value.trim();
    let unquoted = match (value.chars().next(), value.chars().last()) {
        (Some(q @ ('"' | '\'')), Some(end)) if end == q && value.len() >= 2 => {
            value[1..value.len() - 1].to_owned()
        }
        _ => value
            .split(" #")
            .next()
            .unwrap_or(value)
            .trim_end()
            .to_owned(),
    };
    Some((key.trim(), unquoted))
}

/// The needles of one denied file: its secret-looking `KEY=value` values and the body lines
/// of private keys it holds.
pub fn needles_from_file(label: &str, text: &str, out: &mut Vec<Needle>) {
    let mut in_key = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("-----BEGIN") && trimmed.contains("PRIVATE KEY") {
            in_key = true;
            continue;
        }
        if in_key {
            if trimmed.starts_with("-----END") {
                in_key = false;
            } else if trimmed.len() >= 16 && !trimmed.contains(':') {
                push(out, label, trimmed);
            }
            continue;
        }
        let Some((key, value)) = key_value(line) else {
            continue;
        };
        if !plausible(&value) {
            continue;
        }
        let url = value.contains("://");
        if crate::packs::secrets::secret_name(key)
            || url_with_credentials(&value)
            || (!url && looks_generated(&value))
        {
            push(out, label, &value);
        }
    }
}

/// The needles of the hook's own environment: values of secret-named variables.
pub fn needles_from_env(vars: impl IntoIterator<Item = (String, String)>, out: &mut Vec<Needle>) {
    for (name, value) in vars {
        if env_name_is_secret(&name) && plausible(&value) {
            push(out, &format!("${name}"), &value);
        }
    }
}

fn push(out: &mut Vec<Needle>, label: &str, value: &str) {
    if out.len() < MAX_NEEDLES && !out.iter().any(|n| n.value == value) {
        out.push(Needle {
            label: label.to_owned(),
            value: value.to_owned(),
        });
    }
}

/// A short, stable hash of a secret for the record: enough to tell two exposures apart or
/// match a known value, not enough to matter if the record leaks.
pub fn secret_hash(value: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(value.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Every needle, searched at once.
pub struct Scanner {
    automaton: Option<AhoCorasick>,
    needles: Vec<Needle>,
}

impl Scanner {
    /// `None` automaton when there is nothing to look for (only PEM blocks are then found).
    pub fn new(needles: Vec<Needle>) -> Scanner {
        let automaton = if needles.is_empty() {
            None
        } else {
            AhoCorasick::new(needles.iter().map(|n| n.value.as_str())).ok()
        };
        Scanner { automaton, needles }
    }

    pub fn needles(&self) -> usize {
        self.needles.len()
    }

    /// The first secret in `text` (only its first and last [`SCAN_WINDOW`] bytes are read).
    pub fn find(&self, text: &str) -> Option<Exposure> {
        for part in windows(text) {
            if let Some(ac) = &self.automaton
                && let Some(m) = ac.find(part)
                && let Some(needle) = self.needles.get(m.pattern().as_usize())
            {
                return Some(Exposure {
                    label: needle.label.clone(),
                    sha256: secret_hash(&needle.value),
                });
            }
            if let Some(body) = private_key_block(part) {
                return Some(Exposure {
                    label: "a private key".into(),
                    sha256: secret_hash(body),
                });
            }
        }
        None
    }

    /// `text` with every needle replaced by `[secret]`, for what must be written anyway
    /// (a failure's error line).
    pub fn scrub(&self, text: &str) -> String {
        match &self.automaton {
            Some(ac) => ac.replace_all(text, &vec!["[secret]"; self.needles.len()]),
            None => text.to_owned(),
        }
    }
}

/// The first and last [`SCAN_WINDOW`] bytes (the whole text when it is short enough), cut
/// at character boundaries.
fn windows(text: &str) -> Vec<&str> {
    if text.len() <= 2 * SCAN_WINDOW {
        return vec![text];
    }
    let mut head = SCAN_WINDOW;
    while !text.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = text.len() - SCAN_WINDOW;
    while !text.is_char_boundary(tail) {
        tail += 1;
    }
    vec![&text[..head], &text[tail..]]
}

/// The first body line of a PEM private key block in `text`: a `PRIVATE KEY-----` header
/// followed by a base64 line of 40+ characters (a format's name in prose is not a key).
pub fn private_key_block(text: &str) -> Option<&str> {
    let mut rest = text;
    while let Some(at) = rest.find("PRIVATE KEY-----") {
        rest = &rest[at + "PRIVATE KEY-----".len()..];
        let body = rest
            .trim_start_matches(['\r', '\n'])
            .lines()
            .find(|l| !l.contains(':') && !l.trim().is_empty())?;
        let body = body.trim();
        let base64 = body
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='));
        if base64 && body.len() >= 40 {
            return Some(body);
        }
    }
    None
}

/// The text of a tool's response as the agent sees it: every string in it, one per line
/// (JSON escaping would hide a value that holds a quote or a newline).
pub fn response_text(response: &Value, out: &mut String) {
    match response {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(items) => items.iter().for_each(|v| response_text(v, out)),
        Value::Object(map) => map.values().for_each(|v| response_text(v, out)),
        Value::Number(n) => {
            out.push_str(&n.to_string());
            out.push('\n');
        }
        Value::Bool(_) | Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needles(file: &str) -> Vec<String> {
        let mut out = Vec::new();
        needles_from_file(".env", file, &mut out);
        out.into_iter().map(|n| n.value).collect()
    }

    #[test]
    fn secret_values_of_a_dotenv_file_are_needles_and_plain_configuration_is_not() {
        let file = "# comment\nNODE_ENV=production\nPORT=3000\nAPI_URL=http://localhost:3000\n\
                    export STRIPE_KEY=\"sk_live_51Habc\"\nDB=postgres://app:hunter22@db/app\n\
                    RANDOM_ID=Zx9-QpL2_mW8rT4yK\nSHORT_TOKEN=abc\n";
        assert_eq!(
            needles(file),
            vec![
                "sk_live_51Habc".to_owned(),
                "postgres://app:hunter22@db/app".to_owned(),
                "Zx9-QpL2_mW8rT4yK".to_owned(),
            ]
        );
    }

    #[test]
    fn an_output_holding_a_needle_names_its_file_never_the_value() {
        let mut list = Vec::new();
        needles_from_file(".env", "API_KEY=abcd1234efgh\n", &mut list);
        needles_from_env(
            [("GITHUB_TOKEN".to_owned(), "ghp_0123456789abcdef".to_owned())],
            &mut list,
        );
        let scanner = Scanner::new(list);
        let hit = scanner.find("total 3\nAPI_KEY=abcd1234efgh\n");
        assert_eq!(hit.as_ref().map(|h| h.label.as_str()), Some(".env"));
        assert!(!format!("{hit:?}").contains("abcd1234efgh"));
        let hit = scanner.find("token: ghp_0123456789abcdef");
        assert_eq!(hit.map(|h| h.label), Some("$GITHUB_TOKEN".to_owned()));
        assert_eq!(scanner.find("nothing to see"), None);
        assert_eq!(scanner.scrub("x abcd1234efgh y"), "x [secret] y");
    }

    #[test]
    fn a_pem_private_key_in_the_output_is_a_hit_and_its_name_in_prose_is_not() {
        let scanner = Scanner::new(Vec::new());
        let key = "-----BEGIN OPENSSH PRIVATE KEY-----\n\
                   b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n\
                   -----END OPENSSH PRIVATE KEY-----\n";
        assert!(scanner.find(key).is_some());
        assert!(
            scanner
                .find("a file starting with -----BEGIN RSA PRIVATE KEY----- is a key")
                .is_none()
        );
    }

    #[test]
    fn only_the_two_ends_of_a_huge_output_are_scanned() {
        let mut list = Vec::new();
        needles_from_env(
            [("API_KEY".to_owned(), "needle-123456".to_owned())],
            &mut list,
        );
        let scanner = Scanner::new(list);
        let filler = "x".repeat(3 * SCAN_WINDOW);
        assert!(scanner.find(&format!("needle-123456{filler}")).is_some());
        assert!(scanner.find(&format!("{filler}needle-123456")).is_some());
        let middle = format!("{filler}needle-123456{filler}");
        assert!(scanner.find(&middle).is_none());
    }
}
