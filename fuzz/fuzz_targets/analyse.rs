//! Fuzzes the shell analyser: any input must come back (no panic, no hang) with at most
//! the bounded work SPEC §5 allows.
#![no_main]

use budget_policy::fsview::RealFs;
use budget_policy::packs::pack_hits;
use budget_policy::shell::{ShellContext, analyse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(command) = std::str::from_utf8(data) else { return };
    let ctx = ShellContext {
        cwd: "/nonexistent/project".into(),
        home: Some("/nonexistent/home".into()),
        project_dir: "/nonexistent/project".into(),
        fs: &RealFs,
    };
    let analysis = analyse(command, &ctx);
    for pack in ["destructive", "secrets", "deploy"] {
        let _ = pack_hits(pack, &analysis, &ctx);
    }
});
