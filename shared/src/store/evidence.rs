//! Evidence on disk (SPEC §6.5): reads the rollback note for the stop gate. What makes a
//! note complete is decided in one place, [`crate::decide::rollback`] (the pre hook checks
//! the same note before a high-risk edit); the gate itself is pure (`session::gate`).

use crate::decide::rollback;
use crate::session::RollbackNote;
use std::path::Path;

/// Reads the note at `<project_root>/<note>` (at most 1 MiB) and checks it.
pub fn check_rollback_note(project_root: &Path, note: &str, fields: &[String]) -> RollbackNote {
    use std::io::Read;
    let path = project_root.join(note);
    let Ok(file) = std::fs::File::open(&path) else {
        return RollbackNote::Missing;
    };
    let mut text = String::new();
    if file.take(1024 * 1024).read_to_string(&mut text).is_err() {
        return RollbackNote::Missing;
    }
    match rollback::missing_fields(&text, fields) {
        missing if missing.is_empty() => RollbackNote::Complete,
        missing => RollbackNote::Incomplete(missing),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::DEFAULT_ROLLBACK_FIELDS;

    #[test]
    fn the_note_on_disk_is_missing_then_incomplete_then_complete() {
        let fields: Vec<String> = DEFAULT_ROLLBACK_FIELDS
            .iter()
            .map(|f| (*f).to_owned())
            .collect();
        let root = tempfile::tempdir().unwrap();
        let note = ".claude/rollback.md";
        let check = || check_rollback_note(root.path(), note, &fields);
        assert_eq!(check(), RollbackNote::Missing);
        std::fs::create_dir_all(root.path().join(".claude")).unwrap();
        let template = rollback::template(&fields);
        std::fs::write(root.path().join(note), &template).unwrap();
        assert_eq!(check(), RollbackNote::Incomplete(fields.clone()));
        std::fs::write(
            root.path().join(note),
            template.replace("<!--", "done <!--"),
        )
        .unwrap();
        assert_eq!(check(), RollbackNote::Complete);
    }
}
