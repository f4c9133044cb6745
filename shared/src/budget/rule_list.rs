//! [`RuleList`]: one `[run]` list of command rules, in the order written, that the
//! compiled-budget cache reads back without decoding every rule.
//!
//! Why: a realistic budget holds ~200 command rules (the packs' and the file's); decoding each
//! (its text, origin, program and words: five allocations) was a quarter of a hook call, and
//! a command consults only the rules naming its program. In the cache a list is stored as one
//! block of packed rules with, per rule, the program it names (a 64-bit hash; `None` for a
//! rule that can meet any program: a regex, a `*` in the program); a rule is decoded the first
//! time a command with its program (or any command, for `None`) is decided.
//!
//! A packed rule that does not decode (a damaged cache entry) fails closed: it meets every
//! command when erring (deny, ask), none otherwise ([`Slot::Damaged`]).

use super::block::{Block, BlockBuf};
use super::command_rules::CommandRule;
use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::OnceCell;
use std::fmt;
use std::sync::Arc;

/// The rules of one list.
#[derive(Clone, Default)]
pub(crate) struct RuleList {
    /// Per rule, in order: the program it names ([`program_key`]), `None` when it may meet any.
    keys: Vec<Option<u64>>,
    /// Per rule: decoded (or built) once.
    rules: Vec<OnceCell<Slot>>,
    /// The packed rules as read from the cache, and where each ends (empty when built).
    packed: Arc<[u8]>,
    ends: Vec<u32>,
}

/// One rule once looked at.
#[derive(Clone, Debug)]
pub(crate) enum Slot {
    Rule(CommandRule),
    /// Its packed bytes did not decode.
    Damaged,
}

impl Slot {
    /// Whether the rule meets `argv`; a damaged one meets everything when erring (deny, ask)
    /// and nothing otherwise: it fails closed.
    pub(crate) fn meets(&self, argv: &[String], erring: bool) -> bool {
        match self {
            Slot::Rule(rule) => rule.matches(argv, erring),
            Slot::Damaged => erring,
        }
    }

    /// The rule as written.
    pub(crate) fn text(&self) -> Option<String> {
        match self {
            Slot::Rule(rule) => Some(rule.text.clone()),
            Slot::Damaged => None,
        }
    }
}

/// The key of a program name: 64-bit FNV-1a (fixed: entries outlive the binary that wrote
/// them only within one version, but the hash must not depend on a per-process seed).
pub(crate) fn program_key(name: &str) -> u64 {
    crate::hash::fnv1a(name.as_bytes())
}

impl RuleList {
    pub(crate) fn push(&mut self, rule: CommandRule) {
        self.keys.push(rule.program().map(program_key));
        self.rules.push(OnceCell::from(Slot::Rule(rule)));
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// The rule at `at`, decoded on first need.
    fn slot(&self, at: usize) -> Option<&Slot> {
        let cell = self.rules.get(at)?;
        Some(cell.get_or_init(|| self.decode(at)))
    }

    /// The packed bytes of the rule at `at`.
    fn packed_rule(&self, at: usize) -> Option<&[u8]> {
        let start = match at.checked_sub(1) {
            Some(before) => self.ends.get(before).copied().unwrap_or(u32::MAX),
            None => 0,
        };
        let end = self.ends.get(at).copied().unwrap_or(u32::MAX);
        usize::try_from(start)
            .ok()
            .zip(usize::try_from(end).ok())
            .and_then(|(start, end)| self.packed.get(start..end))
    }

    fn decode(&self, at: usize) -> Slot {
        match self
            .packed_rule(at)
            .map(postcard::from_bytes::<CommandRule>)
        {
            Some(Ok(rule)) => Slot::Rule(rule),
            _ => Slot::Damaged,
        }
    }

    /// True when the rule at `at`, still packed, cannot meet a command with arguments
    /// `args`: one of its plain words (not the program, not a flag, only letters, digits and
    /// `._/:=@+,%-`) is none of the arguments, and a rule's every word must meet one
    /// (`CommandRule::matches`). Read from the rule's text — the first field of its packed
    /// form — without decoding the rest: a command is checked against every rule naming its
    /// program (`git status` against each `git push …`, `git reset …` of the packs), and
    /// decoding each cost ~2,000 instructions. False whenever in doubt (a regex, a text that
    /// does not read): the rule is then decoded and matched, and a damaged one fails closed.
    fn cannot_meet_packed(&self, at: usize, args: &[String]) -> bool {
        if self.rules.get(at).is_none_or(|cell| cell.get().is_some()) {
            return false;
        }
        let Some(text) = self.packed_rule(at).and_then(leading_text) else {
            return false;
        };
        if text.starts_with("re:") {
            return false;
        }
        text.split_ascii_whitespace()
            .skip(1)
            .any(|word| plain_word(word) && !args.iter().any(|arg| arg == word))
    }

    /// Every rule, in order (decoding all of them: for messages and listings).
    pub(crate) fn all(&self) -> impl Iterator<Item = &Slot> {
        (0..self.len()).filter_map(|at| self.slot(at))
    }

    /// The rules that may meet a command whose program is `name` (its basename), in order.
    pub(crate) fn for_program<'a>(
        &'a self,
        name: &str,
    ) -> impl Iterator<Item = &'a Slot> + use<'a> {
        self.candidates(name, true)
    }

