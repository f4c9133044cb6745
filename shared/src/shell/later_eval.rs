//! Values bash evaluates later are code now (issue 9, class 5). Arithmetic (`$((x))`,
//! `(( x ))`, `let`, `declare -i`, `[[ a -eq b ]]`), array subscripts (`${a[x]}`,
//! `a[x]=1`), `${!x}`, `[[ -v NAME ]]`, `test -v`, and the names given to `read`,
//! `printf -v`, `unset`, … evaluate a *value*: `x='y[$(git push)]'; echo $((x))` runs the
//! push. The walk collects the literal values that hold `$(`, backticks or `${` and notes
//! whether anything evaluates values; when both meet in one command, the commands inside
//! those values are decided as if they ran, and the command is unanalysable (which value
//! reaches which context is not followed).

use crate::shell::walk::{Scope, Walker};
use crate::shell::words::{self, Expanded};

/// Builtins whose operands name variables; a name with a subscript (`'a[$(cmd)]'`) has
/// the subscript expanded and evaluated as soon as they run.
const NAME_TAKERS: &[&str] = &[
    "read",
    "printf",
    "mapfile",
    "readarray",
    "getopts",
    "wait",
    "unset",
    "declare",
    "typeset",
    "local",
    "export",
    "readonly",
    "test",
    "[",
    "let",
];

/// Programs whose output is a number or a date, never code: a value from
/// `$(wc -l < f)` may reach `$((…))` without making it unanalysable.
const NUMERIC_OUTPUT: &[&str] = &[
    "wc", "date", "seq", "expr", "nproc", "getconf", "id", "tput",
];

/// Whether a command substitution's output may hold code: anything but one simple command
/// of [`NUMERIC_OUTPUT`].
pub fn output_may_hold_code(script: &str) -> bool {
    let single = !script.contains([';', '|', '&', '\n', '`', '$', '>']);
    let program = script.split_whitespace().next().unwrap_or_default();
    !(single && NUMERIC_OUTPUT.contains(&program.rsplit('/').next().unwrap_or(program)))
}

/// Whether a literal value holds text bash would run if it evaluated it.
pub fn holds_code(value: &str) -> bool {
    value.contains("$(") || value.contains('`') || value.contains("${")
}

impl Walker<'_, '_> {
    /// Notes what one expanded word contributes: a literal value holding code, or an
    /// evaluating expansion.
    pub(super) fn note_later_code(&mut self, expanded: &Expanded) {
        if expanded.evaluates {
            self.note_evaluation(&expanded.raw);
        }
        // `x=$(cat f)`, `$(( $(cat f) ))`: a command's output may hold code (checked when
        // something evaluates values).
        if expanded
            .substitutions
            .iter()
            .any(|s| output_may_hold_code(s))
        {
            self.unknown_values
                .get_or_insert_with(|| expanded.raw.clone());
        }
        if let Some(value) = &expanded.value
            && holds_code(value)
        {
            self.literal_code.push(value.clone());
        }
    }

    pub(super) fn note_evaluation(&mut self, what: &str) {
        if self.evaluates.is_none() {
            self.evaluates = Some(what.chars().take(80).collect());
        }
    }

    /// A builtin about to run: `let` and `declare -i`/`-n` evaluate later assignments;
    /// a name operand with a subscript holding code runs that code now.
    pub(super) fn builtin_evaluates(&mut self, name: &str, values: &[Option<&str>], scope: &Scope) {
        if matches!(name, "read" | "mapfile" | "readarray")
            && !matches!(&scope.stdin, Some((producer, Some(_))) if producer.starts_with("here"))
        {
            // `read x < file`: a value the analyser never sees.
            self.unknown_values.get_or_insert_with(|| name.to_owned());
        }
        if !NAME_TAKERS.contains(&name) {
            return;
        }
        let options = values
            .iter()
            .skip(1)
            .flatten()
            .filter(|v| v.starts_with('-'));
        let integer_or_ref = matches!(name, "declare" | "typeset" | "local")
            && options.clone().any(|o| o.contains(['i', 'n']));
        if name == "let" || integer_or_ref {
            self.note_evaluation(name);
        }
        for value in values.iter().skip(1).flatten() {
            if value.contains('[') && holds_code(value) {
                self.note_evaluation(name);
                self.decide_code_in(value, scope);
            }
        }
    }

    /// `[[ -v 'a[$(cmd)]' ]]`, `[[ $x -eq 'y[$(cmd)]' ]]`: the values are evaluated now.
    pub(super) fn test_evaluates(&mut self, expanded: &[Expanded], scope: &Scope) {
        self.note_evaluation("[[");
        for value in expanded.iter().filter_map(|e| e.value.as_deref()) {
            if holds_code(value) {
                self.decide_code_in(value, scope);
            }
        }
    }

    /// Walks the command substitutions written inside a literal value as if they ran.
    fn decide_code_in(&mut self, value: &str, scope: &Scope) {
        let mut scripts = Vec::new();
        if words::collect_substitutions(value, &mut scripts).is_err() || scripts.is_empty() {
            self.unanalysable(
                format!("bash evaluates `{value}`, which holds code the analyser cannot read"),
                value,
            );
            return;
        }
        for script in scripts {
            self.parse_and_walk(&script, scope, "code inside a value bash evaluates");
        }
    }

    /// After the walk: literal values holding code in a command that evaluates values.
    pub(super) fn finish_later_code(&mut self, scope: &Scope) {
        let Some(context) = self.evaluates.clone() else {
            return;
        };
        if let Some(source) = self.unknown_values.clone() {
            self.unanalysable(
                format!(
                    "`{source}` gives a value only known when the command runs, and `{context}` \
                     makes bash evaluate values: code in it would run"
                ),
                &source,
            );
        }
        let values = std::mem::take(&mut self.literal_code);
        for value in &values {
            self.decide_code_in(value, scope);
            self.unanalysable(
                format!(
                    "the value `{value}` holds code, and `{context}` makes bash evaluate values \
                     (arithmetic, a subscript, an indirect name): the code may run"
                ),
                value,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::holds_code;

    #[test]
    fn code_is_what_bash_would_expand_when_evaluating() {
        assert!(holds_code("y[$(git push)]"));
        assert!(holds_code("a[`rm x`]"));
        assert!(holds_code("a[${x}]"));
        assert!(!holds_code("a[$i]"));
        assert!(!holds_code("plain text"));
    }
}
