//! A denial reason as a reviewer wants it: the agent was told a whole paragraph (what was
//! refused, the rule, the code, what to do instead); the packet already shows the tool, the
//! command, the code and the rule's origin, so it keeps only the first sentence, without the
//! parts it repeats, cut at a word boundary.

/// The agent-facing prefix every denial starts with.
const PREFIX: &str = "claude-budget refused ";

/// What the packet line already shows beside the reason.
pub(super) struct Shown<'a> {
    /// Keep every sentence: a stop rule's reason is the team's own words ("… Stop and ask
    /// for a new approval."), not the hook's boilerplate.
    pub whole: bool,
    /// The command or path (`git push --force origin main`).
    pub what: &'a str,
    pub rule: Option<&'a str>,
    pub code: Option<&'a str>,
}

/// The first sentence of `reason` without what `shown` repeats — the `claude-budget
/// refused running `<what>`:` prefix, the `(by `command`)` echo, the rule's origin in
/// parentheses, the `[code]` tag — at most `max` bytes (cut between words, `…` when cut).
pub(super) fn condensed(reason: &str, shown: &Shown<'_>, max: usize) -> String {
    let (rule, code) = (shown.rule, shown.code);
    let line = reason.lines().next().unwrap_or("");
    let mut text = if shown.whole {
        line.to_owned()
    } else {
        first_sentence(line).to_owned()
    };
    if let Some(rest) = text.strip_prefix(PREFIX) {
        text = rest.to_owned();
        // `running `<what>`: denied by …` — the line shows <what> already.
        let echo = format!("`{}`: ", shown.what);
        if let Some(at) = text.find(&echo)
            && !text[..at].trim_end().contains(' ')
        {
            text = text[at + echo.len()..].to_owned();
        }
    }
    if let Some(rule) = rule.filter(|r| !r.is_empty()) {
        text = text.replace(&format!(" ({rule})"), "");
    }
    if let Some(code) = code.filter(|c| !c.is_empty()) {
        text = text.replace(&format!(" [{code}]"), "");
    }
    text = without_command_echo(&text);
    let text = text.trim();
    cap_words(
        if shown.whole {
            text
        } else {
            text.trim_end_matches('.')
        },
        max,
    )
}

/// Up to the first `. ` (or `.` at the end) outside backticks: `.env` and
/// `.claude/budget.toml:4:7` do not end a sentence.
fn first_sentence(text: &str) -> &str {
    let mut in_code = false;
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'`' => in_code = !in_code,
            b'.' if !in_code && bytes.get(i + 1).is_none_or(|n| *n == b' ') => {
                return &text[..=i];
            }
            _ => {}
        }
    }
    text
}

/// Removes ` (by `…`)`: the packet line shows the command already.
fn without_command_echo(text: &str) -> String {
    let Some(start) = text.find(" (by `") else {
        return text.to_owned();
    };
    let after = start + " (by `".len();
    match text[after..].find("`)") {
        Some(end) => format!("{}{}", &text[..start], &text[after + end + 2..]),
        None => text.to_owned(),
    }
}

/// `text` cut to at most `max` bytes at the last space before the limit (a character
/// boundary when one word is longer than that), with `…` when cut.
pub(super) fn cap_words(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = text[..end].rfind(' ').filter(|&at| at > 0).unwrap_or(end);
    format!("{}…", text[..cut].trim_end_matches([',', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_denial_keeps_what_was_refused_and_by_which_rule_once() {
        let rows = [
            (
                "git push --force origin main",
                "claude-budget refused running `git push --force origin main`: denied by `git push` in [run] (.claude/budget.toml:4:7) [command-denied]. Do not retry it in another form. Stop and ask the user.",
                ".claude/budget.toml:4:7",
                "command-denied",
                "denied by `git push` in [run]",
            ),
            (
                "cat .env",
                "claude-budget refused reading `.env` (by `cat .env`): denied by pack secrets: dotenv (pack:secrets/dotenv) [path-denied]. Work only on paths the budget allows.",
                "pack:secrets/dotenv",
                "path-denied",
                "reading `.env`: denied by pack secrets: dotenv",
            ),
            (
                ".env",
                "`.env` may not be read: it holds credentials (pack secrets). Ask the user.",
                "pack:secrets/dotenv",
                "path-denied",
                "`.env` may not be read: it holds credentials (pack secrets)",
            ),
        ];
        for (what, reason, rule, code, want) in rows {
            let shown = Shown {
                whole: false,
                what,
                rule: Some(rule),
                code: Some(code),
            };
            assert_eq!(condensed(reason, &shown, 200), want);
        }
    }

    #[test]
    fn long_reasons_are_cut_between_words() {
        let shown = Shown {
            whole: false,
            what: "x",
            rule: None,
            code: None,
        };
        let cut = condensed(
            "denied because the command writes outside the project tree here",
            &shown,
            30,
        );
        assert_eq!(cut, "denied because the command…");
        assert_eq!(cap_words("short", 30), "short");
    }
}
