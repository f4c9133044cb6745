//! Who delegated the run: the git user (`user.name` / `user.email` from the repository's
//! config, else the global one), else the OS user. Read straight from the config files
//! (through the place's file view) — no `git` process — so the stop hook can afford it.

use super::Place;
use std::path::Path;

/// A git config file is read up to this many bytes.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// `Name <email>`, `Name`, `<email>`, the OS user, or `unknown`.
pub fn delegating_user(place: &Place<'_>) -> String {
    let xdg = place
        .xdg_config_home
        .map(Path::to_path_buf)
        .or_else(|| place.home.map(|h| h.join(".config")));
    let mut candidates = vec![place.project_root.join(".git/config")];
    candidates.extend(place.home.map(|h| h.join(".gitconfig")));
    candidates.extend(xdg.map(|x| x.join("git/config")));
    let (mut name, mut email) = (None, None);
    for file in candidates {
        let Some(text) = place.fs.read_small(&file, MAX_CONFIG_BYTES) else {
            continue;
        };
        let (n, e) = git_user(&text);
        name = name.or(n);
        email = email.or(e);
    }
    match (name, email) {
        (Some(n), Some(e)) => format!("{n} <{e}>"),
        (Some(n), None) => n,
        (None, Some(e)) => format!("<{e}>"),
        (None, None) => place
            .os_user
            .map_or_else(|| "unknown".to_owned(), |user| format!("{user} (OS user)")),
    }
}

/// `name` and `email` of the `[user]` section of a git config file.
fn git_user(text: &str) -> (Option<String>, Option<String>) {
    let (mut in_user, mut name, mut email) = (false, None, None);
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            in_user = line
                .trim_start_matches('[')
                .trim_end_matches(']')
                .trim()
                .eq_ignore_ascii_case("user");
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"').to_owned();
        match key.trim().to_ascii_lowercase().as_str() {
            "name" if in_user && !value.is_empty() => name = Some(value),
            "email" if in_user && !value.is_empty() => email = Some(value),
            _ => {}
        }
    }
    (name, email)
}

#[cfg(test)]
mod tests {
    use super::git_user;

    #[test]
    fn the_user_section_of_a_git_config_names_the_user() {
        let config =
            "[core]\n\tname = not-me\n[user]\n\tname = Dana Dev\n\temail = \"dana@example.com\"\n";
        assert_eq!(
            git_user(config),
            (Some("Dana Dev".into()), Some("dana@example.com".into()))
        );
        assert_eq!(git_user("[core]\nbare = false\n"), (None, None));
    }
}
