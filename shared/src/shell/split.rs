//! When the parser fails on a command (a syntax error, or a brush-parser panic such as a
//! redirection number that overflows an `i32`), the parts around the failure may still be
//! plain commands: `rm -rf ~; 2222222227<i` must still be denied for its `rm`. This splits
//! the text at its top-level `;`, `&`, `&&`, `||`, `|` and newlines, lexically.
//!
//! Splitting is only tried where it is safe: no here-documents (their bodies span lines)
//! and no compound commands (their keywords and `;;` are not separators). A wrong split can
//! only add what the parts do: the part that failed stays unanalysable, so the whole never
//! comes back allowed.

use crate::shell::adapter;
use crate::shell::walk::{Scope, Walker};

/// Words that open or continue a compound command: text holding one at a command
/// position is not split.
const COMPOUND_WORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for",
    "select", "function", "{", "}", "[[", "]]", "coproc",
];

/// The top-level parts of `text`, or `None` when it cannot be split safely (or is one part).
pub fn top_level_parts(text: &str) -> Option<Vec<String>> {
    if text.contains("<<") {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at_word_start =
            i == 0 || chars[i - 1].is_whitespace() || ";&|()".contains(chars[i - 1]);
        match c {
            '\\' => {
                current.push(c);
                if let Some(&next) = chars.get(i + 1) {
                    current.push(next);
                }
                i += 2;
                continue;
            }
            '\'' | '"' | '`' => {
                let end = closing_quote(&chars, i);
                current.extend(&chars[i..end]);
                i = end;
                continue;
            }
            '#' if at_word_start && depth == 0 => {
                // A comment runs to the end of the line.
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '(' | '{' => depth += 1,
            ')' | '}' => depth = depth.checked_sub(1)?,
            ';' | '\n' | '|' if depth == 0 => {
                push_part(&mut parts, &mut current);
                i += 1;
                continue;
            }
            '&' if depth == 0 => {
                let redirection =
                    i > 0 && matches!(chars[i - 1], '>' | '<') || chars.get(i + 1) == Some(&'>');
                if !redirection {
                    push_part(&mut parts, &mut current);
                    i += 1;
                    continue;
                }
            }
            _ => {}
        }
        current.push(c);
        i += 1;
    }
    push_part(&mut parts, &mut current);
    let compound = parts.iter().any(|part| {
        part.split_whitespace()
            .next()
            .is_some_and(|first| COMPOUND_WORDS.contains(&first) || first.starts_with('('))
    });
    (parts.len() > 1 && !compound).then_some(parts)
}

fn push_part(parts: &mut Vec<String>, current: &mut String) {
    let part = current.trim();
    if !part.is_empty() {
        parts.push(part.to_owned());
    }
    current.clear();
}

/// The index just past the quote opened at `open` (single quotes take no escapes).
fn closing_quote(chars: &[char], open: usize) -> usize {
    let quote = chars[open];
    let mut i = open + 1;
    while i < chars.len() {
        if quote != '\'' && chars[i] == '\\' {
            i += 2;
            continue;
        }
        if chars[i] == quote {
            return i + 1;
        }
        i += 1;
    }
    chars.len()
}

impl Walker<'_, '_> {
    /// The parts of a command that failed to parse as a whole ([`top_level_parts`]), each parsed and
    /// walked on its own in order; a part that fails too is unanalysable, and the directory
    /// is unknown after it (it may have been a `cd`). Nothing here decides the status.
    pub(super) fn walk_parts(&mut self, parts: &[String], scope: &Scope) {
        let mut inner = Scope {
            cwd: scope.cwd.clone(),
            depth: scope.depth + 1,
            stdin: None,
        };
        for part in parts {
            if self.stopped() {
                return;
            }
            match adapter::parse_script(part, &self.limits) {
                Ok(script) => {
                    self.status_scope = false;
                    self.walk_script(&script, &mut inner);
                }
                Err(failure) => {
                    self.unanalysable(
                        format!("this part could not be parsed: {}", failure.0),
                        part,
                    );
                    inner.cwd = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_lists_split_into_their_commands() {
        let rows: &[(&str, Option<&[&str]>)] = &[
            (
                "rm -rf ~; 2222222227<i",
                Some(&["rm -rf ~", "2222222227<i"]),
            ),
            ("a && b || c & d | e", Some(&["a", "b", "c", "d", "e"])),
            ("a 2>&1; b &>x", Some(&["a 2>&1", "b &>x"])),
            (
                "echo 'x; y' \"a;b\"; z",
                Some(&["echo 'x; y' \"a;b\"", "z"]),
            ),
            ("echo $(a; b); c", Some(&["echo $(a; b)", "c"])),
            ("echo a # ; rm -rf /\nb", Some(&["echo a", "b"])),
            ("if a; then b; fi; c", None),
            ("cat <<EOF\n;\nEOF", None),
            ("single command", None),
            ("(a); b", None),
        ];
        for (text, want) in rows {
            let got = top_level_parts(text);
            let want = want.map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(got, want, "{text}");
        }
    }
}
