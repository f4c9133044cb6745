//! `claude-budget-pre-tool-use`: allow, ask or deny one tool call. Fails closed.
#![cfg_attr(all(target_os = "linux", target_env = "gnu"), no_main)]

use budget_hooks::runner::{budget_in_force, look_early, run};
use budget_policy::events::{Policy, pre};

fn hook() -> ! {
    run(
        Policy::FailClosed,
        look_early,
        |input, env, early| pre::handle(input, env, early, budget_in_force),
        pre::bad_input,
    )
}

/// C's `main` on glibc Linux, skipping Rust's start-up (why: `budget_hooks`'s `start`).
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
