//! What a test runner's own output says happened (SPEC §6.6): the summary lines of the known
//! runners, parsed into "N passed, M failed". A Bash call that exited 0 proves little on its
//! own — `cargo test --no-run`, `cargo test -- --list` and a filter that matches nothing all
//! exit 0 having run no test — so a known runner's run is evidence only when its summary
//! shows tests ran and none failed.
//!
//! Parsed per line, tolerant of colour codes and of the leading text Claude Code adds
//! (`Exit code 101`). Several summaries add up: `cargo test` prints one `test result:` line
//! per test binary (unit tests, each integration test, doc-tests).

/// The summaries found in one output, added up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub passed: u64,
    pub failed: u64,
    /// At least one summary line of a known runner was found.
    pub found: bool,
}

impl Summary {
    fn add(&mut self, passed: u64, failed: u64) {
        self.found = true;
        self.passed = self.passed.saturating_add(passed);
        self.failed = self.failed.saturating_add(failed);
    }
}

/// Adds up every known runner's summary line in `output`.
pub fn parse(output: &str) -> Summary {
    let mut summary = Summary::default();
    for raw in output.lines() {
        let line = strip_ansi(raw);
        let line = line.trim();
        if let Some((passed, failed)) = libtest(line)
            .or_else(|| nextest(line))
            .or_else(|| jest(line))
            .or_else(|| vitest(line))
            .or_else(|| mocha(line))
            .or_else(|| go_test(line))
            .or_else(|| pytest(line))
        {
            summary.add(passed, failed);
        }
    }
    summary
}

/// Removes ANSI escape sequences (`--color=always` output).
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// `N word` pairs separated by `,`, `;` or `|` (`4 passed, 1 failed`): the counts of the
/// words that mean a pass and a failure. `None` when a part is not such a pair or neither
/// word appears.
fn counted_pairs(text: &str, pass: &[&str], fail: &[&str], other: &[&str]) -> Option<(u64, u64)> {
    let (mut passed, mut failed, mut seen) = (0u64, 0u64, false);
    for part in text.split([',', ';', '|']) {
        let mut words = part.split_whitespace();
        let (Some(count), Some(word)) = (words.next(), words.next()) else {
            continue;
        };
        if words.next().is_some() {
            return None;
        }
        let count: u64 = count.parse().ok()?;
        let word = word.trim_end_matches(['.', ':']);
        if pass.contains(&word) {
            passed = passed.saturating_add(count);
            seen = true;
        } else if fail.contains(&word) {
            failed = failed.saturating_add(count);
            seen = true;
        } else if !other.contains(&word) {
            return None;
        }
    }
    seen.then_some((passed, failed))
}

/// libtest: `test result: ok. 5 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out;
/// finished in 0.01s` (`FAILED.` when a test failed).
fn libtest(line: &str) -> Option<(u64, u64)> {
    let rest = line.strip_prefix("test result: ")?;
    let (verdict, counts) = rest.split_once(". ")?;
    let counts = counts.split("; finished").next().unwrap_or(counts);
    let (passed, failed) = counted_pairs(
        counts,
        &["passed"],
        &["failed"],
        &["ignored", "measured", "filtered"],
    )
    .or_else(|| {
        // `0 filtered out` has three words: drop it before counting.
        let kept: Vec<&str> = counts
            .split(';')
            .filter(|p| !p.trim().ends_with("filtered out"))
            .collect();
        counted_pairs(
            &kept.join(";"),
            &["passed"],
            &["failed"],
            &["ignored", "measured"],
        )
    })?;
    // `FAILED.` with no failed count (a panicking harness) is still a failure.
    let failed = if verdict == "FAILED" {
        failed.max(1)
    } else {
        failed
    };
    Some((passed, failed))
}

/// cargo-nextest: `Summary [ 0.010s] 5 tests run: 5 passed, 0 skipped` (`4 passed, 1 failed`).
fn nextest(line: &str) -> Option<(u64, u64)> {
    let rest = line.strip_prefix("Summary")?;
    let (_, counts) = rest.split_once(" run: ")?;
    let (mut passed, mut failed) = (0u64, 0u64);
    for part in counts.split(',') {
        let mut words = part.split_whitespace();
        let count: u64 = words.next()?.parse().ok()?;
        match words.next()? {
            "passed" => passed = passed.saturating_add(count),
            "failed" | "timed" => failed = failed.saturating_add(count),
            _ => {}
        }
    }
    Some((passed, failed))
}

/// jest: `Tests:       1 failed, 4 passed, 5 total`.
fn jest(line: &str) -> Option<(u64, u64)> {
    let rest = line.strip_prefix("Tests:")?;
    counted_pairs(
        rest,
        &["passed"],
        &["failed"],
        &["total", "skipped", "todo", "pending"],
    )
}

/// vitest: `Tests  4 passed (4)`, `Tests  1 failed | 3 passed (4)`.
fn vitest(line: &str) -> Option<(u64, u64)> {
    let rest = line.strip_prefix("Tests ")?;
    let counts = rest.rsplit_once(" (").map_or(rest, |(c, _)| c);
    counted_pairs(counts, &["passed"], &["failed"], &["skipped", "todo"])
}

