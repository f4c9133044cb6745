use super::*;

const HOUR: Duration = Duration::from_secs(3600);

fn note(id: &str, at: SystemTime) -> PreNote {
    PreNote {
        call_id: id.to_owned(),
        at,
        clean: id.len().is_multiple_of(2),
        idents: format!(
            "budget 10 1 2 3 /p/.claude/budget.toml\ngit-config 5 1 2 4 /p/.git/{id}\n"
        ),
    }
}

/// A session's log, not written yet (the folder lives as long as the first value).
fn fresh_log() -> (tempfile::TempDir, PreLog) {
    let dir = tempfile::tempdir().unwrap();
    let log = PreLog::new(dir.path());
    (dir, log)
}

/// Writes `bytes` at the end of the log as a killed or foreign writer would leave them.
fn append_raw(log: &PreLog, bytes: &[u8]) {
    std::fs::OpenOptions::new()
        .append(true)
        .open(&log.path)
        .unwrap()
        .write_all(bytes)
        .unwrap();
}

/// `n` calls of one session, each noted by its pre and taken by its post.
fn run_calls(log: &PreLog, prefix: &str, n: usize) {
    for i in 0..n {
        let id = format!("{prefix}{i}");
        log.note(&note(&id, SystemTime::now())).unwrap();
        assert!(log.take(&id, HOUR).0.is_some(), "{id}");
    }
}

#[test]
fn a_post_takes_back_exactly_what_its_pre_noted_and_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let log = PreLog::new(&dir.path().join("tripwire"));
    let at = SystemTime::now();
    log.note(&note("toolu_a", at)).unwrap();
    log.note(&note("toolu_bb", at)).unwrap();
    let (mine, others) = log.take("toolu_a", HOUR);
    let mine = mine.unwrap();
    assert_eq!(mine.idents, note("toolu_a", at).idents);
    assert!(!mine.clean);
    let noted = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let read = mine
        .at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    assert_eq!(read, noted);
    assert_eq!(others.len(), 1, "toolu_bb is still running");
    assert_eq!(log.take("toolu_a", HOUR).0, None, "a note is taken once");
    assert!(log.take("toolu_bb", HOUR).0.unwrap().clean);
    assert_eq!(log.take("toolu_never", HOUR), (None, Vec::new()));
}

#[test]
fn abandoned_calls_do_not_count_as_running() {
    let (_dir, log) = fresh_log();
    let old = SystemTime::now() - Duration::from_secs(2 * 3600);
    log.note(&note("toolu_old", old)).unwrap();
    log.note(&note("toolu_new", SystemTime::now())).unwrap();
    log.note(&note("toolu_me", SystemTime::now())).unwrap();
    let (_, others) = log.take("toolu_me", HOUR);
    assert_eq!(others.len(), 1, "{others:?}");
}

#[test]
fn call_ids_with_separators_survive_the_round_trip() {
    let (_dir, log) = fresh_log();
    let ids = ["a\tb", "a\nb", "a%09b", "%", "a\0b", "a%b"];
    for id in ids {
        log.note(&note(id, SystemTime::now())).unwrap();
    }
    for id in ids {
        assert_eq!(log.take(id, HOUR).0.unwrap().call_id, id);
    }
    assert!(open_notes(&std::fs::read_to_string(&log.path).unwrap()).is_empty());
}

#[test]
fn a_torn_line_is_skipped_and_the_lines_after_it_still_count() {
    let (_dir, log) = fresh_log();
    log.note(&note("toolu_1", SystemTime::now())).unwrap();
    append_raw(&log, b"pre\ttoolu_2\t12\tcle\n\x00garbage\n");
    log.note(&note("toolu_3", SystemTime::now())).unwrap();
    assert!(log.take("toolu_2", HOUR).0.is_none());
    assert!(log.take("toolu_1", HOUR).0.is_some());
    assert!(log.take("toolu_3", HOUR).0.is_some());
}

#[test]
fn a_grown_log_is_cut_down_to_the_calls_still_open() {
    let (_dir, log) = fresh_log();
    log.note(&note("toolu_open", SystemTime::now())).unwrap();
    // ~190 bytes a call: three times the size at which the log is cut down.
    run_calls(
        &log,
        "toolu_",
        3 * usize::try_from(COMPACT_AT).unwrap() / 190,
    );
    let size = std::fs::metadata(&log.path).unwrap().len();
    assert!(
        size <= COMPACT_AT + 512,
        "cut down along the way: {size} bytes"
    );
    assert!(log.take("toolu_open", HOUR).0.is_some());
}

