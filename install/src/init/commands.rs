//! From the repository's command lines to `[run]` rules: each line is split into simple
//! commands by the real shell analyser (never by regexes over the text), each simple command
//! of a known developer tool becomes a rule (`cargo test`, `npm run lint`, `make check`) and
//! is sorted into tests / format / lint / install / build. Programs we do not know, one-off
//! scripts and anything that publishes, deploys or installs system-wide are left out: the
//! budget's `default` decides them.

use super::sources::{Found, risky_name};
use budget_policy::fsview::RealFs;
use budget_policy::shell::{self, ShellContext};
use std::collections::BTreeSet;
use std::path::Path;

/// What a command is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Purpose {
    Test,
    Format,
    Lint,
    Install,
    Build,
}

/// The repository's own commands, as rules, by purpose.
#[derive(Debug, Default)]
pub(super) struct RepoCommands {
    pub rules: BTreeSet<(Purpose, String)>,
    /// Where they were found (`CI`, `package.json`, `Makefile`, …).
    pub sources: BTreeSet<&'static str>,
}

impl RepoCommands {
    pub(super) fn with(&self, purpose: Purpose) -> impl Iterator<Item = &str> {
        self.rules
            .iter()
            .filter(move |(p, _)| *p == purpose)
            .map(|(_, r)| r.as_str())
    }
}

/// Turns every gathered command line into rules.
pub(super) fn rules(root: &Path, found: &Found) -> RepoCommands {
    let fs = RealFs;
    let ctx = ShellContext {
        cwd: root.to_path_buf(),
        home: None,
        project_dir: root.to_path_buf(),
        fs: &fs,
    };
    let mut out = RepoCommands::default();
    for (line, source) in &found.lines {
        let analysis = shell::analyse(line, &ctx);
        for command in analysis.commands.iter().filter(|c| !c.transparent) {
            if let Some(rule) = rule_for(&command.argv) {
                out.rules.insert(rule);
                out.sources.insert(source);
            }
        }
    }
    out
}

/// Words that do not begin with `-`.
fn positional(args: &[String]) -> Vec<&str> {
    args.iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with('-') && !a.starts_with('+'))
        .collect()
}

/// A regex rule matching exactly this command text (words joined by single spaces): for
/// install steps, whose prefix would also match `npm install <any package>`.
fn exact(argv: &[String]) -> String {
    let text = argv.join(" ");
    let mut escaped = String::from("re:^");
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('$');
    escaped
}

/// The purpose of a script or target by its name (`test:unit`, `lint`, `fmt`, `typecheck`).
fn purpose_of_name(name: &str) -> Option<Purpose> {
    let lower = name.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["test", "spec", "coverage", "e2e"]) {
        Some(Purpose::Test)
    } else if has(&["fmt", "format", "prettier"]) {
        Some(Purpose::Format)
    } else if has(&[
        "lint",
        "check",
        "clippy",
        "vet",
        "typecheck",
        "types",
        "tsc",
        "mypy",
        "pyright",
    ]) {
        Some(Purpose::Lint)
    } else if has(&[
        "build", "compile", "doc", "bench", "dev", "start", "serve", "watch",
    ]) {
        Some(Purpose::Build)
    } else {
        None
    }
}

/// The purpose of a developer tool by its name (`pytest`, `ruff`, `eslint`, …).
fn tool_purpose(tool: &str) -> Option<Purpose> {
    Some(match tool {
        "pytest" | "py.test" | "tox" | "nox" | "vitest" | "jest" | "mocha" | "ava" | "tap"
        | "playwright" | "unittest" => Purpose::Test,
        "black" | "isort" | "prettier" | "rustfmt" | "gofmt" | "autopep8" | "yapf" => {
            Purpose::Format
        }
        "ruff" | "flake8" | "mypy" | "pylint" | "pyright" | "eslint" | "tsc" | "biome"
        | "golangci-lint" | "staticcheck" | "pre-commit" | "codespell" => Purpose::Lint,
        _ => return None,
    })
}

