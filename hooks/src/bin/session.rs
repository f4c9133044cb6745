//! `claude-budget-session`: SessionStart, UserPromptSubmit, SessionEnd. Never blocks.
#![cfg_attr(all(target_os = "linux", target_env = "gnu"), no_main)]

use budget_hooks::runner::run_never_blocking;
use budget_policy::events::session;

fn hook() -> ! {
    run_never_blocking(session::handle)
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
