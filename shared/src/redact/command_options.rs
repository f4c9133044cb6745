//! Passwords passed as short options, which no `NAME=value` scan can see because the option
//! letter says nothing: `mysql -pPW` (glued, the MySQL/MariaDB clients), `curl -u user:PW`
//! (`--user`, `-U`/`--proxy-user`, glued `-uuser:PW`), `sshpass -p PW` / `-pPW`.
//!
//! The text is split into words the way a shell would (quotes keep spaces, `;`, `|`, `&`,
//! `(`, `)` and newlines end a command) — not to decide anything, only to know which
//! program an option belongs to. Once a word names one of these programs (also behind
//! wrappers: `sudo mysql …`, `timeout 5 curl …`), its options are scanned until the command
//! ends. `-p` means something else for most programs (`git log -p`, `ls -p`, `ssh -p 22`,
//! `npm run build -- -p 3000`, `docker run -p 80:80`), so it is redacted only here.
//! Values that are references (`-p"$MYSQL_PWD"`) stay readable, like assignments do.

/// The programs whose options are scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Program {
    /// `-p<password>` glued (`-p` alone prompts; `-P` is the port).
    MySql,
    /// `-u`/`--user`/`-U`/`--proxy-user` `user:password`: the part after `:` is hidden.
    Curl,
    /// `-p <password>` or `-p<password>`, before the command it wraps.
    SshPass,
    /// `docker …`: only its `login` subcommand takes a password (`docker run -p 80:80`
    /// maps a port).
    Docker,
    /// `docker login -p PW` / `-pPW` (`--password` is a secret-named long flag already).
    DockerLogin,
    /// `-pass pass:PW`, `-passin pass:PW`, `-passout pass:PW`: the part after `pass:`.
    OpenSsl,
    /// `aws configure set aws_secret_access_key VALUE`: a secret-named key's value.
    Aws,
}

/// What the next word is, after an option that takes a separate value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    Nothing,
    /// The whole word is the password.
    Password,
    /// The word is `user:password`.
    Credentials,
}

/// Cheap gate: the text names one of the programs at all.
const TRIGGERS: &[&str] = &[
    "mysql", "mariadb", "curl", "sshpass", "docker", "openssl", "aws",
];

