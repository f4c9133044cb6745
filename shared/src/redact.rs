//! Secret redaction for everything the run record keeps (SPEC §7).
//!
//! The hook pays for redaction on every tool call, so it is built to cost nothing when there
//! is nothing to find: each built-in token format has a literal *trigger* (`ghp_`, `AKIA`,
//! `-----BEGIN`, …) checked with a plain substring search, and its regex is compiled only the
//! first time a trigger is seen (once per process, in a `OnceLock`). Secret-looking
//! assignments (`API_KEY=…`, `--token=…`, `"password": "…"`) are found by a hand-written
//! scanner instead of a regex, because `=` appears in almost every command.
//!
//! Passwords given as short options of a few well-known programs (`mysql -pPW`,
//! `curl -u user:PW`, `sshpass -p PW`) are found by [`command_options`].
//!
//! What is replaced becomes `[REDACTED:<kind>]`; the key or header name stays readable
//! (`GITHUB_TOKEN=[REDACTED:assignment]`) so a reviewer still sees *what* was passed.

/// `[record] redact` patterns: validated when built, compiled the first time a text could
/// match (see `budget::LazyRegex`), so a hook that redacts nothing pays nothing.
pub use crate::budget::LazyRegex as Regex;

mod command_options;

use regex::Regex as CompiledRegex;
use serde_json::Value;
use std::borrow::Cow;
use std::sync::OnceLock;

/// One built-in token format: a cheap literal gate, then the regex.
struct TokenFormat {
    kind: &'static str,
    /// The text is searched only when it contains one of these (case-sensitive).
    triggers: &'static [&'static str],
    pattern: &'static str,
    /// Capture group holding the secret; 0 = the whole match.
    group: usize,
}

const FORMATS: &[TokenFormat] = &[
    TokenFormat {
        kind: "private-key",
        triggers: &["-----BEGIN"],
        pattern: r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)",
        group: 0,
    },
    TokenFormat {
        kind: "github-token",
        triggers: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        pattern: r"(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255})(?-u:\b)",
        group: 0,
    },
    TokenFormat {
        kind: "aws-access-key",
        triggers: &["AKIA", "ASIA", "ABIA", "ACCA"],
        pattern: r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?-u:\b)",
        group: 0,
    },
    TokenFormat {
        kind: "slack-token",
        triggers: &["xox"],
        pattern: r"xox[abposr]-[A-Za-z0-9-]{10,}",
        group: 0,
    },
    TokenFormat {
        kind: "api-key",
        triggers: &["sk-"],
        pattern: r"(?:(?-u:\b)|_)(sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,})",
        group: 1,
    },
    TokenFormat {
        kind: "jwt",
        triggers: &["eyJ"],
        pattern: r"(?:(?-u:\b)|_)(eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})",
        group: 1,
    },
    TokenFormat {
        kind: "auth-header",
        triggers: &[
            "uthorization",
            "UTHORIZATION",
            "pi-key",
            "PI-KEY",
            "pi-Key",
            "uth-token",
            "uth-Token",
        ],
        pattern: r#"(?i)(?-u:\b)(?:proxy-)?(?:authorization|x-api-key|api-key|x-auth-token)\s*:\s*(?:(?:bearer|basic|token|digest)\s+)?([^\s"'\\]+)"#,
        group: 1,
    },
    TokenFormat {
        kind: "url-password",
        triggers: &["://"],
        pattern: r"://[^/\s:@]+:([^/\s@]+)@",
        group: 1,
    },
    TokenFormat {
        // `https://TOKEN@github.com`: a long user name with no password is a token (git
        // and most APIs take one there); short ones (`git@`, `deploy@`) stay readable.
        kind: "url-user",
        triggers: &["://"],
        pattern: r"://([^/\s:@'\x22]{16,})@",
        group: 1,
    },
    TokenFormat {
        kind: "gitlab-token",
        triggers: &["glpat-", "gldt-", "glptt-", "glrt-"],
        pattern: r"gl(?:pat|dt|ptt|rt)-[A-Za-z0-9_-]{20,}",
        group: 0,
    },
    TokenFormat {
        kind: "google-api-key",
        triggers: &["AIza"],
        pattern: r"AIza[0-9A-Za-z_-]{35}",
        group: 0,
    },
    TokenFormat {
        kind: "npm-token",
        triggers: &["npm_"],
        pattern: r"npm_[A-Za-z0-9]{36}",
        group: 0,
    },
    TokenFormat {
        kind: "huggingface-token",
        triggers: &["hf_"],
        pattern: r"hf_[A-Za-z0-9]{30,}",
        group: 0,
    },
    TokenFormat {
        kind: "stripe-key",
        triggers: &["_live_", "_test_"],
        pattern: r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}",
        group: 0,
    },
    TokenFormat {
        kind: "slack-webhook",
        triggers: &["hooks.slack.com"],
        pattern: r"hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]+",
        group: 0,
    },
];

