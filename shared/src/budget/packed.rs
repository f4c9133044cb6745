//! [`Packed`]: a part of a budget that the compiled-budget cache reads back as its bytes and
//! decodes the first time a call consults it (MCP servers, web hosts, a task's lists).
//!
//! Why: every hook call reads the whole cached budget, but most calls consult few of its
//! sections (a Bash command never the MCP servers); decoding what a call does not need was
//! a large part of reading the cache back. The [`super::rule_list`] and
//! [`super::path_list`] lists do the same rule by rule.
//!
//! A part whose bytes do not decode (a damaged cache entry) is `None` from [`Packed::get`]:
//! each caller fails closed with it (a section that errs towards refusing refuses, with a
//! rule telling the agent to have the cache deleted); it never reads as "no rules".

use serde::de::{self, DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::OnceCell;
use std::fmt;
use std::sync::Arc;

/// What the agent is told when a part of the cache entry could not be read.
pub(crate) const DAMAGED: &str = "a rule of the compiled-budget cache that could not be read \
                                  (ask the user to delete `claude-budget/cache` in the data \
                                  dir: the budget files are then read again)";

/// A value, or the bytes it is decoded from on first use.
#[derive(Clone)]
pub(crate) struct Packed<T> {
    /// As read from the cache (empty when built).
    packed: Arc<[u8]>,
    /// `None` inside: the bytes did not decode.
    value: OnceCell<Option<T>>,
}

impl<T> From<T> for Packed<T> {
    fn from(value: T) -> Packed<T> {
        Packed {
            packed: Arc::default(),
            value: OnceCell::from(Some(value)),
        }
    }
}

impl<T: Default> Default for Packed<T> {
    fn default() -> Packed<T> {
        Packed::from(T::default())
    }
}

impl<T: DeserializeOwned> Packed<T> {
    /// The value, decoded on first need; `None` when its bytes did not decode.
    pub(crate) fn get(&self) -> Option<&T> {
        self.value
            .get_or_init(|| postcard::from_bytes(&self.packed).ok())
            .as_ref()
    }
}

/// The value, however it is stored (read back from the cache, it shows as it was built).
impl<T: DeserializeOwned + fmt::Debug> fmt::Debug for Packed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.get() {
            Some(value) => value.fmt(f),
            None => f.write_str("<damaged>"),
        }
    }
}

/// Human-readable formats get the value; binary ones (the cache) its postcard bytes as one
/// byte string. A damaged value is not written again.
impl<T: Serialize + DeserializeOwned> Serialize for Packed<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let binary = !serializer.is_human_readable();
        if binary && self.value.get().is_none() {
            return serializer.serialize_bytes(&self.packed);
        }
        let Some(value) = self.get() else {
            return Err(serde::ser::Error::custom("a damaged budget part"));
        };
        if binary {
            let bytes = postcard::to_stdvec(value).map_err(serde::ser::Error::custom)?;
            serializer.serialize_bytes(&bytes)
        } else {
            value.serialize(serializer)
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Packed<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Packed<T>, D::Error> {
        if deserializer.is_human_readable() {
            return T::deserialize(deserializer).map(Packed::from);
        }
        struct BytesVisitor;
        impl Visitor<'_> for BytesVisitor {
            type Value = Arc<[u8]>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a packed budget part")
            }
            fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Arc<[u8]>, E> {
                Ok(Arc::from(bytes))
            }
        }
        Ok(Packed {
            packed: deserializer.deserialize_bytes(BytesVisitor)?,
            value: OnceCell::new(),
        })
    }
}
