//! Brace expansion as Bash does it, on the word as written and before every other
//! expansion: `src/{main,lib}.rs` is two words, `.{e''nv,x}` is `.e''nv` and `.x` (the
//! quotes stay for the later steps, so the first is `.env`). A brace counts only when it is
//! unquoted, its `}` matches, and it holds a top-level unquoted comma or a sequence
//! (`{1..5}`, `{a..e}`, `{01..10..2}`); `${…}`, `$(…)` and backticks are skipped.

/// At most this many words from one word; more makes the command unanalysable.
pub const MAX_BRACE_WORDS: usize = 256;

/// Why a word's brace expansion was not done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooMany(pub String);

/// The words Bash makes of `raw` by brace expansion (`raw` itself when it has none).
pub fn expand(raw: &str) -> Result<Vec<String>, TooMany> {
    if !raw.contains('{') {
        return Ok(vec![raw.to_owned()]);
    }
    let mut out = Vec::new();
    expand_into(raw, &mut out, 0)?;
    Ok(out)
}

fn too_many(raw: &str) -> TooMany {
    TooMany(format!(
        "the brace expansion of `{raw}` makes more than {MAX_BRACE_WORDS} words"
    ))
}

fn expand_into(word: &str, out: &mut Vec<String>, depth: usize) -> Result<(), TooMany> {
    if depth > 64 {
        return Err(too_many(word));
    }
    let chars: Vec<char> = word.chars().collect();
    let Some(found) = find_brace(&chars) else {
        if out.len() >= MAX_BRACE_WORDS {
            return Err(too_many(word));
        }
        out.push(word.to_owned());
        return Ok(());
    };
    let pre: String = chars[..found.open].iter().collect();
    let post: String = chars[found.close + 1..].iter().collect();
    let items = match found.items {
        Items::Commas(bounds) => bounds
            .windows(2)
            .map(|w| chars[w[0] + 1..w[1]].iter().collect())
            .collect(),
        Items::Sequence(items) => items,
    };
    for item in items {
        expand_into(&format!("{pre}{item}{post}"), out, depth + 1)?;
    }
    Ok(())
}

enum Items {
    /// Indices of `{`, each top-level `,`, and `}`.
    Commas(Vec<usize>),
    Sequence(Vec<String>),
}

struct Found {
    open: usize,
    close: usize,
    items: Items,
}

/// The index just past a quoted or substituted section starting at `i`, or `None` when
/// `i` starts none.
fn skip_section(s: &[char], i: usize) -> Option<usize> {
    let at = |k: usize| s.get(k).copied();
    match (at(i)?, at(i + 1)) {
        ('\\', _) => Some((i + 2).min(s.len())),
        ('\'', _) => Some(close_of(s, i + 1, '\'', false)),
        ('$', Some('\'')) => Some(close_of(s, i + 2, '\'', true)),
        ('"', _) => Some(close_of(s, i + 1, '"', true)),
        ('`', _) => Some(close_of(s, i + 1, '`', true)),
        ('$', Some('(')) => Some(close_nested(s, i + 2, '(', ')')),
        ('$', Some('{')) => Some(close_nested(s, i + 2, '{', '}')),
        _ => None,
    }
}

/// Past the `end` closing a quote opened before `from`; backslashes escape when `escapes`.
fn close_of(s: &[char], from: usize, end: char, escapes: bool) -> usize {
    let mut i = from;
    while i < s.len() {
        if escapes && s[i] == '\\' {
            i += 2;
            continue;
        }
        if s[i] == end {
            return i + 1;
        }
        // `"$(…)"`: a substitution inside double quotes may hold the quote character.
        if end == '"'
            && let Some(next) = skip_section(s, i).filter(|_| s[i] == '$' || s[i] == '`')
        {
            i = next;
            continue;
        }
        i += 1;
    }
    s.len()
}

/// Past the bracket closing one opened before `from`, skipping quotes inside.
fn close_nested(s: &[char], from: usize, open: char, close: char) -> usize {
    let mut depth = 1;
    let mut i = from;
    while i < s.len() {
        if let Some(next) = skip_section(s, i) {
            i = next;
            continue;
        }
        if s[i] == open {
            depth += 1;
        } else if s[i] == close {
            depth -= 1;
            if depth == 0 {
                return i + 1;
            }
        }
        i += 1;
    }
    s.len()
}

/// The first expandable brace of the word.
fn find_brace(s: &[char]) -> Option<Found> {
    let mut i = 0;
    while i < s.len() {
        if let Some(next) = skip_section(s, i) {
            i = next;
            continue;
        }
        if s[i] == '{'
            && let Some(found) = brace_at(s, i)
        {
            return Some(found);
        }
        i += 1;
    }
    None
}

