//! How an [`Origin`] is written. Human-readable formats (JSON: records, reports, state) get
//! the form tagged with `kind`; binary formats (postcard: the compiled-budget cache) cannot
//! read a tag back (it needs a self-describing format) and get a plain enum, which is also
//! several times cheaper to read. Read back, the file and pack names are shared: a budget's
//! hundreds of rules name a handful of files and packs, and one allocation (and UTF-8 check)
//! per rule was a tenth of a hook call.

use super::Origin;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

thread_local! {
    /// The names read so far by this thread (a few: the budget files and the packs).
    static NAMES: RefCell<Vec<Arc<str>>> = const { RefCell::new(Vec::new()) };
}

/// A file or pack name, shared with every earlier origin that named the same one.
struct Shared(Arc<str>);

impl Shared {
    /// The shared name of these bytes; `None` when they are not UTF-8. A name seen before is
    /// found by its bytes, so only a new one is checked (most origins name a known file).
    fn of(bytes: &[u8]) -> Option<Shared> {
        NAMES.with(|names| {
            let mut names = names.borrow_mut();
            if let Some(known) = names.iter().find(|n| n.as_bytes() == bytes) {
                return Some(Shared(Arc::clone(known)));
            }
            let name: Arc<str> = Arc::from(std::str::from_utf8(bytes).ok()?);
            // Bounded: names are few; a hostile input cannot grow this without end.
            if names.len() < 64 {
                names.push(Arc::clone(&name));
            }
            Some(Shared(name))
        })
    }
}

impl<'de> Deserialize<'de> for Shared {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Shared, D::Error> {
        struct SharedVisitor;
        impl Visitor<'_> for SharedVisitor {
            type Value = Shared;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a file or pack name")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Shared, E> {
                self.visit_bytes(text.as_bytes())
            }
            fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Shared, E> {
                Shared::of(bytes).ok_or_else(|| E::custom("a file or pack name that is not UTF-8"))
            }
        }
        // Binary formats (postcard) write a string as its bytes: read as bytes, the UTF-8
        // check is left to the names not seen before.
        if deserializer.is_human_readable() {
            deserializer.deserialize_str(SharedVisitor)
        } else {
            deserializer.deserialize_bytes(SharedVisitor)
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum Tagged<N, S> {
    File { file: N, line: u32, column: u32 },
    Pack { pack: N, id: S },
    Builtin { id: S },
}

#[derive(Serialize, Deserialize)]
enum Compact<N, S> {
    File(N, u32, u32),
    Pack(N, S),
    Builtin(S),
}

impl Serialize for Origin {
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        let readable = serializer.is_human_readable();
        match (self, readable) {
            (Origin::File { file, line, column }, true) => Tagged::<&str, &str>::File {
                file,
                line: *line,
                column: *column,
            }
            .serialize(serializer),
            (Origin::Pack { pack, id }, true) => Tagged::<&str, &str>::Pack {
                pack,
                id: id.as_str(),
            }
            .serialize(serializer),
            (Origin::Builtin { id }, true) => {
                Tagged::<&str, &str>::Builtin { id: id.as_str() }.serialize(serializer)
            }
            (Origin::File { file, line, column }, false) => {
                Compact::<&str, &str>::File(file, *line, *column).serialize(serializer)
            }
            (Origin::Pack { pack, id }, false) => {
                Compact::<&str, &str>::Pack(pack, id.as_str()).serialize(serializer)
            }
            (Origin::Builtin { id }, false) => {
                Compact::<&str, &str>::Builtin(id.as_str()).serialize(serializer)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Origin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Origin, D::Error> {
        if deserializer.is_human_readable() {
            Ok(match Tagged::<Shared, String>::deserialize(deserializer)? {
                Tagged::File { file, line, column } => Origin::File {
                    file: file.0,
                    line,
                    column,
                },
                Tagged::Pack { pack, id } => Origin::Pack { pack: pack.0, id },
                Tagged::Builtin { id } => Origin::Builtin { id },
            })
        } else {
            Ok(
                match Compact::<Shared, String>::deserialize(deserializer)? {
                    Compact::File(file, line, column) => Origin::File {
                        file: file.0,
                        line,
                        column,
                    },
                    Compact::Pack(pack, id) => Origin::Pack { pack: pack.0, id },
                    Compact::Builtin(id) => Origin::Builtin { id },
                },
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_the_kind_tag_and_both_forms_read_back() {
        let origins = [
            Origin::file(".claude/budget.toml", 3, 9),
            Origin::pack("destructive", "git-reset-hard"),
            Origin::builtin("self-protection"),
        ];
        let json = serde_json::to_string(&origins[0]).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"file","file":".claude/budget.toml","line":3,"column":9}"#
        );
        for origin in origins {
            let json = serde_json::to_string(&origin).unwrap();
            assert_eq!(serde_json::from_str::<Origin>(&json).unwrap(), origin);
            let bytes = postcard::to_stdvec(&origin).unwrap();
            assert_eq!(postcard::from_bytes::<Origin>(&bytes).unwrap(), origin);
        }
    }

    #[test]
    fn origins_read_back_share_their_file_name() {
        let rules = vec![Origin::file("a.toml", 1, 1), Origin::file("a.toml", 2, 1)];
        let bytes = postcard::to_stdvec(&rules).unwrap();
        let back: Vec<Origin> = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(back, rules);
        match (&back[0], &back[1]) {
            (Origin::File { file: a, .. }, Origin::File { file: b, .. }) => {
                assert!(Arc::ptr_eq(a, b), "one allocation per file name");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_name_that_is_not_utf8_is_refused_in_the_binary_form() {
        let bytes = postcard::to_stdvec(&Origin::file("never-seen.toml", 1, 1)).unwrap();
        let mut damaged = bytes.clone();
        let at = bytes.windows(5).position(|w| w == b"never").unwrap();
        damaged[at] = 0xff;
        assert!(postcard::from_bytes::<Origin>(&damaged).is_err());
        assert!(postcard::from_bytes::<Origin>(&bytes).is_ok());
    }
}
