//! Turning byte offsets into `file:line:column` and collecting every problem of one file.
//!
//! toml reports spans as byte ranges; users think in lines and columns (1-based, columns
//! counted in characters), so the conversion lives here, once.

use super::{Diagnostic, Severity};
use crate::verdict::Origin;
use std::ops::Range;

/// One budget file's text plus the diagnostics found in it so far.
pub(crate) struct SourceFile<'a> {
    pub text: &'a str,
    pub display: &'a str,
    line_starts: Vec<usize>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> SourceFile<'a> {
    pub(super) fn new(text: &'a str, display: &'a str) -> SourceFile<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            text,
            display,
            line_starts,
            diagnostics: Vec::new(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub(super) fn position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line_index = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line_index).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (to_u32(line_index + 1), to_u32(column + 1))
    }

    /// Where a value was written, as a rule origin.
    pub(super) fn origin(&self, span: &Range<usize>) -> Origin {
        let (line, column) = self.position(span.start);
        Origin::file(self.display, line, column)
    }

    pub(super) fn error(
        &mut self,
        span: &Range<usize>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.push(Severity::Error, span, message.into(), hint);
    }

    pub(super) fn warning(
        &mut self,
        span: &Range<usize>,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        self.push(Severity::Warning, span, message.into(), hint);
    }

    fn push(
        &mut self,
        severity: Severity,
        span: &Range<usize>,
        message: String,
        hint: Option<String>,
    ) {
        let (line, column) = self.position(span.start);
        self.diagnostics.push(Diagnostic {
            file: self.display.to_string(),
            line,
            column,
            severity,
            message,
            hint,
        });
    }

    pub(super) fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// The diagnostics in file order (stable for equal positions).
    pub(super) fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.diagnostics.sort_by_key(|d| (d.line, d.column));
        self.diagnostics
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The candidate closest to `word` by edit distance, when it is close enough to be a
/// plausible typo (for "did you mean" hints).
pub(crate) fn closest<'c>(word: &str, candidates: &[&'c str]) -> Option<&'c str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            let cost = usize::from(ca != *cb);
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + cost);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_character_columns() {
        let file = SourceFile::new("ab\ncé = 1\n", "f");
        assert_eq!(file.position(0), (1, 1));
        assert_eq!(file.position(3), (2, 1));
        assert_eq!(file.position(7), (2, 4)); // after the two-byte `é`
    }

    #[test]
    fn closest_key_is_suggested_for_typos_only() {
        assert_eq!(closest("alow", &["allow", "ask", "deny"]), Some("allow"));
        assert_eq!(
            closest("outside_projet", &["default", "outside_project"]),
            Some("outside_project")
        );
        assert_eq!(closest("zzzzzzzz", &["allow", "ask", "deny"]), None);
    }
}
