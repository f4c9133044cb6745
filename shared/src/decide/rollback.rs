//! Rollback notes (SPEC §6.5): before a high-risk edit, the note must exist and hold every
//! required heading with some text under it.

/// The fields of `fields` that `note` lacks. A field is present when a line names it as a
/// markdown heading (`## Undo path`) or a label (`Undo path:` / `**Undo path**:`) and some
/// non-empty text follows before the next field.
pub fn missing_fields(note: &str, fields: &[String]) -> Vec<String> {
    fields
        .iter()
        .filter(|f| !has_field(note, f))
        .cloned()
        .collect()
}

fn label_of(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    let body = line
        .trim_start_matches('#')
        .trim_start_matches(['-', '*', ' ']);
    let is_heading = line.starts_with('#');
    let (label, rest) = if is_heading {
        (body.trim_end_matches(':').to_owned(), String::new())
    } else {
        let (label, rest) = body.split_once(':')?;
        (label.to_owned(), rest.to_owned())
    };
    let label = label.trim().trim_matches('*').trim().to_ascii_lowercase();
    (!label.is_empty()).then_some((label, rest.trim().to_owned()))
}

fn has_field(note: &str, field: &str) -> bool {
    let want = field.trim().to_ascii_lowercase();
    let mut lines = note.lines();
    while let Some(line) = lines.next() {
        let Some((label, rest)) = label_of(line) else {
            continue;
        };
        if label != want {
            continue;
        }
        if !rest.is_empty() {
            return true;
        }
        // Text under the heading, before the next heading or label.
        for next in lines.by_ref() {
            let trimmed = next.trim();
            if trimmed.is_empty() {
                continue;
            }
            if trimmed.starts_with('#') {
                return false;
            }
            return true;
        }
        return false;
    }
    false
}

/// A template the agent can fill in, shown in the denial.
pub fn template(fields: &[String]) -> String {
    fields
        .iter()
        .map(|f| format!("## {f}\n<fill in>\n"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Vec<String> {
        ["Change", "Undo path", "Owner"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn a_complete_note_lacks_nothing() {
        let note = "# Rollback\n## Change\nnew column\n## Undo path\nrevert 12ab\nOwner: ana\n";
        assert!(missing_fields(note, &fields()).is_empty());
    }

    #[test]
    fn empty_headings_and_absent_fields_are_missing() {
        let note = "## Change\nnew column\n\n## Undo path\nrevert\n";
        assert_eq!(missing_fields(note, &fields()), vec!["Owner".to_string()]);
        let note = "## Change\n## Undo path\nrevert\n## Owner\n";
        assert_eq!(
            missing_fields(note, &fields()),
            vec!["Change".to_string(), "Owner".to_string()]
        );
    }

    #[test]
    fn the_template_names_every_field() {
        let t = template(&fields());
        assert!(missing_fields(&t.replace("<fill in>", "x"), &fields()).is_empty());
    }
}
