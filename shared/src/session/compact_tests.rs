use super::{call_id_hash, parse_hex, push_hex};
use crate::session::state::{CallMark, EditCount, SessionState};

fn mark(id: &str, pre: bool, post: bool, counted: bool, pre_seq: u64) -> CallMark {
    CallMark {
        id: call_id_hash(id),
        pre,
        post,
        counted,
        pre_seq,
    }
}

fn round_trip(state: &SessionState) -> (String, SessionState) {
    let text = serde_json::to_string(state).unwrap();
    let back = serde_json::from_str(&text).unwrap();
    (text, back)
}

#[test]
fn recent_calls_and_edit_counts_round_trip_through_the_packed_form() {
    let mut state = SessionState::default();
    state
        .recent_calls
        .push_back(mark("toolu_01", true, false, true, 7));
    state
        .recent_calls
        .push_back(mark("toolu_02", false, true, false, 0));
    state
        .recent_calls
        .push_back(mark("", true, true, true, u64::MAX));
    state.edits.insert(
        "/p/src/a b;.rs".into(),
        EditCount {
            count: 3,
            last_seq: 90,
        },
    );
    state.edits.insert(
        "/p/ünï\n.rs".into(),
        EditCount {
            count: u32::MAX,
            last_seq: 1,
        },
    );
    let (text, back) = round_trip(&state);
    assert_eq!(back, state);
    assert!(!text.contains("toolu"), "ids are stored as hashes: {text}");
}

#[test]
fn a_path_holding_the_separator_cannot_forge_another_files_count() {
    let mut state = SessionState::default();
    state.edits.insert(
        "/p/a.rs|0|0|/p/b.rs".into(),
        EditCount {
            count: 1,
            last_seq: 5,
        },
    );
    state.edits.insert(
        "/p/b.rs".into(),
        EditCount {
            count: 9,
            last_seq: 6,
        },
    );
    let (_, back) = round_trip(&state);
    assert_eq!(back.edits, state.edits);
    assert_eq!(back.edits.get("/p/b.rs").map(|e| e.count), Some(9));
}

#[test]
fn a_state_written_by_an_older_version_still_reads() {
    let old = r#"{"seq":12,"recent_calls":[{"id":"toolu_9","pre":true,"post":true,"counted":true,"pre_seq":12}],
        "edits":{"/p/a.rs":{"count":4,"last_seq":11}}}"#;
    let state: SessionState = serde_json::from_str(old).unwrap();
    assert_eq!(
        state.recent_calls.front(),
        Some(&mark("toolu_9", true, true, true, 12))
    );
    assert!(state.pre_seen("toolu_9"));
    assert_eq!(
        state.edits.get("/p/a.rs"),
        Some(EditCount {
            count: 4,
            last_seq: 11
        })
    );
}

