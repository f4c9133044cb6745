//! Fuzzes the budget loader: any file text must load or come back as diagnostics, never
//! panic (a broken budget makes every hook fail closed, so the loader must not crash).
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let fs = common::OneBudget(text.to_owned());
    let _ = budget_policy::budget::load_with(&common::located(), None, &fs);
    let _ = budget_policy::budget::load_with(&common::located(), Some("fuzz"), &fs);
});
