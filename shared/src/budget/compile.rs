//! Loading one budget file: phase one (TOML → raw schema, section by section so one broken
//! section does not hide the problems of the others), then phase two (`validate.rs`: raw →
//! [`LayerSpec`]). Every problem becomes a [`Diagnostic`](super::Diagnostic).

use super::diag::{SourceFile, closest};
use super::packed::Packed;
use super::raw::{self, RawTask};
use super::spec::{LayerSpec, TaskSpec};
use super::validate::Validator;
use super::{Diagnostic, LayerKind};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::path::PathBuf;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

/// A budget file read and validated: its base rules and its tasks, not yet compiled into
/// `GlobSet`s (the active task and packs are merged first). Serialisable: the hooks keep it in
/// the compiled-budget cache (`store::budget_cache`).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct ParsedFile {
    pub base: LayerSpec,
    /// Each task decoded from the cache only when it is the active one.
    pub tasks: BTreeMap<String, Packed<TaskSpec>>,
}

/// What the file is, for origins and the compiled layer.
pub(crate) struct FileInfo<'a> {
    pub kind: LayerKind,
    pub path: PathBuf,
    pub display: &'a str,
}

/// Parses and validates one budget file's text. `None` when it has errors; the diagnostics
/// (errors and warnings, in file order) are returned either way.
pub(crate) fn parse_file(text: &str, info: &FileInfo<'_>) -> (Option<ParsedFile>, Vec<Diagnostic>) {
    let mut file = SourceFile::new(text, info.display);
    let (root, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        // Recovery after a syntax error cascades; one error per line is what helps.
        let mut lines_seen = Vec::new();
        for error in syntax_errors {
            let span = error.span().unwrap_or(0..0);
            let line = file.position(span.start).0;
            if lines_seen.contains(&line) {
                continue;
            }
            lines_seen.push(line);
            let message = format!("invalid toml: {}", first_line(error.message()));
            let hint = "check quotes, brackets and `=` on this line (TOML syntax)".to_string();
            file.error(&span, message, Some(hint));
        }
        return (None, file.into_sorted());
    }
    let mut validator = Validator::new(&mut file, info, text);
    let mut entries: Vec<(Spanned<String>, Spanned<DeValue<'_>>)> = root
        .into_inner()
        .into_iter()
        .map(|(k, v)| (Spanned::new(k.span(), k.into_inner().into_owned()), v))
        .collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    let mut tasks = BTreeMap::new();
    for (key, value) in entries {
        let span = key.span();
        let v = &mut validator;
        v.section_at(&span);
        match key.get_ref().as_str() {
            "version" => {
                if let Some(n) = de::<Spanned<i64>>(v.file(), value, "version") {
                    v.version(&n);
                }
            }
            "extends" => {
                if let Some(list) = de::<Vec<Spanned<String>>>(v.file(), value, "extends") {
                    v.extends(&list);
                }
            }
            "read" => de(v.file(), value, "[read]")
                .into_iter()
                .for_each(|r| v.read(r)),
            "edit" => de(v.file(), value, "[edit]")
                .into_iter()
                .for_each(|r| v.edit(r)),
            "run" => de(v.file(), value, "[run]")
                .into_iter()
                .for_each(|r| v.run(r)),
            "mcp" => de(v.file(), value, "[mcp]")
                .into_iter()
                .for_each(|r| v.mcp(r)),
            "web" => de(v.file(), value, "[web]")
                .into_iter()
                .for_each(|r| v.web(r)),
            "spend" => de(v.file(), value, "[spend]")
                .into_iter()
                .for_each(|r| v.spend(r)),
            "retry" => de(v.file(), value, "[retry]")
                .into_iter()
                .for_each(|r| v.retry(r)),
            "merge" => de(v.file(), value, "[merge]")
                .into_iter()
                .for_each(|r| v.merge(r)),
            "evidence" => de(v.file(), value, "[evidence]")
                .into_iter()
                .for_each(|r| v.evidence(r)),
            "record" => de(v.file(), value, "[record]")
                .into_iter()
                .for_each(|r| v.record(r)),
            "stop" => {
                if let Some(stops) = de::<Vec<Spanned<raw::RawStop>>>(v.file(), value, "[[stop]]") {
                    v.stops(stops);
                }
            }
            "tasks" => tasks = parse_tasks(v, value),
            other => {
                let hint = match closest(other, raw::TOP_LEVEL_KEYS) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("valid top-level keys: {}", backticked(raw::TOP_LEVEL_KEYS)),
                };
                v.file()
                    .error(&span, format!("unknown key `{other}`"), Some(hint));
            }
        }
    }
    let parsed = validator.finish(tasks);
    let parsed = if file.has_errors() { None } else { parsed };
    (parsed, file.into_sorted())
}

