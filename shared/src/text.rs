//! Shortening text, one rule everywhere (messages, records, the session state): keep at most
//! `max` bytes of the original, cut on a character boundary, and mark a cut with `…` so a
//! reader never mistakes a shortened command or error for the whole of it.

/// `text` cut to at most `max` bytes on a character boundary, with `…` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// `text` on one line: every run of whitespace (newlines included) becomes one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_and_long_text_is_cut_on_a_character_boundary_with_a_mark() {
        assert_eq!(shorten("cargo test", 20), "cargo test");
        assert_eq!(shorten("cargo test", 5), "cargo…");
        // `é` is two bytes: a cut inside it moves back to the boundary before it.
        assert_eq!(shorten("café au lait", 4), "caf…");
        assert_eq!(one_line("cargo\n  test  -p x"), "cargo test -p x");
    }
}
