//! The compact wire form of the largest parts of the session state: the window of recent
//! calls ([`CallMark`]s), the per-file edit counts ([`EditCount`]s), the spend window and the
//! failure counts, each stored as one packed block instead of an array of objects.
//!
//! Why: every hook call reads and rewrites the whole state. In a long session the window is
//! 256 marks and the edit map one entry per file; as JSON objects with field names and the
//! `tool_use_id` strings they cost ~0.9 M instructions to parse on every call, more than the
//! decision itself. Packed, a call id is a fixed 64-bit hash and each entry a few hex digits.
//! The object form older versions wrote is still read, so a state written before an upgrade
//! in the middle of a session loads as it was (never a "corrupt state" denial).
//!
//! Two packed forms: text (hex numbers and separators) where the state is written as JSON
//! (`claude-budget status --json`, the review packet, states of older versions), and binary
//! blocks of fixed-width little-endian numbers in the state file itself (MessagePack, not
//! human-readable): reading the window back is then a copy, not a parse — the text form still
//! cost ~0.8 M instructions per call to read and write in a long session.

use super::packed_map::EditCounts;
use super::spend::{Counted, Usage, shared_model};
use super::state::{CallMark, EditCount};
use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serializer};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use crate::hash::fnv1a;

/// A response key as written in text: 16 hex digits (what every version wrote); any other text
/// (never written by Claude Code's responses) by its hash, so that it still reads.
fn response_key_of(text: &str) -> u64 {
    parse_hex(text).unwrap_or_else(|| fnv1a(text.as_bytes()))
}

/// [`Counted::key`] in the object form: a number, or text as [`response_key_of`] reads it.
pub(crate) fn response_key_of_any<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<u64, D::Error> {
    struct KeyVisitor;
    impl Visitor<'_> for KeyVisitor {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a response key")
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<u64, E> {
            Ok(n)
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<u64, E> {
            Ok(response_key_of(text))
        }
    }
    deserializer.deserialize_any(KeyVisitor)
}

/// The stored identity of a `tool_use_id`: 64-bit FNV-1a, a fixed function (unlike std's
/// hasher) because states outlive the binary that wrote them. Ids come from Claude Code, not
/// from the agent, and only the last 256 are compared: a collision is not a practical concern.
pub(crate) fn call_id_hash(id: &str) -> u64 {
    fnv1a(id.as_bytes())
}

/// Appends `n` in lower-case hex (no leading zeros). By hand: `write!` costs ~10 times as
/// much, and this runs for every entry on every hook call.
fn push_hex(out: &mut Vec<u8>, n: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 16];
    let mut at = buf.len();
    let mut rest = n;
    loop {
        at -= 1;
        buf[at] = DIGITS[(rest & 0xf) as usize];
        rest >>= 4;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[at..]);
}

/// Each byte's value as a hex digit, or [`NOT_HEX`]: a table lookup per byte instead of a
/// range check per digit kind (the packed window is ~6 KB read on every call).
const NOT_HEX: u8 = 0xff;
const HEX_VALUE: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// The packed bytes as the JSON string they are written as.
fn finish<S: Serializer>(packed: Vec<u8>, serializer: S) -> Result<S::Ok, S::Error> {
    // Only ASCII and whole UTF-8 strings were appended.
    let text = String::from_utf8(packed).map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}

/// The `sep`-terminated fields of `text` (`"a.b;"` split at `;` → `"a.b"`; a last field
/// without its terminator is still a field). A byte loop: `str::split` costs ~130
/// instructions per field, and a long session's state has over a thousand of them.
struct Fields<'a> {
    rest: &'a str,
    sep: u8,
}

impl<'a> Fields<'a> {
    fn new(text: &'a str, sep: u8) -> Self {
        Fields { rest: text, sep }
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        let end = self
            .rest
            .bytes()
            .position(|b| b == self.sep)
            .unwrap_or(self.rest.len());
        // `sep` is ASCII, so both cuts fall on character boundaries.
        let field = self.rest.get(..end).unwrap_or_default();
        self.rest = self.rest.get(end + 1..).unwrap_or_default();
        Some(field)
    }
}

