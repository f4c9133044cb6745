//! [`PackedMap`]: a per-file or per-command map of the session state that stays in the
//! state file's packed form until a call needs it decoded — [`EditCounts`] (how often each
//! file was edited, and when last) and [`FailureCounts`] (how often each command failed).
//!
//! A long session has edited hundreds of files and failed dozens of commands, and every
//! hook call reads and rewrites the state. Most calls never change these maps (a Read, a
//! Bash command that writes nothing, anything that did not fail), so the block is kept as
//! read — its shape checked — and decoded only when a call changes the map or lists it. A
//! lookup by key scans the block without decoding the rest; an untouched block is written
//! back as it was read. Decoding 300 edit counts into a map cost ~50,000 instructions per
//! call, checking and copying the block a few thousand.

use super::state::{EditCount, FailureCount};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// Per-file edit counts (by absolute path).
pub type EditCounts = PackedMap<EditCount>;
/// Failures by command fingerprint (or `Tool path` for other tools).
pub type FailureCounts = PackedMap<FailureCount>;

/// A value stored after its key in a packed block (keys: `<length u32><bytes>`).
pub trait PackedValue: Clone + Default + PartialEq + Serialize {
    fn write(&self, out: &mut Vec<u8>);
    /// The value at the start of `bytes`, and the bytes after it.
    fn read(bytes: &[u8]) -> Option<(Self, &[u8])>;
    /// The bytes after the value at the start of `bytes`, without decoding it.
    fn skip(bytes: &[u8]) -> Option<&[u8]>;
}

/// `<count u32><last_seq u64>`.
impl PackedValue for EditCount {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.count.to_le_bytes());
        out.extend_from_slice(&self.last_seq.to_le_bytes());
    }

    fn read(bytes: &[u8]) -> Option<(Self, &[u8])> {
        let (count, rest) = bytes.split_first_chunk::<4>()?;
        let (last_seq, rest) = rest.split_first_chunk::<8>()?;
        let value = EditCount {
            count: u32::from_le_bytes(*count),
            last_seq: u64::from_le_bytes(*last_seq),
        };
        Some((value, rest))
    }

    fn skip(bytes: &[u8]) -> Option<&[u8]> {
        bytes.get(12..)
    }
}

/// `<count u32><last_seq u64><last error line>`.
impl PackedValue for FailureCount {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.count.to_le_bytes());
        out.extend_from_slice(&self.last_seq.to_le_bytes());
        write_text(out, &self.last_error_line);
    }

    fn read(bytes: &[u8]) -> Option<(Self, &[u8])> {
        let (count, rest) = bytes.split_first_chunk::<4>()?;
        let (last_seq, rest) = rest.split_first_chunk::<8>()?;
        let (line, rest) = read_text(rest)?;
        let value = FailureCount {
            count: u32::from_le_bytes(*count),
            last_error_line: String::from_utf8_lossy(line).into_owned(),
            last_seq: u64::from_le_bytes(*last_seq),
        };
        Some((value, rest))
    }

    fn skip(bytes: &[u8]) -> Option<&[u8]> {
        read_text(bytes.get(12..)?).map(|(_, rest)| rest)
    }
}

