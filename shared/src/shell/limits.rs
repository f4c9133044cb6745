//! The bounds of SPEC §5: input size, nested parses, simple commands, time. Also the
//! lexical pre-scan that keeps brush-parser away from inputs on which it goes exponential
//! (nested unclosed `$(`, `(`, `{`, `if` …) or overflows its stack.

use crate::shell::adapter::ParseFailure;
use std::time::{Duration, Instant};

/// A Bash command longer than this is refused.
pub const MAX_INPUT_BYTES: usize = 64 * 1024;
/// Nested parses (`$( )`, backticks, process substitution, `-c`, `eval`, fed text).
pub const MAX_NESTED_PARSES: usize = 16;
/// Simple commands in one analysis.
pub const MAX_SIMPLE_COMMANDS: usize = 512;
/// Wall-clock budget for one analysis, checked between steps. Ordinary commands take
/// microseconds; the budget only exists to cut hostile input short. It is wall time, so it
/// must leave room for a loaded machine: at 50 ms an ordinary `curl` was seen coming back
/// "too long to analyse" (an `ask` instead of its real decision) while two builds ran on two
/// cores. 400 ms keeps decisions deterministic under load and still well inside the hook's
/// 2 s deadline.
pub const TIME_BUDGET: Duration = Duration::from_millis(400);
/// Lexical nesting (brackets and compound keywords) beyond which we do not call the parser:
/// brush's cost doubles per unclosed level.
pub const MAX_LEXICAL_NESTING: usize = 12;
/// Glob expansion: at most this many matches per operand, directories listed per operand.
pub const MAX_GLOB_MATCHES: usize = 256;
pub const MAX_GLOB_LISTINGS: usize = 64;

pub const TIME_REASON: &str = "the command took too long to analyse";

/// The running limits of one analysis: its deadline and the simple commands seen.
#[derive(Clone, Debug)]
pub struct AnalysisLimits {
    deadline: Instant,
    pub commands: usize,
}

impl AnalysisLimits {
    pub fn new(limit: Duration) -> AnalysisLimits {
        AnalysisLimits {
            deadline: Instant::now() + limit,
            commands: 0,
        }
    }
    pub fn expired(&self) -> bool {
        Instant::now() >= self.deadline
    }
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }
}

/// Refuses text whose lexical nesting is deeper than [`MAX_LEXICAL_NESTING`]. Quote-aware
/// enough not to count brackets inside single quotes; over-counting elsewhere only makes
/// a hostile-looking command unanalysable.
pub fn prescan(text: &str) -> Result<(), ParseFailure> {
    let depth = nesting_depth(text);
    if depth > MAX_LEXICAL_NESTING {
        return Err(ParseFailure(format!(
            "it nests {depth} levels deep (the analyser stops at {MAX_LEXICAL_NESTING})"
        )));
    }
    Ok(())
}

/// The deepest nesting of `(`, `{`, backticks and compound keywords in `text`.
pub fn nesting_depth(text: &str) -> usize {
    let bytes = text.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut in_double = false;
    let mut in_backtick = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let at_word_start = i == 0
            || matches!(
                bytes[i - 1],
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'('
            );
        match c {
            b'\\' => i += 1,
            b'\'' if !in_double => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'\'' {
                    i += 1;
                }
            }
            b'"' => in_double = !in_double,
            b'`' => {
                in_backtick = !in_backtick;
                if in_backtick {
                    depth += 1;
                } else {
                    depth = depth.saturating_sub(1);
                }
            }
            b'(' if (!in_double || i > 0 && bytes[i - 1] == b'$') => {
                depth += 1;
            }
            b'{' if (!in_double && at_word_start || i > 0 && bytes[i - 1] == b'$') => {
                depth += 1;
            }
            b')' | b'}' => depth = depth.saturating_sub(1),
            _ if at_word_start && !in_double => {
                let rest = text.get(i..).unwrap_or("");
                // ASCII letters are one byte each: the leading keyword is a slice, not a copy.
                let letters = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
                let word = &rest[..letters];
                match word {
                    "if" | "case" | "for" | "while" | "until" | "select" => depth += 1,
                    "fi" | "esac" | "done" => depth = depth.saturating_sub(1),
                    _ => {}
                }
                i += word.len().max(1);
                max = max.max(depth);
                continue;
            }
            _ => {}
        }
        max = max.max(depth);
        i += 1;
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_depth_counts_what_makes_the_parser_slow() {
        let rows: &[(&str, usize)] = &[
            ("echo hi", 0),
            ("echo $(a $(b))", 2),
            ("( ( ( x ) ) )", 3),
            ("echo '((((((((((((((('", 0),
            ("{ { x; }; }", 2),
            ("if a; then if b; then c; fi; fi", 2),
            ("echo \"(((\"", 0),
            ("echo `a`", 1),
        ];
        for (text, want) in rows {
            assert_eq!(nesting_depth(text), *want, "{text}");
        }
    }

    #[test]
    fn deep_unclosed_substitutions_are_refused_before_parsing() {
        assert!(prescan(&"$(".repeat(40)).is_err());
        assert!(prescan(&"(".repeat(3000)).is_err());
        assert!(prescan("echo $(date)").is_ok());
    }
}
