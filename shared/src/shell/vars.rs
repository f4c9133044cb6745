//! The variables the analyser expands with the hook's own values (`HOME` for `~` and
//! `$HOME`, `PWD`, `CLAUDE_PROJECT_DIR`) and `CDPATH` (which moves a relative `cd`): a
//! command that assigns any of them (`HOME=. cat ~/.env`, `export HOME=.`, `read HOME`,
//! `for HOME in .`, `unset PWD`, a nameref, arithmetic, `${HOME:=…}`, a sourced script)
//! would make those values lies. We do not track the new value: the walk notes which names
//! a command reassigns, and when there are any the command is analysed again with every
//! expansion of those names unanalysable, from the start (a loop or a function body may run
//! after the assignment even when it is written before it).

/// The names whose reassignment we watch.
pub const WATCHED: &[&str] = &["HOME", "PWD", "CLAUDE_PROJECT_DIR", "CDPATH"];

/// A set of watched names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reassigned(u8);

impl Reassigned {
    fn bit(name: &str) -> Option<u8> {
        WATCHED.iter().position(|w| *w == name).map(|i| 1 << i)
    }

    /// Notes `name` when it is watched; other names are ignored.
    pub fn note(&mut self, name: &str) {
        if let Some(bit) = Self::bit(name) {
            self.0 |= bit;
        }
    }

    /// Every watched name (a nameref or a sourced script may assign any of them).
    pub fn note_all(&mut self) {
        for name in WATCHED {
            self.note(name);
        }
    }

    pub fn contains(self, name: &str) -> bool {
        Self::bit(name).is_some_and(|bit| self.0 & bit != 0)
    }

    /// `self` with every name of `other` added.
    pub fn union(self, other: Reassigned) -> Reassigned {
        Reassigned(self.0 | other.0)
    }

    /// `true` when `other` names nothing `self` lacks.
    pub fn covers(self, other: Reassigned) -> bool {
        other.0 & !self.0 == 0
    }
}

/// The name an assignment word assigns (`HOME=x`, `HOME+=x`, `HOME[0]=x`), or the word
/// itself when it is a bare name.
fn assigned_name(word: &str) -> &str {
    let end = word.find(['=', '[', '+']).unwrap_or(word.len());
    &word[..end]
}

/// The watched names a builtin assigns or unsets, given its argv (after wrappers).
pub fn assigned_by_builtin(name: &str, argv: &[&str]) -> Reassigned {
    let mut out = Reassigned::default();
    let operands = argv.iter().skip(1);
    match name {
        "export" | "readonly" => {
            for word in operands.filter(|w| w.contains('=')) {
                out.note(assigned_name(word));
            }
        }
        "declare" | "typeset" | "local" | "unset" => {
            if operands.clone().any(|w| is_flag_with(w, 'n')) {
                // `declare -n r=HOME; r=.`: the later assignment is to a name we cannot
                // follow; `unset -n` too.
                out.note_all();
            }
            for word in operands {
                out.note(assigned_name(word));
            }
        }
        "read" | "mapfile" | "readarray" | "getopts" | "wait" | "printf" => {
            // `read -r HOME`, `read -a HOME`, `mapfile HOME`, `getopts o HOME`,
            // `printf -v HOME`, `wait -p HOME`: operands and option values that name a
            // watched variable.
            for word in operands {
                out.note(word);
            }
        }
        "let" => {
            for word in operands {
                out = out.union(mentioned(word));
            }
        }
        "source" | "." => {
            // A sourced script may assign anything; its `cd`s are not followed either
            // (a known limit), so `CDPATH` is left alone like the base directory.
            for name in ["HOME", "PWD", "CLAUDE_PROJECT_DIR"] {
                out.note(name);
            }
        }
        _ => {}
    }
    out
}

fn is_flag_with(word: &str, flag: char) -> bool {
    word.starts_with(['-', '+']) && !word.starts_with("--") && word[1..].contains(flag)
}

/// Watched names mentioned as identifiers in arithmetic text (`HOME=1`, `PWD++`): any
/// mention counts, assignments there are too varied to tell apart.
pub fn mentioned(text: &str) -> Reassigned {
    let mut out = Reassigned::default();
    for ident in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        out.note(ident);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_that_assign_a_watched_name_are_noticed() {
        let rows: &[(&str, &str, bool)] = &[
            ("export HOME=.", "HOME", true),
            ("export HOME", "HOME", false),
            ("export PATHS=x", "HOME", false),
            ("declare HOME=.", "HOME", true),
            ("local -x PWD", "PWD", true),
            ("typeset HOME+=x", "HOME", true),
            ("readonly CLAUDE_PROJECT_DIR=/", "CLAUDE_PROJECT_DIR", true),
            ("unset HOME", "HOME", true),
            ("declare -n r=x", "HOME", true),
            ("read -r HOME", "HOME", true),
            ("read -r LINE", "HOME", false),
            ("mapfile -t HOME", "HOME", true),
            ("printf -v PWD %s x", "PWD", true),
            ("getopts ab HOME", "HOME", true),
            ("let HOME=1", "HOME", true),
            ("let HOMES=1", "HOME", false),
            ("source ./env.sh", "HOME", true),
            ("echo HOME=x", "HOME", false),
        ];
        for (command, watched, want) in rows {
            let argv: Vec<&str> = command.split(' ').collect();
            let got = assigned_by_builtin(argv[0], &argv).contains(watched);
            assert_eq!(got, *want, "{command}");
        }
    }

    #[test]
    fn arithmetic_mentions_count_as_assignments() {
        assert!(mentioned("HOME = 1").contains("HOME"));
        assert!(mentioned("x+PWD++").contains("PWD"));
        assert!(!mentioned("HOMEDIR=1").contains("HOME"));
    }
}