/// Texts up to this long are scanned byte by byte for the triggers; longer ones are searched
/// trigger by trigger (a vectorised search per trigger wins on long texts).
const SHORT_TEXT: usize = 512;

/// Per byte, the formats with a trigger starting with it (bit `i` for `FORMATS[i]`): most
/// positions of a text are passed over at one lookup, the rest compare one or two triggers.
const TRIGGER_START: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut f = 0;
    while f < FORMATS.len() {
        let triggers = FORMATS[f].triggers;
        let mut t = 0;
        while t < triggers.len() {
            table[triggers[t].as_bytes()[0] as usize] |= 1 << f;
            t += 1;
        }
        f += 1;
    }
    table
};

/// Which [`FORMATS`] have a trigger in `text` (bit `i` for `FORMATS[i]`). The record redacts
/// several texts per call and most are short commands: one pass over the bytes costs a few
/// instructions per byte, where a substring search per trigger (35 of them) costs ~150
/// instructions each before it looks at a byte.
fn triggered_formats(text: &str) -> u32 {
    let mut mask = 0u32;
    if text.len() > SHORT_TEXT {
        for (index, format) in FORMATS.iter().enumerate() {
            if format.triggers.iter().any(|t| text.contains(t)) {
                mask |= 1 << index;
            }
        }
        return mask;
    }
    let bytes = text.as_bytes();
    for at in 0..bytes.len() {
        let mut candidates = TRIGGER_START[usize::from(bytes[at])] & !mask;
        while candidates != 0 {
            let index = candidates.trailing_zeros();
            candidates &= candidates - 1;
            let rest = &bytes[at..];
            let found = FORMATS
                .get(index as usize)
                .is_some_and(|f| f.triggers.iter().any(|t| starts_with(rest, t.as_bytes())));
            if found {
                mask |= 1 << index;
            }
        }
    }
    mask
}

/// `slice::starts_with` as a byte loop: triggers are a few bytes long, and a call to
/// `memcmp` per candidate position cost more than the comparison.
fn starts_with(text: &[u8], prefix: &[u8]) -> bool {
    text.len() >= prefix.len() && text.iter().zip(prefix).all(|(a, b)| a == b)
}

const _: () = assert!(
    FORMATS.len() <= 32,
    "triggered_formats keeps one bit per format"
);

fn compiled(index: usize) -> Option<&'static CompiledRegex> {
    static CELLS: [OnceLock<Option<CompiledRegex>>; FORMATS.len()] =
        [const { OnceLock::new() }; FORMATS.len()];
    let cell = CELLS.get(index)?;
    let format = FORMATS.get(index)?;
    // The patterns are constants covered by tests; a failure to compile would make this
    // format a no-op rather than crash a hook.
    cell.get_or_init(|| CompiledRegex::new(format.pattern).ok())
        .as_ref()
}

/// Redacts secrets from text and JSON before they reach the run record.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    /// `[record] redact`: each match is replaced whole.
    extra: Vec<Regex>,
}

impl Redactor {
    /// A redactor with the built-in formats plus the budget's `[record] redact` patterns.
    pub fn new(extra: &[Regex]) -> Redactor {
        Redactor {
            extra: extra.to_vec(),
        }
    }

    /// The text with every secret replaced; borrowed when nothing was found.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out: Cow<'a, str> = Cow::Borrowed(text);
        let triggered = triggered_formats(text);
        for (index, format) in FORMATS.iter().enumerate() {
            // Until a replacement changed the text, the one scan above answers; after, the
            // current text is searched again (a replacement names its kind).
            let present = match &out {
                Cow::Borrowed(_) => triggered & (1 << index) != 0,
                Cow::Owned(now) => format.triggers.iter().any(|t| now.contains(t)),
            };
            if !present {
                continue;
            }
            let Some(regex) = compiled(index) else {
                continue;
            };
            if let Cow::Owned(replaced) = replace_group(regex, &out, format.group, format.kind) {
                out = Cow::Owned(replaced);
            }
        }
        if let Some(replaced) = redact_assignments(&out) {
            out = Cow::Owned(replaced);
        }
        if let Some(replaced) = command_options::redact(&out) {
            out = Cow::Owned(replaced);
        }
        for regex in &self.extra {
            if let Cow::Owned(replaced) = regex.replace_all(&out, "[REDACTED]") {
                out = Cow::Owned(replaced);
            }
        }
        out
    }

    /// A copy of `value` with every string redacted, and the values of secret-looking keys
    /// (`"token": …`, `"api_key": …`) replaced whole.
    pub fn json(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.text(s).into_owned()),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.json(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let redacted =
                            if secret_name(k) && !matches!(v, Value::Null | Value::Bool(_)) {
                                Value::String("[REDACTED:field]".into())
                            } else {
                                self.json(v)
                            };
                        (k.clone(), redacted)
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

fn replace_group<'a>(
    regex: &CompiledRegex,
    text: &'a str,
    group: usize,
    kind: &str,
) -> Cow<'a, str> {
    regex.replace_all(text, |caps: &regex::Captures<'_>| {
        let whole = caps.get(0).map_or("", |m| m.as_str());
        match (group, caps.get(group), caps.get(0)) {
            (0, _, _) | (_, None, _) | (_, _, None) => format!("[REDACTED:{kind}]"),
            (_, Some(secret), Some(all)) => {
                let (start, end) = (secret.start() - all.start(), secret.end() - all.start());
                format!("{}[REDACTED:{kind}]{}", &whole[..start], &whole[end..])
            }
        }
    })
}

