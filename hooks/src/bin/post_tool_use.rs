//! `claude-budget-post-tool-use`: count a finished tool call. Never blocks.
#![cfg_attr(all(target_os = "linux", target_env = "gnu"), no_main)]

use budget_hooks::runner::{nothing_early, run};
use budget_policy::events::post::bad_input;
use budget_policy::events::{Policy, post};

fn hook() -> ! {
    run(
        Policy::NeverBlock,
        nothing_early,
        |input, env, ()| post::handle(input, env),
        bad_input,
    )
}

/// The process's entry point. On glibc Linux it is C's `main`, entered straight from the C
/// start-up: Rust's own start-up costs ~0.08 ms per call and does nothing a hook needs that
/// `run` does not do itself (see `budget_hooks`'s `start` module).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[expect(
    unsafe_code,
    reason = "exporting `main` unmangled is how a `no_main` program is entered; no other unsafe"
)]
#[unsafe(no_mangle)]
extern "C" fn main() -> std::ffi::c_int {
    hook()
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn main() {
    hook()
}
