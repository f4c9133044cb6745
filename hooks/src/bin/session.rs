//! Parses its input and records nothing yet; never blocks, never crashes.

use budget_hooks::runner::{Policy, Reply, run};

fn main() {
    run(
        Policy::NeverBlock,
        |_input, _env| Reply::silent(),
        |_problem, _env| Reply::silent(),
    )
}
