//! The secret-exposure tripwire's cost (issue 11): one Aho-Corasick pass over a tool output
//! of 1 MiB (and over a 8 MiB one, of which only the first and last 1 MiB are read), with the
//! needles of a realistic `.env`, two private keys and a dozen secret-named variables.
//! Prints the median and worst of 200 scans. Run by `scripts/bench-tripwire`.

use budget_policy::tripwire::secrets::{Scanner, needles_from_env, needles_from_file};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

fn main() {
    let mut needles = Vec::new();
    let mut dotenv = String::new();
    for i in 0..40 {
        let _ = writeln!(
            dotenv,
            "SERVICE_{i}_API_KEY=sk_live_{i:04}Zq81LmN0pQ7rS2tU3vW4"
        );
    }
    let mut key = String::from("-----BEGIN OPENSSH PRIVATE KEY-----\n");
    for i in 0..25 {
        let _ = writeln!(
            key,
            "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAA{i:08}"
        );
    }
    key.push_str("-----END OPENSSH PRIVATE KEY-----\n");
    needles_from_file(".env", &dotenv, &mut needles);
    needles_from_file("~/.ssh/id_ed25519", &key, &mut needles);
    needles_from_env(
        (0..12).map(|i| {
            (
                format!("VAR_{i}_TOKEN"),
                format!("ghp_{i:02}abcdefghijklmnopqrstuv"),
            )
        }),
        &mut needles,
    );
    let started = Instant::now();
    let scanner = Scanner::new(needles);
    let build = started.elapsed();
    let mut log = String::new();
    let mut n = 0u64;
    while log.len() < 1024 * 1024 {
        n += 1;
        let _ = writeln!(
            log,
            "   Compiling crate-{n} v0.{}.{} (/home/dev/project/crates/crate-{n}) in {}.{}s",
            n % 17,
            n % 5,
            n % 9,
            n % 100
        );
    }
    log.truncate(1024 * 1024);
    let huge = log.repeat(8);
    for (name, text) in [("1 MiB", &log), ("8 MiB (2 MiB scanned)", &huge)] {
        let mut times: Vec<Duration> = (0..200)
            .map(|_| {
                let t = Instant::now();
                let hit = scanner.find(text);
                let elapsed = t.elapsed();
                assert!(hit.is_none(), "the benchmark output holds no secret");
                elapsed
            })
            .collect();
        times.sort();
        println!(
            "secret scan of a {name} output, {} needles: median {:.3} ms, worst {:.3} ms",
            scanner.needles(),
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
        );
    }
    println!(
        "building the automaton: {:.3} ms",
        build.as_secs_f64() * 1e3
    );
}
