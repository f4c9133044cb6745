//! How an operand word carries a path: attached option values (`--output=F`, `-oF`,
//! `-sSoF`), curl's `@F`/`<F` forms, `git show REV:path`, and the programs that write into a
//! whole folder (`tar -x`, `unzip`, `wget`, `curl -O`). Split from [`super::effects`],
//! which decides each operand's role; this module reads what the word itself says.

use crate::shell::effects::Role;

/// The path inside an operand word: `of=FILE`, `if=FILE`, `--output=FILE`, `-oFILE`,
/// curl's `@FILE`, `-d@FILE`, `-F name=@FILE;type=x`, `name=<FILE`. `None` when the word
/// carries no path for this role (a plain flag).
pub fn operand_path<'a>(name: &str, role: Role, value: &'a str) -> Option<&'a str> {
    let mut v = value;
    match role {
        Role::Write => {
            v = v.strip_prefix("of=").unwrap_or(v);
            if let Some((_, after)) = v.split_once('=').filter(|_| v.starts_with("--")) {
                v = after;
            } else if v.starts_with('-') && v.len() > 2 {
                v = match name {
                    "curl" => short_cluster_value(v, 'o').unwrap_or(&v[2..]),
                    "wget" => short_cluster_value(v, 'O').unwrap_or(&v[2..]),
                    _ => &v[2..],
                };
            }
        }
        Role::Read => {
            v = v.strip_prefix("if=").unwrap_or(v);
            if let Some((option, after)) = v.split_once('=').filter(|_| v.starts_with("--")) {
                // `--env-file=.env`, `--post-file=.env`; not the names of what a search
                // leaves out (`--exclude-dir=secrets` reads nothing).
                if ["exclude", "ignore", "skip", "prune"]
                    .iter()
                    .any(|w| option.contains(w))
                {
                    return None;
                }
                v = after;
            } else if name == "curl" && v.starts_with('-') && !v.starts_with("--") && v.len() > 2 {
                v = &v[2..];
            }
            if name == "curl" {
                if let Some((_, file)) = v.split_once("=@").or_else(|| v.split_once("=<")) {
                    v = file;
                }
                v = v.strip_prefix('<').unwrap_or(v);
                v = v.split(';').next().unwrap_or(v);
            }
            v = v.strip_prefix('@').unwrap_or(v);
            if v.starts_with('-') || v.is_empty() {
                return None;
            }
        }
        Role::ReadFromHistory => {
            // `REV:path`, `:path`, `:0:path`.
            let rest = v.split_once(':').map(|(_, r)| r)?;
            v = match rest.split_once(':') {
                Some((stage, path))
                    if v.starts_with(':') && stage.chars().all(|c| c.is_ascii_digit()) =>
                {
                    path
                }
                _ => rest,
            };
            if v.is_empty() || v.starts_with('/') {
                return None;
            }
        }
        _ => {}
    }
    Some(v)
}

/// In a short-option cluster (`-sSo`, `-qOout`), what follows the option letter `opt`:
/// `Some("")` when its value is the next word, `Some(value)` when attached, `None` when the
/// cluster does not contain it. Only for clusters of more than one letter (the single
/// option is matched by name elsewhere).
pub fn short_cluster_value(arg: &str, opt: char) -> Option<&str> {
    let body = arg.strip_prefix('-').filter(|b| !b.starts_with('-'))?;
    let at = body.find(opt)?;
    (body.len() > 1 && body[..at].chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| &body[at + opt.len_utf8()..])
}

