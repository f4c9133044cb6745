//! Fuzzes the shell analyser: any input must come back (no panic, no hang) with at most
//! the bounded work SPEC §5 allows.
//!
//! brush-parser panics on some inputs (`2222222227<i`); the analyser catches those under a
//! scoped panic hook that stays silent for them (`shell::caught_parser_panics` counts
//! them), so libFuzzer only aborts on a panic anywhere else: a real crash of ours.
#![no_main]

use budget_policy::fsview::RealFs;
use budget_policy::packs::pack_hits;
use budget_policy::shell::{ShellContext, analyse, caught_parser_panics};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(command) = std::str::from_utf8(data) else { return };
    let ctx = ShellContext {
        cwd: "/nonexistent/project".into(),
        home: Some("/nonexistent/home".into()),
        project_dir: "/nonexistent/project".into(),
        fs: &RealFs,
    };
    let before = caught_parser_panics();
    let analysis = analyse(command, &ctx);
    if caught_parser_panics() > before {
        // A caught brush-parser panic: the failed part must be reported, not dropped.
        assert!(
            !analysis.unanalysable.is_empty(),
            "a parser panic left no unanalysable part: {command:?}"
        );
    }
    for pack in ["destructive", "secrets", "deploy"] {
        let _ = pack_hits(pack, &analysis, &ctx);
    }
});
