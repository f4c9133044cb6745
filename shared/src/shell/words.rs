//! Word expansion as far as it can be done statically: quotes, escapes and ANSI-C `$'…'`
//! decoded; `~`, `$HOME`, `${HOME}`, `$PWD`, `$CLAUDE_PROJECT_DIR` expanded; globs expanded
//! against the file system (bounded). Everything else makes the word dynamic, and every
//! command substitution found (also inside defaults and arithmetic) is handed back to be
//! analysed.

use crate::fsview::FsView;
use crate::shell::adapter::{self, ParseFailure, Piece};
use crate::shell::globopts::GlobOptions;
use crate::shell::limits::{MAX_GLOB_LISTINGS, MAX_GLOB_MATCHES};
use crate::shell::vars::{self, Reassigned};
use std::path::{Path, PathBuf};

/// What the variables we expand stand for.
pub struct Env<'a> {
    pub home: Option<&'a Path>,
    pub pwd: Option<&'a Path>,
    pub project_dir: &'a Path,
    /// Names the command reassigns somewhere: their expansions are dynamic.
    pub reassigned: Reassigned,
}

/// A word after static expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expanded {
    /// The word as written (for messages and dynamic words).
    pub raw: String,
    /// The literal value, or `None` when the word is dynamic.
    pub value: Option<String>,
    /// When unquoted glob characters remain: the pattern (quoted metacharacters escaped).
    pub glob: Option<String>,
    /// Why the word is dynamic.
    pub why_dynamic: Option<String>,
    /// Scripts of the command substitutions inside it.
    pub substitutions: Vec<String>,
    /// Watched names the word itself may assign (`$((HOME=1))`, `${HOME:=x}`).
    pub assigns: Reassigned,
    /// The word makes bash evaluate a value (arithmetic, a subscript, `${!x}`): code held
    /// in a variable may run here ([`crate::shell::later_eval`]).
    pub evaluates: bool,
}

/// Expands one word. Parse failures are returned for the caller to report.
pub fn expand(raw: &str, env: &Env<'_>) -> Result<Expanded, ParseFailure> {
    if adapter::is_plain_word(raw) {
        // One unquoted literal without glob, brace or tilde: the word is its own value
        // (what [`expand_pieces`] makes of it, checked in the tests).
        return Ok(Expanded {
            raw: raw.to_owned(),
            value: Some(raw.to_owned()),
            glob: None,
            why_dynamic: None,
            substitutions: Vec::new(),
            assigns: Reassigned::default(),
            evaluates: false,
        });
    }
    expand_pieces(raw, &adapter::pieces(raw)?, env)
}