    /// [`RuleList::for_program`] when `indexed`, else every rule: the tests check that the
    /// index never changes which rule meets a command first.
    pub(crate) fn candidates<'a>(
        &'a self,
        name: &str,
        indexed: bool,
    ) -> impl Iterator<Item = &'a Slot> + use<'a> {
        let key = program_key(name);
        self.keys
            .iter()
            .enumerate()
            .filter(move |(_, k)| !indexed || k.is_none_or(|k| k == key))
            .filter_map(|(at, _)| self.slot(at))
    }

    /// The rules that may meet `argv` (program and arguments), in order: those naming its
    /// program (or any program), less those still packed whose words show they cannot
    /// ([`RuleList::cannot_meet_packed`]). Not `indexed`: every rule, decoded.
    pub(crate) fn candidates_for<'a>(
        &'a self,
        argv: &'a [String],
        indexed: bool,
    ) -> impl Iterator<Item = &'a Slot> + use<'a> {
        let name = argv
            .first()
            .map_or("", |program| super::command_rules::basename(program));
        let key = program_key(name);
        let args = argv.get(1..).unwrap_or_default();
        self.keys
            .iter()
            .enumerate()
            .filter(move |(at, k)| {
                !indexed || (k.is_none_or(|k| k == key) && !self.cannot_meet_packed(*at, args))
            })
            .filter_map(|(at, _)| self.slot(at))
    }

    /// The rules as one vector (for building a task's narrowed list).
    pub(crate) fn to_vec(&self) -> Vec<CommandRule> {
        self.all()
            .filter_map(|slot| match slot {
                Slot::Rule(rule) => Some(rule.clone()),
                Slot::Damaged => None,
            })
            .collect()
    }
}

/// The rules themselves, however they are stored (a list read back from the cache shows as
/// the list it was built from).
impl fmt::Debug for RuleList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.all()).finish()
    }
}

impl From<Vec<CommandRule>> for RuleList {
    fn from(rules: Vec<CommandRule>) -> RuleList {
        let mut list = RuleList::default();
        for rule in rules {
            list.push(rule);
        }
        list
    }
}

impl Extend<CommandRule> for RuleList {
    fn extend<I: IntoIterator<Item = CommandRule>>(&mut self, rules: I) {
        for rule in rules {
            self.push(rule);
        }
    }
}

/// The first field of a packed rule when it is text (postcard: a LEB128 length, then the
/// bytes): the rule as written.
fn leading_text(packed: &[u8]) -> Option<&str> {
    let mut len: u64 = 0;
    for (i, byte) in packed.iter().enumerate().take(10) {
        len |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            let start = i + 1;
            let end = start.checked_add(usize::try_from(len).ok()?)?;
            return std::str::from_utf8(packed.get(start..end)?).ok();
        }
    }
    None
}

/// A word of a rule that stands for itself: split at spaces it is the word the rule's own
/// parsing (shell-like quoting) gives, it is no flag, and it has no `*`.
fn plain_word(word: &str) -> bool {
    !word.starts_with('-')
        && word.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'.' | b'_' | b'/' | b':' | b'=' | b'@' | b'+' | b',' | b'%' | b'-'
                )
        })
}

/// A byte string read back without a copy (the keys and ends, read once into vectors).
struct Bytes<'de>(&'de [u8]);

impl<'de> Deserialize<'de> for Bytes<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Bytes<'de>, D::Error> {
        struct BytesVisitor;
        impl<'de> Visitor<'de> for BytesVisitor {
            type Value = Bytes<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("packed keys or ends")
            }
            fn visit_borrowed_bytes<E: de::Error>(self, bytes: &'de [u8]) -> Result<Bytes<'de>, E> {
                Ok(Bytes(bytes))
            }
        }
        deserializer.deserialize_bytes(BytesVisitor)
    }
}

