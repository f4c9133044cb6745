//! The session state encoded back over the bytes it was read from: a long session's state
//! is ~20 KB, and a second buffer for the new bytes was the largest single allocation of a
//! hook call, five fresh pages of memory to fault in. (A state that grows reallocates the
//! buffer, in place when it is the heap's last block, as it is here.)

use std::io::Write;

/// A writer that puts new bytes over old ones in the same buffer, from the start, and notes
/// whether any byte differs (a longer or shorter result differs too). Until the first
/// difference the new bytes are only compared; from there on the old bytes are not needed,
/// and it appends as a `Vec` does (the encoder writes one small piece at a time: a marker,
/// a name, a number, and its calls stay as cheap as a plain `Vec`'s).
pub(super) struct Overwrite {
    bytes: Vec<u8>,
    /// Before the first difference: how many old bytes the new ones have matched.
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
        if !self.changed {
            self.changed = self.at != self.bytes.len();
            self.bytes.truncate(self.at);
        }
        (self.bytes, self.changed)
    }

    #[inline]
    fn put(&mut self, data: &[u8]) {
        if self.changed {
            self.bytes.extend_from_slice(data);
        } else {
            self.compare(data);
        }
    }

    /// The state's first field is its write counter, so a changed state leaves this path
    /// after a few bytes.
    #[inline(never)]
    fn compare(&mut self, data: &[u8]) {
        if self.bytes.get(self.at..self.at + data.len()) == Some(data) {
            self.at += data.len();
            return;
        }
        self.bytes.truncate(self.at);
        self.bytes.extend_from_slice(data);
        self.changed = true;
    }
}

impl Write for Overwrite {
    #[inline]
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.put(data);
        Ok(data.len())
    }

    #[inline]
    fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.put(data);
        Ok(())
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
