//! `claude-budget`: the CLI. One module per subcommand; `main` only dispatches.
#![forbid(unsafe_code)]

mod capture;
mod cases;
mod check;
mod contradictions;
mod demo;
mod explain;
mod init;
mod install;
mod project;
mod prune;
mod replay;
mod report;
mod stats;
mod status;
mod style;
mod touchmap;
mod tripwire_notes;
mod why;

use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

/// Exit codes (SPEC §8): 0 ok, 1 a check/test found problems, 2 usage or I/O error.
pub const EXIT_OK: u8 = 0;
pub const EXIT_PROBLEMS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "claude-budget",
    version,
    about = "Budgets for Claude Code agent runs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Validate budget files; every problem with file:line:column.
    Check(check::Args),
    /// Show how a call is analysed and decided, and by which rules.
    Explain(explain::Args),
    /// Write a commented starter `.claude/budget.toml` tuned to this repository.
    Init(init::Args),
    /// Merge the hook entries into Claude Code's settings (idempotent, with a backup).
    Install(install::Args),
    /// Remove exactly the hook entries `install` added.
    Uninstall(install::Args),
    /// Budgets in force, hooks installed or not, and a session's counters and spend.
    Status(status::Args),
    /// Print the review packet of a run (default: this project's latest).
    Report(report::Args),
    /// Re-decide a recorded run under today's budget; show what changed.
    Replay(replay::Args),
    /// Turn a recorded run into replay cases (`.claude/budget-tests/NAME.toml`).
    Capture(capture::Args),
    /// Run the replay cases; exit 1 on any mismatch.
    Test(cases::TestArgs),
    /// Replay a bundled example run through a bundled budget: no setup needed.
    Demo,
    /// The budget as a table: what the agent may Read, Write, Execute, Call, Expose, Spend, Merge.
    Touchmap(touchmap::Args),
    /// Print a shell completion script: `claude-budget completions bash > ~/.local/share/bash-completion/completions/claude-budget`.
    Completions {
        /// bash, zsh, fish (also elvish, powershell).
        shell: clap_complete::Shell,
    },
    /// Delete this project's run records past retention (`[record] retain_days`).
    Prune(prune::Args),
    /// Incident lookup: every recorded call that read, changed or was refused on PATH.
    Why(why::Args),
    /// Rollout metrics per day and project: runs, denials, asks, halts, spend, tripwires.
    Stats(stats::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { EXIT_OK });
        }
    };
    let code = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Install(args) => install::install(&args),
        Command::Uninstall(args) => install::uninstall(&args),
        Command::Status(args) => status::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Replay(args) => replay::run(&args),
        Command::Capture(args) => capture::run(&args),
        Command::Test(args) => cases::test(&args),
        Command::Demo => demo::run(),
        Command::Touchmap(args) => touchmap::run(&args),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "claude-budget",
                &mut std::io::stdout(),
            );
            EXIT_OK
        }
        Command::Prune(args) => prune::run(&args),
        Command::Why(args) => why::run(&args),
        Command::Stats(args) => stats::run(&args),
    };
    ExitCode::from(code)
}