/// The stored key of a rule that may meet any program. A program whose key happens to be
/// this value is read back as "any": the rule is then only looked at for more commands.
const ANY_PROGRAM: u64 = u64::MAX;

/// Human-readable formats get the plain list of rules; binary ones (the cache) the keys,
/// the ends and the packed block.
impl Serialize for RuleList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let rules = self.to_vec();
        if serializer.is_human_readable() {
            return rules.serialize(serializer);
        }
        let mut packed = Vec::new();
        let mut ends = Vec::with_capacity(rules.len());
        for rule in &rules {
            let bytes = postcard::to_stdvec(rule).map_err(serde::ser::Error::custom)?;
            packed.extend_from_slice(&bytes);
            ends.push(u32::try_from(packed.len()).map_err(serde::ser::Error::custom)?);
        }
        // Keys and ends as fixed-width byte strings: read back with one copy each instead
        // of a varint (and an `Option` tag) per rule.
        let keys: Vec<u8> = (rules.iter())
            .flat_map(|r| r.program().map_or(ANY_PROGRAM, program_key).to_le_bytes())
            .collect();
        let ends: Vec<u8> = ends.iter().flat_map(|end| end.to_le_bytes()).collect();
        let mut tuple = serializer.serialize_tuple(3)?;
        tuple.serialize_element(&Block(&keys))?;
        tuple.serialize_element(&Block(&ends))?;
        tuple.serialize_element(&Block(&packed))?;
        tuple.end()
    }
}

impl<'de> Deserialize<'de> for RuleList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<RuleList, D::Error> {
        if deserializer.is_human_readable() {
            return Vec::<CommandRule>::deserialize(deserializer).map(RuleList::from);
        }
        struct PackedVisitor;
        impl<'de> Visitor<'de> for PackedVisitor {
            type Value = RuleList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a packed rule list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RuleList, A::Error> {
                let missing = || de::Error::custom("a packed rule list has three parts");
                let Bytes(keys) = seq.next_element()?.ok_or_else(missing)?;
                let Bytes(ends) = seq.next_element()?.ok_or_else(missing)?;
                let BlockBuf(packed) = seq.next_element()?.ok_or_else(missing)?;
                if keys.len() % 8 != 0 || ends.len() % 4 != 0 {
                    return Err(de::Error::custom("a packed rule list does not add up"));
                }
                let keys: Vec<Option<u64>> = (keys.chunks_exact(8))
                    .map(|k| k.try_into().map(u64::from_le_bytes).ok())
                    .map(|k| k.filter(|k| *k != ANY_PROGRAM))
                    .collect();
                let ends: Vec<u32> = (ends.chunks_exact(4))
                    .map(|e| e.try_into().map_or(u32::MAX, u32::from_le_bytes))
                    .collect();
                // The shape is checked now (a truncated or mixed-up entry loads from source);
                // only a rule's own bytes are checked when it is decoded.
                let rising = ends.windows(2).all(|w| w[0] <= w[1]);
                let fits = ends
                    .last()
                    .is_none_or(|&end| usize::try_from(end).is_ok_and(|end| end == packed.len()));
                if keys.len() != ends.len() || !rising || !fits {
                    return Err(de::Error::custom("a packed rule list does not add up"));
                }
                Ok(RuleList {
                    rules: (0..keys.len()).map(|_| OnceCell::new()).collect(),
                    keys,
                    packed,
                    ends,
                })
            }
        }
        deserializer.deserialize_tuple(3, PackedVisitor)
    }
}