/// [`expand`] of a word split into its pieces.
fn expand_pieces(raw: &str, pieces: &[Piece], env: &Env<'_>) -> Result<Expanded, ParseFailure> {
    let mut out = Expanded {
        raw: raw.to_owned(),
        value: None,
        glob: None,
        why_dynamic: None,
        substitutions: Vec::new(),
        assigns: Reassigned::default(),
        evaluates: false,
    };
    let (mut value, mut pattern, mut has_glob) = (String::new(), String::new(), false);
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Lit {
                text,
                quoted,
                ansi_c,
                escape,
            } => {
                let text = if *ansi_c {
                    decode_ansi_c(text)
                } else if *escape {
                    text.strip_prefix('\\').unwrap_or(text).replace('\n', "")
                } else {
                    text.clone()
                };
                let bracket = text
                    .find('[')
                    .is_some_and(|open| text[open..].contains(']'));
                if !*quoted && (text.contains(['*', '?']) || bracket) {
                    has_glob = true;
                    pattern.push_str(&text);
                } else {
                    pattern.push_str(&globset_escape(&text));
                }
                if !*quoted && is_extglob(&text) {
                    out.why_dynamic.get_or_insert(format!(
                        "`{raw}` is an extended glob (`@(…)`, `!(…)`, …), which the analyser does not expand"
                    ));
                }
                if !*quoted && is_brace_list(&text) {
                    out.why_dynamic
                        .get_or_insert(format!("`{raw}` uses brace expansion"));
                }
                value.push_str(&text);
            }
            Piece::Tilde(None) if index == 0 && env.reassigned.contains("HOME") => {
                out.why_dynamic.get_or_insert(format!(
                    "`{raw}` uses `~`, and the command reassigns `HOME`"
                ));
            }
            Piece::Tilde(None) if index == 0 => match env.home {
                Some(home) => {
                    let home = home.to_string_lossy();
                    value.push_str(&home);
                    pattern.push_str(&globset_escape(&home));
                }
                None => {
                    out.why_dynamic
                        .get_or_insert("the home directory is unknown".into());
                }
            },
            Piece::Tilde(_) => {
                out.why_dynamic
                    .get_or_insert(format!("`{raw}` names another user's or stack directory"));
            }
            Piece::Var {
                name,
                plain,
                inner,
                assigns,
                evaluates,
                ..
            } => {
                out.evaluates |= *evaluates;
                for text in inner {
                    collect_substitutions(text, &mut out.substitutions)?;
                }
                if *assigns {
                    out.assigns.note(name);
                }
                if env.reassigned.contains(name) {
                    out.why_dynamic.get_or_insert(format!(
                        "`{raw}` depends on `{name}`, which the command reassigns"
                    ));
                    continue;
                }
                let known = match name.as_str() {
                    "HOME" => env.home,
                    "PWD" => env.pwd,
                    "CLAUDE_PROJECT_DIR" => Some(env.project_dir),
                    _ => None,
                };
                match known {
                    Some(path) if *plain => {
                        let text = path.to_string_lossy();
                        value.push_str(&text);
                        pattern.push_str(&globset_escape(&text));
                    }
                    _ => {
                        out.why_dynamic
                            .get_or_insert(format!("`{raw}` depends on the variable `{name}`"));
                    }
                }
            }
            Piece::Subst(script) => {
                out.substitutions.push(script.clone());
                out.why_dynamic
                    .get_or_insert(format!("`{raw}` depends on a command's output"));
            }
            Piece::Arith(text) => {
                out.evaluates = true;
                collect_substitutions(text, &mut out.substitutions)?;
                out.assigns = out.assigns.union(vars::mentioned(text));
                out.why_dynamic
                    .get_or_insert(format!("`{raw}` depends on arithmetic"));
            }
        }
    }
    if out.why_dynamic.is_none() {
        if has_glob {
            out.glob = Some(pattern);
        }
        out.value = Some(value);
    }
    Ok(out)
}

/// Finds the command substitutions in embedded text (parameter defaults, arithmetic).
pub fn collect_substitutions(text: &str, out: &mut Vec<String>) -> Result<(), ParseFailure> {
    if !text.contains(['$', '`']) {
        return Ok(());
    }
    for piece in adapter::pieces(text)? {
        match piece {
            Piece::Subst(script) => out.push(script),
            Piece::Var { inner, .. } => {
                for t in inner {
                    collect_substitutions(&t, out)?;
                }
            }
            Piece::Arith(t) => collect_substitutions(&t, out)?,
            _ => {}
        }
    }
    Ok(())
}

/// Substitutions run inside an expanding here-document body.
pub fn heredoc_substitutions(body: &str) -> Result<Vec<String>, ParseFailure> {
    let mut out = Vec::new();
    if !body.contains(['$', '`']) {
        return Ok(out);
    }
    for piece in adapter::heredoc_pieces(body)? {
        match piece {
            Piece::Subst(script) => out.push(script),
            Piece::Var { inner, .. } => {
                for t in inner {
                    collect_substitutions(&t, &mut out)?;
                }
            }
            Piece::Arith(t) => collect_substitutions(&t, &mut out)?,
            _ => {}
        }
    }
    Ok(out)
}

/// The variables a word as written expands (`"$X"`, `${X:-$Y}`; not `'$X'` or `\$X`),
/// and those whose value bash prints itself while expanding it (`${A:?$X}` prints `$X`
/// when `A` is unset). `None` when the word does not parse.
pub fn variables_of(raw: &str) -> Option<(Vec<String>, Vec<String>)> {
    let (mut expands, mut reports) = (Vec::new(), Vec::new());
    collect_variables(raw, &mut expands, &mut reports, false, 0)?;
    Some((expands, reports))
}

