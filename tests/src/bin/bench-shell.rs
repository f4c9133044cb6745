//! Runs the shell analyser once on one command, for callgrind: what
//! `budget_policy::shell::analyse_within` costs for that command alone, without a hook
//! process, a budget or a session around it, and without the analysis' wall-clock budget
//! (which a loaded machine under valgrind can run out of, cutting the analysis short).
//!
//! Usage: `valgrind --tool=callgrind target/release/bench-shell 'cargo test -p billing && git
//! status'`, then `callgrind_annotate --inclusive=yes` for the `analyse_within` line; or
//! `bench-shell --echo 1024` for
//! `echo hi && echo hi && …` of about that many bytes (the benchmark's command-length case).
//! The command runs in the current directory, which is also the project directory.

use budget_policy::fsview::RealFs;
use budget_policy::shell::{ShellContext, analyse_within};
use std::time::Duration;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match args.as_slice() {
        [flag, bytes] if flag == "--echo" => {
            let Ok(bytes) = bytes.parse::<usize>() else {
                return std::process::ExitCode::FAILURE;
            };
            let mut command = String::from("echo hi");
            while command.len() + " && echo hi".len() <= bytes {
                command.push_str(" && echo hi");
            }
            command
        }
        [command] => command.clone(),
        _ => return std::process::ExitCode::FAILURE,
    };
    let Ok(cwd) = std::env::current_dir() else {
        return std::process::ExitCode::FAILURE;
    };
    let ctx = ShellContext {
        cwd: cwd.clone(),
        home: std::env::var_os("HOME").map(Into::into),
        project_dir: cwd,
        fs: &RealFs,
    };
    let analysis = analyse_within(&command, &ctx, Duration::from_secs(60));
    // The size of the answer, so the call is not optimised away and a run can be checked.
    let summary = format!(
        "{} commands, {} effects, {} unanalysable\n",
        analysis.commands.len(),
        analysis.effects.len(),
        analysis.unanalysable.len()
    );
    std::io::Write::write_all(&mut std::io::stderr(), summary.as_bytes())
        .map_or(std::process::ExitCode::FAILURE, |()| {
            std::process::ExitCode::SUCCESS
        })
}
