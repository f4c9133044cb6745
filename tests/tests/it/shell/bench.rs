//! Timing probe for the analyser (ignored: timings are measured, never asserted).
//! `cargo test --release -p budget-tests --test it shell::bench -- --ignored --nocapture`

use super::{FakeFs, context};
use budget_policy::shell::analyse;
use std::time::{Duration, Instant};

fn time_of(command: &str, runs: u32) -> Duration {
    let fs = FakeFs::project();
    let ctx = context(&fs);
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let analysis = analyse(command, &ctx);
            let elapsed = start.elapsed();
            std::hint::black_box(analysis);
            elapsed
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

#[test]
#[ignore = "timing probe: run by hand"]
fn analysis_time_per_typical_and_hostile_command() {
    let typical = [
        "cargo test",
        "git status",
        "timeout 60 cargo test -p billing 2>&1 | tail -20",
        "cd src && rg TODO | wc -l",
        "git commit -m \"$(cat <<'EOF'\nFix the parser\nEOF\n)\"",
        "bash -c 'cat .env | grep KEY'",
        "find . -name '*.o' -delete",
    ];
    for command in typical {
        println!("typical  {:>9.1?}  {command:?}", time_of(command, 200));
    }
    let hostile = [
        (
            "64 KiB of words",
            format!("echo {}", "a ".repeat(32 * 1024 - 4)),
        ),
        ("64 KiB of `;`-separated commands", "true;".repeat(13_000)),
        ("40 unclosed $(", format!("echo {}", "$(".repeat(40))),
        ("12 unclosed (", "(".repeat(12)),
        ("12 nested if", "if x; then ".repeat(12)),
        (
            "16 nested bash -c",
            (0..16).fold("rm -rf /".to_string(), |inner, _| {
                format!("bash -c {}", shlex_quote(&inner))
            }),
        ),
        (
            "64 KiB here-document",
            format!("cat <<EOF\n{}\nEOF", "x $(y) ".repeat(8000)),
        ),
    ];
    for (name, command) in hostile {
        let command = &command[..command.len().min(64 * 1024)];
        println!("hostile  {:>9.1?}  {name}", time_of(command, 5));
    }
}

/// The many-redirect commands of issue 9 class 10, analysed and decided under the corpus's
/// strict budget (the whole hook path but I/O).
#[test]
#[ignore = "timing probe: run by hand"]
fn decision_time_for_thousands_of_redirect_targets() {
    use budget_policy::decide::{DecideContext, SessionFacts, decide};
    use budget_policy::protocol::ToolCall;
    let fs = FakeFs::project();
    let located = budget_policy::budget::Located {
        project_root: "/p".into(),
        repo_budget: Some(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/corpus/budgets/strict.toml"),
        ),
        user_budget: None,
        managed_budgets: Vec::new(),
    };
    let Ok(Some(budget)) = budget_policy::budget::load(&located, None) else {
        panic!("strict budget did not load");
    };
    let redirects = |n: usize| {
        (0..n)
            .map(|i| format!(">/tmp/p{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let cases = [
        (
            "rm -rf ~ then 3,000 redirects",
            format!("rm -rf ~; echo x {}", redirects(3000)),
        ),
        ("6,000 redirects", format!("echo x {}", redirects(6000))),
        (
            "6,000 short redirects",
            format!(
                "echo x {}",
                (0..6000)
                    .map(|i| format!(">/t/{i}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ),
    ];
    for (name, command) in cases {
        let ctx = DecideContext {
            cwd: "/p".into(),
            home: Some("/home/u".into()),
            nobody_can_answer: false,
            protected_dirs: Vec::new(),
            current_branch: None,
            fs: &fs,
        };
        let start = Instant::now();
        let analysis = analyse(&command, &context(&fs));
        let analysed = start.elapsed();
        let start = Instant::now();
        let decision = decide(
            &ToolCall::Bash {
                command: command.clone(),
            },
            &budget,
            &SessionFacts::default(),
            &ctx,
        );
        let decided = start.elapsed();
        println!(
            "{name}: {} bytes, analysis {analysed:?} ({} effects, {} unanalysable), decide {decided:?} -> {:?}",
            command.len(),
            analysis.effects.len(),
            analysis.unanalysable.len(),
            decision.verdict
        );
    }
}

fn shlex_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}