fn collect_variables(
    raw: &str,
    expands: &mut Vec<String>,
    reports: &mut Vec<String>,
    reported: bool,
    depth: usize,
) -> Option<()> {
    if !raw.contains('$') || depth > 8 {
        return Some(());
    }
    for piece in adapter::pieces(raw).ok()? {
        if let Piece::Var {
            name,
            inner,
            error_message,
            ..
        } = piece
        {
            if name.starts_with('#') {
                // `${#NAME}`: only the length is expanded.
                continue;
            }
            if reported {
                reports.push(name.clone());
            }
            expands.push(name);
            for text in inner {
                collect_variables(
                    &text,
                    expands,
                    reports,
                    reported || error_message,
                    depth + 1,
                )?;
            }
        }
    }
    Some(())
}

/// The variables an expanding here-document body prints, as a word naming each
/// (`${A}${B}`), for the secrets pack to follow like a here-string's.
pub fn heredoc_variables(body: &str) -> Option<String> {
    if !body.contains('$') {
        return None;
    }
    let names: Vec<String> = adapter::heredoc_pieces(body)
        .ok()?
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Var { name, .. } => Some(format!("${{{name}}}")),
            _ => None,
        })
        .collect();
    (!names.is_empty()).then(|| names.concat())
}

/// `@(…)`, `!(…)`, `+(…)`, `*(…)`, `?(…)`: extglob patterns (on in many users' shells).
fn is_extglob(text: &str) -> bool {
    ["@(", "!(", "+(", "*(", "?("]
        .iter()
        .any(|p| text.contains(p))
}

fn is_brace_list(text: &str) -> bool {
    match (text.find('{'), text.rfind('}')) {
        (Some(open), Some(close)) if open < close => {
            let inner = &text[open + 1..close];
            inner.contains(',') || inner.contains("..")
        }
        _ => false,
    }
}

fn globset_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes the body of `$'…'` as Bash does.
pub fn decode_ansi_c(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        let mut take_digits = |radix: u32, max: usize| {
            let mut digits = String::new();
            while digits.len() < max {
                match chars.peek() {
                    Some(d) if d.is_digit(radix) => {
                        digits.push(*d);
                        chars.next();
                    }
                    _ => break,
                }
            }
            u32::from_str_radix(&digits, radix)
                .ok()
                .and_then(char::from_u32)
        };
        let decoded = match e {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'e' | 'E' => Some('\x1b'),
            'f' => Some('\x0c'),
            'v' => Some('\x0b'),
            '\\' | '\'' | '"' | '?' => Some(e),
            'x' => take_digits(16, 2),
            'u' => take_digits(16, 4),
            'U' => take_digits(16, 8),
            '0'..='7' => {
                let mut digits = e.to_string();
                while digits.len() < 3 {
                    match chars.peek() {
                        Some(d) if d.is_digit(8) => {
                            digits.push(*d);
                            chars.next();
                        }
                        _ => break,
                    }
                }
                u32::from_str_radix(&digits, 8)
                    .ok()
                    .and_then(char::from_u32)
            }
            'c' => chars.next().map(|x| char::from((x as u8) & 0x1f)),
            other => {
                out.push('\\');
                Some(other)
            }
        };
        if let Some(d) = decoded {
            out.push(d);
        }
    }
    out
}

/// Expands a glob pattern (absolute, or relative to `base`) the way the shell would a
/// moment later. `None` when the expansion went past its bounds. No match: the pattern
/// itself, as Bash leaves it (nothing under `nullglob`). `options` are the shell's glob
/// options in force ([`crate::shell::globopts`]).
pub fn expand_glob_with(
    pattern: &str,
    base: &Path,
    fs: &dyn FsView,
    options: GlobOptions,
) -> Option<Vec<PathBuf>> {
    let absolute = pattern.starts_with('/');
    let mut current = vec![if absolute {
        PathBuf::from("/")
    } else {
        base.to_path_buf()
    }];
    let mut listings = 0;
    for segment in pattern.split('/').filter(|s| !s.is_empty() && *s != ".") {
        let is_pattern = segment.contains(['*', '?', '[']);
        let mut next = Vec::new();
        for dir in &current {
            if !is_pattern {
                next.push(dir.join(unescape(segment)));
                continue;
            }
            listings += 1;
            if listings > MAX_GLOB_LISTINGS {
                return None;
            }
            let matcher = globset::GlobBuilder::new(segment)
                .literal_separator(true)
                .case_insensitive(options.nocase)
                .build()
                .ok()?
                .compile_matcher();
            let mut names = fs.list_dir(dir).unwrap_or_default();
            names.sort();
            for name in names {
                let hidden = name.starts_with('.') && !segment.starts_with('.');
                if hidden && !(options.dotglob && name != "." && name != "..") {
                    continue;
                }
                if matcher.is_match(&name) {
                    next.push(dir.join(name));
                }
            }
        }
        if next.len() > MAX_GLOB_MATCHES {
            return None;
        }
        current = next;
    }
    if current.is_empty() {
        if options.nullglob {
            return Some(Vec::new());
        }
        return Some(vec![base.join(unescape(pattern))]);
    }
    Some(current)
}

