//! [`PathList`]: one list of path rules (`[read] deny`, `[edit] allow`, a stop's `edit`,
//! `[evidence] high_risk` …), in the order written, that the compiled-budget cache reads
//! back without decoding it, its globs already prepared.
//!
//! Why: a realistic budget holds ~70 path rules (the file's and the packs'); decoding each
//! (pattern, origin) and then tokenizing its globs was a fifth of a hook call, and a call
//! consults few of the lists: a Bash command with no file operand none of them, an Edit only
//! the `[edit]` ones. In the cache a list is stored as parts (the file's rules, then a task's
//! added ones), each one block of packed rules with their globs tokenized when the entry was
//! written (`glob_match::Glob`'s binary form); a part is decoded the first time a call
//! consults the list. Applying a task appends its part: nothing is decoded or copied.
//!
//! A part that does not decode (a damaged cache entry) fails closed: in a list that errs
//! towards matching (deny, ask, stop, high-risk) it meets every path, with a rule telling the
//! agent to have the cache deleted; in an allow list it meets none ([`PathList::parts`]).

use super::block::{Block, BlockBuf};
use super::glob_match::Glob;
use super::paths_rules::{Anchor, PathRule, prepare};
use crate::verdict::Origin;
use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::OnceCell;
use std::fmt;
use std::sync::{Arc, LazyLock};

/// One rule with its globs, ready to match: the anchor and globs `paths_rules::translate`
/// gives for its pattern (`None` when it gives an error: such a rule errs like a glob that
/// cannot be built). The rule itself (pattern and origin) is decoded only when its globs
/// meet a path: most rules a call looks at never do.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Prepared {
    pub globs: Option<(Anchor, Vec<Glob>)>,
    rule: LazyRule,
}

impl Prepared {
    pub(crate) fn new(rule: PathRule, globs: Option<(Anchor, Vec<Glob>)>) -> Prepared {
        Prepared {
            globs,
            rule: LazyRule {
                packed: Box::default(),
                rule: OnceCell::from(Some(rule)),
            },
        }
    }

    /// The rule, decoded on first need; `None` when its bytes did not decode (a damaged
    /// cache entry: the caller fails closed).
    pub(crate) fn rule(&self) -> Option<&PathRule> {
        (self.rule.rule)
            .get_or_init(|| postcard::from_bytes(&self.rule.packed).ok())
            .as_ref()
    }
}

/// A rule as its packed bytes until it is needed.
#[derive(Clone)]
struct LazyRule {
    packed: Box<[u8]>,
    rule: OnceCell<Option<PathRule>>,
}

impl fmt::Debug for LazyRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = (self.rule)
            .get_or_init(|| postcard::from_bytes(&self.packed).ok())
            .as_ref();
        fmt::Debug::fmt(&rule, f)
    }
}

/// Binary formats only (a [`Prepared`] is only ever stored in a packed part).
impl Serialize for LazyRule {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.rule.get() {
            None => serializer.serialize_bytes(&self.packed),
            Some(Some(rule)) => {
                let bytes = postcard::to_stdvec(rule).map_err(serde::ser::Error::custom)?;
                serializer.serialize_bytes(&bytes)
            }
            Some(None) => Err(serde::ser::Error::custom("a damaged path rule")),
        }
    }
}

impl<'de> Deserialize<'de> for LazyRule {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<LazyRule, D::Error> {
        let BlockBuf(packed) = BlockBuf::deserialize(deserializer)?;
        Ok(LazyRule {
            packed: Box::from(&packed[..]),
            rule: OnceCell::new(),
        })
    }
}

/// The rule every damaged rule or part stands as (its pattern is what the agent is told).
pub(crate) static DAMAGED_RULE: LazyLock<PathRule> = LazyLock::new(damaged_rule);

/// A part once looked at.
#[derive(Clone, Debug)]
pub(crate) enum Decoded {
    Rules(Vec<Prepared>),
    /// Its packed bytes did not decode; [`DAMAGED_RULE`] stands for the whole part.
    Damaged,
}

/// A run of rules written together.
#[derive(Clone, Default)]
struct Part {
    /// How many rules: a decoded block must hold that many (a check, never used to skip a
    /// part: a damaged length must not hide rules).
    len: u32,
    /// The packed rules as read from the cache (empty when built).
    packed: Arc<[u8]>,
    decoded: OnceCell<Decoded>,
}

/// The rule a damaged part or rule stands as: its pattern is what the agent is told.
fn damaged_rule() -> PathRule {
    PathRule {
        pattern: "a path rule of the compiled-budget cache that could not be read (ask the \
                  user to delete `claude-budget/cache` in the data dir: the budget files are \
                  then read again)"
            .into(),
        origin: Origin::builtin("budget-cache"),
    }
}

impl Part {
    fn built(rules: Vec<Prepared>) -> Part {
        Part {
            len: u32::try_from(rules.len()).unwrap_or(u32::MAX),
            packed: Arc::default(),
            decoded: OnceCell::from(Decoded::Rules(rules)),
        }
    }

