//! Where a repository writes down the commands it runs: `package.json` scripts, Makefile and
//! justfile targets, tox/nox, pre-commit, the `run:` steps of its GitHub workflows and the
//! shell blocks of AGENTS.md / CLAUDE.md. Each source yields command lines as text; the
//! shell parser later splits them into simple commands (see `commands`).

use super::detect::{list, read};
use std::path::Path;

/// Command lines a repository runs, with where each was found (for the starter's comments).
#[derive(Debug, Default)]
pub(super) struct Found {
    pub lines: Vec<(String, &'static str)>,
}

impl Found {
    fn push(&mut self, line: impl Into<String>, source: &'static str) {
        self.lines.push((line.into(), source));
    }
}

/// Script and target names that publish, deploy or install system-wide: never harvested.
pub(super) fn risky_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "publish",
        "deploy",
        "release",
        "upload",
        "push",
        "docker",
        "install",
        "clean",
        "prepare",
        "prepublish",
        "postinstall",
        "preinstall",
        "version",
        "login",
        "secret",
        "lock",
        "bump",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Every command line the repository's own files name.
pub(super) fn gather(root: &Path) -> Found {
    let mut found = Found::default();
    npm_scripts(root, &mut found);
    make_targets(root, "Makefile", "make", &mut found);
    make_targets(root, "GNUmakefile", "make", &mut found);
    just_recipes(root, &mut found);
    if root.join("tox.ini").is_file()
        || read(&root.join("pyproject.toml")).is_some_and(|t| t.contains("[tool.tox"))
    {
        found.push("tox", "tox");
    }
    if root.join("noxfile.py").is_file() {
        found.push("nox", "nox");
    }
    if root.join(".pre-commit-config.yaml").is_file() {
        found.push("pre-commit run --all-files", "pre-commit");
    }
    let workflows = root.join(".github/workflows");
    for name in list(&workflows) {
        if name.ends_with(".yml") || name.ends_with(".yaml") {
            for line in read(&workflows.join(&name))
                .map(|t| run_steps(&t))
                .unwrap_or_default()
            {
                found.push(line, "CI");
            }
        }
    }
    for line in read(&root.join(".gitlab-ci.yml"))
        .map(|t| gitlab_scripts(&t))
        .unwrap_or_default()
    {
        found.push(line, "CI");
    }
    for doc in ["AGENTS.md", "CLAUDE.md", "CONTRIBUTING.md"] {
        for line in read(&root.join(doc))
            .map(|t| shell_blocks(&t))
            .unwrap_or_default()
        {
            found.push(line, "docs");
        }
    }
    found
}

fn npm_scripts(root: &Path, found: &mut Found) {
    let Some(json) = read(&root.join("package.json"))
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
    else {
        return;
    };
    let runner = if root.join("pnpm-lock.yaml").is_file() {
        "pnpm"
    } else if root.join("yarn.lock").is_file() {
        "yarn"
    } else {
        "npm"
    };
    let scripts = json.get("scripts").and_then(|s| s.as_object());
    for name in scripts.into_iter().flat_map(|s| s.keys()) {
        if risky_name(name) || name.starts_with("pre") || name.starts_with("post") {
            continue;
        }
        if name == "test" {
            found.push(format!("{runner} test"), "package.json");
        }
        found.push(format!("{runner} run {name}"), "package.json");
        if runner != "npm" {
            found.push(format!("npm run {name}"), "package.json");
        }
    }
}

/// `make <target>` for each explicit target of a Makefile (not `.PHONY`-style specials, not
/// pattern rules, not variable assignments).
fn make_targets(root: &Path, file: &str, program: &str, found: &mut Found) {
    let Some(text) = read(&root.join(file)) else {
        return;
    };
    for line in text.lines() {
        if line.starts_with(['\t', ' ', '.', '#']) {
            continue;
        }
        let Some((head, rest)) = line.split_once(':') else {
            continue;
        };
        if rest.starts_with('=') || head.contains(['=', '%', '$', '(']) {
            continue;
        }
        for target in head.split_whitespace() {
            if !risky_name(target) {
                found.push(format!("{program} {target}"), "Makefile");
            }
        }
    }
}

/// `just <recipe>` for each recipe of a justfile (`name arg:`; not `x := y`, not settings).
fn just_recipes(root: &Path, found: &mut Found) {
    let text = ["justfile", "Justfile", ".justfile"]
        .iter()
        .find_map(|n| read(&root.join(n)));
    for line in text.iter().flat_map(|t| t.lines()) {
        if line.starts_with([' ', '\t', '#', '[', '@']) || line.starts_with("set ") {
            continue;
        }
        let Some((head, rest)) = line.split_once(':') else {
            continue;
        };
        if rest.starts_with('=') || head.contains(":=") {
            continue;
        }
        if let Some(name) = head.split_whitespace().next()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !risky_name(name)
        {
            found.push(format!("just {name}"), "justfile");
        }
    }
}

/// The value of every `run:` key of a GitHub workflow: plain, quoted, or a `|`/`>` block.
/// A careful reader of that one key, not a YAML parser: block scalars of other keys are
/// skipped whole, so a `run:` written inside another step's script is not mistaken for one.
/// `${{ … }}` expressions become a placeholder word so the shell parser can read the line.
pub(super) fn run_steps(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        let indent = line.len() - line.trim_start().len();
        let body = line.trim_start();
        let body = body.strip_prefix("- ").map_or(body, str::trim_start);
        let key_col = line.len() - body.len();
        let Some((key, value)) = body.split_once(':') else {
            continue;
        };
        if key.contains([' ', '"', '\'']) {
            continue;
        }
        let value = value.trim();
        let is_block = value.starts_with('|') || value.starts_with('>');
        let collected = if is_block {
            Some(block(
                &lines,
                &mut i,
                key_col.max(indent),
                value.starts_with('>'),
            ))
        } else if key == "run" {
            Some(scalar(value))
        } else {
            None
        };
        if key == "run"
            && let Some(script) = collected
        {
            out.push(gha_expressions(&script));
        }
    }
    out
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The lines of a block (`|` or `>`) starting at `lines[*i]`, more indented than `parent`,
/// joined as YAML would (`>` folds lines with spaces); `*i` moves past the block.
fn block(lines: &[&str], i: &mut usize, parent: usize, folded: bool) -> String {
    let mut taken = Vec::new();
    while let Some(next) = lines.get(*i) {
        if !next.trim().is_empty() && indent_of(next) <= parent {
            break;
        }
        taken.push(*next);
        *i += 1;
    }
    let strip = taken
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent_of(l))
        .min()
        .unwrap_or(0);
    let text: Vec<&str> = taken.iter().map(|l| l.get(strip..).unwrap_or("")).collect();
    text.join(if folded { " " } else { "\n" })
}

