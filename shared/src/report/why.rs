//! Incident lookup (`claude-budget why PATH`, SPEC §8): which recorded calls read, changed or
//! were refused on a path or glob. Pure: a [`PathQuery`] and one event in, the touches out;
//! `store::scan` reads the records (bounded by the query's needle).
//!
//! A path without glob characters names the file and, when it is a folder, everything under
//! it (`billing` finds `billing/invoice.rs`). A relative path or glob is anchored at the
//! project root, as the budget's own globs are. What a call touched is read from what the
//! record says it did: the file tool's path, and the reads/writes the shell analysis found.

use crate::store::record::Event;
use globset::{Glob, GlobBuilder, GlobMatcher};
use serde::Serialize;
use std::path::{Component, Path, PathBuf};

/// What the user asked about, ready to match recorded (absolute) paths.
#[derive(Clone, Debug)]
pub struct PathQuery {
    exact: Option<PathBuf>,
    glob: Option<GlobMatcher>,
    needle: Option<String>,
}

/// The query could not be built.
#[derive(Debug, thiserror::Error)]
#[error("invalid glob `{text}`: {source}")]
pub struct QueryError {
    pub text: String,
    source: globset::Error,
}

const GLOB_CHARS: &[char] = &['*', '?', '[', '{'];

impl PathQuery {
    /// `text` as the user typed it; relative to `cwd`, and a glob relative to `project_root`.
    pub fn new(text: &str, cwd: &Path, project_root: &Path) -> Result<PathQuery, QueryError> {
        if !text.contains(GLOB_CHARS) {
            let path = normalise(&cwd.join(text));
            // Any record of this file or of a folder above it (below the root) names the
            // path's first part below the root, whether absolute or relative to a `cwd`
            // inside it; outside the project, its own name.
            let needle = match path.strip_prefix(project_root) {
                Ok(rel) => rel.components().next(),
                Err(_) => path.components().next_back(),
            }
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
            return Ok(PathQuery {
                exact: Some(path),
                glob: None,
                needle: needle.filter(|n| usable(n)),
            });
        }
        let anchored = if Path::new(text).is_absolute() {
            text.to_owned()
        } else {
            format!(
                "{}/{}",
                project_root.to_string_lossy().trim_end_matches('/'),
                text.trim_start_matches("./")
            )
        };
        let error = |source| QueryError {
            text: text.to_owned(),
            source,
        };
        let glob: Glob = GlobBuilder::new(&anchored)
            .literal_separator(true)
            .build()
            .map_err(error)?;
        Ok(PathQuery {
            exact: None,
            glob: Some(glob.compile_matcher()),
            needle: glob_needle(text),
        })
    }

    /// Text every record line that touches a match must contain (its longest literal run),
    /// when it survives JSON escaping unchanged: a scan may skip lines without it.
    pub fn needle(&self) -> Option<&str> {
        self.needle.as_deref()
    }

    /// True when an absolute path is what the query names.
    pub fn matches(&self, path: &Path) -> bool {
        if let Some(exact) = &self.exact {
            return path == exact || path.starts_with(exact);
        }
        self.glob.as_ref().is_some_and(|g| g.is_match(path))
    }

    /// True when the queried path lies inside the folder `dir` (a recursive delete or move
    /// of `billing` changes `billing/x.rs`); never for the file system root.
    pub fn inside(&self, dir: &Path) -> bool {
        dir.parent().is_some() && self.exact.as_ref().is_some_and(|e| e.starts_with(dir))
    }
}

/// Text a record of a file the glob matches must contain: the longest literal run of its
/// last part (`*.sql` → `.sql`), else its first part when that is literal (`billing/**` →
/// `billing`). `None`: every line is parsed.
fn glob_needle(glob: &str) -> Option<String> {
    let parts: Vec<&str> = glob
        .trim_start_matches("./")
        .split('/')
        .filter(|p| !p.is_empty())
        .collect();
    let last = parts
        .last()?
        .split(GLOB_CHARS)
        .filter(|run| !run.contains([']', '}', ',']))
        .max_by_key(|run| run.len())
        .filter(|run| usable(run));
    let first = parts
        .first()
        .filter(|p| !p.contains(GLOB_CHARS) && usable(p));
    last.or(first.copied()).map(str::to_owned)
}

/// Long enough to filter, and written the same inside a JSON string.
fn usable(text: &str) -> bool {
    text.len() >= 2 && !text.contains(['"', '\\']) && !text.chars().any(char::is_control)
}

/// `..` and `.` resolved lexically (records hold lexically normal absolute paths).
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// How a call met the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Touch {
    Read,
    Changed,
    /// Refused by the budget before it ran.
    Denied,
    /// Asked for approval (whether it then ran shows as a later read/change).
    Asked,
}

/// One recorded call that met the path.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub ts: String,
    pub touch: Touch,
    /// The matching paths the call named.
    pub paths: Vec<String>,
    pub tool: String,
    /// The command, path or URL as recorded.
    pub what: String,
    pub decision: Option<String>,
    pub code: Option<String>,
    pub rule: Option<String>,
    pub outcome: Option<String>,
}

fn absolute(path: &str, event: &Event) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        normalise(p)
    } else {
        normalise(&Path::new(event.cwd.as_deref().unwrap_or("/")).join(p))
    }
}