/// The brace expression opened at `open`, when it expands.
fn brace_at(s: &[char], open: usize) -> Option<Found> {
    let mut depth = 0;
    let mut commas = vec![open];
    let mut i = open + 1;
    while i < s.len() {
        if let Some(next) = skip_section(s, i) {
            i = next;
            continue;
        }
        match s[i] {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            '}' => {
                if commas.len() > 1 {
                    commas.push(i);
                    return Some(Found {
                        open,
                        close: i,
                        items: Items::Commas(commas),
                    });
                }
                let inner: String = s[open + 1..i].iter().collect();
                return sequence(&inner).map(|items| Found {
                    open,
                    close: i,
                    items: Items::Sequence(items),
                });
            }
            ',' if depth == 0 => commas.push(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// `1..5`, `05..1..2`, `a..e`: the items of a sequence expression.
fn sequence(inner: &str) -> Option<Vec<String>> {
    let parts: Vec<&str> = inner.split("..").collect();
    let (start, end, step) = match parts.as_slice() {
        [a, b] => (*a, *b, None),
        [a, b, c] => (*a, *b, Some(*c)),
        _ => return None,
    };
    let step: i64 = match step {
        Some(text) => text.parse::<i64>().ok()?.checked_abs()?.max(1),
        None => 1,
    };
    let step = usize::try_from(step).ok()?;
    if let (Ok(a), Ok(b)) = (start.parse::<i64>(), end.parse::<i64>()) {
        let padded = |t: &str| {
            let digits = t.trim_start_matches('-');
            digits.len() > 1 && digits.starts_with('0')
        };
        let width = if padded(start) || padded(end) {
            start.len().max(end.len())
        } else {
            0
        };
        // In i128: no bound of i64 can overflow here.
        let (a, b, step) = (i128::from(a), i128::from(b), step as i128);
        let count = (a - b).abs() / step + 1;
        if count > MAX_BRACE_WORDS as i128 {
            return Some(vec![String::new(); MAX_BRACE_WORDS + 1]);
        }
        let items = (0..count)
            .map(|k| {
                let n = if a <= b { a + k * step } else { a - k * step };
                if n < 0 {
                    format!("-{:0>w$}", -n, w = width.saturating_sub(1))
                } else {
                    format!("{n:0>width$}")
                }
            })
            .collect();
        return Some(items);
    }
    let single = |t: &str| {
        let mut chars = t.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() => Some(c as u32),
            _ => None,
        }
    };
    let (a, b) = (single(start)?, single(end)?);
    let range: Vec<u32> = if a <= b {
        (a..=b).step_by(step).collect()
    } else {
        (b..=a).rev().step_by(step).collect()
    };
    Some(
        range
            .into_iter()
            .filter_map(char::from_u32)
            .map(String::from)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_expand_as_bash_expands_them() {
        // Each row checked against bash 5: `echo WORD`.
        let rows: &[(&str, &[&str])] = &[
            (".{e''nv,x}", &[".e''nv", ".x"]),
            (
                "src/{main.rs,../.claude/budget.tom''l}",
                &["src/main.rs", "src/../.claude/budget.tom''l"],
            ),
            ("a{1..3}b", &["a1b", "a2b", "a3b"]),
            ("{01..03}", &["01", "02", "03"]),
            ("{a..c}", &["a", "b", "c"]),
            ("{1..7..3}", &["1", "4", "7"]),
            ("{-1..1}", &["-1", "0", "1"]),
            ("{z..x}", &["z", "y", "x"]),
            ("${HOME}{a,b}", &["${HOME}a", "${HOME}b"]),
            ("{a}", &["{a}"]),
            ("{}", &["{}"]),
            ("x{a,b'}'", &["x{a,b'}'"]),
            ("'{'a,b}", &["'{'a,b}"]),
            ("{\"a,b\"}", &["{\"a,b\"}"]),
            ("{a\\,b}", &["{a\\,b}"]),
            ("$(echo {a,b})", &["$(echo {a,b})"]),
            ("{a,$(echo 1,2)}", &["a", "$(echo 1,2)"]),
            ("{a,b}{c,d}", &["ac", "ad", "bc", "bd"]),
            ("x{a,{b,c}}y", &["xay", "xby", "xcy"]),
            ("a{,}", &["a", "a"]),
            ("{1..3..0}", &["1", "2", "3"]),
        ];
        for (raw, want) in rows {
            let got = expand(raw).unwrap_or_else(|e| panic!("{raw}: {e:?}"));
            assert_eq!(got, *want, "{raw}");
        }
    }

    #[test]
    fn huge_expansions_are_refused() {
        assert!(expand("{1..100000}").is_err());
        assert!(expand("{-9223372036854775808..9223372036854775807}").is_err());
        assert_eq!(
            expand("{-9223372036854775808..-9223372036854775807}").map(|w| w.len()),
            Ok(2)
        );
        assert!(expand("{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}").is_err());
    }
}
