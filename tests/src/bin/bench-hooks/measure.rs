//! How one scenario is measured: wall time interleaved with the spawn floor, peak RSS and
//! instructions per call. Each measurement spawns the real executable as Claude Code does
//! (stdin piped, stdout and stderr read by the parent), so figures are whole-process.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One scenario's figures (a row of the table).
pub(crate) struct Row {
    pub(crate) name: String,
    /// The hook's p50/p90/p99 minus the same percentile of `/bin/true`, spawned alternately.
    pub(crate) over_floor_ms: [f64; 3],
    /// The floor's own p50, for reference.
    pub(crate) floor_p50_ms: f64,
    pub(crate) rss_mib: Option<f64>,
    pub(crate) instructions: Option<u64>,
    pub(crate) runs: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(idx).copied().unwrap_or_default()
}

/// Spawns `cmd` with `stdin`, waits for it, returns the wall time (spawn → exit).
fn time_one(mut cmd: Command, stdin: &[u8]) -> Option<Duration> {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().ok()?;
    if let Some(mut pipe) = child.stdin.take() {
        let _ = pipe.write_all(stdin);
    }
    child.wait_with_output().ok()?;
    Some(started.elapsed())
}

/// The scenario's command and inputs: `make()` builds the hook command, `stdin(i)` the
/// input of run `i`, `before(i)` runs untimed before it (e.g. appends to the transcript).
/// Wall time until both `cmd` (given `stdin`) and `beside` (given the same input, as Claude
/// Code gives every handler) have exited.
fn time_pair(mut cmd: Command, mut beside: Command, stdin: &[u8]) -> Option<Duration> {
    for c in [&mut cmd, &mut beside] {
        c.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
    }
    let started = Instant::now();
    let mut first = cmd.spawn().ok()?;
    let mut second = beside.spawn().ok()?;
    for child in [&mut first, &mut second] {
        if let Some(mut pipe) = child.stdin.take() {
            let _ = pipe.write_all(stdin);
        }
    }
    first.wait_with_output().ok()?;
    second.wait_with_output().ok()?;
    Some(started.elapsed())
}

pub(crate) struct Scenario<'a> {
    pub(crate) make: &'a dyn Fn() -> Command,
    /// Started at the same moment and waited for too (Claude Code runs the handlers of one
    /// event in parallel and goes on when all have finished): the missing-binary guard.
    pub(crate) beside: Option<&'a dyn Fn() -> Command>,
    pub(crate) stdin: &'a dyn Fn(usize) -> Vec<u8>,
    pub(crate) before: &'a mut dyn FnMut(usize),
}

/// Runs the hook and `/bin/true` alternately `runs` times each; returns (floor, hook), sorted.
fn interleaved(s: &mut Scenario<'_>, runs: usize) -> (Vec<Duration>, Vec<Duration>) {
    let (mut floor, mut hook) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for i in 0..runs {
        (s.before)(i);
        let bytes = (s.stdin)(i);
        floor.extend(time_one(Command::new("/bin/true"), &[]));
        hook.extend(match s.beside {
            Some(beside) => time_pair((s.make)(), beside(), &bytes),
            None => time_one((s.make)(), &bytes),
        });
    }
    floor.sort();
    hook.sort();
    (floor, hook)
}

/// Copies `template`'s program environment and directory onto `wrapper` running `program`.
fn wrap(wrapper: &str, args: &[String], template: &Command) -> Command {
    let mut cmd = Command::new(wrapper);
    cmd.args(args).arg(template.get_program()).env_clear();
    for (k, v) in template.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    if let Some(dir) = template.get_current_dir() {
        cmd.current_dir(dir);
    }
    cmd
}

