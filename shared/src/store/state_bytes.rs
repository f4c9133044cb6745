//! The session state's bytes in memory: read with room to grow, and encoded back over
//! themselves (a long session's state is ~20 KB; a second buffer for the new bytes was the
//! largest single allocation of a hook call, five fresh pages of memory to fault in).

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

/// A file's bytes in a buffer with room to spare: the state is encoded back into the buffer
/// it was read from, and a state that grew by a few bytes should not move it (growing a
/// 20 KB buffer from empty copied it a dozen times).
pub(super) fn read_with_room(path: &Path) -> std::io::Result<Vec<u8>> {
    const ROOM: usize = 1024;
    let mut file = File::open(path)?;
    let len = file
        .metadata()
        .map(|m| usize::try_from(m.len()).unwrap_or(0))
        .unwrap_or(0);
    let mut bytes = Vec::with_capacity(len.saturating_add(ROOM));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A writer that puts new bytes over old ones in the same buffer, from the start, and notes
/// whether any byte differs (a longer or shorter result differs too). Each old byte is
/// compared just before it is overwritten, so no copy of the old bytes is kept.
pub(super) struct Overwrite {
    bytes: Vec<u8>,
    at: usize,
    changed: bool,
}

impl Overwrite {
    pub(super) fn new(old: Vec<u8>) -> Overwrite {
        Overwrite {
            bytes: old,
            at: 0,
            changed: false,
        }
    }

    /// The new bytes, and whether they differ from the old ones.
    pub(super) fn finish(mut self) -> (Vec<u8>, bool) {
        let changed = self.changed || self.at != self.bytes.len();
        self.bytes.truncate(self.at);
        (self.bytes, changed)
    }
}

impl Write for Overwrite {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let over = data.len().min(self.bytes.len().saturating_sub(self.at));
        let (over_old, past_end) = data.split_at(over);
        let slot = &mut self.bytes[self.at..self.at + over];
        if !self.changed && slot != over_old {
            self.changed = true;
        }
        slot.copy_from_slice(over_old);
        if !past_end.is_empty() {
            self.changed = true;
            self.bytes.extend_from_slice(past_end);
        }
        self.at += data.len();
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Overwrite;
    use std::io::Write;

    fn over(old: &[u8], new: &[&[u8]]) -> (Vec<u8>, bool) {
        let mut w = Overwrite::new(old.to_vec());
        for chunk in new {
            w.write_all(chunk).unwrap();
        }
        w.finish()
    }

    #[test]
    fn the_same_bytes_written_over_themselves_are_unchanged() {
        assert_eq!(
            over(b"abcdef", &[b"ab", b"cde", b"f"]),
            (b"abcdef".to_vec(), false)
        );
        assert_eq!(over(b"", &[]), (Vec::new(), false));
    }

    #[test]
    fn one_different_byte_anywhere_is_a_change() {
        assert_eq!(
            over(b"abcdef", &[b"ab", b"cXe", b"f"]),
            (b"abcXef".to_vec(), true)
        );
        assert_eq!(over(b"abcdef", &[b"abcdeX"]), (b"abcdeX".to_vec(), true));
    }

    #[test]
    fn shorter_or_longer_bytes_are_a_change_and_replace_the_old_ones_whole() {
        assert_eq!(over(b"abcdef", &[b"abc"]), (b"abc".to_vec(), true));
        assert_eq!(over(b"abc", &[b"ab", b"cdef"]), (b"abcdef".to_vec(), true));
        assert_eq!(over(b"", &[b"xy"]), (b"xy".to_vec(), true));
    }
}