/// The text with every such password replaced by `[REDACTED:password]`; `None` when there
/// was none.
pub(super) fn redact(text: &str) -> Option<String> {
    if !TRIGGERS.iter().any(|t| text.contains(t)) {
        return None;
    }
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut program: Option<Program> = None;
    let mut pending = Pending::Nothing;
    for token in tokens(text) {
        let Token::Word(start, end) = token else {
            program = None;
            pending = Pending::Nothing;
            continue;
        };
        let word = &text[start..end];
        match std::mem::replace(&mut pending, Pending::Nothing) {
            Pending::Password => {
                ranges.extend(secret_range(text, start, end));
                continue;
            }
            Pending::Credentials => {
                ranges.extend(after_colon(text, start, end));
                continue;
            }
            Pending::Nothing => {}
        }
        match program {
            None => program = program_named(word),
            Some(Program::MySql) => {
                if let Some(rest) = word.strip_prefix("-p").filter(|r| !r.is_empty()) {
                    ranges.extend(secret_range(text, end - rest.len(), end));
                }
            }
            Some(Program::Curl) => pending = curl_option(text, start, end, &mut ranges),
            Some(Program::Docker) => {
                if word == "login" {
                    program = Some(Program::DockerLogin);
                }
            }
            Some(Program::DockerLogin) => {
                if word == "-p" {
                    pending = Pending::Password;
                } else if let Some(rest) = word.strip_prefix("-p").filter(|r| !r.is_empty()) {
                    ranges.extend(secret_range(text, end - rest.len(), end));
                }
            }
            Some(Program::OpenSsl) => {
                let bare = word.trim_start_matches(['"', '\'']);
                if let Some(rest) = bare.strip_prefix("pass:") {
                    ranges.extend(secret_range(text, end - rest.len(), end));
                }
            }
            Some(Program::Aws) => {
                if super::secret_name(word.trim_matches(['"', '\''])) {
                    pending = Pending::Password;
                }
            }
            Some(Program::SshPass) => {
                if word == "-p" {
                    pending = Pending::Password;
                } else if let Some(rest) = word.strip_prefix("-p") {
                    ranges.extend(secret_range(text, end - rest.len(), end));
                } else if !word.starts_with('-') {
                    // The wrapped command begins: it may be one of ours (`sshpass -p x mysql`).
                    program = program_named(word);
                }
            }
        }
    }
    if ranges.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in ranges {
        out.push_str(&text[copied..start]);
        out.push_str("[REDACTED:password]");
        copied = end;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// One curl word: `-u`, `--user`, `-U`, `--proxy-user` (value follows), `--user=u:p`, or a
/// short cluster holding `u`/`U` (`-su` then the value, `-uadmin:pw` glued).
fn curl_option(text: &str, start: usize, end: usize, ranges: &mut Vec<(usize, usize)>) -> Pending {
    let word = &text[start..end];
    if matches!(word, "--user" | "--proxy-user") {
        return Pending::Credentials;
    }
    for long in ["--user=", "--proxy-user="] {
        if word.starts_with(long) {
            ranges.extend(after_colon(text, start + long.len(), end));
            return Pending::Nothing;
        }
    }
    let Some(cluster) = word.strip_prefix('-').filter(|c| !c.starts_with('-')) else {
        return Pending::Nothing;
    };
    // Only letters may come before the `u`: each one a flag without a value.
    let Some(at) = cluster.find(['u', 'U']) else {
        return Pending::Nothing;
    };
    if !cluster[..at].bytes().all(|b| b.is_ascii_alphabetic()) {
        return Pending::Nothing;
    }
    let value_start = start + 1 + at + 1;
    if value_start == end {
        return Pending::Credentials;
    }
    ranges.extend(after_colon(text, value_start, end));
    Pending::Nothing
}

/// The program a word names, by basename (`/usr/bin/mysql`, `\curl`).
fn program_named(word: &str) -> Option<Program> {
    let name = word
        .rsplit('/')
        .next()
        .unwrap_or(word)
        .trim_start_matches('\\');
    match name {
        "curl" => Some(Program::Curl),
        "sshpass" => Some(Program::SshPass),
        "docker" | "podman" | "nerdctl" => Some(Program::Docker),
        "openssl" => Some(Program::OpenSsl),
        "aws" => Some(Program::Aws),
        _ if name.starts_with("mysql") || name == "mariadb" || name.starts_with("mariadb-") => {
            Some(Program::MySql)
        }
        _ => None,
    }
}

/// The range to hide for a password word, unless it is empty, a reference (`$PW`,
/// `"$PW"`) or already redacted.
fn secret_range(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let value = text[start..end].trim_start_matches(['"', '\'']);
    let harmless = value.is_empty() || value.starts_with('$') || value.starts_with("[REDACTED");
    (!harmless).then_some((start, end))
}

/// The password part of `user:password` (a closing quote stays), or `None` without a `:`
/// (curl then prompts for the password).
/// With an empty password (`-u sk_live_…:`, the API-key style of Stripe and others) the
/// user part is the secret and is hidden instead.
fn after_colon(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let colon = start + text[start..end].find(':')?;
    let opening_quote = text[start..end].starts_with(['"', '\'']);
    let closing_quote =
        opening_quote && end - start >= 2 && text[..end].ends_with(&text[start..=start]);
    let end = if closing_quote { end - 1 } else { end };
    if colon + 1 >= end {
        let user_start = start + usize::from(opening_quote);
        return (user_start < colon)
            .then(|| secret_range(text, user_start, colon))
            .flatten();
    }
    secret_range(text, colon + 1, end)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    /// Byte range of one word, quotes included.
    Word(usize, usize),
    /// `;`, `|`, `&`, `(`, `)` or a newline: the command ends.
    CommandEnd,
}

/// Shell-like words of `text` (quotes and backslashes respected, nothing expanded).
fn tokens(text: &str) -> impl Iterator<Item = Token> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b'\r') {
            i += 1;
        }
        let first = *bytes.get(i)?;
        if is_command_end(first) {
            i += 1;
            return Some(Token::CommandEnd);
        }
        let start = i;
        while i < bytes.len() {
            match bytes[i] {
                b' ' | b'\t' | b'\r' => break,
                b if is_command_end(b) => break,
                b'\\' => i += 2,
                quote @ (b'\'' | b'"') => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != quote {
                        i += if quote == b'"' && bytes[i] == b'\\' {
                            2
                        } else {
                            1
                        };
                    }
                    i += 1;
                }
                _ => i += 1,
            }
        }
        i = i.min(bytes.len());
        Some(Token::Word(start, i))
    })
}

fn is_command_end(b: u8) -> bool {
    matches!(b, b';' | b'|' | b'&' | b'(' | b')' | b'\n')
}
