//! What `explain` and `status` say about the tripwires (SPEC §3): the protected files they
//! watch here, and what they cannot catch. The wording lives in the library
//! (`budget_policy::tripwire::{WATCHES, CANNOT_CATCH}`) so the README, explain and status agree.

use budget_policy::budget::Budget;
use budget_policy::store::tripwire_copies::watched;
use budget_policy::tripwire::{CANNOT_CATCH, WATCHES, WatchKind};
use serde_json::{Value, json};
use std::fmt::Write as _;

/// The watched files that exist now, per kind.
fn counts(budget: &Budget) -> Vec<(WatchKind, usize)> {
    let seen = watched(budget, crate::project::env().home.as_deref());
    WatchKind::ALL
        .iter()
        .map(|k| (*k, seen.iter().filter(|s| s.kind == *k).count()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

pub(crate) fn json(budget: &Budget) -> Value {
    json!({
        "watches": WATCHES,
        "watched_files": counts(budget).iter().map(|(k, n)| (k.as_str().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "cannot_catch": CANNOT_CATCH,
    })
}

pub(crate) fn text(budget: &Budget) -> String {
    let mut out = format!("tripwires: {WATCHES}.\n");
    let files: Vec<String> = counts(budget)
        .iter()
        .map(|(k, n)| format!("{n} {}", k.as_str()))
        .collect();
    let _ = writeln!(out, "  watched here now: {}", files.join(", "));
    for gap in CANNOT_CATCH {
        let _ = writeln!(out, "  cannot catch: {gap}");
    }
    out
}