fn run_capturing_stderr(mut cmd: Command, stdin: &[u8]) -> Option<String> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    if let Some(mut pipe) = child.stdin.take() {
        let _ = pipe.write_all(stdin);
    }
    let out = child.wait_with_output().ok()?;
    Some(String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Peak RSS of one run, via GNU time, when it is installed.
pub(crate) fn peak_rss_mib(template: &Command, stdin: &[u8]) -> Option<f64> {
    if !Path::new("/usr/bin/time").exists() {
        return None;
    }
    let cmd = wrap("/usr/bin/time", &["-f".into(), "%M".into()], template);
    let kib: f64 = run_capturing_stderr(cmd, stdin)?
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

/// True when valgrind can be run.
pub(crate) fn have_valgrind() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Instructions of one whole process (spawn to exit) under callgrind.
pub(crate) fn instructions(template: &Command, stdin: &[u8], out_dir: &Path) -> Option<u64> {
    let args = [
        "--tool=callgrind".to_string(),
        format!(
            "--callgrind-out-file={}",
            out_dir.join("callgrind.out").display()
        ),
        // Every instruction's address, uncompressed: what `hot-symbols` maps to functions
        // (the counts are the same either way).
        "--dump-instr=yes".to_string(),
        "--compress-pos=no".to_string(),
    ];
    let mut cmd = wrap("valgrind", &args, template);
    // valgrind slows the hook ~50x: keep its own deadline out of the measurement.
    cmd.env("CLAUDE_BUDGET_DEADLINE_MS", "120000");
    let count = run_capturing_stderr(cmd, stdin)?
        .lines()
        .find_map(|l| l.split("Collected :").nth(1))
        .and_then(|n| n.trim().parse().ok());
    keep_profile(&out_dir.join("callgrind.out"));
    count
}

/// `BENCH_CALLGRIND_DIR=<dir>` keeps every callgrind profile (`callgrind.<n>.out`, numbered in
/// the order measured) for `callgrind_annotate`: where a scenario's instructions go.
fn keep_profile(profile: &Path) {
    let Some(dir) = std::env::var_os("BENCH_CALLGRIND_DIR") else {
        return;
    };
    let dir = Path::new(&dir);
    let _ = std::fs::create_dir_all(dir);
    let n = std::fs::read_dir(dir).map_or(0, Iterator::count);
    let _ = std::fs::copy(profile, dir.join(format!("callgrind.{n:03}.out")));
}

/// How much to measure per scenario.
#[derive(Clone, Copy)]
pub(crate) struct Effort {
    pub(crate) runs: usize,
    /// Callgrind runs per scenario (median taken); 0 = none.
    pub(crate) callgrind: usize,
}

/// Measures one scenario: interleaved wall time, then RSS and instructions of the next
/// inputs (`before` keeps running, so a growing transcript keeps growing).
/// How long a new scenario waits before it is measured. The compiled-budget cache trusts
/// file metadata only for budget files and executables changed more than 3 s before its entry
/// was made; until then every call hashes the budget (and a just-built hook uses no entry at
/// all). What users pay on every call is the steady state, not the first seconds after a
/// budget edit or a build.
const SETTLE: Duration = Duration::from_millis(3_200);

pub(crate) fn measure(name: &str, s: &mut Scenario<'_>, effort: Effort, tmp: &Path) -> Row {
    // The set-up just wrote up to 1 GB (transcripts, prefilled sessions): written back to
    // disk now, not by the kernel in the middle of the timed runs.
    let _ = Command::new("sync").status();
    std::thread::sleep(SETTLE);
    // One call that makes the cache entry, not timed.
    let _ = time_one((s.make)(), &(s.stdin)(usize::MAX / 2));
    let (floor, hook) = interleaved(s, effort.runs);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let over = |p| ms(percentile(&hook, p)) - ms(percentile(&floor, p));
    let mut next = effort.runs;
    let mut input = |s: &mut Scenario<'_>| {
        (s.before)(next);
        next += 1;
        (s.stdin)(next - 1)
    };
    let bytes = input(s);
    let rss_mib = peak_rss_mib(&(s.make)(), &bytes);
    let mut counts: Vec<u64> = (0..effort.callgrind)
        .filter_map(|_| {
            let bytes = input(s);
            instructions(&(s.make)(), &bytes, tmp)
        })
        .collect();
    counts.sort_unstable();
    let row = Row {
        name: name.to_string(),
        over_floor_ms: [over(0.5), over(0.9), over(0.99)],
        floor_p50_ms: ms(percentile(&floor, 0.5)),
        rss_mib,
        instructions: counts.get(counts.len() / 2).copied(),
        runs: hook.len(),
    };
    println!("{}", row.line());
    row
}

impl Row {
    /// The row as a Markdown table line.
    pub(crate) fn line(&self) -> String {
        let [p50, p90, p99] = self.over_floor_ms;
        let rss = self
            .rss_mib
            .map_or_else(|| "n/a".into(), |m| format!("{m:.1}"));
        let ins = self
            .instructions
            .map_or_else(|| "n/a".into(), |n| format!("{:.3} M", n as f64 / 1e6));
        format!(
            "| {} | {p50:+.3} | {p90:+.3} | {p99:+.3} | {:.3} | {rss} | {ins} | {} |",
            self.name, self.floor_p50_ms, self.runs
        )
    }

    pub(crate) const HEADER: &'static str = "| scenario | p50 over floor (ms) | p90 over floor (ms) | \
p99 over floor (ms) | floor p50 (ms) | peak RSS (MiB) | instructions/call | runs |\n\
|---|---:|---:|---:|---:|---:|---:|---:|";
}
