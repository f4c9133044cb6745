//! What kind of repository this is and where its code lives: ecosystems by their manifests,
//! workspace members (Cargo, npm/pnpm, go.work), code and test folders, docs and changelogs,
//! manifests and lock files. Only what exists is reported, so every `[edit] allow` glob the
//! starter writes matches a file (`check` warns about globs that match none).

use std::collections::BTreeSet;
use std::path::Path;

/// A language ecosystem the starter has rules for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Ecosystem {
    Rust,
    Node,
    Python,
    Go,
}

impl Ecosystem {
    pub(super) fn name(self) -> &'static str {
        match self {
            Ecosystem::Rust => "Rust",
            Ecosystem::Node => "npm",
            Ecosystem::Python => "Python",
            Ecosystem::Go => "Go",
        }
    }
}

/// The layout facts the starter is written from.
#[derive(Debug, Default)]
pub(super) struct Layout {
    pub ecosystems: BTreeSet<Ecosystem>,
    /// Folders holding code or tests, as `dir/**` globs (root-relative, `/`-separated).
    pub code: BTreeSet<String>,
    /// Root-level source files (a Go package at the root): `/*.go`.
    pub root_files: BTreeSet<String>,
    /// Docs folders and changelog / readme files.
    pub docs: BTreeSet<String>,
    /// Manifests and lock files present (edited only with approval).
    pub manifests: BTreeSet<String>,
    /// Workspace members as written, for the header comment.
    pub members: Vec<String>,
}

/// Folders that hold code or tests in one ecosystem or another, when they exist at the root.
const CODE_DIRS: &[&str] = &[
    "src",
    "lib",
    "tests",
    "test",
    "__tests__",
    "spec",
    "benches",
    "examples",
    "bin",
    "crates",
    "packages",
    "python",
    "types",
];

/// Go's conventional package folders, code only in a Go module (`pkg/` is packaging elsewhere).
const GO_DIRS: &[&str] = &["cmd", "internal", "pkg"];

const DOC_DIRS: &[&str] = &["docs", "doc", "changelog.d", "changes", "newsfragments"];

/// Root files a bug fix may touch besides code: changelogs and readmes.
const DOC_FILE_PREFIXES: &[&str] = &["CHANGELOG", "CHANGES", "HISTORY", "NEWS", "README"];

/// Manifest and lock file names per ecosystem (matched at any depth by the budget).
const MANIFESTS: &[(Ecosystem, &[&str])] = &[
    (Ecosystem::Rust, &["Cargo.toml", "Cargo.lock"]),
    (
        Ecosystem::Node,
        &[
            "package.json",
            "package-lock.json",
            "pnpm-lock.yaml",
            "pnpm-workspace.yaml",
            "yarn.lock",
            "bun.lockb",
        ],
    ),
    (
        Ecosystem::Python,
        &[
            "pyproject.toml",
            "setup.py",
            "setup.cfg",
            "uv.lock",
            "poetry.lock",
            "Pipfile.lock",
            "requirements*.txt",
        ],
    ),
    (
        Ecosystem::Go,
        &["go.mod", "go.sum", "go.work", "go.work.sum"],
    ),
];

/// Reads the layout of the repository at `root`.
pub(super) fn layout(root: &Path) -> Layout {
    let mut layout = Layout::default();
    let names = list(root);
    let has = |n: &str| names.iter().any(|x| x == n);
    if has("Cargo.toml") {
        layout.ecosystems.insert(Ecosystem::Rust);
        cargo_members(root, &mut layout);
    }
    if has("package.json") {
        layout.ecosystems.insert(Ecosystem::Node);
        npm_members(root, &mut layout);
    }
    if ["pyproject.toml", "setup.py", "setup.cfg"]
        .iter()
        .any(|n| has(n))
        || names
            .iter()
            .any(|n| n.starts_with("requirements") && n.ends_with(".txt"))
    {
        layout.ecosystems.insert(Ecosystem::Python);
        python_packages(root, &names, &mut layout);
    }
    if has("go.mod") || has("go.work") {
        layout.ecosystems.insert(Ecosystem::Go);
        go_packages(root, &names, &mut layout);
    }
    let go = layout.ecosystems.contains(&Ecosystem::Go);
    for dir in CODE_DIRS.iter().chain(if go { GO_DIRS } else { &[] }) {
        if root.join(dir).is_dir() {
            layout.code.insert(format!("{dir}/**"));
        }
    }
    for dir in DOC_DIRS {
        if root.join(dir).is_dir() {
            layout.docs.insert(format!("{dir}/**"));
        }
    }
    for name in &names {
        let upper = name.to_ascii_uppercase();
        if DOC_FILE_PREFIXES.iter().any(|p| upper.starts_with(p)) && root.join(name).is_file() {
            layout.docs.insert(format!("/{name}"));
        }
    }
    for (eco, files) in MANIFESTS {
        if layout.ecosystems.contains(eco) {
            layout
                .manifests
                .extend(files.iter().map(|f| (*f).to_owned()));
        }
    }
    layout
}

