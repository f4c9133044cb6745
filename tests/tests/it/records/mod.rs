//! Integration tests: run record, redaction, review packet, replay / capture / test, demo,
//! touchmap (SPEC §7–8).

mod bench;
mod record;
mod redaction;