/// The path a file tool names, and whether it reads or changes it.
fn tool_path(event: &Event) -> Option<(&str, Touch)> {
    let field = |k: &str| event.input.as_ref()?.get(k)?.as_str();
    match event.tool.as_deref()? {
        "Read" => Some((field("file_path")?, Touch::Read)),
        "Grep" | "Glob" => Some((field("path").unwrap_or("."), Touch::Read)),
        "Edit" | "Write" | "MultiEdit" => Some((field("file_path")?, Touch::Changed)),
        "NotebookEdit" => Some((field("notebook_path")?, Touch::Changed)),
        _ => None,
    }
}

/// What one event did to the queried path, if anything. Pre events count only when the
/// budget refused or asked (an allowed call shows by its post event, which says what ran).
pub fn finding(event: &Event, query: &PathQuery) -> Option<Finding> {
    let pre = event.event == "PreToolUse";
    let post = matches!(event.event.as_str(), "PostToolUse" | "PostToolUseFailure");
    let refused = match event.decision.as_deref() {
        Some("deny") => Some(Touch::Denied),
        Some("ask") => Some(Touch::Asked),
        _ => None,
    };
    if !(post || (pre && refused.is_some())) {
        return None;
    }
    let mut named: Vec<(PathBuf, Touch)> = Vec::new();
    if let Some((path, touch)) = tool_path(event) {
        named.push((absolute(path, event), touch));
    }
    named.extend(
        event
            .reads
            .iter()
            .map(|r| (absolute(r, event), Touch::Read)),
    );
    named.extend(
        event
            .writes
            .iter()
            .map(|w| (absolute(w, event), Touch::Changed)),
    );
    let hits: Vec<&(PathBuf, Touch)> = named
        .iter()
        .filter(|(p, t)| query.matches(p) || (*t == Touch::Changed && query.inside(p)))
        .collect();
    let first = hits.first()?;
    let touch = refused.unwrap_or_else(|| {
        if hits.iter().any(|(_, t)| *t == Touch::Changed) {
            Touch::Changed
        } else {
            first.1
        }
    });
    let mut paths: Vec<String> = hits
        .iter()
        .map(|(p, _)| p.to_string_lossy().into_owned())
        .collect();
    paths.dedup();
    Some(Finding {
        ts: event.ts.clone(),
        touch,
        paths,
        tool: event.tool.clone().unwrap_or_default(),
        what: event.summary.clone().unwrap_or_default(),
        decision: event.decision.clone(),
        code: event.code.clone(),
        rule: event.rule.clone(),
        outcome: event.outcome.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(text: &str) -> PathQuery {
        PathQuery::new(text, Path::new("/p"), Path::new("/p")).unwrap()
    }

    fn post(tool: &str, input: serde_json::Value) -> Event {
        Event {
            ts: "t".into(),
            event: "PostToolUse".into(),
            tool: Some(tool.into()),
            input: Some(input),
            ..Event::default()
        }
    }

    #[test]
    fn a_folder_names_everything_under_it_and_a_glob_is_anchored_at_the_root() {
        let folder = query("billing");
        assert!(folder.matches(Path::new("/p/billing/a.rs")));
        assert!(!folder.matches(Path::new("/p/billing2/a.rs")));
        let glob = query("**/*.sql");
        assert!(glob.matches(Path::new("/p/db/schema.sql")));
        assert!(!glob.matches(Path::new("/elsewhere/schema.sql")));
        assert_eq!(query("billing/**/*.rs").needle(), Some(".rs"));
        assert_eq!(query("billing/**").needle(), Some("billing"));
        assert_eq!(query("billing/x.rs").needle(), Some("billing"));
        assert_eq!(query("*").needle(), None);
        assert_eq!(
            query("./src/../billing/x.rs").exact,
            Some(PathBuf::from("/p/billing/x.rs"))
        );
    }

    #[test]
    fn reads_changes_and_refusals_are_told_apart() {
        let q = query("billing/x.rs");
        let read = post("Read", json!({"file_path": "/p/billing/x.rs"}));
        assert_eq!(finding(&read, &q).unwrap().touch, Touch::Read);
        let edit = post("Edit", json!({"file_path": "/p/billing/x.rs"}));
        assert_eq!(finding(&edit, &q).unwrap().touch, Touch::Changed);
        let shell = Event {
            writes: vec!["/p/billing/x.rs".into()],
            ..post("Bash", json!({"command": "sed -i s/a/b/ billing/x.rs"}))
        };
        assert_eq!(finding(&shell, &q).unwrap().touch, Touch::Changed);
        let denied = Event {
            event: "PreToolUse".into(),
            decision: Some("deny".into()),
            ..edit.clone()
        };
        assert_eq!(finding(&denied, &q).unwrap().touch, Touch::Denied);
        let allowed_pre = Event {
            event: "PreToolUse".into(),
            decision: Some("allow".into()),
            ..edit
        };
        assert!(finding(&allowed_pre, &q).is_none(), "the post event tells");
        let removed = Event {
            writes: vec!["/p/billing".into()],
            ..post("Bash", json!({"command": "rm -rf billing"}))
        };
        assert_eq!(finding(&removed, &q).unwrap().touch, Touch::Changed);
        let listed = Event {
            reads: vec!["/p".into()],
            ..post("Bash", json!({"command": "ls"}))
        };
        assert!(
            finding(&listed, &q).is_none(),
            "listing the root is not reading the file"
        );
        let other = post("Read", json!({"file_path": "/p/src/x.rs"}));
        assert!(finding(&other, &q).is_none());
    }
}
