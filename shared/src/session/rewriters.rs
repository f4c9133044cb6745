//! Formatters and fixers that rewrite the project's files without naming them (SPEC §5
//! writers, §6.6: "formatters and fixers are edits like any other"). `cargo fmt` after the
//! tests changes code the tests never saw; `cargo clippy --fix` under a `high_risk` path is
//! a high-risk edit. Decided on the analysed argv; check-only forms (`cargo fmt --check`,
//! `black --check`, `prettier --check`) do not write.

/// Options that make a formatter only check or print, never write.
const CHECK_ONLY: &[&str] = &["--check", "--diff", "-l", "--list-different", "-d"];

/// True when `argv` runs a formatter or fixer that rewrites files in place across the
/// directory it runs in (or the files it names).
pub fn rewrites_files(argv: &[String]) -> bool {
    let words: Vec<&str> = argv.iter().map(String::as_str).collect();
    let has = |flag: &str| {
        words
            .iter()
            .skip(1)
            .any(|w| *w == flag || w.starts_with(&format!("{flag}=")))
    };
    let check_only = words.iter().skip(1).any(|w| CHECK_ONLY.contains(w));
    match words.as_slice() {
        ["cargo", "fmt", ..] | ["cargo", "+nightly", "fmt", ..] => !check_only,
        ["cargo", "fix", ..] => true,
        ["cargo", "clippy", ..] => has("--fix"),
        ["rustfmt", ..] | ["black", ..] | ["isort", ..] | ["autopep8", ..] => {
            !check_only && (words[0] != "autopep8" || has("-i") || has("--in-place"))
        }
        ["go", "fmt", ..] | ["go", "fix", ..] => true,
        ["gofmt" | "goimports", ..] => has("-w"),
        ["ruff", "format", ..] => !check_only,
        ["ruff", ..] => has("--fix"),
        ["prettier", ..] => has("--write") || has("-w"),
        ["eslint", ..] | ["stylelint", ..] => has("--fix"),
        ["clang-format", ..] => has("-i"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrites(command: &str) -> bool {
        let argv: Vec<String> = command.split_whitespace().map(str::to_owned).collect();
        rewrites_files(&argv)
    }

    #[test]
    fn formatters_and_fixers_rewrite_files() {
        for command in [
            "cargo fmt",
            "cargo fmt --all",
            "cargo clippy --fix --allow-dirty",
            "cargo fix --edition",
            "rustfmt src/lib.rs",
            "go fmt ./...",
            "gofmt -w .",
            "black .",
            "ruff format",
            "ruff check --fix",
            "prettier --write src",
            "eslint --fix .",
            "clang-format -i a.c",
        ] {
            assert!(rewrites(command), "{command}");
        }
    }

    #[test]
    fn checks_and_other_commands_do_not() {
        for command in [
            "cargo fmt --check",
            "cargo fmt --all -- --check",
            "cargo clippy -- -D warnings",
            "black --check .",
            "gofmt -l .",
            "prettier --check src",
            "eslint .",
            "cargo test",
        ] {
            assert!(!rewrites(command), "{command}");
        }
    }
}