/// Parses 1 to 16 lower- or upper-case hex digits; anything else is `None`.
fn parse_hex(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 16 {
        return None;
    }
    text.bytes().try_fold(0u64, |n, b| {
        let digit = HEX_VALUE[usize::from(b)];
        (digit != NOT_HEX).then_some(n << 4 | u64::from(digit))
    })
}

/// Writes the binary packed form: fixed-width little-endian numbers and length-prefixed text.
struct BinWriter(Vec<u8>);

impl BinWriter {
    fn u64(&mut self, n: u64) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn u32(&mut self, n: u32) {
        self.0.extend_from_slice(&n.to_le_bytes());
    }

    fn text(&mut self, text: &str) {
        super::packed_map::write_text(&mut self.0, text);
    }
}

/// Reads [`BinWriter`]'s form back; `None` at the first byte that does not fit.
struct BinReader<'a>(&'a [u8]);

impl<'a> BinReader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take(8)?.try_into().ok().map(u64::from_le_bytes)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)?.try_into().ok().map(u32::from_le_bytes)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    fn text(&mut self) -> Option<&'a str> {
        let (text, rest) = super::packed_map::read_text(self.0)?;
        self.0 = rest;
        std::str::from_utf8(text).ok()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

const PRE: u64 = 1;
const POST: u64 = 2;
const COUNTED: u64 = 4;

/// `recent_calls` as `"<id hash>.<flags>.<pre_seq>;…"` (hex numbers).
pub(crate) mod recent_calls {
    use super::*;

    fn flags(m: &CallMark) -> u64 {
        (if m.pre { PRE } else { 0 })
            | (if m.post { POST } else { 0 })
            | (if m.counted { COUNTED } else { 0 })
    }

    fn mark(id: u64, flags: u64, pre_seq: u64) -> CallMark {
        CallMark {
            id,
            pre: flags & PRE != 0,
            post: flags & POST != 0,
            counted: flags & COUNTED != 0,
            pre_seq,
        }
    }

    /// Binary: `<id u64><flags u8><pre_seq u64>` per mark.
    pub(crate) fn serialize<S: Serializer>(
        marks: &VecDeque<CallMark>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        if !serializer.is_human_readable() {
            let mut out = BinWriter(Vec::with_capacity(marks.len() * 17));
            for m in marks {
                out.u64(m.id);
                out.0.push(flags(m) as u8);
                out.u64(m.pre_seq);
            }
            return serializer.serialize_bytes(&out.0);
        }
        let mut packed = Vec::with_capacity(marks.len() * 24);
        for m in marks {
            let flags = flags(m);
            push_hex(&mut packed, m.id);
            packed.push(b'.');
            push_hex(&mut packed, flags);
            packed.push(b'.');
            push_hex(&mut packed, m.pre_seq);
            packed.push(b';');
        }
        finish(packed, serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<VecDeque<CallMark>, D::Error> {
        deserializer.deserialize_any(MarksVisitor)
    }

    struct MarksVisitor;

    impl<'de> Visitor<'de> for MarksVisitor {
        type Value = VecDeque<CallMark>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("recent calls: a packed string or a list of objects")
        }

        /// One pass over the bytes (this runs on every hook call over up to 256 entries).
        fn visit_str<E: de::Error>(self, packed: &str) -> Result<Self::Value, E> {
            let mut marks = VecDeque::with_capacity(packed.len() / 20 + 1);
            let bad = || {
                E::custom(format!(
                    "bad recent-call list `{}`",
                    crate::text::shorten(packed, 80)
                ))
            };
            let mut fields = [0u64; 3];
            let mut field = 0;
            let mut digits = 0;
            for b in packed.bytes() {
                match b {
                    b'.' | b';' => {
                        if digits == 0 || (b == b'.') != (field < 2) {
                            return Err(bad());
                        }
                        digits = 0;
                        if b == b'.' {
                            field += 1;
                            continue;
                        }
                        let [id, flags, pre_seq] = fields;
                        marks.push_back(mark(id, flags, pre_seq));
                        fields = [0; 3];
                        field = 0;
                    }
                    _ => {
                        let digit = HEX_VALUE[usize::from(b)];
                        digits += 1;
                        if digit == NOT_HEX || digits > 16 || field > 2 {
                            return Err(bad());
                        }
                        fields[field] = fields[field] << 4 | u64::from(digit);
                    }
                }
            }
            if digits != 0 || field != 0 {
                return Err(bad());
            }
            Ok(marks)
        }

        fn visit_bytes<E: de::Error>(self, packed: &[u8]) -> Result<Self::Value, E> {
            let mut marks = VecDeque::with_capacity(packed.len() / 17);
            let mut input = BinReader(packed);
            while !input.is_empty() {
                let (id, flags, pre_seq) = (|| Some((input.u64()?, input.u8()?, input.u64()?)))()
                    .ok_or_else(|| E::custom("bad recent-call block"))?;
                marks.push_back(mark(id, flags.into(), pre_seq));
            }
            Ok(marks)
        }

        /// Older versions: a list of `{"id": "toolu_…", "pre": …}` objects.
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut marks = VecDeque::new();
            while let Some(OldMark(mark)) = seq.next_element()? {
                marks.push_back(mark);
            }
            Ok(marks)
        }
    }