/// Words that make a name look secret wherever they appear in it, in any case
/// (`PGPASSWORD`, `MY_DB_PASSWD`, `clientsecret`, `NPMTOKEN`) — the same words the `secrets`
/// pack looks for in variable names. Lower-case, compared against the lower-cased name.
const SECRET_SUBSTRINGS: &[&str] = &[
    "password",
    "passphrase",
    "authorization",
    "passwd",
    "secret",
    "token",
    "credential",
    "private",
    "cookie",
    "session",
];

/// Words too short or too common to match inside other words (`monkey`, `keyboard`,
/// `passenger`, `author`): they make a name secret only as a whole `_`/`-`/`.` segment
/// (`SSH_KEY`, `api.key`, `DB_PW`, `--pass`, `X_AUTH`).
const SECRET_SEGMENTS: &[&str] = &["key", "apikey", "pw", "pwd", "pass", "auth", "bearer"];

/// True when a name (`GITHUB_TOKEN`, `api-key`, `PGPASSWORD`) looks like it holds a secret.
///
/// Deliberate exceptions, so counters and well-known settings stay readable: `PWD`/`OLDPWD`
/// (the working directory), and `token` only as part of `tokens` (`max_tokens`,
/// `input_tokens`: counts) or `tokenizer` (`TOKENIZERS_PARALLELISM`).
fn secret_name(name: &str) -> bool {
    if name.eq_ignore_ascii_case("pwd") || name.eq_ignore_ascii_case("oldpwd") {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    let substring = SECRET_SUBSTRINGS.iter().any(|word| {
        if *word == "token" {
            return secret_token_word(&lower);
        }
        lower.contains(word)
    });
    substring
        || lower
            .split(['_', '-', '.'])
            .any(|segment| SECRET_SEGMENTS.contains(&segment))
        || lower.ends_with("apikey")
}

/// `token` somewhere in `lower` other than as `tokens` or `tokenizer`.
fn secret_token_word(lower: &str) -> bool {
    lower.match_indices("token").any(|(at, word)| {
        let rest = &lower[at + word.len()..];
        !(rest.starts_with('s') || rest.starts_with("izer"))
    })
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// Finds `NAME=value`, `--name=value`, `--name value` and `"name": "value"` where the name
/// looks secret, and replaces the value. `None` when nothing was replaced.
fn redact_assignments(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let value_start = match b {
            b'=' => secret_before(bytes, i).then_some(i + 1),
            b':' => json_secret_before(bytes, i).and_then(|_| json_string_value(bytes, i + 1)),
            // `--private --description x`: a value that is itself a long flag is not one.
            b' ' | b'\t' => flag_before(bytes, i)
                .then(|| skip_spaces(bytes, i))
                .filter(|&start| !bytes[start..].starts_with(b"--")),
            _ => None,
        };
        if let Some(start) = value_start {
            let end = value_end(bytes, start);
            if end > start && bytes.get(start) != Some(&b'$') {
                let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
                buf.push_str(&text[copied..start]);
                buf.push_str("[REDACTED:assignment]");
                copied = end;
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out.map(|mut buf| {
        buf.push_str(&text[copied..]);
        buf
    })
}

/// The name ending just before `at` (letters, digits, `_`, `-`, `.`), without leading dashes.
fn name_before(bytes: &[u8], at: usize) -> (&str, usize) {
    let mut start = at;
    while start > 0 && is_name_byte(bytes[start - 1]) {
        start -= 1;
    }
    let name = std::str::from_utf8(&bytes[start..at]).unwrap_or("");
    let dashes = name.len() - name.trim_start_matches('-').len();
    (&name[dashes..], dashes)
}

fn secret_before(bytes: &[u8], at: usize) -> bool {
    let (name, _) = name_before(bytes, at);
    !name.is_empty() && secret_name(name)
}

/// `--token value` (only long flags: short ones are too ambiguous).
fn flag_before(bytes: &[u8], at: usize) -> bool {
    let (name, dashes) = name_before(bytes, at);
    dashes == 2 && !name.is_empty() && secret_name(name)
}

/// `"api_key": "…"` (JSON) or `client_secret: …` (YAML): the name before `:`. An unquoted
/// name needs a `_`/`-` in it, so prose such as `the key: …` stays readable.
fn json_secret_before(bytes: &[u8], at: usize) -> Option<()> {
    let mut end = at;
    while end > 0 && bytes[end - 1] == b' ' {
        end -= 1;
    }
    let quoted = end > 0 && matches!(bytes[end - 1], b'"' | b'\'');
    let name_end = if quoted { end - 1 } else { end };
    let (name, dashes) = name_before(bytes, name_end);
    let identifier_like = quoted || name.contains(['_', '-']);
    (dashes == 0 && identifier_like && !name.is_empty() && secret_name(name)).then_some(())
}

/// Start of the value after `:`: skips spaces; the value must be non-empty.
fn json_string_value(bytes: &[u8], from: usize) -> Option<usize> {
    let start = skip_spaces(bytes, from);
    (start < bytes.len() && !matches!(bytes[start], b'{' | b'[' | b'\n')).then_some(start)
}

fn skip_spaces(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

/// End of a value: a quoted string through its closing quote, else up to whitespace, a
/// quote, `,`, `;`, `&`, `|`, `}` or `)`.
fn value_end(bytes: &[u8], start: usize) -> usize {
    match bytes.get(start) {
        Some(&q @ (b'"' | b'\'')) => {
            let mut i = start + 1;
            while i < bytes.len() && bytes[i] != q {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            (i + 1).min(bytes.len())
        }
        _ => {
            let mut i = start;
            while i < bytes.len()
                && !matches!(
                    bytes[i],
                    b' ' | b'\t'
                        | b'\n'
                        | b'\r'
                        | b'"'
                        | b'\''
                        | b','
                        | b';'
                        | b'&'
                        | b'|'
                        | b'}'
                        | b')'
                )
            {
                i += 1;
            }
            i
        }
    }
}
/// The redactor for a budget: the built-in formats plus every layer's `[record] redact`.
pub fn for_budget(budget: &crate::budget::Budget) -> Redactor {
    let extra: Vec<Regex> = budget
        .layers
        .iter()
        .flat_map(|layer| layer.record.redact.iter().cloned())
        .collect();
    Redactor::new(&extra)
}

#[cfg(test)]
mod trigger_scan_tests {
    use super::*;

    /// What the scan must equal: a substring search per trigger.
    fn searched(text: &str) -> u32 {
        FORMATS
            .iter()
            .enumerate()
            .filter(|(_, f)| f.triggers.iter().any(|t| text.contains(t)))
            .fold(0, |mask, (i, _)| mask | 1 << i)
    }

    #[test]
    fn the_one_pass_trigger_scan_finds_what_a_search_per_trigger_finds() {
        let fillers = [
            "",
            "x",
            "cargo test -p billing && ",
            "ü€ ",
            &"a".repeat(600),
        ];
        let mut texts = vec![String::new(), "no secrets here".to_string()];
        for format in FORMATS {
            for trigger in format.triggers {
                for filler in fillers {
                    texts.push(format!("{filler}{trigger}"));
                    texts.push(format!("{trigger}{filler}"));
                    texts.push(format!("{filler}{trigger}{filler}"));
                    // A trigger cut short is not one.
                    texts.push(format!("{filler}{}", &trigger[..trigger.len() - 1]));
                }
            }
        }
        for text in &texts {
            assert_eq!(triggered_formats(text), searched(text), "{text:?}");
        }
        assert_ne!(triggered_formats("export T=ghp_abc"), 0);
    }

    #[test]
    fn a_secret_in_a_short_and_in_a_long_text_is_redacted() {
        let redactor = Redactor::new(&[]);
        let token = format!("ghp_{}", "A1b2".repeat(9));
        for padding in [0, 10, 700] {
            let text = format!(
                "{}git push https://x:{token}@github.com",
                "p".repeat(padding)
            );
            let out = redactor.text(&text);
            assert!(!out.contains(&token), "{out}");
            assert!(out.contains("[REDACTED"), "{out}");
        }
    }
}