/// One simple command of the repository → a rule and its purpose, when it is a developer
/// tool we know and not a publish / deploy / system-wide install.
pub(super) fn rule_for(argv: &[String]) -> Option<(Purpose, String)> {
    let (program, args) = argv.split_first()?;
    let words = positional(args);
    let first = words.first().copied();
    let rule = |purpose, words: &[&str]| Some((purpose, words.join(" ")));
    match program.as_str() {
        "cargo" => {
            let sub = first?;
            match sub {
                "test" | "t" => rule(Purpose::Test, &["cargo", "test"]),
                "nextest" => rule(Purpose::Test, &["cargo", "nextest", "run"]),
                "fmt" => rule(Purpose::Format, &["cargo", "fmt"]),
                "clippy" | "check" | "c" | "deny" | "audit" | "machete" => {
                    rule(Purpose::Lint, &["cargo", sub])
                }
                "build" | "b" | "doc" | "bench" | "tree" | "metadata" => {
                    rule(Purpose::Build, &["cargo", sub])
                }
                "fetch" => rule(Purpose::Install, &["cargo", "fetch"]),
                _ => None,
            }
        }
        "npm" | "pnpm" | "yarn" | "bun" => {
            let sub = first?;
            match sub {
                "run" | "run-script" => {
                    let script = *words.get(1)?;
                    if risky_name(script) {
                        return None;
                    }
                    // A script whose name says nothing of its purpose is not harvested.
                    rule(purpose_of_name(script)?, &[program, "run", script])
                }
                "test" | "t" => rule(Purpose::Test, &[program, "test"]),
                "ci" => rule(Purpose::Install, &[program, "ci"]),
                "install" | "i" if words.len() == 1 => Some((Purpose::Install, exact(argv))),
                "exec" | "dlx" => tool_rule(program, &words[1..]),
                _ if program != "npm" && !risky_name(sub) => {
                    // `yarn lint`, `pnpm build`: a script run without `run`.
                    purpose_of_name(sub).map(|p| (p, format!("{program} {sub}")))
                }
                _ => None,
            }
        }
        "npx" | "pnpx" | "bunx" => tool_rule(program, &words),
        "make" | "just" => match first {
            None => rule(Purpose::Build, &[program]),
            Some(target) if !target.contains('=') && !risky_name(target) => {
                rule(purpose_of_name(target)?, &[program, target])
            }
            Some(_) => None,
        },
        "go" => match first? {
            "test" => rule(Purpose::Test, &["go", "test"]),
            "vet" => rule(Purpose::Lint, &["go", "vet"]),
            "build" => rule(Purpose::Build, &["go", "build"]),
            "fmt" => rule(Purpose::Format, &["go", "fmt"]),
            "mod" if words.get(1) == Some(&"download") => {
                rule(Purpose::Install, &["go", "mod", "download"])
            }
            _ => None,
        },
        "python" | "python3" | "py" => {
            // Only `python -m <module>` of a known tool; a script file is not harvested.
            let m = args.iter().position(|a| a == "-m")?;
            let module = args.get(m + 1)?.as_str();
            if module == "pip" {
                return pip(argv, &args[m + 2..]);
            }
            let purpose =
                tool_purpose(module).or_else(|| (module == "build").then_some(Purpose::Build))?;
            rule(purpose, &[program, "-m", module])
        }
        "pip" | "pip3" => pip(argv, args),
        "uv" => match first? {
            "sync" => Some((Purpose::Install, exact(argv))),
            "run" => {
                let tool = *words.get(1)?;
                let purpose = tool_purpose(tool)?;
                rule(purpose, &["uv", "run", tool])
            }
            "pip" if words.get(1) == Some(&"install") => pip(argv, &args[2..]),
            _ => None,
        },
        "poetry" | "hatch" | "pdm" => match first? {
            "install" | "sync" => Some((Purpose::Install, exact(argv))),
            "run" => {
                let tool = *words.get(1)?;
                rule(tool_purpose(tool)?, &[program, "run", tool])
            }
            "test" => rule(Purpose::Test, &[program, "test"]),
            _ => None,
        },
        "ruff" => match first {
            Some("format") => rule(Purpose::Format, &["ruff", "format"]),
            _ => rule(Purpose::Lint, &["ruff", "check"]),
        },
        "pre-commit" => rule(Purpose::Lint, &["pre-commit", "run"]),
        "golangci-lint" => rule(Purpose::Lint, &["golangci-lint", "run"]),
        "maturin" if first == Some("develop") => rule(Purpose::Build, &["maturin", "develop"]),
        tool => tool_purpose(tool).map(|p| (p, tool.to_owned())),
    }
}

/// `npx vitest`, `pnpm exec eslint`: the tool after the runner.
fn tool_rule(program: &str, words: &[&str]) -> Option<(Purpose, String)> {
    let tool = *words.first()?;
    let purpose = tool_purpose(tool)?;
    let runner = if matches!(program, "pnpm" | "yarn" | "bun") {
        format!("{program} exec")
    } else {
        program.to_owned()
    };
    Some((purpose, format!("{runner} {tool}")))
}

/// `pip install -e .` / `-r requirements*.txt` (the project's own dependencies), exactly as
/// written; `pip install <package>` is left to the budget's default.
fn pip(argv: &[String], rest: &[String]) -> Option<(Purpose, String)> {
    let install = rest.iter().position(|a| a == "install")?;
    let options = &rest[install + 1..];
    let own = options
        .iter()
        .any(|a| a == "-e" || a == "-r" || a == "." || a.starts_with(".[") || a.starts_with("-e."));
    own.then(|| (Purpose::Install, exact(argv)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(line: &str) -> Option<(Purpose, String)> {
        let argv: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        rule_for(&argv)
    }

    #[test]
    fn known_tools_become_prefix_rules_by_purpose() {
        assert_eq!(
            rule("cargo test --workspace"),
            Some((Purpose::Test, "cargo test".into()))
        );
        assert_eq!(
            rule("npm run lint:js"),
            Some((Purpose::Lint, "npm run lint:js".into()))
        );
        assert_eq!(
            rule("python -m pytest -q"),
            Some((Purpose::Test, "python -m pytest".into()))
        );
        assert_eq!(
            rule("make check"),
            Some((Purpose::Lint, "make check".into()))
        );
        assert_eq!(
            rule("uv run ruff check"),
            Some((Purpose::Lint, "uv run ruff".into()))
        );
    }

    #[test]
    fn publishing_and_arbitrary_installs_are_not_harvested() {
        for line in [
            "cargo publish",
            "npm publish",
            "npm run release",
            "pip install requests",
            "go install example.com/x@latest",
            "make deploy",
            "./scripts/anything.sh",
            "make rebuild-lockfiles",
            "npm run bump",
            "make frobnicate",
        ] {
            assert_eq!(rule(line), None, "{line}");
        }
    }

    #[test]
    fn install_steps_match_only_as_written() {
        let (purpose, text) = rule("pip install -e .[dev]").unwrap_or_else(|| panic!("no rule"));
        assert_eq!(purpose, Purpose::Install);
        assert_eq!(text, r"re:^pip install \-e \.\[dev\]$");
    }
}