    fn decoded(&self) -> &Decoded {
        self.decoded.get_or_init(
            || match postcard::from_bytes::<Vec<Prepared>>(&self.packed) {
                Ok(rules) if rules.len() == self.len as usize => Decoded::Rules(rules),
                _ => Decoded::Damaged,
            },
        )
    }
}

/// The rules of one list.
#[derive(Clone, Default)]
pub(crate) struct PathList {
    parts: Vec<Part>,
}

impl PathList {
    pub(crate) fn push(&mut self, rule: PathRule) {
        let prepared = prepare(rule);
        // Built rules join the last part when it was built too (one part per list).
        if let Some(Part {
            len,
            packed,
            decoded,
        }) = self.parts.last_mut()
            && packed.is_empty()
            && let Some(Decoded::Rules(rules)) = decoded.get_mut()
        {
            rules.push(prepared);
            *len = len.saturating_add(1);
            return;
        }
        self.parts.push(Part::built(vec![prepared]));
    }

    /// Appends `other`'s rules after these (a task's ask and deny lists): its parts are
    /// shared, not decoded or copied.
    pub(crate) fn append(&mut self, other: &PathList) {
        self.parts.extend(other.parts.iter().cloned());
    }

    /// True when the list holds no rule (decoding it: a damaged part is not empty).
    pub(crate) fn is_empty(&self) -> bool {
        self.rules().next().is_none()
    }

    /// Each part, decoded on first need, in order.
    pub(crate) fn parts(&self) -> impl Iterator<Item = &Decoded> {
        self.parts.iter().map(Part::decoded)
    }

    /// The rules as written, in order, leaving out damaged ones (for hints that list what
    /// is allowed: a damaged rule allows nothing).
    pub(crate) fn written(&self) -> impl Iterator<Item = &PathRule> {
        self.prepared().filter_map(|p| p.and_then(Prepared::rule))
    }

    /// Every rule as written, in order; a damaged part or rule shows as [`DAMAGED_RULE`].
    pub(crate) fn rules(&self) -> impl Iterator<Item = &PathRule> {
        (self.prepared()).map(|p| p.and_then(Prepared::rule).unwrap_or(&DAMAGED_RULE))
    }

    /// Every prepared rule, in order; `None` for a damaged part.
    fn prepared(&self) -> impl Iterator<Item = Option<&Prepared>> {
        self.parts().flat_map(|part| {
            let (rules, damaged) = match part {
                Decoded::Rules(rules) => (rules.as_slice(), None),
                Decoded::Damaged => (&[][..], Some(None)),
            };
            rules.iter().map(Some).chain(damaged)
        })
    }
}

impl From<Vec<PathRule>> for PathList {
    fn from(rules: Vec<PathRule>) -> PathList {
        let mut list = PathList::default();
        list.extend(rules);
        list
    }
}

impl Extend<PathRule> for PathList {
    fn extend<I: IntoIterator<Item = PathRule>>(&mut self, rules: I) {
        for rule in rules {
            self.push(rule);
        }
    }
}

/// The rules themselves, however they are stored (a list read back from the cache shows as
/// the list it was built from).
impl fmt::Debug for PathList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.rules()).finish()
    }
}

/// Human-readable formats get the plain list of rules; binary ones (the cache) per part its
/// length and packed block. A damaged part is not written again (it cannot be: its rules are
/// gone), so an entry is never rewritten from a damaged one.
impl Serialize for PathList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            return serializer.collect_seq(self.rules());
        }
        let mut parts: Vec<(u32, Vec<u8>)> = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            let bytes = match part.decoded.get() {
                Some(Decoded::Rules(rules)) => {
                    postcard::to_stdvec(rules).map_err(serde::ser::Error::custom)?
                }
                Some(Decoded::Damaged) => {
                    return Err(serde::ser::Error::custom("a damaged path rule list"));
                }
                None => part.packed.to_vec(),
            };
            parts.push((part.len, bytes));
        }
        serializer.collect_seq(parts.iter().map(|(len, bytes)| (*len, Block(bytes))))
    }
}

impl<'de> Deserialize<'de> for PathList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PathList, D::Error> {
        if deserializer.is_human_readable() {
            return Vec::<PathRule>::deserialize(deserializer).map(PathList::from);
        }
        deserializer.deserialize_seq(PartsVisitor)
    }
}

/// The binary form: a sequence of parts, each its length and block.
struct PartsVisitor;

impl<'de> Visitor<'de> for PartsVisitor {
    type Value = PathList;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a packed path rule list")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PathList, A::Error> {
        // Not sized from the stored count: a damaged count fails at the end of the entry
        // instead of reserving memory for it.
        let mut parts = Vec::new();
        while let Some((len, BlockBuf(packed))) = seq.next_element::<(u32, BlockBuf)>()? {
            parts.push(Part {
                len,
                packed,
                decoded: OnceCell::new(),
            });
        }
        Ok(PathList { parts })
    }
}
