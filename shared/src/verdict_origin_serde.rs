//! How an [`Origin`] is written. Human-readable formats (JSON: records, reports, state) get
//! the form tagged with `kind`; binary formats (postcard: the compiled-budget cache) cannot
//! read a tag back (it needs a self-describing format) and get a plain enum, which is also
//! several times cheaper to read.

use super::Origin;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum Tagged<S> {
    File { file: S, line: u32, column: u32 },
    Pack { pack: S, id: S },
    Builtin { id: S },
}

#[derive(Serialize, Deserialize)]
enum Compact<S> {
    File(S, u32, u32),
    Pack(S, S),
    Builtin(S),
}

impl Serialize for Origin {
    fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
        let readable = serializer.is_human_readable();
        match (self, readable) {
            (Origin::File { file, line, column }, true) => Tagged::File {
                file: file.as_str(),
                line: *line,
                column: *column,
            }
            .serialize(serializer),
            (Origin::Pack { pack, id }, true) => Tagged::Pack {
                pack: pack.as_str(),
                id: id.as_str(),
            }
            .serialize(serializer),
            (Origin::Builtin { id }, true) => {
                Tagged::Builtin { id: id.as_str() }.serialize(serializer)
            }
            (Origin::File { file, line, column }, false) => {
                Compact::File(file.as_str(), *line, *column).serialize(serializer)
            }
            (Origin::Pack { pack, id }, false) => {
                Compact::Pack(pack.as_str(), id.as_str()).serialize(serializer)
            }
            (Origin::Builtin { id }, false) => Compact::Builtin(id.as_str()).serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Origin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Origin, D::Error> {
        if deserializer.is_human_readable() {
            Ok(match Tagged::<String>::deserialize(deserializer)? {
                Tagged::File { file, line, column } => Origin::File { file, line, column },
                Tagged::Pack { pack, id } => Origin::Pack { pack, id },
                Tagged::Builtin { id } => Origin::Builtin { id },
            })
        } else {
            Ok(match Compact::<String>::deserialize(deserializer)? {
                Compact::File(file, line, column) => Origin::File { file, line, column },
                Compact::Pack(pack, id) => Origin::Pack { pack, id },
                Compact::Builtin(id) => Origin::Builtin { id },
            })
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
}