fn parse_tasks(
    v: &mut Validator<'_, '_>,
    value: Spanned<DeValue<'_>>,
) -> BTreeMap<String, Packed<TaskSpec>> {
    let span = value.span();
    let mut tasks = BTreeMap::new();
    let DeValue::Table(table) = value.into_inner() else {
        let hint = "write each task as a table: `[tasks.NAME]`".to_string();
        v.file().error(
            &span,
            "wrong type: `tasks` must be a table of tasks",
            Some(hint),
        );
        return tasks;
    };
    for (name, body) in table {
        let name_span = name.span();
        let name = name.into_inner().into_owned();
        if let Some(raw_task) = de::<RawTask>(v.file(), body, &format!("[tasks.{name}]")) {
            tasks.insert(name, v.task(raw_task, &name_span).into());
        }
    }
    tasks
}

/// Deserializes one section, turning serde's error into a diagnostic.
pub(crate) fn de<T: DeserializeOwned>(
    file: &mut SourceFile<'_>,
    value: Spanned<DeValue<'_>>,
    section: &str,
) -> Option<T> {
    let span = value.span();
    match T::deserialize(ValueDeserializer::from(value)) {
        Ok(raw) => Some(raw),
        Err(error) => {
            let (message, hint) = translate_serde_error(error.message(), section);
            file.error(&error.span().unwrap_or(span), message, hint);
            None
        }
    }
}

fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or(message)
        .trim()
        .trim_end_matches('.')
        .to_string()
}

fn backticked(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// serde's messages, rewritten for people editing a TOML file.
fn translate_serde_error(message: &str, section: &str) -> (String, Option<String>) {
    let message = first_line(message);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let valid: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let hint = match closest(key, &valid) {
            Some(near) => format!("did you mean `{near}`?"),
            None if valid.is_empty() => format!("`{section}` takes no keys"),
            None => format!("valid keys in `{section}`: {}", backticked(&valid)),
        };
        return (format!("unknown key `{key}` in `{section}`"), Some(hint));
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest
            .split_once(", expected ")
            .unwrap_or((rest, "another type"));
        let (expected, hint) = describe_expected(expected);
        let found = match found.split_once(' ').map_or(found, |(kind, _)| kind) {
            "string" => "a string",
            "integer" => "an integer",
            "float" => "a number",
            "boolean" => "a boolean",
            "sequence" => "an array",
            "map" => "a table",
            _ => "another type",
        };
        return (
            format!("wrong type in `{section}`: expected {expected}, found {found}"),
            Some(hint.into()),
        );
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        return (
            format!("missing key `{key}` in `{section}`"),
            Some(format!("add `{key} = ...`")),
        );
    }
    (message.to_lowercase(), None)
}

fn describe_expected(expected: &str) -> (&'static str, &'static str) {
    match expected {
        "a sequence" => ("an array", "write a list in brackets, e.g. `[\"src/**\"]`"),
        "a string" => ("a string", "quote the value, e.g. `\"deny\"`"),
        "i64" | "u64" | "u32" | "i32" => (
            "an integer",
            "write a whole number without quotes, e.g. `3`",
        ),
        "f64" | "f32" => ("a number", "write a number without quotes, e.g. `10.0`"),
        "a boolean" => ("a boolean", "write `true` or `false` without quotes"),
        _ if expected.starts_with("struct") || expected == "a map" => (
            "a table",
            "write a table: `[section]` followed by `key = value` lines",
        ),
        _ => (
            "another type",
            "see the budget file reference for this key's type",
        ),
    }
}