#[test]
fn a_mangled_packed_entry_is_an_error_not_a_guess() {
    for bad in [
        r#"{"recent_calls":"1.1;"}"#,
        r#"{"recent_calls":"1.1.2.3;"}"#,
        r#"{"recent_calls":"zz.1.2;"}"#,
        r#"{"recent_calls":"1..2;"}"#,
        r#"{"edits":"/p/a.rs|1|"}"#,
        r#"{"edits":"/p/a.rs|x|1|"}"#,
        r#"{"edits":"/p/a.rs|1ffffffff|1|"}"#,
    ] {
        assert!(serde_json::from_str::<SessionState>(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_id_hash_is_the_fixed_fnv_1a_function() {
    // Published FNV-1a 64 test vectors: a state written by one build is read by the next.
    assert_eq!(call_id_hash(""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(call_id_hash("a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(call_id_hash("foobar"), 0x8594_4171_f739_67e8);
    assert_ne!(call_id_hash("toolu_1"), call_id_hash("toolu_2"));
}

#[test]
fn hex_numbers_round_trip_and_junk_is_refused() {
    for n in [0, 1, 15, 16, 255, 0x1234_5678, u64::MAX] {
        let mut bytes = Vec::new();
        push_hex(&mut bytes, n);
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text, format!("{n:x}"));
        assert_eq!(parse_hex(&text), Some(n));
    }
    for bad in ["", "g", "-1", "+1", " 1", "1_0", "10000000000000000"] {
        assert_eq!(parse_hex(bad), None, "{bad}");
    }
}

#[test]
fn the_spend_window_round_trips_packed_and_reads_its_old_form() {
    use crate::session::spend::{Counted, SpendState, Usage};
    let counted = |key: u64, model: &str, n: u64| Counted {
        key,
        model: model.into(),
        usage: Usage {
            input_tokens: n,
            output_tokens: n + 1,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: u64::MAX,
            cache_creation_1h_tokens: 7,
        },
    };
    let mut spend = SpendState::default();
    spend
        .recent
        .push_back(counted(0x0a1b_2c3d_4e5f_6071, "claude-sonnet-4-5", 3));
    spend.recent.push_back(counted(0xffff, "", 0));
    let text = serde_json::to_string(&spend).unwrap();
    assert!(!text.contains("input_tokens\":3"), "{text}");
    assert_eq!(serde_json::from_str::<SpendState>(&text).unwrap(), spend);
    // A model name holding a separator is written as objects, and still reads back.
    spend.recent.push_back(counted(u64::MAX, "odd|model;x", 1));
    let text = serde_json::to_string(&spend).unwrap();
    assert_eq!(serde_json::from_str::<SpendState>(&text).unwrap(), spend);
    let old = r#"{"recent":[{"key":"k1","model":"m","usage":{"input_tokens":5}}]}"#;
    let read: SpendState = serde_json::from_str(old).unwrap();
    assert_eq!(read.recent.front().map(|c| c.usage.input_tokens), Some(5));
    // Older states wrote the key as 16 hex digits: the same number.
    let old = r#"{"recent":"0a1b2c3d4e5f6071|m|1|2|3|4|5;"}"#;
    let read: SpendState = serde_json::from_str(old).unwrap();
    assert_eq!(
        read.recent.front().map(|c| c.key),
        Some(0x0a1b_2c3d_4e5f_6071)
    );
    assert!(serde_json::from_str::<SpendState>(r#"{"recent":"k|m|1|2;"}"#).is_err());
}

/// A state with every packed window filled, separators and non-ASCII included.
fn full_state() -> SessionState {
    use crate::session::spend::{Counted, Usage};
    let mut state = SessionState::default();
    for i in 0..300u64 {
        state
            .recent_calls
            .push_back(mark(&format!("toolu_{i}"), i % 2 == 0, i % 3 == 0, true, i));
        state.edits.insert(
            format!("/p/src/m{i}|0|0|;ü\".rs"),
            EditCount {
                count: u32::try_from(i).unwrap(),
                last_seq: u64::MAX - i,
            },
        );
        state.failures.insert(
            format!("cargo test -p c{i} ü|;"),
            crate::session::state::FailureCount {
                count: u32::try_from(i).unwrap() + 1,
                last_error_line: format!("error[E{i}]: \"ü\" failed"),
                last_seq: u64::MAX - 2 * i,
            },
        );
        state.spend.recent.push_back(Counted {
            key: i << 40,
            model: "odd|model;x".into(),
            usage: Usage {
                input_tokens: i,
                output_tokens: u64::MAX,
                cache_creation_input_tokens: 0,
                cache_read_input_tokens: 1,
                cache_creation_1h_tokens: 7,
            },
        });
    }
    state
}

#[test]
fn the_state_file_form_round_trips_every_window() {
    let state = full_state();
    let bytes = rmp_serde::to_vec_named(&state).unwrap();
    let back: SessionState = rmp_serde::from_slice(&bytes).unwrap();
    assert_eq!(back, state);
    // Fixed-width blocks, not text: ids and counts take no more than their bytes.
    // (per entry: a call mark, an edit count, a spend entry, a failure count)
    assert!(
        bytes.len() < 300 * (17 + 40 + 80 + 70),
        "{} bytes",
        bytes.len()
    );
    // The JSON form (status, the review packet) still shows the same state.
    let json = serde_json::to_string(&state).unwrap();
    assert_eq!(serde_json::from_str::<SessionState>(&json).unwrap(), state);
}

#[test]
fn a_cut_or_mangled_state_file_block_is_an_error_not_a_guess() {
    let state = full_state();
    let bytes = rmp_serde::to_vec_named(&state).unwrap();
    for cut in [1, 7, 100, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            rmp_serde::from_slice::<SessionState>(&bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    // A block whose length is not a whole number of entries.
    for field in ["recent_calls", "edits", "failures"] {
        let mut map = std::collections::BTreeMap::new();
        map.insert(field, serde_bytes_of(&[1, 2, 3]));
        let bytes = rmp_serde::to_vec_named(&map).unwrap();
        assert!(
            rmp_serde::from_slice::<SessionState>(&bytes).is_err(),
            "{field}"
        );
    }
}

/// Bytes that MessagePack writes as a binary block (as the state file's windows are).
fn serde_bytes_of(bytes: &[u8]) -> impl serde::Serialize + '_ {
    struct Block<'a>(&'a [u8]);
    impl serde::Serialize for Block<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(self.0)
        }
    }
    Block(bytes)
}

#[test]
fn failure_counts_written_as_a_map_by_the_previous_version_still_read() {
    let state = full_state();
    // What the previous version wrote: the failures as a MessagePack map of named fields.
    #[derive(serde::Serialize)]
    struct Previous<'a> {
        seq: u64,
        failures: &'a std::collections::BTreeMap<String, crate::session::state::FailureCount>,
    }
    let bytes = rmp_serde::to_vec_named(&Previous {
        seq: 9,
        failures: &state.failures.to_map(),
    })
    .unwrap();
    let back: SessionState = rmp_serde::from_slice(&bytes).unwrap();
    assert_eq!(back.seq, 9);
    assert_eq!(back.failures, state.failures);
    // Written again, it is the block (and reads back the same).
    let again = rmp_serde::to_vec_named(&back).unwrap();
    let reread: SessionState = rmp_serde::from_slice(&again).unwrap();
    assert_eq!(reread.failures, state.failures);
    // The JSON form shows the failures as objects, as before.
    let json = serde_json::to_value(&back).unwrap();
    assert_eq!(json["failures"]["cargo test -p c1 ü|;"]["count"], 2);
}

#[test]
fn the_spend_window_table_round_trips_and_the_previous_block_still_reads() {
    use crate::session::spend::SpendState;
    let state = full_state();
    let models = ["claude-opus-4-1", "claude-sonnet-4-5", "odd|model;x", ""];
    let mut spend = SpendState::default();
    for (i, counted) in state.spend.recent.iter().take(128).enumerate() {
        let mut counted = counted.clone();
        counted.model = models[i % models.len()].into();
        spend.recent.push_back(counted);
    }
    let bytes = rmp_serde::to_vec_named(&spend).unwrap();
    let back: SpendState = rmp_serde::from_slice(&bytes).unwrap();
    assert_eq!(back, spend);
    // One copy of each model name in the table, not one per response.
    let opus = bytes
        .windows(15)
        .filter(|w| w == b"claude-opus-4-1")
        .count();
    assert_eq!(opus, 1);
    // Read back, a window's responses share their model's name.
    assert!(std::sync::Arc::ptr_eq(
        &back.recent[0].model,
        &back.recent[4].model
    ));

    // The block the previous version wrote: `<key><model>` and five counts per response.
    let mut previous = Vec::new();
    for c in &spend.recent {
        previous.extend_from_slice(&c.key.to_le_bytes());
        previous.extend_from_slice(&u32::try_from(c.model.len()).unwrap().to_le_bytes());
        previous.extend_from_slice(c.model.as_bytes());
        for n in [
            c.usage.input_tokens,
            c.usage.output_tokens,
            c.usage.cache_creation_input_tokens,
            c.usage.cache_read_input_tokens,
            c.usage.cache_creation_1h_tokens,
        ] {
            previous.extend_from_slice(&n.to_le_bytes());
        }
    }
    let mut map = std::collections::BTreeMap::new();
    map.insert("recent", serde_bytes_of(&previous));
    let old: SpendState = rmp_serde::from_slice(&rmp_serde::to_vec_named(&map).unwrap()).unwrap();
    assert_eq!(old.recent, spend.recent);

    // A table cut short, or naming a model it does not list, is an error.
    let start = bytes.windows(7).position(|w| w == b"cbspend").unwrap();
    assert_eq!(bytes[start - 3], 0xc5, "a MessagePack bin 16");
    let len = usize::from(u16::from_be_bytes([bytes[start - 2], bytes[start - 1]]));
    let block = &bytes[start..start + len];
    for damaged in [block[..block.len() - 3].to_vec(), {
        let mut b = block.to_vec();
        let last = b.len() - 5 * 8 - 2;
        b[last] = 0x7f;
        b
    }] {
        let mut map = std::collections::BTreeMap::new();
        map.insert("recent", serde_bytes_of(&damaged));
        let bytes = rmp_serde::to_vec_named(&map).unwrap();
        assert!(rmp_serde::from_slice::<SpendState>(&bytes).is_err());
    }
}
