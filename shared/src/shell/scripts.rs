//! The script language of `awk`, only as far as refusing it goes: a program that runs
//! commands or reads or writes other files is unanalysable (SPEC §5). (sed's script is
//! parsed in [`super::programs`].)

use crate::shell::effects::Role;

/// awk's words: options only before the program text (after it, `-F x` names two input
/// files, as awk reads them — verified), `var=value` assignments, then files read.
pub fn awk_roles(roles: &mut [Role], args: &[Option<&str>], problems: &mut Vec<String>) {
    let n = args.len();
    let get = |i: usize| args.get(i).copied().flatten().unwrap_or("");
    let mut program_seen = false;
    let mut i = 1;
    while i < n {
        let a = get(i);
        if program_seen {
            let assignment = a.split_once('=').is_some_and(|(var, _)| {
                !var.is_empty() && var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
            roles[i] = if assignment { Role::Data } else { Role::Read };
        } else if a == "--" {
            roles[i] = Role::Data;
        } else if matches!(a, "-v" | "-F" | "--assign" | "--field-separator") {
            roles[i] = Role::Data;
            i += 1;
            if i < n {
                roles[i] = Role::Data;
            }
        } else if matches!(a, "-f" | "--file") {
            roles[i] = Role::Data;
            program_seen = true;
            problems.push("an awk program read from a file is not analysed".into());
            i += 1;
        } else if a.starts_with('-') && a.len() > 1 {
            roles[i] = Role::Data;
        } else {
            program_seen = true;
            roles[i] = Role::Data;
            if awk_runs_or_writes(a) {
                problems.push(format!(
                    "the awk program `{a}` runs commands or writes files"
                ));
            }
            if a.contains("ENVIRON") || a.contains("PROCINFO") {
                problems.push(format!(
                    "the awk program `{a}` reads the environment (`ENVIRON`), which may hold secrets"
                ));
            }
        }
        i += 1;
    }
}

/// Whether an awk program calls `system`, pipes (`|`, `getline` from a command) or
/// redirects `print` output (`>`, `>>`).
pub fn awk_runs_or_writes(program: &str) -> bool {
    let mut code = String::new();
    let mut in_string = false;
    let mut escaped = false;
    for c in program.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                code.push('"');
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        code.push(c);
    }
    // `getline < FILE` reads another file (`getline` alone reads the input).
    let reads_file = code.match_indices("getline").any(|(at, _)| {
        code[at..]
            .split([';', '}', ')'])
            .next()
            .is_some_and(|s| s.contains('<'))
    });
    // `ENVIRON` prints the environment's secrets; gawk's `@load` loads native code and
    // `@include` another program.
    let reaches_out = ["ENVIRON", "@load", "@include"]
        .iter()
        .any(|w| code.contains(w));
    if reads_file || reaches_out || code.contains("system") || code.replace("||", "").contains('|')
    {
        return true;
    }
    for statement in code.split([';', '{', '}', '\n']) {
        let s = statement.trim_start();
        if (s.starts_with("print") || s.contains(" print")) && s.contains('>') {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn awk_programs_that_run_or_write_are_spotted() {
        let rows: &[(&str, bool)] = &[
            ("{print $1}", false),
            ("$1 > 5 {print}", false),
            ("BEGIN{system(\"rm x\")}", true),
            ("{print > \"out\"}", true),
            ("{print | \"sh\"}", true),
            ("BEGIN{\"date\" | getline d}", true),
            ("{ if (a || b) print }", false),
            ("{print \"a > b\"}", false),
        ];
        for (program, want) in rows {
            assert_eq!(awk_runs_or_writes(program), *want, "{program}");
        }
    }
}