    struct OldMark(CallMark);

    impl<'de> Deserialize<'de> for OldMark {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer.deserialize_map(OldMarkVisitor).map(OldMark)
        }
    }

    struct OldMarkVisitor;

    impl<'de> Visitor<'de> for OldMarkVisitor {
        type Value = CallMark;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a call mark object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CallMark, A::Error> {
            let mut mark = CallMark::default();
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    "id" => mark.id = call_id_hash(&map.next_value::<String>()?),
                    "pre" => mark.pre = map.next_value()?,
                    "post" => mark.post = map.next_value()?,
                    "counted" => mark.counted = map.next_value()?,
                    "pre_seq" => mark.pre_seq = map.next_value()?,
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(mark)
        }
    }
}

/// `edits` as `"<path>|<count>|<last_seq>|…"`. A map with a path holding a `|` (rare, and
/// a forged tool input could use one to forge entries of other files) is written in the
/// plain object form instead, which is read as well.
pub(crate) mod edits {
    use super::*;

    const SEP: char = '|';

    /// Binary: `<path length u32><path><count u32><last_seq u64>` per file (no separator:
    /// any path can be written).
    pub(crate) fn serialize<S: Serializer>(
        counts: &EditCounts,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        if !serializer.is_human_readable() {
            // Untouched since read: written back as it was.
            return serializer.serialize_bytes(&counts.to_packed());
        }
        let edits = counts.to_map();
        let edits = &edits;
        if edits.keys().any(|k| k.contains(SEP)) {
            return serializer
                .collect_map(edits.iter().map(|(k, e)| (k, [e.count.into(), e.last_seq])));
        }
        let mut packed = Vec::with_capacity(edits.len() * 48);
        for (path, e) in edits {
            packed.extend_from_slice(path.as_bytes());
            packed.push(SEP as u8);
            push_hex(&mut packed, e.count.into());
            packed.push(SEP as u8);
            push_hex(&mut packed, e.last_seq);
            packed.push(SEP as u8);
        }
        finish(packed, serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<EditCounts, D::Error> {
        deserializer.deserialize_any(EditsVisitor)
    }

    struct EditsVisitor;

    impl<'de> Visitor<'de> for EditsVisitor {
        type Value = EditCounts;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("edit counts: a packed string or a map")
        }

        fn visit_str<E: de::Error>(self, packed: &str) -> Result<Self::Value, E> {
            // Written in key order: collected into a Vec and built in one pass, not inserted
            // one by one (each insert compares long common path prefixes).
            let mut edits = Vec::with_capacity(packed.len() / 40 + 1);
            let mut fields = Fields::new(packed, SEP as u8);
            while let Some(path) = fields.next() {
                let mut number = || {
                    fields
                        .next()
                        .and_then(parse_hex)
                        .ok_or_else(|| E::custom(format!("bad edit-count entry for `{path}`")))
                };
                let count = u32::try_from(number()?).map_err(E::custom)?;
                let last_seq = number()?;
                edits.push((path.to_owned(), EditCount { count, last_seq }));
            }
            Ok(EditCounts::from(
                edits.into_iter().collect::<BTreeMap<_, _>>(),
            ))
        }

        /// Kept packed: decoded only if the call changes or lists the counts.
        fn visit_bytes<E: de::Error>(self, packed: &[u8]) -> Result<Self::Value, E> {
            EditCounts::from_packed(packed).ok_or_else(|| E::custom("bad edit-count block"))
        }

        /// The object form: `{"path": [count, last_seq]}` (a path holding a `|`) or, from older
        /// versions, `{"path": {"count": …, "last_seq": …}}`.
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut edits = BTreeMap::new();
            while let Some((path, entry)) = map.next_entry::<String, EditEntry>()? {
                edits.insert(path, entry.0);
            }
            Ok(EditCounts::from(edits))
        }
    }