/// Hooks of parallel calls append and take while posts compact: every note a pre wrote is
/// found by its post, whichever file it landed in.
#[test]
fn parallel_notes_survive_compactions() {
    let dir = tempfile::tempdir().unwrap();
    let tripwire = dir.path().join("tripwire");
    let lost: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|t| {
                let tripwire = tripwire.clone();
                scope.spawn(move || {
                    let log = PreLog::new(&tripwire);
                    let mut lost = 0;
                    for i in 0..250 {
                        let id = format!("toolu_{t}_{i}");
                        log.note(&note(&id, SystemTime::now())).unwrap();
                        if log.take(&id, HOUR).0.is_none() {
                            lost += 1;
                        }
                    }
                    lost
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    assert_eq!(lost, 0);
    let text = std::fs::read_to_string(tripwire.join("pre.log")).unwrap();
    assert!(open_notes(&text).is_empty());
    assert!(
        text.len() < 2 * usize::try_from(COMPACT_AT).unwrap(),
        "compacted along the way: {} bytes",
        text.len()
    );
}

/// A process holding the log's lock (the agent can open the session's files for reading)
/// makes a hook give up after a bounded wait, never wait out its deadline.
#[test]
fn a_lock_held_by_another_process_delays_a_hook_boundedly() {
    let (_dir, log) = fresh_log();
    log.note(&note("toolu_1", SystemTime::now())).unwrap();
    let holder = File::open(&log.path).unwrap();
    holder.lock().unwrap();
    let started = std::time::Instant::now();
    assert!(log.note(&note("toolu_2", SystemTime::now())).is_err());
    assert!(
        log.take("toolu_1", HOUR).0.is_some(),
        "the read needs no lock"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    holder.unlock().unwrap();
    holder.lock_shared().unwrap();
    // A shared holder lets appends through; a compaction (exclusive) is skipped at once.
    run_calls(&log, "toolu_s", 600);
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn bytes_that_are_not_text_do_not_stop_the_log_from_being_cut_down() {
    let (_dir, log) = fresh_log();
    std::fs::write(
        &log.path,
        b"\npre\ttoolu_x\t1\tclean\tbudget 1 2 3 4 /p/\xc3",
    )
    .unwrap();
    log.note(&note("toolu_open", SystemTime::now())).unwrap();
    run_calls(&log, "toolu_", 600);
    let size = std::fs::metadata(&log.path).unwrap().len();
    assert!(size <= COMPACT_AT + 512, "{size} bytes");
    assert!(log.take("toolu_open", HOUR).0.is_some());
}

/// A writer killed mid-record leaves a line without its end: the next record still starts
/// a line of its own, so a `done` after it still closes its note.
#[test]
fn a_torn_record_does_not_swallow_the_next_one() {
    let (_dir, log) = fresh_log();
    log.note(&note("toolu_a", SystemTime::now())).unwrap();
    append_raw(&log, b"\npre\ttoolu_torn\t17");
    assert!(log.take("toolu_a", HOUR).0.is_some());
    let text = std::fs::read_to_string(&log.path).unwrap();
    let open: Vec<&str> = open_notes(&text).iter().map(|n| n.id).collect();
    assert_eq!(open, ["toolu_torn"], "toolu_a is done; {text:?}");
    assert!(log.take("toolu_a", HOUR).0.is_none());
}

#[test]
fn an_id_ending_in_a_carriage_return_is_closed_by_its_done() {
    let (_dir, log) = fresh_log();
    log.note(&note("toolu_cr\r", SystemTime::now())).unwrap();
    assert!(log.take("toolu_cr\r", HOUR).0.is_some());
    assert!(log.take("toolu_cr\r", HOUR).0.is_none());
    assert!(log.take("toolu_cr", HOUR).0.is_none());
}

/// A record appended after a call's own note cannot change what its PreToolUse saw, nor
/// reopen a note that is done: appended lines can only make the check stricter.
#[test]
fn a_later_record_of_the_same_call_changes_nothing() {
    let (_dir, log) = fresh_log();
    let at = SystemTime::now();
    let first = note("toolu_1", at);
    log.note(&first).unwrap();
    let mut forged = note("toolu_1", at);
    forged.clean = true;
    forged.idents = "budget 99 9 9 9 /p/.claude/budget.toml\n".into();
    log.note(&forged).unwrap();
    assert_eq!(log.take("toolu_1", HOUR).0.unwrap().idents, first.idents);
    log.note(&forged).unwrap();
    assert!(log.take("toolu_1", HOUR).0.is_none(), "done is final");
}