/// The names in a folder, sorted; empty when it cannot be read.
pub(super) fn list(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Reads a small text file; `None` when missing or unreadable (init only advises).
pub(super) fn read(path: &Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.len() > 1 << 20 {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

/// Adds a workspace member pattern (`crates/*`, `cli`, `./packages/**`) as an edit area when
/// its folder exists.
fn add_member(root: &Path, pattern: &str, layout: &mut Layout) {
    let trimmed = pattern
        .trim()
        .trim_start_matches("./")
        .trim_end_matches('/');
    if trimmed.is_empty() || trimmed.starts_with('!') || trimmed.contains("..") {
        return;
    }
    layout.members.push(trimmed.to_owned());
    // The literal folder part before any glob character is the edit area.
    let literal: Vec<&str> = trimmed
        .split('/')
        .take_while(|part| !part.contains(['*', '?', '[', '{']))
        .collect();
    if literal.is_empty() {
        return;
    }
    let dir = literal.join("/");
    if dir != "." && root.join(&dir).is_dir() {
        layout.code.insert(format!("{dir}/**"));
    }
}

fn cargo_members(root: &Path, layout: &mut Layout) {
    let Some(text) = read(&root.join("Cargo.toml")) else {
        return;
    };
    let Ok(value) = text.parse::<toml::Table>() else {
        return;
    };
    let members = value
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(toml::Value::as_array);
    for member in members
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_str)
    {
        add_member(root, member, layout);
    }
}

fn npm_members(root: &Path, layout: &mut Layout) {
    if let Some(json) = read(&root.join("package.json"))
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    {
        // `"workspaces": [...]` or `"workspaces": { "packages": [...] }` (yarn).
        let list = json.get("workspaces").and_then(|w| {
            w.as_array()
                .or_else(|| w.get("packages").and_then(|p| p.as_array()))
        });
        for member in list.into_iter().flatten().filter_map(|v| v.as_str()) {
            add_member(root, member, layout);
        }
    }
    if let Some(text) = read(&root.join("pnpm-workspace.yaml")) {
        for member in yaml_list(&text, "packages") {
            add_member(root, &member, layout);
        }
    }
}

/// The string items of a top-level block list `key:` in a simple YAML file
/// (`pnpm-workspace.yaml`'s `packages:`), quotes removed.
fn yaml_list(text: &str, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let code = line.split(" #").next().unwrap_or_default();
        if !code.starts_with([' ', '-', '\t']) && !code.trim().is_empty() {
            inside = code.trim_end() == format!("{key}:");
            continue;
        }
        if let Some(item) = code.trim().strip_prefix("- ").filter(|_| inside) {
            out.push(item.trim().trim_matches(['\'', '"']).to_owned());
        }
    }
    out
}

fn python_packages(root: &Path, names: &[String], layout: &mut Layout) {
    // Flat layout: a package folder at the root (`mypkg/__init__.py`).
    for name in names {
        let dir = root.join(name);
        if !name.starts_with('.') && dir.join("__init__.py").is_file() {
            layout.code.insert(format!("{name}/**"));
        }
    }
}

fn go_packages(root: &Path, names: &[String], layout: &mut Layout) {
    if names.iter().any(|n| n.ends_with(".go")) {
        layout.root_files.insert("/*.go".into());
        if root.join("testdata").is_dir() {
            layout.code.insert("testdata/**".into());
        }
    }
    if let Some(text) = read(&root.join("go.work")) {
        for member in go_work_uses(&text) {
            add_member(root, &member, layout);
        }
    }
    // Package folders below the root: any folder with `.go` files directly inside.
    for name in names {
        let dir = root.join(name);
        if name.starts_with('.') || name == "vendor" || !dir.is_dir() {
            continue;
        }
        if list(&dir).iter().any(|n| n.ends_with(".go")) {
            layout.code.insert(format!("{name}/**"));
        }
    }
}

/// The folders of `go.work`'s `use` directives (`use ./x` and `use ( ./a ./b )`).
fn go_work_uses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_block = false;
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or_default().trim();
        if in_block {
            if line == ")" {
                in_block = false;
            } else if !line.is_empty() {
                out.push(line.to_owned());
            }
        } else if let Some(rest) = line.strip_prefix("use") {
            let rest = rest.trim();
            if rest == "(" {
                in_block = true;
            } else if !rest.is_empty() {
                out.push(rest.to_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_work_use_directives_in_both_forms_are_read() {
        let text = "go 1.22\nuse ./tool\nuse (\n\t./api // the API\n\t./web\n)\n";
        assert_eq!(go_work_uses(text), ["./tool", "./api", "./web"]);
    }

    #[test]
    fn pnpm_workspace_packages_are_read_without_quotes() {
        let text = "packages:\n  - 'packages/*'\n  - \"apps/web\" # the site\ncatalog:\n  - x\n";
        assert_eq!(yaml_list(text, "packages"), ["packages/*", "apps/web"]);
    }
}
