//! Builtins that copy a value into variables without an assignment word (issue 9, class
//! 7): `read -r x <<< "$GITHUB_TOKEN"`, `mapfile a <<< …`, `set -- "$GITHUB_TOKEN"` (into
//! `$1`, `$@`, `$*`), `printf -v x %s "$GITHUB_TOKEN"`. Each becomes a [`ValueCopy`], so the
//! secrets pack follows a secret through the copy to a printer. (`for t in …` is noted by
//! the walk.)

use crate::shell::ValueCopy;
use crate::shell::run::Arg;
use crate::shell::walk::Walker;

/// Options of `read` / `mapfile` that take a value (not a variable name).
fn takes_value(program: &str, option: &str) -> bool {
    let letters = match program {
        "read" => "pdnNtui",
        _ => "dnOsuCc",
    };
    option.len() == 2 && option.starts_with('-') && letters.contains(&option[1..])
}

fn is_name(word: &str) -> bool {
    let mut chars = word.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Walker<'_, '_> {
    pub(super) fn note_builtin_copies(&mut self, name: &str, args: &[Arg], text: &str) {
        match name {
            "read" | "mapfile" | "readarray" => self.copies_from_stdin(name, args, text),
            "set" => {
                let start = args[1..]
                    .iter()
                    .position(|a| a.shown() == "--")
                    .map(|i| i + 2)
                    .or_else(|| {
                        args[1..]
                            .iter()
                            .position(|a| !a.shown().starts_with(['-', '+']))
                            .map(|i| i + 1)
                            .filter(|&i| !matches!(args[i - 1].shown(), "-o" | "+o"))
                    });
                let Some(start) = start else {
                    return;
                };
                for (index, arg) in args[start..].iter().enumerate() {
                    for variable in [(index + 1).to_string(), "@".into(), "*".into()] {
                        self.push_copy(variable, &arg.raw, text);
                    }
                }
            }
            "printf" => {
                if let Some(at) = args.iter().position(|a| a.shown() == "-v")
                    && let Some(target) = args.get(at + 1)
                {
                    let variable = target.shown().split('[').next().unwrap_or_default();
                    for arg in args.iter().skip(at + 2) {
                        self.push_copy(variable.to_owned(), &arg.raw, text);
                    }
                }
            }
            _ => {}
        }
    }

    /// `read x <<< WORD`: the names read get the here-string's value.
    fn copies_from_stdin(&mut self, name: &str, args: &[Arg], text: &str) {
        let Some(word) = self
            .out
            .copies
            .iter()
            .rev()
            .find(|c| c.variable.is_none() && c.command == text)
            .map(|c| c.word.clone())
        else {
            return;
        };
        let mut skip_next = false;
        for arg in &args[1..] {
            let shown = arg.shown();
            if std::mem::take(&mut skip_next) {
                continue;
            }
            if shown.starts_with('-') {
                skip_next = takes_value(name, shown);
                continue;
            }
            if is_name(shown) {
                self.push_copy(shown.to_owned(), &word, text);
            }
        }
    }

    fn push_copy(&mut self, variable: String, word: &str, text: &str) {
        self.out.copies.push(ValueCopy {
            variable: Some(variable),
            word: word.to_owned(),
            command: text.to_owned(),
        });
    }
}