/// A text in the state file's blocks: `<length u32 LE><bytes>`. Text longer than 4 GiB
/// cannot be in a state (a path, a command, an error line). `compact.rs` writes its blocks'
/// texts with these too.
pub(super) fn write_text(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&u32::try_from(text.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

/// The text at the start of `bytes` ([`write_text`]'s form), and the bytes after it.
pub(super) fn read_text(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = bytes.split_first_chunk::<4>()?;
    rest.split_at_checked(usize::try_from(u32::from_le_bytes(*len)).ok()?)
}

/// A map by text key whose state-file block is decoded only on need.
#[derive(Clone, Debug, Default)]
pub struct PackedMap<V> {
    /// The state file's block, while nothing needed it decoded: `<key length u32><key>
    /// <value>` per entry, in key order. Its shape was checked when read.
    packed: Option<Vec<u8>>,
    /// The entries, once decoded (or built by this process).
    map: BTreeMap<String, V>,
}

/// The entries of a packed block, keys borrowed; stops at the first that does not fit
/// (none does, in a block [`PackedMap::from_packed`] accepted).
struct PackedEntries<'a, V>(&'a [u8], std::marker::PhantomData<V>);

impl<'a, V: PackedValue> Iterator for PackedEntries<'a, V> {
    type Item = (&'a [u8], V);

    fn next(&mut self) -> Option<(&'a [u8], V)> {
        let (key, rest) = read_text(self.0)?;
        let (value, rest) = V::read(rest)?;
        self.0 = rest;
        Some((key, value))
    }
}

impl<V: PackedValue> PackedMap<V> {
    /// A map from a state file's block, kept packed; `None` when the block's lengths do not
    /// add up (a damaged state, reported as corrupt).
    pub(crate) fn from_packed(block: &[u8]) -> Option<PackedMap<V>> {
        let mut rest = block;
        while !rest.is_empty() {
            let (_, after) = read_text(rest)?;
            rest = V::skip(after)?;
        }
        Some(PackedMap {
            packed: Some(block.to_vec()),
            map: BTreeMap::new(),
        })
    }

    /// The map's block in the state file's form: as read if untouched, else encoded.
    pub(crate) fn to_packed(&self) -> std::borrow::Cow<'_, [u8]> {
        if let Some(block) = &self.packed {
            return std::borrow::Cow::Borrowed(block);
        }
        let mut out = Vec::with_capacity(self.map.len() * 64);
        for (key, value) in &self.map {
            write_text(&mut out, key);
            value.write(&mut out);
        }
        std::borrow::Cow::Owned(out)
    }

    fn entries(block: &[u8]) -> PackedEntries<'_, V> {
        PackedEntries(block, std::marker::PhantomData)
    }

    /// The block as read, when nothing decoded it since.
    #[cfg(test)]
    pub(crate) fn packed(&self) -> Option<&[u8]> {
        self.packed.as_deref()
    }

    /// The value under one key (a scan of the block while it is packed: no decoding of
    /// the other entries' values beyond their lengths).
    pub fn get(&self, key: &str) -> Option<V> {
        match &self.packed {
            Some(block) => {
                let mut rest = &block[..];
                while let Some((at, after)) = read_text(rest) {
                    if at == key.as_bytes() {
                        return V::read(after).map(|(value, _)| value);
                    }
                    rest = V::skip(after)?;
                }
                None
            }
            None => self.map.get(key).cloned(),
        }
    }

    /// Changes the value under one key (a new key starts at the default). While packed, the
    /// entry is rewritten in place in the block — found, or inserted where its key sorts —
    /// and the other entries are neither decoded nor moved out: an Edit in a long session
    /// changes one file's count, not the 300 others'.
    pub fn update(&mut self, key: &str, change: impl FnOnce(&mut V)) {
        let Some(block) = &mut self.packed else {
            change(self.map.entry(key.to_owned()).or_default());
            return;
        };
        let mut at = 0;
        let (start, end, mut value) = loop {
            let Some((found, after)) = read_text(&block[at..]) else {
                // The end of the block: a new key, last in order.
                break (at, at, V::default());
            };
            let value_at = block.len() - after.len();
            let Some(rest) = V::skip(after) else {
                break (at, at, V::default());
            };
            let next = block.len() - rest.len();
            match found.cmp(key.as_bytes()) {
                std::cmp::Ordering::Less => at = next,
                std::cmp::Ordering::Equal => {
                    let value = V::read(&block[value_at..next]).map_or_else(V::default, |(v, _)| v);
                    break (at, next, value);
                }
                std::cmp::Ordering::Greater => break (at, at, V::default()),
            }
        };
        change(&mut value);
        let mut entry = Vec::with_capacity(key.len() + 32);
        write_text(&mut entry, key);
        value.write(&mut entry);
        block.splice(start..end, entry);
    }

    pub fn insert(&mut self, key: String, value: V) {
        self.map_mut().insert(key, value);
    }

    /// How many entries (counted by their lengths while packed: nothing decoded).
    pub fn len(&self) -> usize {
        match &self.packed {
            Some(block) => {
                let mut rest = &block[..];
                let mut n = 0;
                while let Some(after) = read_text(rest).and_then(|(_, after)| V::skip(after)) {
                    rest = after;
                    n += 1;
                }
                n
            }
            None => self.map.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match &self.packed {
            Some(block) => block.is_empty(),
            None => self.map.is_empty(),
        }
    }

    /// Every entry, in key order (decoded copies: for the CLI and the stop gate, not the
    /// hot path).
    pub fn iter(&self) -> impl Iterator<Item = (String, V)> + '_ {
        let packed = self.packed.as_deref().map(|block| {
            Self::entries(block)
                .map(|(key, value)| (String::from_utf8_lossy(key).into_owned(), value))
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

    pub fn values(&self) -> impl Iterator<Item = V> + '_ {
        self.iter().map(|(_, value)| value)
    }

    /// The entries as a map (decoded if still packed).
    pub fn to_map(&self) -> BTreeMap<String, V> {
        self.iter().collect()
    }

    /// The map, decoding the block first if need be. A key or text that is not UTF-8 (only
    /// a damaged file could hold one: each was a `String` when written) is kept with
    /// replacement characters rather than failing the call.
    fn map_mut(&mut self) -> &mut BTreeMap<String, V> {
        if let Some(block) = self.packed.take() {
            self.map = Self::entries(&block)
                .map(|(key, value)| (String::from_utf8_lossy(key).into_owned(), value))
                .collect();
        }
        &mut self.map
    }
}

impl<V> From<BTreeMap<String, V>> for PackedMap<V> {
    fn from(map: BTreeMap<String, V>) -> Self {
        PackedMap { packed: None, map }
    }
}

impl<V, const N: usize> From<[(String, V); N]> for PackedMap<V> {
    fn from(entries: [(String, V); N]) -> Self {
        PackedMap::from(BTreeMap::from(entries))
    }
}

impl<V> FromIterator<(String, V)> for PackedMap<V> {
    fn from_iter<I: IntoIterator<Item = (String, V)>>(entries: I) -> Self {
        PackedMap::from(entries.into_iter().collect::<BTreeMap<_, _>>())
    }
}

impl<V: PackedValue> PartialEq for PackedMap<V> {
    fn eq(&self, other: &Self) -> bool {
        match (&self.packed, &other.packed) {
            (None, None) => self.map == other.map,
            _ => self.to_map() == other.to_map(),
        }
    }
}

/// The plain map form (`{"path": {"count": …, "last_seq": …}}`), as decisions' facts show
/// it; the state file's forms are in `compact.rs`.
impl<V: PackedValue> Serialize for PackedMap<V> {
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
        counts.insert(
            "/p/a.rs".into(),
            EditCount {
                count: 3,
                last_seq: 7,
            },
        );
        assert_eq!(counts.packed(), None);
        assert_eq!(counts.get("/p/a.rs").map(|e| e.count), Some(3));
        counts.insert(
            "/p/new.rs".into(),
            EditCount {
                count: 1,
                last_seq: 0,
            },
        );
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

    #[test]
    fn failure_counts_are_looked_up_packed_with_their_error_line() {
        let mut map = BTreeMap::new();
        for (i, key) in ["cargo test", "cargo test -p a", "npm test"]
            .iter()
            .enumerate()
        {
            map.insert(
                (*key).to_string(),
                FailureCount {
                    count: u32::try_from(i).unwrap() + 1,
                    last_error_line: format!("error {i}: ü"),
                    last_seq: 40 + u64::try_from(i).unwrap(),
                },
            );
        }
        let built = FailureCounts::from(map);
        let block = built.to_packed().into_owned();
        let packed = FailureCounts::from_packed(&block).unwrap();
        let found = packed.get("cargo test -p a").unwrap();
        assert_eq!((found.count, found.last_seq), (2, 41));
        assert_eq!(found.last_error_line, "error 1: ü");
        assert_eq!(packed.get("cargo"), None);
        assert_eq!(packed, built);
        assert_eq!(
            packed.to_packed(),
            block,
            "an untouched block is written back as read"
        );
        // Cut inside the last error line: refused, not read short.
        assert!(FailureCounts::from_packed(&block[..block.len() - 1]).is_none());
    }

    #[test]
    fn an_update_rewrites_one_entry_of_the_block_as_the_map_would() {
        let keys = ["/p/b.rs", "/p/d.rs", "/p/f.rs"];
        let start: Vec<(&str, u32, u64)> = keys.iter().map(|k| (*k, 1, 5)).collect();
        let mut packed = EditCounts::from_packed(&block(&start)).unwrap();
        let mut map: BTreeMap<String, EditCount> = packed.to_map();
        // Existing keys, new ones before, between and after them, a prefix of a key.
        for (i, key) in [
            "/p/d.rs", "/p/a.rs", "/p/c.rs", "/p/z.rs", "/p/d.r", "/p/b.rs", "/p/c.rs",
        ]
        .iter()
        .enumerate()
        {
            let seq = 10 + u64::try_from(i).unwrap();
            let change = |e: &mut EditCount| {
                e.count += 1;
                e.last_seq = e.last_seq.max(seq);
            };
            packed.update(key, change);
            change(map.entry((*key).to_string()).or_default());
            assert!(packed.packed().is_some(), "an update decoded the block");
            assert_eq!(packed.to_map(), map, "after `{key}`");
            // The block is still well formed and in key order.
            let again = EditCounts::from_packed(packed.packed().unwrap()).unwrap();
            let order: Vec<String> = again.iter().map(|(k, _)| k).collect();
            let mut sorted = order.clone();
            sorted.sort();
            assert_eq!(order, sorted);
        }
        // A failure count: a value of varying length rewritten in place.
        let mut failures = FailureCounts::default();
        failures.insert("cargo test".into(), FailureCount::default());
        let block = failures.to_packed().into_owned();
        let mut failures = FailureCounts::from_packed(&block).unwrap();
        failures.update("cargo test", |f| {
            f.count = 3;
            f.last_error_line = "a much longer error line than before".into();
        });
        failures.update("a", |f| f.count = 1);
        let got = failures.get("cargo test").unwrap();
        assert_eq!(
            (got.count, got.last_error_line.as_str()),
            (3, "a much longer error line than before")
        );
        assert_eq!(failures.get("a").map(|f| f.count), Some(1));
        assert_eq!(failures.len(), 2);
    }
}