/// The commands of `.gitlab-ci.yml` jobs: the items of every `script:`, `before_script:` and
/// `after_script:` (a block list of plain, quoted or `|` items, a flow list, or one scalar).
pub(super) fn gitlab_scripts(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        i += 1;
        let indent = indent_of(line);
        let Some((key, value)) = line.trim().split_once(':') else {
            continue;
        };
        if !matches!(key, "script" | "before_script" | "after_script") {
            continue;
        }
        let value = value.trim();
        if let Some(flow) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            out.extend(flow.split(',').map(|s| scalar(s.trim())));
        } else if value.starts_with('|') || value.starts_with('>') {
            out.push(block(&lines, &mut i, indent, value.starts_with('>')));
        } else if !value.is_empty() {
            out.push(scalar(value));
        } else {
            // A block list: `- item` lines, at the key's indentation or deeper.
            while let Some(next) = lines.get(i) {
                let item_indent = indent_of(next);
                let Some(item) = next.trim_start().strip_prefix("- ") else {
                    if next.trim().is_empty() || item_indent > indent {
                        i += 1;
                        continue;
                    }
                    break;
                };
                if item_indent < indent {
                    break;
                }
                i += 1;
                let item = item.trim();
                if item.starts_with('|') || item.starts_with('>') {
                    out.push(block(&lines, &mut i, item_indent, item.starts_with('>')));
                } else {
                    out.push(scalar(item));
                }
            }
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

/// A one-line YAML scalar: quotes removed (`''` and `\"` unescaped), a trailing ` #` comment
/// dropped from plain scalars.
fn scalar(value: &str) -> String {
    if let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        return inner.replace("''", "'");
    }
    if let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        return inner.replace("\\\"", "\"").replace("\\\\", "\\");
    }
    value
        .split(" #")
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}

/// `${{ matrix.x }}` → `GHA_EXPR`: the value is unknown at init time.
fn gha_expressions(script: &str) -> String {
    let mut out = String::new();
    let mut rest = script;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        match rest[start..].find("}}") {
            Some(end) => {
                out.push_str("GHA_EXPR");
                rest = &rest[start + end + 2..];
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The lines of fenced shell blocks (```sh, ```bash, ```console, ```shell or unlabelled) in a
/// markdown file, without `$ ` prompts and without comment lines.
pub(super) fn shell_blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside: Option<bool> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(label) = trimmed.strip_prefix("```") {
            inside = match inside {
                Some(_) => None,
                None => Some(matches!(
                    label.trim(),
                    "" | "sh" | "bash" | "shell" | "console" | "zsh"
                )),
            };
            continue;
        }
        if inside == Some(true) {
            let command = trimmed.strip_prefix("$ ").unwrap_or(trimmed).trim();
            if !command.is_empty() && !command.starts_with('#') {
                out.push(command.to_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_run_steps_are_read_in_every_scalar_form() {
        let yaml = r#"
jobs:
  test:
    steps:
      - uses: actions/checkout@v4
      - run: cargo test --workspace   # all crates
      - name: lint
        run: |
          cargo fmt --all -- --check
          cargo clippy --all-targets -- -D warnings
      - run: "npm ci"
      - name: folded
        run: >-
          pytest
          -q tests
      - name: with
        with:
          script: |
            run: not a step
      - run: go test ${{ matrix.flags }} ./...
"#;
        assert_eq!(
            run_steps(yaml),
            [
                "cargo test --workspace",
                "cargo fmt --all -- --check\ncargo clippy --all-targets -- -D warnings",
                "npm ci",
                "pytest -q tests",
                "go test GHA_EXPR ./...",
            ]
        );
    }

    #[test]
    fn gitlab_job_scripts_are_read_in_every_list_form() {
        let yaml = r#"
stages: [test]
test:
  image: rust:1.80
  before_script: ["rustup component add clippy"]
  script:
    - cargo test --workspace
    - |
      cargo fmt --all -- --check
      cargo clippy -- -D warnings
    - 'npm ci'
lint:
  script:
  - ruff check .
  variables:
    X: "1"
deploy:
  script: make deploy
"#;
        assert_eq!(
            gitlab_scripts(yaml),
            [
                "rustup component add clippy",
                "cargo test --workspace",
                "cargo fmt --all -- --check\ncargo clippy -- -D warnings",
                "npm ci",
                "ruff check .",
                "make deploy",
            ]
        );
    }

    #[test]
    fn markdown_shell_blocks_lose_prompts_and_comments() {
        let md =
            "Run:\n```console\n$ make test\n# lint\nruff check .\n```\n```python\nprint(1)\n```\n";
        assert_eq!(shell_blocks(md), ["make test", "ruff check ."]);
    }
}
