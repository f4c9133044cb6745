//! [`EditCounts`]: how often each file was edited in a session, and when last.
//!
//! A long session has edited hundreds of files, and every hook call reads and rewrites the
//! state. Most calls never look at these counts (a Bash command that writes nothing, a Read,
//! an MCP call), so the state file's block is kept as read — its shape checked — and decoded
//! only when a call changes the counts or lists them. A lookup by path scans the block
//! without decoding it; an untouched block is written back as it was read. Decoding 300
//! entries into a map cost ~50,000 instructions per call, checking and copying the block
//! a few thousand.

use super::state::EditCount;
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// Per-file edit counts (by absolute path).
#[derive(Clone, Debug, Default)]
pub struct EditCounts {
    /// The state file's block, while nothing needed it decoded: `<path length u32><path>
    /// <count u32><last_seq u64>` per file, in path order. Its shape was checked when read.
    packed: Option<Vec<u8>>,
    /// The counts, once decoded (or built by this process).
    map: BTreeMap<String, EditCount>,
}

/// One entry of a packed block, borrowed.
struct PackedEntry<'a> {
    path: &'a [u8],
    count: EditCount,
}

/// The entries of a packed block; stops at the first that does not fit (none does, in a
/// block [`EditCounts::from_packed`] accepted).
struct PackedEntries<'a>(&'a [u8]);

impl<'a> Iterator for PackedEntries<'a> {
    type Item = PackedEntry<'a>;

    fn next(&mut self) -> Option<PackedEntry<'a>> {
        let (len, rest) = self.0.split_first_chunk::<4>()?;
        let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
        let (path, rest) = rest.split_at_checked(len)?;
        let (count, rest) = rest.split_first_chunk::<4>()?;
        let (last_seq, rest) = rest.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(PackedEntry {
            path,
            count: EditCount {
                count: u32::from_le_bytes(*count),
                last_seq: u64::from_le_bytes(*last_seq),
            },
        })
    }
}

impl EditCounts {
    /// Counts from a state file's block, kept packed; `None` when the block's lengths do not
    /// add up (a damaged state, reported as corrupt).
    pub(crate) fn from_packed(block: &[u8]) -> Option<EditCounts> {
        let mut rest = block;
        while !rest.is_empty() {
            let (len, after) = rest.split_first_chunk::<4>()?;
            let len = usize::try_from(u32::from_le_bytes(*len)).ok()?;
            rest = after.get(len.checked_add(12)?..)?;
        }
        Some(EditCounts {
            packed: Some(block.to_vec()),
            map: BTreeMap::new(),
        })
    }

    /// The block as read, when nothing decoded it since.
    pub(crate) fn packed(&self) -> Option<&[u8]> {
        self.packed.as_deref()
    }

    /// The counts of one file.
    pub fn get(&self, path: &str) -> Option<EditCount> {
        match &self.packed {
            Some(block) => PackedEntries(block)
                .find(|e| e.path == path.as_bytes())
                .map(|e| e.count),
            None => self.map.get(path).cloned(),
        }
    }

    /// The counts of one file, for changing (a new file starts at zero).
    pub fn entry(&mut self, path: &str) -> &mut EditCount {
        self.map_mut().entry(path.to_owned()).or_default()
    }

    pub fn insert(&mut self, path: String, counts: EditCount) {
        self.map_mut().insert(path, counts);
    }

    pub fn len(&self) -> usize {
        match &self.packed {
            Some(block) => PackedEntries(block).count(),
            None => self.map.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every file's counts, in path order (decoded copies: for the CLI and the stop gate,
    /// not the hot path).
    pub fn iter(&self) -> impl Iterator<Item = (String, EditCount)> + '_ {
        let packed = self.packed.as_deref().map(|block| {
            PackedEntries(block).map(|e| (String::from_utf8_lossy(e.path).into_owned(), e.count))
        });
        let decoded = self
            .packed
            .is_none()
            .then(|| self.map.iter().map(|(p, c)| (p.clone(), c.clone())));
        packed
            .into_iter()
            .flatten()
            .chain(decoded.into_iter().flatten())
    }

    pub fn values(&self) -> impl Iterator<Item = EditCount> + '_ {
        self.iter().map(|(_, counts)| counts)
    }

    /// The counts as a map (decoded if still packed).
    pub fn to_map(&self) -> BTreeMap<String, EditCount> {
        self.iter().collect()
    }

