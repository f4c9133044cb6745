//! The everyday baseline every starter allows, and the per-ecosystem defaults used when the
//! repository names no command of its own. Allowing a command never lets it touch a file
//! the `[edit]` and `[read]` rules refuse: the analyser decides each file a command reads or
//! writes (`sed -i`, `sort -o`, `find -delete`, `awk` with `system()` or `> file`) separately.

use super::detect::Ecosystem;

/// Read-only utilities an engineer uses all day.
pub(super) const READ_ONLY: &[&str] = &[
    "cat", "head", "tail", "wc", "sort", "uniq", "cut", "diff", "sed -n", "awk", "find", "ls",
    "tree", "file", "stat", "which", "grep", "rg", "echo", "pwd", "basename", "dirname",
    "realpath", "tr", "jq",
];

/// File-making utilities whose targets the `[edit]` rules decide.
pub(super) const FILE_TOOLS: &[&str] = &["mkdir", "touch", "cp", "mv"];

/// Git verbs for working on a branch. `commit` is refused on `[merge] protected_branches`,
/// and the destructive pack still refuses `checkout -- .`, `stash drop`, `branch -D` …
pub(super) const GIT: &[&str] = &[
    "git status",
    "git diff",
    "git log",
    "git show",
    "git add",
    "git stash list",
    "git stash show",
    "git stash push",
    // Bare `git stash` only: `pop`/`apply` rewrite files the budget may not let the agent edit.
    "re:^git stash$",
    "git checkout -b",
    "git switch -c",
    "git commit",
    // Listing branches only: `git branch -f/-m/-c` moves or renames them.
    "re:^git branch( (-a|-r|-v|-vv|--all|--remotes|--list|--show-current|--verbose))*$",
    "git blame",
    "git grep",
    "git ls-files",
    "git rev-parse",
    "git restore --staged",
];

/// Scripts the agent writes to the scratch area may be run (they are as much the agent's
/// code as the tests it edits).
pub(super) const SCRATCH_RUNNERS: &[&str] = &[
    "python .claude/scratch/*",
    "python3 .claude/scratch/*",
    "node .claude/scratch/*",
];

/// Per ecosystem: commands allowed even when the repository names none, test commands, the
/// toolchain's version queries, dependency changes that need approval, and documentation hosts.
pub(super) struct Defaults {
    pub allow: &'static [&'static str],
    pub tests: &'static [&'static str],
    pub ask: &'static [&'static str],
    pub hosts: &'static [&'static str],
}

pub(super) fn defaults(ecosystem: Ecosystem) -> Defaults {
    match ecosystem {
        Ecosystem::Rust => Defaults {
            allow: &[
                "cargo test",
                "cargo build",
                "cargo check",
                "cargo clippy",
                "cargo fmt",
                "cargo doc",
                "cargo tree",
                "cargo metadata",
                "cargo --version",
                "rustc --version",
                "rustup show",
            ],
            tests: &["cargo test"],
            ask: &["cargo add", "cargo remove", "cargo update"],
            hosts: &["docs.rs", "crates.io", "*.rust-lang.org"],
        },
        Ecosystem::Node => Defaults {
            allow: &[
                "npm test",
                "npm ci",
                "npm ls",
                "node --version",
                "npm --version",
            ],
            tests: &["npm test"],
            ask: &["npm uninstall", "npm update"],
            hosts: &[
                "www.npmjs.com",
                "registry.npmjs.org",
                "nodejs.org",
                "developer.mozilla.org",
            ],
        },
        Ecosystem::Python => Defaults {
            allow: &[
                "pytest",
                "python -m pytest",
                "python3 -m pytest",
                "ruff check",
                "ruff format",
                "mypy",
                "python --version",
                "python3 --version",
                "pip list",
                "pip show",
                // Installing the project itself, editable (`pip install -e .[dev]`).
                r"re:^(python3? -m )?pip3? install (-e|--editable) \.(\[[A-Za-z0-9_,-]+\])?$",
            ],
            tests: &["pytest", "python -m pytest", "python3 -m pytest"],
            ask: &["uv add", "poetry add"],
            hosts: &["pypi.org", "docs.python.org", "*.readthedocs.io"],
        },
        Ecosystem::Go => Defaults {
            allow: &[
                "go test",
                "go build",
                "go vet",
                "go list",
                "go version",
                "gofmt -l",
            ],
            tests: &["go test"],
            ask: &["go get", "go mod tidy"],
            hosts: &["pkg.go.dev", "go.dev"],
        },
    }
}

/// Hosts every starter allows: the repository's own dev server.
pub(super) const LOCAL_HOSTS: &[&str] = &["localhost", "127.0.0.1"];
