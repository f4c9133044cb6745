//! Rollback notes (SPEC §6.5): before a high-risk edit, the note must exist and hold every
//! required field with some text under it. The one implementation: `decide` (before an edit)
//! and the stop gate (`session::gate`, before the agent finishes) both call it.
//!
//! The note is Markdown. A field is present when a heading (`## Undo path`, any level) or a
//! label line (`Undo path: …`, `**Owner**: …`, `- Owner: …`) names it, case-insensitively,
//! and some text follows it before the next heading or field label. HTML comments (the
//! template's guidance) are not text, so a copied, unfilled template is still incomplete.

/// The fields a note needs when the budget names none (lives with the budget's defaults).
pub use crate::budget::DEFAULT_ROLLBACK_FIELDS as DEFAULT_FIELDS;

/// The fields of `fields` that `note` lacks (or leaves empty), in `fields` order.
pub fn missing_fields(note: &str, fields: &[String]) -> Vec<String> {
    let text = strip_comments(note);
    let mut filled = vec![false; fields.len()];
    let mut current: Option<usize> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(heading) = heading_text(trimmed) {
            current = field_index(heading, fields);
            continue;
        }
        if let Some((label, rest)) = trimmed.split_once(':')
            && let Some(at) = field_index(label, fields)
        {
            current = Some(at);
            if has_text(rest) {
                filled[at] = true;
            }
            continue;
        }
        if let Some(at) = current
            && has_text(trimmed)
        {
            filled[at] = true;
        }
    }
    fields
        .iter()
        .zip(filled)
        .filter(|(_, ok)| !ok)
        .map(|(f, _)| f.clone())
        .collect()
}

fn heading_text(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches('#');
    let level = line.len() - rest.len();
    ((1..=6).contains(&level) && (rest.is_empty() || rest.starts_with(' '))).then(|| rest.trim())
}

fn field_index(label: &str, fields: &[String]) -> Option<usize> {
    let label = label
        .trim()
        .trim_matches(|c| c == '*' || c == '_' || c == '-')
        .trim()
        .trim_end_matches(':')
        .trim();
    fields
        .iter()
        .position(|f| f.trim().eq_ignore_ascii_case(label))
}

fn has_text(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start..].find("-->") {
            Some(end) => rest = &rest[start + end + 3..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// The note's template, shown in the denial: one heading per field with guidance in
/// comments (which do not count as text, so the template must really be filled in).
pub fn template(fields: &[String]) -> String {
    let mut out = String::from("# Rollback note\n");
    for field in fields {
        out.push_str(&format!("\n## {field}\n<!-- {} -->\n", guidance(field)));
    }
    out
}

fn guidance(field: &str) -> &'static str {
    match field.to_ascii_lowercase().as_str() {
        "change" => "what this change does, in one or two sentences",
        "undo path" => "the exact steps or commands that undo it",
        "data risk" => "what data could be lost or corrupted, and how you would notice",
        "trigger" => "the signal that means: roll back now",
        "owner" => "who decides and performs the rollback",
        "stop before" => "the point after which undoing is no longer possible",
        _ => "fill in",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIX: &[&str] = DEFAULT_FIELDS;

    fn fields(names: &[&str]) -> Vec<String> {
        names.iter().map(|f| (*f).to_owned()).collect()
    }

    #[test]
    fn a_field_needs_a_heading_or_label_and_text_under_it() {
        let complete = "# Rollback\n## Change\nAdd column.\n## Undo path\n`git revert`\n### data risk\nnone\n\
            Trigger: error rate > 1%\nOwner: @ops\n## Stop before\nthe backfill\n";
        let three = &["Change", "Undo path", "Owner"];
        let rows: &[(&str, &str, &[&str], &[&str])] = &[
            ("complete", complete, SIX, &[]),
            ("empty file", "", SIX, SIX),
            (
                "heading without text",
                &complete.replace("`git revert`", ""),
                SIX,
                &["Undo path"],
            ),
            (
                "label without text",
                &complete.replace("Owner: @ops", "Owner:"),
                SIX,
                &["Owner"],
            ),
            (
                "text only in a comment",
                &complete.replace("the backfill", "<!-- todo -->"),
                SIX,
                &["Stop before"],
            ),
            (
                "labels in bold and list items count",
                "## Change\nnew column\n**Undo path**: revert 12ab\n- Owner: ana\n",
                three,
                &[],
            ),
            (
                "an absent field",
                "## Change\nnew column\n\n## Undo path\nrevert\n",
                three,
                &["Owner"],
            ),
            (
                "empty headings in a row",
                "## Change\n## Undo path\nrevert\n## Owner\n",
                three,
                &["Change", "Owner"],
            ),
        ];
        for (name, note, wanted, expected) in rows {
            assert_eq!(
                missing_fields(note, &fields(wanted)),
                fields(expected),
                "{name}"
            );
        }
    }

    #[test]
    fn the_unfilled_template_lacks_every_field_and_the_filled_one_nothing() {
        let wanted = fields(SIX);
        let template = template(&wanted);
        assert!(template.contains("## Undo path"), "{template}");
        assert_eq!(missing_fields(&template, &wanted), wanted);
        let filled = template.replace("<!--", "done <!--");
        assert!(missing_fields(&filled, &wanted).is_empty(), "{filled}");
    }
}