fn unescape(segment: &str) -> String {
    let mut out = String::new();
    let mut chars = segment.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '[' {
            let rest: Vec<char> = chars.clone().take(2).collect();
            if rest.len() == 2 && rest[1] == ']' {
                out.push(rest[0]);
                chars.next();
                chars.next();
                continue;
            }
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env<'static> {
        Env {
            home: Some(Path::new("/home/u")),
            pwd: Some(Path::new("/p")),
            project_dir: Path::new("/p"),
            reassigned: Reassigned::default(),
        }
    }

    #[test]
    fn words_decode_to_the_value_the_shell_would_pass() {
        let rows: &[(&str, Option<&str>)] = &[
            ("rm", Some("rm")),
            ("\\rm", Some("rm")),
            ("'r''m'", Some("rm")),
            ("\"rm\"", Some("rm")),
            ("$'\\x72m'", Some("rm")),
            ("$'\\162m'", Some("rm")),
            ("r\"\"m", Some("rm")),
            ("~/x", Some("/home/u/x")),
            ("$HOME/.ssh", Some("/home/u/.ssh")),
            ("${HOME}", Some("/home/u")),
            ("\"$CLAUDE_PROJECT_DIR\"/src", Some("/p/src")),
            ("$PWD/f", Some("/p/f")),
            ("$X", None),
            ("${X:-a}", None),
            ("$(printf rm)", None),
            ("{.env,x}", None),
            ("~root/x", None),
        ];
        for (raw, want) in rows {
            let got = expand(raw, &env()).unwrap_or_else(|e| panic!("{raw}: {e:?}"));
            assert_eq!(got.value.as_deref(), *want, "{raw}");
        }
    }

    #[test]
    fn substitutions_are_found_in_every_corner_of_a_word() {
        let rows: &[(&str, &str)] = &[
            ("$(rm -rf /)", "rm -rf /"),
            ("`rm x`", "rm x"),
            ("${x:-$(rm y)}", "rm y"),
            ("$(( $(rm z) + 1 ))", "rm z"),
            ("\"a$(rm w)b\"", "rm w"),
        ];
        for (raw, want) in rows {
            let got = expand(raw, &env()).unwrap_or_else(|e| panic!("{raw}: {e:?}"));
            assert!(
                got.substitutions.iter().any(|s| s.trim() == *want),
                "{raw}: {got:?}"
            );
        }
    }

    #[test]
    fn a_plain_word_expands_as_its_pieces_do() {
        for raw in [
            "cargo",
            "-p",
            "--jobs=4",
            "src/lib.rs",
            "a,b",
            "x@y",
            "%1",
            "+x",
            "..",
            "/",
        ] {
            let pieces = adapter::pieces(raw).unwrap();
            assert_eq!(
                expand(raw, &env()).unwrap(),
                expand_pieces(raw, &pieces, &env()).unwrap(),
                "{raw}"
            );
        }
    }

    #[test]
    fn quoted_glob_characters_stay_literal() {
        let got = expand("'*.rs'", &env()).unwrap();
        assert_eq!((got.value.as_deref(), got.glob), (Some("*.rs"), None));
        let got = expand("*.rs", &env()).unwrap();
        assert_eq!(got.glob.as_deref(), Some("*.rs"));
    }
}