    /// The map, decoding the block first if need be. A path that is not UTF-8 (only a
    /// damaged file could hold one: every path was a `String` when written) is kept with
    /// replacement characters rather than failing the call.
    fn map_mut(&mut self) -> &mut BTreeMap<String, EditCount> {
        if let Some(block) = self.packed.take() {
            self.map = PackedEntries(&block)
                .map(|e| (String::from_utf8_lossy(e.path).into_owned(), e.count))
                .collect();
        }
        &mut self.map
    }
}

impl From<BTreeMap<String, EditCount>> for EditCounts {
    fn from(map: BTreeMap<String, EditCount>) -> Self {
        EditCounts { packed: None, map }
    }
}

impl PartialEq for EditCounts {
    fn eq(&self, other: &Self) -> bool {
        match (&self.packed, &other.packed) {
            (None, None) => self.map == other.map,
            _ => self.to_map() == other.to_map(),
        }
    }
}

/// The plain map form (`{"path": {"count": …, "last_seq": …}}`), as decisions' facts show
/// it; the state file's forms are in `compact.rs`.
impl Serialize for EditCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(entries: &[(&str, u32, u64)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (path, count, seq) in entries {
            out.extend_from_slice(&u32::try_from(path.len()).unwrap().to_le_bytes());
            out.extend_from_slice(path.as_bytes());
            out.extend_from_slice(&count.to_le_bytes());
            out.extend_from_slice(&seq.to_le_bytes());
        }
        out
    }

    #[test]
    fn a_packed_block_answers_lookups_and_decodes_only_when_changed() {
        let entries = [("/p/a.rs", 2, 7), ("/p/b.rs", 1, 9), ("/p/é.rs", 5, 11)];
        let bytes = block(&entries);
        let mut counts = EditCounts::from_packed(&bytes).unwrap();
        assert_eq!(counts.get("/p/b.rs").map(|e| e.count), Some(1));
        assert_eq!(counts.get("/p/é.rs").map(|e| e.last_seq), Some(11));
        assert_eq!(counts.get("/p/c.rs"), None);
        // A prefix of a path is not the path.
        assert_eq!(counts.get("/p/a.r"), None);
        assert_eq!(counts.len(), 3);
        assert_eq!(
            counts.packed(),
            Some(&bytes[..]),
            "a lookup decoded the block"
        );
        counts.entry("/p/a.rs").count += 1;
        assert_eq!(counts.packed(), None);
        assert_eq!(counts.get("/p/a.rs").map(|e| e.count), Some(3));
        counts.entry("/p/new.rs").count += 1;
        let listed: Vec<(String, u32)> = counts.iter().map(|(p, e)| (p, e.count)).collect();
        assert_eq!(
            listed,
            [
                ("/p/a.rs".to_string(), 3),
                ("/p/b.rs".to_string(), 1),
                ("/p/new.rs".to_string(), 1),
                ("/p/é.rs".to_string(), 5)
            ]
        );
    }

    #[test]
    fn packed_and_decoded_counts_compare_and_serialize_alike() {
        let bytes = block(&[("/p/a.rs", 2, 7)]);
        let packed = EditCounts::from_packed(&bytes).unwrap();
        let mut map = BTreeMap::new();
        map.insert(
            "/p/a.rs".to_string(),
            EditCount {
                count: 2,
                last_seq: 7,
            },
        );
        let decoded = EditCounts::from(map);
        assert_eq!(packed, decoded);
        assert_eq!(
            serde_json::to_value(&packed).unwrap(),
            serde_json::to_value(&decoded).unwrap()
        );
        assert_ne!(packed, EditCounts::default());
    }

    #[test]
    fn a_block_whose_lengths_do_not_add_up_is_refused() {
        let bytes = block(&[("/p/a.rs", 2, 7), ("/p/b.rs", 1, 9)]);
        for cut in 1..bytes.len() {
            let whole = cut == bytes.len() / 2;
            assert_eq!(
                EditCounts::from_packed(&bytes[..cut]).is_some(),
                whole,
                "cut at {cut}"
            );
        }
        let mut long = bytes.clone();
        long[0] = 0xff;
        assert!(EditCounts::from_packed(&long).is_none());
        assert!(EditCounts::from_packed(&[]).is_some_and(|c| c.is_empty()));
    }
}