/// mocha: `5 passing (12ms)`, `1 failing` (separate lines; each adds up).
fn mocha(line: &str) -> Option<(u64, u64)> {
    let mut words = line.split_whitespace();
    let count: u64 = words.next()?.parse().ok()?;
    match (words.next()?, words.next()) {
        ("passing", Some(t)) if t.starts_with('(') => Some((count, 0)),
        ("failing", None) => Some((0, count)),
        _ => None,
    }
}

/// go test: `ok   pkg 0.01s` (one package passed; `[no tests to run]` counts none),
/// `FAIL pkg 0.01s` / `FAIL` / `--- FAIL: TestX`.
fn go_test(line: &str) -> Option<(u64, u64)> {
    let mut words = line.split_whitespace();
    match words.next()? {
        "ok" => {
            let _package = words.next()?;
            let rest: Vec<&str> = words.collect();
            let ran = !rest.join(" ").contains("[no tests to run]");
            Some((u64::from(ran), 0))
        }
        "FAIL" => Some((0, 1)),
        "---" if line.starts_with("--- FAIL:") => Some((0, 1)),
        _ => None,
    }
}

/// pytest: `===== 1 failed, 4 passed, 2 warnings in 0.20s =====` (or the `-q` form without
/// the rule); `no tests ran in 0.01s` counts none.
fn pytest(line: &str) -> Option<(u64, u64)> {
    let line = line.trim_matches(|c: char| c == '=' || c.is_whitespace());
    if line.starts_with("no tests ran") {
        return Some((0, 0));
    }
    let (counts, time) = line.rsplit_once(" in ")?;
    let time = time.split_whitespace().next()?;
    if !time.ends_with('s') || !time.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    counted_pairs(
        counts,
        &["passed"],
        &["failed", "error", "errors"],
        &[
            "skipped",
            "xfailed",
            "xpassed",
            "warning",
            "warnings",
            "deselected",
            "rerun",
            "subtests",
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! summary {
        ($($name:ident: $output:expr => $passed:expr, $failed:expr, $found:expr;)*) => {$(
            #[test]
            fn $name() {
                let s = parse($output);
                assert_eq!((s.passed, s.failed, s.found), ($passed, $failed, $found), "{:?}", $output);
            }
        )*};
    }

    summary! {
        libtest_passing: "running 3 tests\n...\ntest result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n" => 3, 0, true;
        libtest_several_binaries_add_up: "test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\ntest result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s" => 4, 2, true;
        libtest_filter_matching_nothing_ran_none: "running 0 tests\n\ntest result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 5 filtered out; finished in 0.00s" => 0, 0, true;
        libtest_no_run_prints_no_summary: "   Compiling x v0.1.0\n    Finished `test` profile\n  Executable unittests src/lib.rs (target/debug/deps/x-1234)" => 0, 0, false;
        libtest_list_prints_no_summary: "tests::a: test\ntests::b: test\n\n2 tests, 0 benchmarks" => 0, 0, false;
        libtest_coloured: "test result: \u{1b}[32mok\u{1b}[0m. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s" => 2, 0, true;
        nextest_passing: "     Summary [   0.010s] 5 tests run: 5 passed, 0 skipped" => 5, 0, true;
        nextest_failing: "     Summary [   0.010s] 5 tests run: 4 passed, 1 failed, 0 skipped" => 4, 1, true;
        pytest_passing: "============ 4 passed, 2 warnings in 0.12s ============" => 4, 0, true;
        pytest_failing_quiet: "1 failed, 4 passed in 0.20s" => 4, 1, true;
        pytest_nothing_collected: "============ no tests ran in 0.01s ============" => 0, 0, true;
        go_packages: "ok  \texample.com/a\t0.01s\n?   \texample.com/b\t[no test files]\nok  \texample.com/c\t0.02s" => 2, 0, true;
        go_no_tests_to_run: "ok  \texample.com/a\t0.01s [no tests to run]" => 0, 0, true;
        go_failing: "--- FAIL: TestX (0.00s)\nFAIL\nFAIL\texample.com/a\t0.01s" => 0, 3, true;
        jest_passing: "Tests:       5 passed, 5 total" => 5, 0, true;
        jest_failing: "Tests:       1 failed, 4 passed, 5 total" => 4, 1, true;
        vitest_passing: " Tests  4 passed (4)" => 4, 0, true;
        vitest_failing: " Tests  1 failed | 3 passed (4)" => 3, 1, true;
        mocha_passing: "  5 passing (12ms)" => 5, 0, true;
        mocha_failing: "  4 passing (12ms)\n  1 failing" => 4, 1, true;
        help_text_is_no_summary: "Usage: cargo test [OPTIONS] [TESTNAME] [-- [ARGS]...]\n  --no-run  Compile, but don't run tests" => 0, 0, false;
        prose_is_no_summary: "all tests passed in my head" => 0, 0, false;
    }
}