    struct EditEntry(EditCount);

    impl<'de> Deserialize<'de> for EditEntry {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            deserializer
                .deserialize_any(EditEntryVisitor)
                .map(EditEntry)
        }
    }

    struct EditEntryVisitor;

    impl<'de> Visitor<'de> for EditEntryVisitor {
        type Value = EditCount;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an edit count: [count, last_seq] or an object")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<EditCount, A::Error> {
            let count: u32 = seq
                .next_element()?
                .ok_or_else(|| de::Error::invalid_length(0, &self))?;
            let last_seq: u64 = seq
                .next_element()?
                .ok_or_else(|| de::Error::invalid_length(1, &self))?;
            if seq.next_element::<IgnoredAny>()?.is_some() {
                return Err(de::Error::invalid_length(3, &self));
            }
            Ok(EditCount { count, last_seq })
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<EditCount, A::Error> {
            let mut entry = EditCount::default();
            while let Some(key) = map.next_key::<String>()? {
                match key.as_str() {
                    "count" => entry.count = map.next_value()?,
                    "last_seq" => entry.last_seq = map.next_value()?,
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
            Ok(entry)
        }
    }
}

/// The spend duplicate window (`spend.recent`, up to 128 responses) as
/// `"<key>|<model>|<input>|<output>|<cache writes>|<cache reads>|<1h writes>;…"` (numbers in
/// hex). As objects it was ~25 KB of JSON read and written on every call, about 1 M
/// instructions. A window with a key or model holding `|` or `;` (never seen: keys are hex,
/// model names are Claude Code's) is written as objects, which are read as well.
pub(crate) mod recent_responses {
    use super::*;

    fn plain(text: &str) -> bool {
        !text.contains(['|', ';'])
    }

    fn numbers(u: &Usage) -> [u64; 5] {
        [
            u.input_tokens,
            u.output_tokens,
            u.cache_creation_input_tokens,
            u.cache_read_input_tokens,
            u.cache_creation_1h_tokens,
        ]
    }

    fn usage([input, output, writes, reads, writes_1h]: [u64; 5]) -> Usage {
        Usage {
            input_tokens: input,
            output_tokens: output,
            cache_creation_input_tokens: writes,
            cache_read_input_tokens: reads,
            cache_creation_1h_tokens: writes_1h,
        }
    }

    /// Binary: `<key u64><model>` (length-prefixed) and the five counts (u64) per response.
    pub(crate) fn serialize<S: Serializer>(
        recent: &VecDeque<Counted>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        if !serializer.is_human_readable() {
            return serializer.serialize_bytes(&table::write(recent));
        }
        if !recent.iter().all(|c| plain(&c.model)) {
            return serializer.collect_seq(recent);
        }
        let mut packed = Vec::with_capacity(recent.len() * 64);
        for c in recent {
            push_hex(&mut packed, c.key);
            packed.push(b'|');
            packed.extend_from_slice(c.model.as_bytes());
            for n in numbers(&c.usage) {
                packed.push(b'|');
                push_hex(&mut packed, n);
            }
            packed.push(b';');
        }
        finish(packed, serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<VecDeque<Counted>, D::Error> {
        deserializer.deserialize_any(RecentVisitor)
    }

    struct RecentVisitor;

    impl<'de> Visitor<'de> for RecentVisitor {
        type Value = VecDeque<Counted>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("counted responses: a packed string or a list of objects")
        }

        fn visit_str<E: de::Error>(self, packed: &str) -> Result<Self::Value, E> {
            let mut recent = VecDeque::with_capacity(packed.len() / 48 + 1);
            for entry in Fields::new(packed, b';') {
                let bad = || E::custom(format!("bad counted-response entry `{entry}`"));
                let mut parts = Fields::new(entry, b'|');
                let key = parts.next().ok_or_else(bad)?;
                let model = parts.next().ok_or_else(bad)?;
                let mut number = || parts.next().and_then(parse_hex).ok_or_else(bad);
                let usage = usage([number()?, number()?, number()?, number()?, number()?]);
                if parts.next().is_some() {
                    return Err(bad());
                }
                recent.push_back(Counted {
                    key: response_key_of(key),
                    model: shared_model(&recent, model),
                    usage,
                });
            }
            Ok(recent)
        }

        fn visit_bytes<E: de::Error>(self, packed: &[u8]) -> Result<Self::Value, E> {
            if let Some(recent) = table::read(packed) {
                return recent.ok_or_else(|| E::custom("bad counted-response table"));
            }
            // The block of the version before: `<key u64><model>` and five counts per entry.
            let mut recent = VecDeque::with_capacity(packed.len() / 80 + 1);
            let mut input = BinReader(packed);
            while !input.is_empty() {
                let counted = (|| {
                    let (key, model) = (input.u64()?, input.text()?);
                    let mut n = [0u64; 5];
                    for slot in &mut n {
                        *slot = input.u64()?;
                    }
                    Some(Counted {
                        key,
                        model: shared_model(&recent, model),
                        usage: usage(n),
                    })
                })()
                .ok_or_else(|| E::custom("bad counted-response block"))?;
                recent.push_back(counted);
            }
            Ok(recent)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut recent = VecDeque::new();
            while let Some(counted) = seq.next_element::<Counted>()? {
                recent.push_back(counted);
            }
            Ok(recent)
        }
    }

    /// The state file's form: the window's few model names once, then one fixed-width
    /// record per response (`<key u64><model index u16><five counts u64>`, 50 bytes), so
    /// reading and writing the window is a loop over fixed offsets — ~40 instructions per
    /// response instead of ~270 with a length-prefixed model name in each.
    ///
    /// It opens with [`MAGIC`] and a model-name length of `u32::MAX`: a block of the earlier
    /// form can never start so (a name that long cannot fit in the block), so both read.
    mod table {
        use super::*;
        use std::sync::Arc;

        const MAGIC: [u8; 12] = *b"cbspend\x01\xff\xff\xff\xff";
        const RECORD: usize = 8 + 2 + 5 * 8;

        pub(super) fn write(recent: &VecDeque<Counted>) -> Vec<u8> {
            let mut models: Vec<&Arc<str>> = Vec::new();
            let mut indexes = Vec::with_capacity(recent.len());
            for c in recent {
                let at = models
                    .iter()
                    .position(|m| Arc::ptr_eq(m, &c.model) || **m == c.model)
                    .unwrap_or_else(|| {
                        models.push(&c.model);
                        models.len() - 1
                    });
                indexes.push(u16::try_from(at).unwrap_or(u16::MAX));
            }
            let mut out = BinWriter(Vec::with_capacity(
                MAGIC.len() + 4 + models.len() * 32 + recent.len() * RECORD,
            ));
            out.0.extend_from_slice(&MAGIC);
            out.u32(u32::try_from(models.len()).unwrap_or(u32::MAX));
            for model in &models {
                out.text(model);
            }
            for (c, index) in recent.iter().zip(indexes) {
                let mut record = [0u8; RECORD];
                record[..8].copy_from_slice(&c.key.to_le_bytes());
                record[8..10].copy_from_slice(&index.to_le_bytes());
                for (slot, n) in record[10..].chunks_exact_mut(8).zip(numbers(&c.usage)) {
                    slot.copy_from_slice(&n.to_le_bytes());
                }
                out.0.extend_from_slice(&record);
            }
            out.0
        }

        /// `None`: not this form. `Some(None)`: this form, damaged.
        pub(super) fn read(packed: &[u8]) -> Option<Option<VecDeque<Counted>>> {
            let rest = packed.strip_prefix(&MAGIC)?;
            Some(read_table(rest))
        }

        fn read_table(rest: &[u8]) -> Option<VecDeque<Counted>> {
            let mut input = BinReader(rest);
            let count = usize::try_from(input.u32()?).ok()?;
            let mut models: Vec<Arc<str>> = Vec::with_capacity(count.min(64));
            for _ in 0..count {
                models.push(Arc::from(input.text()?));
            }
            let records = input.0;
            if records.len() % RECORD != 0 {
                return None;
            }
            let mut recent = VecDeque::with_capacity(records.len() / RECORD);
            for record in records.chunks_exact(RECORD) {
                let (key, rest) = record.split_at(8);
                let (index, counts) = rest.split_at(2);
                let index = usize::from(u16::from_le_bytes(index.try_into().ok()?));
                let mut n = [0u64; 5];
                for (slot, bytes) in n.iter_mut().zip(counts.chunks_exact(8)) {
                    *slot = u64::from_le_bytes(bytes.try_into().ok()?);
                }
                recent.push_back(Counted {
                    key: u64::from_le_bytes(key.try_into().ok()?),
                    model: Arc::clone(models.get(index)?),
                    usage: usage(n),
                });
            }
            Some(recent)
        }
    }
}

/// `failures` (by command fingerprint): in the state file a binary block
/// `<key><count u32><last_seq u64><last error line>` per entry (texts length-prefixed), in
/// JSON the map of objects it always was. Why: as MessagePack maps with field names, a long
/// session's few dozen failed commands cost ~2,000 instructions each to read and ~1,000 to
/// write on every call — more than the rest of the state.
pub(crate) mod failures {
    use super::*;
    use crate::session::packed_map::FailureCounts;
    use crate::session::state::FailureCount;

    pub(crate) fn serialize<S: Serializer>(
        failures: &FailureCounts,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            return serializer.collect_map(failures.iter());
        }
        serializer.serialize_bytes(&failures.to_packed())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<FailureCounts, D::Error> {
        deserializer.deserialize_any(FailuresVisitor)
    }

    struct FailuresVisitor;

    impl<'de> Visitor<'de> for FailuresVisitor {
        type Value = FailureCounts;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("failure counts: a binary block or a map")
        }

        /// Kept packed: decoded only if the call changes or lists the counts.
        fn visit_bytes<E: de::Error>(self, packed: &[u8]) -> Result<Self::Value, E> {
            FailureCounts::from_packed(packed).ok_or_else(|| E::custom("bad failure-count block"))
        }

        /// The map form: JSON, and state files of earlier versions.
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut failures = BTreeMap::new();
            while let Some((key, entry)) = map.next_entry::<String, FailureCount>()? {
                failures.insert(key, entry);
            }
            Ok(FailureCounts::from(failures))
        }
    }
}

#[cfg(test)]
#[path = "compact_tests.rs"]
mod tests;
