//! A fixed, fast, non-cryptographic hash for identities that outlive the binary that computed
//! them (call ids and response keys in the session state, a transcript's head, a rule's
//! program in the compiled-budget cache). Fixed, unlike std's hasher: its seed changes per
//! process. Not for anything an attacker chooses to collide with on purpose.

/// 64-bit FNV-1a.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
