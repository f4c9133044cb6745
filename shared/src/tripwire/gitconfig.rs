//! `.git/config` as the tripwire sees it: git writes this file itself (`git remote add`,
//! `git config user.email`, `git branch -u`), so a change is only tamper when it adds or
//! changes a key that makes git run a program or pull in other config (SPEC §4.8, the same
//! list the destructive pack refuses: [`runs_programs`]). Restoring puts back just those keys
//! and keeps everything git legitimately wrote.
//!
//! The parser is deliberately small: sections (`[core]`, `[remote "origin"]`, the old
//! `[branch.main]` form), `name = value` lines, a bare `name` (boolean true), comments,
//! backslash continuations, and a key on the header's own line (`[core] pager = less`).
//! Whatever it cannot read as a key is not a key, which can only make it see *more*
//! program-running keys as changed, never fewer: a line it cannot parse is kept as text in
//! both versions and compared as such (see [`program_keys`]).

use crate::packs::destructive::runs_programs;

/// One `name = value` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    /// `section.subsection.name`, section and name lowercased (git's own case rules).
    key: String,
    /// The section as written in a header that re-opens it (`[remote "origin"]`).
    header: String,
    /// The entry's text after the header, as written (`\tpager = less`).
    text: String,
    /// Lines `[first, last]` the entry spans (continuations included).
    first: usize,
    last: usize,
    /// The entry shares its first line with the section header (`[core] pager = less`).
    on_header_line: bool,
    header_text: String,
}

/// Splits `[section "sub"] rest` into (key prefix, header as written, rest).
fn header(line: &str) -> Option<(String, String, &str)> {
    let body = line.strip_prefix('[')?;
    let close = body.find(']')?;
    let inside = &body[..close];
    let rest = &body[close + 1..];
    let header = format!("[{inside}]");
    let prefix = match inside.find('"') {
        Some(q) => {
            let section = inside[..q].trim().to_ascii_lowercase();
            let sub = inside[q + 1..].trim_end().trim_end_matches('"');
            let sub = sub.replace("\\\"", "\"").replace("\\\\", "\\");
            format!("{section}.{sub}")
        }
        None => {
            // `[branch.main]`: the old form, subsection lowercased by git.
            inside.trim().to_ascii_lowercase()
        }
    };
    Some((prefix, header, rest))
}

/// The entries of a config text, in order.
fn entries(text: &str) -> Vec<Entry> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut prefix = String::new();
    let mut current_header = String::new();
    let mut i = 0;
    while i < lines.len() {
        let first = i;
        let mut line = lines[i].trim_start();
        let mut on_header_line = false;
        let mut header_text = String::new();
        if line.starts_with('[') {
            match header(line) {
                Some((p, h, rest)) => {
                    prefix = p;
                    current_header = h.clone();
                    header_text = h;
                    line = rest.trim_start();
                    on_header_line = true;
                }
                None => {
                    i += 1;
                    continue;
                }
            }
        }
        // Join continuation lines (a value ending in an unescaped backslash).
        let mut joined = line.to_owned();
        while joined.ends_with('\\') && !joined.ends_with("\\\\") && i + 1 < lines.len() {
            joined.pop();
            i += 1;
            joined.push_str(lines[i]);
        }
        let last = i;
        i += 1;
        let entry_text = joined.trim();
        if entry_text.is_empty() || entry_text.starts_with('#') || entry_text.starts_with(';') {
            continue;
        }
        let name: String = entry_text
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if name.is_empty() {
            continue;
        }
        out.push(Entry {
            key: format!("{prefix}.{}", name.to_ascii_lowercase()),
            header: current_header.clone(),
            text: entry_text.to_owned(),
            first,
            last,
            on_header_line,
            header_text,
        });
    }
    out
}

/// The program-running entries of a config text as (key, entry text) pairs, sorted, so two
/// versions compare equal exactly when those keys and their values are the same.
fn program_keys(text: &str) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = entries(text)
        .into_iter()
        .filter(|e| runs_programs(&e.key))
        .map(|e| (e.key, normalised(&e.text)))
        .collect();
    keys.sort();
    keys
}

