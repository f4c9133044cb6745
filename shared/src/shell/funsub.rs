//! Bash 5.3 function substitution, `${ cmd; }` and `${| cmd; }`: the command runs (in the
//! current shell) and its output, or `$REPLY`, is substituted. brush-parser 0.4 does not
//! know it; [`rewrite`] turns each into a command substitution `$( cmd; )` so the command
//! is analysed like any other.

/// `text` with every function substitution rewritten, or `None` when it has none.
pub fn rewrite(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut in_double = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                out.extend(chars.get(i..(i + 2).min(chars.len())).unwrap_or_default());
                i += 2;
                continue;
            }
            '\'' if !in_double => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&q| q == '\'')
                    .map_or(chars.len(), |p| i + 2 + p);
                out.extend(&chars[i..end]);
                i = end;
                continue;
            }
            '"' => in_double = !in_double,
            '$' if chars.get(i + 1) == Some(&'{')
                && chars
                    .get(i + 2)
                    .is_some_and(|n| n.is_whitespace() || *n == '|') =>
            {
                let body_start = if chars[i + 2] == '|' { i + 3 } else { i + 2 };
                if let Some(close) = matching_brace(&chars, i + 2) {
                    let body: String = chars[body_start..close].iter().collect();
                    out.push_str("$(");
                    out.push_str(&body);
                    out.push(')');
                    changed = true;
                    i = close + 1;
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    changed.then_some(out)
}

/// The `}` closing a brace opened just before `from`, skipping quoted text.
fn matching_brace(chars: &[char], from: usize) -> Option<usize> {
    let mut depth = 1;
    let mut i = from;
    let mut quote: Option<char> = None;
    while i < chars.len() {
        let c = chars[i];
        match (quote, c) {
            (_, '\\') if quote != Some('\'') => i += 1,
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '{') => depth += 1,
            (None, '}') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::rewrite;

    #[test]
    fn function_substitutions_become_command_substitutions() {
        let rows: &[(&str, Option<&str>)] = &[
            ("${ git push; }", Some("$( git push; )")),
            ("${| git push; }", Some("$( git push; )")),
            ("\"${ rm -rf ~; }\"", Some("\"$( rm -rf ~; )\"")),
            ("a${ { x; }; }b", Some("a$( { x; }; )b")),
            ("${HOME}", None),
            ("'${ git push; }'", None),
            ("${x:-y}", None),
        ];
        for (text, want) in rows {
            assert_eq!(rewrite(text).as_deref(), *want, "{text}");
        }
    }
}
