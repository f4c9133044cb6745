//! A packed block of the compiled-budget cache as serde sees it: written as one byte string
//! (postcard prefixes its length) and read back in one copy, shared by every clone of the
//! list that holds it. Used by the lazily decoded lists ([`super::rule_list`],
//! [`super::path_list`]).

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// A block to write.
pub(super) struct Block<'a>(pub(super) &'a [u8]);

impl Serialize for Block<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// A block read back.
pub(super) struct BlockBuf(pub(super) Arc<[u8]>);

impl<'de> Deserialize<'de> for BlockBuf {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<BlockBuf, D::Error> {
        struct BlockVisitor;
        impl Visitor<'_> for BlockVisitor {
            type Value = BlockBuf;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a packed block of the compiled-budget cache")
            }
            fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<BlockBuf, E> {
                Ok(BlockBuf(Arc::from(bytes)))
            }
        }
        deserializer.deserialize_bytes(BlockVisitor)
    }
}
