//! Fetchers' options (`curl`, `wget`): which option values are files read (`-d @f`, `-T f`)
//! or written (`-o`, `-O`, `--dump-header`), and the config files they read that the
//! analyser does not follow (`curl -K`, `wget -i/-e`). Hosts are in [`crate::shell::network`].

use crate::shell::effects::Role;
use crate::shell::operands;

/// Roles of `curl`/`wget` words, and why a part is unanalysable.
pub fn roles(name: &str, args: &[Option<&str>], roles: &mut [Role], problems: &mut Vec<String>) {
    let n = args.len();
    let get = |i: usize| args.get(i).copied().flatten().unwrap_or("");
    if name == "curl" {
        for i in 1..n {
            if matches!(
                get(i),
                "-d" | "--data"
                    | "--data-binary"
                    | "--data-urlencode"
                    | "-T"
                    | "--upload-file"
                    | "-F"
                    | "--form"
            ) && i + 1 < n
            {
                roles[i + 1] = Role::Read;
            }
            if matches!(
                get(i),
                "-o" | "--output" | "-c" | "--cookie-jar" | "--dump-header" | "-D"
            ) && i + 1 < n
            {
                roles[i + 1] = Role::Write;
            }
            if let Some(out) = operands::short_cluster_value(get(i), 'o') {
                // `curl -sSo FILE` / `-sSoFILE`.
                match out {
                    "" if i + 1 < n => roles[i + 1] = Role::Write,
                    "" => {}
                    _ => roles[i] = Role::Write,
                }
            }
            if matches!(get(i), "-K" | "--config") || get(i).starts_with("-K") {
                problems.push(
                    "`curl` reads its URLs and options from a config file the analyser does not read"
                        .into(),
                );
            }
        }
    }
    if name == "wget" {
        for i in 1..n {
            if matches!(get(i), "-O" | "--output-document" | "-o" | "--output-file") && i + 1 < n {
                roles[i + 1] = Role::Write;
            }
            if let Some(out) = operands::short_cluster_value(get(i), 'O') {
                // `wget -qO FILE` / `-qOFILE` (`-qO-` is standard output).
                match out {
                    "" if i + 1 < n => roles[i + 1] = Role::Write,
                    "" | "-" => {}
                    _ => roles[i] = Role::Write,
                }
            }
            if matches!(get(i), "-P" | "--directory-prefix") && i + 1 < n {
                roles[i + 1] = Role::Write;
            }
            if matches!(get(i), "-i" | "--input-file" | "-e" | "--execute")
                || get(i).starts_with("--input-file=")
                || get(i).starts_with("--execute=")
            {
                problems.push(
                    "`wget` reads URLs or settings (`-i`, `-e`) the analyser does not see".into(),
                );
            }
        }
    }
}