/// Programs that write into the current folder (or a `-P`/`-C`/`-d` folder) files whose
/// names the analyser does not know: `tar -x`, `unzip`, `wget` without `-O`, `curl -O`.
/// Returns the folder operand's index when one is given, `Some(None)` for the current folder.
pub fn writes_into_folder(name: &str, args: &[Option<&str>]) -> Option<Option<usize>> {
    let n = args.len();
    let get = |i: usize| args.get(i).copied().flatten().unwrap_or("");
    let any = |f: &dyn Fn(&str) -> bool| (1..n).any(|i| f(get(i)));
    match name {
        "tar" | "bsdtar" | "gtar" => {
            let old_style = n > 1 && !get(1).starts_with('-');
            let extract = any(&|a| matches!(a, "--extract" | "--get"))
                || (1..n).any(|i| {
                    let a = get(i);
                    (a.starts_with('-') && !a.starts_with("--") || old_style && i == 1)
                        && a.contains('x')
                });
            let dest = (1..n).any(|i| {
                matches!(get(i), "-C" | "--directory") || get(i).starts_with("--directory=")
            });
            (extract && !dest).then_some(None)
        }
        "unzip" => {
            let listing = any(&|a| matches!(a, "-l" | "-t" | "-v" | "-p" | "-Z"));
            (!listing && !any(&|a| a == "-d")).then_some(None)
        }
        "wget" => {
            let named = any(&|a| {
                matches!(a, "-O" | "--output-document" | "--spider")
                    || a.starts_with("--output-document=")
                    || short_cluster_value(a, 'O').is_some()
            });
            if named {
                return None;
            }
            let prefix = (1..n).find(|&i| matches!(get(i), "-P" | "--directory-prefix"));
            Some(prefix.map(|p| p + 1).filter(|&p| p < n))
        }
        "curl" => any(&|a| {
            matches!(a, "-O" | "--remote-name" | "--remote-name-all")
                || short_cluster_value(a, 'O').is_some()
        })
        .then_some(None),
        _ => None,
    }
}

/// `tar`: the archive it creates (`-c`, `-r`, `-u`) is written; extracting (`-x`) writes
/// into `-C DIR` or the current folder (as a folder: member names are not known).
pub fn tar_roles(roles: &mut [Role], args: &[Option<&str>]) {
    let n = args.len();
    let get = |i: usize| args.get(i).copied().flatten().unwrap_or("");
    // The first word may be an old-style cluster without a dash (`tar czf out.tgz src`).
    let old_style = n > 1 && !get(1).starts_with('-');
    let cluster = |a: &str| a.starts_with('-') && !a.starts_with("--") || old_style && a == get(1);
    let has = |c: char, long: &str| {
        (1..n).any(|i| {
            get(i) == long
                || get(i).starts_with(&format!("{long}="))
                || cluster(get(i)) && get(i).contains(c)
        })
    };
    let extract = has('x', "--extract") || has('x', "--get");
    let create = has('c', "--create") || has('r', "--append") || has('u', "--update");
    let mut i = 1;
    let mut pending_file = false;
    let mut dest = None;
    while i < n {
        let a = get(i);
        if a == "-C" || a == "--directory" {
            roles[i] = Role::Data;
            if i + 1 < n {
                dest = Some(i + 1);
                roles[i + 1] = Role::Data;
            }
            i += 2;
            continue;
        }
        if a == "-" && pending_file {
            // `tar czf - …`: the archive is standard output (or input), not a file.
            pending_file = false;
            roles[i] = Role::Data;
        } else if a.starts_with("--directory=") {
            dest = Some(i);
            roles[i] = Role::Data;
        } else if a == "-f" || a == "--file" {
            roles[i] = Role::Data;
            if i + 1 < n && get(i + 1) != "-" {
                roles[i + 1] = if create { Role::Write } else { Role::Read };
            }
            i += 2;
            continue;
        } else if a.starts_with("--file=") {
            roles[i] = if create { Role::Write } else { Role::Read };
        } else if cluster(a) {
            roles[i] = Role::Data;
            pending_file |= a.contains('f');
        } else if a.starts_with('-') {
            roles[i] = Role::Data;
        } else if pending_file {
            pending_file = false;
            // `-f -`: the archive is standard output (or input), not a file.
            roles[i] = if a == "-" {
                Role::Data
            } else if create {
                Role::Write
            } else {
                Role::Read
            };
        }
        i += 1;
    }
    if extract {
        match dest {
            Some(d) => roles[d] = Role::Write,
            None => {
                // Written as the current folder by run.rs.
            }
        }
    }
}