/// An entry's text with spacing around `=` removed, so re-indentation by git is no change.
fn normalised(text: &str) -> String {
    match text.split_once('=') {
        Some((name, value)) => format!("{}={}", name.trim().to_ascii_lowercase(), value.trim()),
        None => text.trim().to_ascii_lowercase(),
    }
}

/// The program-running keys `after` adds or changes against `before` (a value `before` did
/// not have), sorted and deduplicated. Removing such a key runs nothing and is no tamper.
pub fn changed_program_keys(before: &str, after: &str) -> Vec<String> {
    let (a, b) = (program_keys(before), program_keys(after));
    let mut changed: Vec<String> = Vec::new();
    let keys = a.iter().chain(b.iter()).map(|(k, _)| k.clone());
    for key in keys {
        let of = |list: &[(String, String)]| -> Vec<String> {
            list.iter()
                .filter(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let (old, new) = (of(&a), of(&b));
        if new.iter().any(|v| !old.contains(v)) && !changed.contains(&key) {
            changed.push(key);
        }
    }
    changed.sort();
    changed
}

/// `after` with the entries of `keys` put back as they were in `before`: their lines in
/// `after` removed (a header sharing the line is kept), and `before`'s entries appended
/// under a re-opened section header (git allows a section to appear more than once).
pub fn restore_keys(before: &str, after: &str, keys: &[String]) -> String {
    let drop: Vec<Entry> = entries(after)
        .into_iter()
        .filter(|e| keys.contains(&e.key))
        .collect();
    let mut out = String::new();
    for (n, line) in after.lines().enumerate() {
        match drop.iter().find(|e| n >= e.first && n <= e.last) {
            Some(e) if e.on_header_line && n == e.first => {
                out.push_str(&e.header_text);
                out.push('\n');
            }
            Some(_) => {}
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    for e in entries(before)
        .into_iter()
        .filter(|e| keys.contains(&e.key))
    {
        out.push_str(&e.header);
        out.push_str("\n\t");
        out.push_str(&e.text);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "[core]\n\trepositoryformatversion = 0\n\tbare = false\n\
                        [remote \"origin\"]\n\turl = https://example.invalid/r.git\n";

    #[test]
    fn git_writing_ordinary_keys_is_no_change() {
        let after =
            format!("{BASE}[user]\n\temail = a@b.c\n[branch \"main\"]\n\tremote = origin\n");
        assert!(changed_program_keys(BASE, &after).is_empty());
    }

    #[test]
    fn program_running_keys_are_seen_in_every_spelling() {
        let rows = [
            ("[core]\n\tpager = evil\n", "core.pager"),
            ("[core] hooksPath = /tmp/h\n", "core.hookspath"),
            ("[CORE]\n\tFsMonitor = ./x\n", "core.fsmonitor"),
            ("[alias]\n\tst = !sh -c evil\n", "alias.st"),
            ("[include]\n\tpath = /tmp/c\n", "include.path"),
            (
                "[includeIf \"gitdir:/\"]\n\tpath = /tmp/c\n",
                "includeif.gitdir:/.path",
            ),
            ("[filter \"lfs\"]\n\tclean = evil %f\n", "filter.lfs.clean"),
            ("[diff \"x\"]\n\ttextconv = evil\n", "diff.x.textconv"),
            (
                "[core]\n\tsshCommand = ssh \\\n -o ProxyCommand=evil\n",
                "core.sshcommand",
            ),
        ];
        for (added, key) in rows {
            let after = format!("{BASE}{added}");
            assert_eq!(
                changed_program_keys(BASE, &after),
                vec![key.to_owned()],
                "{added}"
            );
        }
    }

    #[test]
    fn restoring_removes_only_the_planted_key_and_keeps_gits_own_writes() {
        let before = format!("{BASE}[alias]\n\tco = checkout\n");
        let after =
            format!("{BASE}[alias]\n\tco = !evil\n[user]\n\temail = a@b.c\n[core] pager = evil\n");
        let keys = changed_program_keys(&before, &after);
        assert_eq!(keys, vec!["alias.co".to_owned(), "core.pager".to_owned()]);
        let restored = restore_keys(&before, &after, &keys);
        assert!(
            changed_program_keys(&before, &restored).is_empty(),
            "{restored}"
        );
        assert!(restored.contains("email = a@b.c"), "{restored}");
        assert!(!restored.contains("evil"), "{restored}");
    }
}