/// A packed list of the rules `texts` whose first rule's bytes no longer decode, as a damaged
/// cache entry would give it (tests).
#[cfg(test)]
pub(crate) fn with_first_damaged(texts: &[&str]) -> RuleList {
    use crate::verdict::Origin;
    let list: RuleList = texts
        .iter()
        .map(|t| CommandRule::compile(t, Origin::builtin("t")).unwrap())
        .collect::<Vec<_>>()
        .into();
    let mut bytes = postcard::to_stdvec(&list).unwrap();
    let first = texts.first().unwrap().as_bytes();
    let at = bytes.windows(first.len()).position(|w| w == first).unwrap();
    // The rule text's length prefix pushed past the rule's end.
    bytes[at - 1] = 0x7f;
    postcard::from_bytes(&bytes).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Origin;

    fn rules(texts: &[&str]) -> RuleList {
        texts
            .iter()
            .map(|t| CommandRule::compile(t, Origin::builtin("t")).unwrap())
            .collect::<Vec<_>>()
            .into()
    }

    fn texts<'a>(slots: impl Iterator<Item = &'a Slot>) -> Vec<String> {
        slots
            .map(|s| match s {
                Slot::Rule(r) => r.text.clone(),
                Slot::Damaged => "DAMAGED".into(),
            })
            .collect()
    }

    #[test]
    fn a_packed_list_reads_back_the_same_rules_in_order() {
        let list = rules(&[
            "git push",
            "re:^rm ",
            "cargo test",
            "git*",
            "/usr/bin/git status",
        ]);
        let bytes = postcard::to_stdvec(&list).unwrap();
        let back: RuleList = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(texts(back.all()), texts(list.all()));
        // Only the rules that can meet `git`: its own, the regex, the glob, in order.
        assert_eq!(
            texts(back.for_program("git")),
            ["git push", "re:^rm ", "git*", "/usr/bin/git status"]
        );
        assert_eq!(
            texts(back.for_program("cargo")),
            ["re:^rm ", "cargo test", "git*"]
        );
        let json = serde_json::to_string(&list).unwrap();
        let from_json: RuleList = serde_json::from_str(&json).unwrap();
        assert_eq!(texts(from_json.all()), texts(list.all()));
    }

    #[test]
    fn a_damaged_rule_meets_every_command_when_erring_and_none_otherwise() {
        let list = with_first_damaged(&["git push", "cargo test"]);
        let argv = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        let first = |erring| {
            list.for_program("ls")
                .find(|slot| slot.meets(&argv(&["ls"]), erring))
                .map(|slot| slot.text().unwrap_or_else(|| "DAMAGED".into()))
        };
        // Its key was read intact: only `git` commands reach it.
        assert_eq!(first(true), None);
        let git = list
            .for_program("git")
            .find(|slot| slot.meets(&argv(&["git", "status"]), true));
        assert!(matches!(git, Some(Slot::Damaged)), "{git:?}");
        let allowing = list
            .for_program("git")
            .find(|slot| slot.meets(&argv(&["git", "status"]), false));
        assert!(allowing.is_none(), "a damaged rule allowed: {allowing:?}");
    }

    #[test]
    fn a_damaged_rule_is_marked_and_a_list_that_does_not_add_up_is_refused() {
        let list = rules(&["git push", "cargo test"]);
        let mut bytes = postcard::to_stdvec(&list).unwrap();
        // Cut: refused as a whole.
        assert!(postcard::from_bytes::<RuleList>(&bytes[..bytes.len() - 3]).is_err());
        // The first rule's bytes made undecodable (its text length pushed past its end).
        let block_start = bytes.windows(8).position(|w| w == b"git push").unwrap();
        bytes[block_start - 1] = 0x7f;
        let back: RuleList = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(texts(back.all()), ["DAMAGED", "cargo test"]);
    }

    #[test]
    fn a_packed_rule_whose_words_are_absent_is_not_decoded() {
        let list = rules(&[
            "git push --force",
            "git reset --hard",
            "git * main",
            "git status",
            "re:^git st",
            "git 'with space'",
        ]);
        let bytes = postcard::to_stdvec(&list).unwrap();
        let back: RuleList = postcard::from_bytes(&bytes).unwrap();
        let argv: Vec<String> = ["git", "status", "--short"].map(str::to_owned).to_vec();
        let met: Vec<String> = back
            .candidates_for(&argv, true)
            .filter_map(Slot::text)
            .collect();
        // `push`, `reset` are not in the command; `*` and quoted words are never judged by
        // their text, nor is a regex.
        // `main` is not either: `git * main` cannot meet.
        assert_eq!(met, ["git status", "re:^git st", "git 'with space'"]);
        let decoded: Vec<bool> = back.rules.iter().map(|cell| cell.get().is_some()).collect();
        assert_eq!(decoded, [false, false, false, true, true, true]);
        // Once decoded, a rule is matched whatever its words.
        assert_eq!(back.candidates_for(&argv, false).count(), 6);
    }

    #[test]
    fn a_rule_text_is_read_from_its_packed_form_or_not_at_all() {
        let long = "x".repeat(300);
        for text in ["git push", "", long.as_str()] {
            let packed = postcard::to_stdvec(&text).unwrap();
            assert_eq!(leading_text(&packed), Some(text));
        }
        assert_eq!(leading_text(&[0x85]), None);
        assert_eq!(leading_text(&[0x03, b'a']), None);
        assert_eq!(leading_text(&[0x02, 0xff, 0xfe]), None);
    }
}
