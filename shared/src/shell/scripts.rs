//! The script languages of `sed` and `awk`, only as far as refusing them goes: a script that
//! runs commands or reads or writes other files is unanalysable (SPEC §5); the analyser does
//! not re-implement either language.

use crate::shell::effects::Role;

pub fn sed_roles(roles: &mut [Role], args: &[Option<&str>], problems: &mut Vec<String>) {
    let n = args.len();
    let get = |i: usize| args.get(i).copied().flatten().unwrap_or("");
    let mut in_place = false;
    let mut script_given = false;
    let mut scripts = Vec::new();
    let mut i = 1;
    let mut operands = Vec::new();
    while i < n {
        let a = get(i);
        roles[i] = Role::Data;
        if a == "-i" || a == "--in-place" {
            in_place = true;
            // BSD `sed -i '' …`: the empty suffix.
            if i + 1 < n && get(i + 1).is_empty() {
                i += 1;
                roles[i] = Role::Data;
            }
        } else if a.starts_with("--in-place=") || (a.starts_with("-i") && !a.starts_with("--")) {
            in_place = true;
        } else if a == "-e" || a == "--expression" {
            script_given = true;
            i += 1;
            if i < n {
                roles[i] = Role::Data;
                scripts.push(get(i));
            }
        } else if a == "-f" || a == "--file" {
            script_given = true;
            i += 1;
            problems.push("a sed script read from a file is not analysed".into());
        } else if a.starts_with('-') && a.len() > 1 {
            if !a.starts_with("--") && a.contains('i') {
                in_place = true;
            }
            if !a.starts_with("--") && a.ends_with('e') {
                script_given = true;
                i += 1;
                if i < n {
                    roles[i] = Role::Data;
                    scripts.push(get(i));
                }
            }
        } else if !script_given {
            script_given = true;
            scripts.push(a);
        } else {
            operands.push(i);
        }
        i += 1;
    }
    for i in operands {
        roles[i] = if in_place { Role::Write } else { Role::Read };
    }
    for script in scripts {
        if sed_runs_or_writes(script) {
            problems.push(format!(
                "the sed script `{script}` runs commands or reads or writes other files (`e`/`r`/`w`)"
            ));
        }
    }
}

/// Whether a sed script uses the `e` or `w` commands, or the `e`/`w` flags of `s`.
pub fn sed_runs_or_writes(script: &str) -> bool {
    for command in script.split(['\n', ';']) {
        let mut rest = command.trim_start();
        // Strip an address: line numbers, `$`, `/re/`, `\cREc`, ranges, `!`.
        loop {
            let before = rest.len();
            rest = rest.trim_start_matches(|c: char| {
                c.is_ascii_digit() || matches!(c, '$' | ',' | '!' | ' ' | '~' | '+')
            });
            if let Some(r) = rest.strip_prefix('/') {
                rest = r.split_once('/').map_or("", |(_, after)| after);
            }
            if rest.len() == before {
                break;
            }
        }
        let rest = rest.trim_start_matches('{').trim_start();
        let mut chars = rest.chars();
        match chars.next() {
            // `r`/`R FILE` append another file's contents to the output: a read we do not
            // follow (`sed 'r .env' x`).
            Some('e' | 'w' | 'W' | 'r' | 'R') => return true,
            Some('s') => {
                let Some(delim) = chars.next() else { continue };
                let body: String = chars.collect();
                let parts: Vec<&str> = body.splitn(3, delim).collect();
                if let Some(flags) = parts.get(2) {
                    let flags: String = flags
                        .chars()
                        .take_while(|c| !c.is_whitespace() && *c != '}')
                        .collect();
                    if flags.contains(['e', 'w']) {
                        return true;
                    }
                }
            }
            _ => {}
        }
    }
    false
}

pub fn awk_roles(roles: &mut [Role], args: &[Option<&str>], problems: &mut Vec<String>) {
    let n = args.len();
    let get = |i: usize| args.get(i).copied().flatten().unwrap_or("");
    let mut program_seen = false;
    let mut i = 1;
    while i < n {
        let a = get(i);
        if matches!(a, "-v" | "-F" | "--assign" | "--field-separator") {
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
        } else if !program_seen {
            program_seen = true;
            roles[i] = Role::Data;
            if awk_runs_or_writes(a) {
                problems.push(format!(
                    "the awk program `{a}` runs commands or writes files"
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
    fn sed_scripts_that_run_or_write_are_spotted() {
        let rows: &[(&str, bool)] = &[
            ("s/a/b/g", false),
            ("s/a/b/e", true),
            ("s/a/b/w out", true),
            ("1e rm -rf /", true),
            ("w /etc/x", true),
            ("/x/d", false),
            ("s|a|b|", false),
            ("$!N;P;D", false),
            ("/foo/w bar", true),
        ];
        for (script, want) in rows {
            assert_eq!(sed_runs_or_writes(script), *want, "{script}");
        }
    }

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
