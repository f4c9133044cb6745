//! The compiled-budget cache (issue 16) as a user meets it: whatever happened to the budget
//! files, the environment or the cache entry itself, the pre-tool-use hook decides as the
//! budget files say now. The entry lives in `<data>/claude-budget/cache/budget-*.bin`: a
//! JSON header line (the key, when it was made, the files' hashes) and the validated budget
//! (postcard).

use budget_policy::store::budget_cache::RACY_MARGIN_NS;
use budget_tests::{TempProject, decision_and_reason};
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const PRE: &str = "claude-budget-pre-tool-use";

/// Denies `curl`; [`DENY_WGET`] has the same length and denies `wget` instead.
const DENY_CURL: &str = "version = 1\n[run]\ndeny = [\"curl\"]\ndefault = \"allow\"\n";
const DENY_WGET: &str = "version = 1\n[run]\ndeny = [\"wget\"]\ndefault = \"allow\"\n";

fn bash(project: &TempProject, command: &str, env: &[(&str, &str)]) -> (String, String) {
    let input = project.pre_tool_use("Bash", json!({ "command": command }));
    let out = project.run_hook_raw(PRE, input.to_string().as_bytes(), env);
    decision_and_reason(&out)
}

fn run_with_stdin(mut cmd: Command, stdin: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut pipe) = child.stdin.take() {
        let _ = pipe.write_all(stdin);
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
}

fn curl_decision(project: &TempProject) -> String {
    bash(project, "curl https://example.com", &[]).0
}

fn cache_dir(data: &Path) -> PathBuf {
    data.join("claude-budget").join("cache")
}

/// The one cache entry of the pre-tool-use hook.
fn entry(project: &TempProject) -> PathBuf {
    let entries: Vec<PathBuf> = std::fs::read_dir(cache_dir(&project.data))
        .map(|dir| dir.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    let entries: Vec<PathBuf> = entries
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .collect();
    assert_eq!(entries.len(), 1, "one entry: {entries:?}");
    entries[0].clone()
}

/// An entry's header (parsed) and body (bytes).
fn read_entry(path: &Path) -> (Value, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap_or_default();
    let newline = bytes
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(bytes.len());
    let header = serde_json::from_slice(&bytes[..newline]).unwrap_or(Value::Null);
    (
        header,
        bytes.get(newline + 1..).unwrap_or_default().to_vec(),
    )
}

fn write_entry(path: &Path, header: &Value, body: &[u8]) {
    let mut bytes = header.to_string().into_bytes();
    bytes.push(b'\n');
    bytes.extend_from_slice(body);
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{e}"));
}

fn rewrite_keeping_size_and_mtime(path: &Path, text: &str) {
    let before = std::fs::metadata(path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(before.len(), text.len() as u64, "same size");
    let mtime = before.modified().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{e}"));
    let file = std::fs::File::options().write(true).open(path);
    file.and_then(|f| f.set_modified(mtime))
        .unwrap_or_else(|e| panic!("{e}"));
    let after = std::fs::metadata(path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(after.modified().ok(), Some(mtime), "same mtime");
}

#[test]
fn a_budget_rewritten_with_the_same_size_and_mtime_is_in_force_at_the_next_call() {
    let project = TempProject::new().budget(DENY_CURL);
    assert_eq!(curl_decision(&project), "deny");
    let _ = entry(&project);
    rewrite_keeping_size_and_mtime(&project.root.join(".claude/budget.toml"), DENY_WGET);
    assert_eq!(curl_decision(&project), "allow", "the edit is seen at once");
    assert_eq!(bash(&project, "wget https://example.com", &[]).0, "deny");
    rewrite_keeping_size_and_mtime(&project.root.join(".claude/budget.toml"), DENY_CURL);
    assert_eq!(curl_decision(&project), "deny", "and back");
}

#[test]
fn a_corrupt_or_truncated_cache_entry_is_ignored_and_rewritten() {
    let project = TempProject::new().budget(DENY_CURL);
    assert_eq!(curl_decision(&project), "deny");
    let path = entry(&project);
    let whole = std::fs::read(&path).unwrap_or_default();
    let newline = whole.iter().position(|b| *b == b'\n').unwrap_or(0);
    // An entry as made again: the same key, hashes and budget, another creation time.
    let without_time = |path: &Path| {
        let (mut header, body) = read_entry(path);
        header["written_ns"] = Value::Null;
        (header, body)
    };
    let made = without_time(&path);
    let damaged: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("garbage", b"\x00\xffnot json at all".to_vec()),
        ("header only", whole[..newline].to_vec()),
        ("cut in the body", whole[..whole.len() - 10].to_vec()),
        ("cut in the header", whole[..newline / 2].to_vec()),
        ("body of another length", [&whole[..], b" "].concat()),
    ];
    for (what, bytes) in damaged {
        std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(curl_decision(&project), "deny", "{what}");
        assert_eq!(without_time(&path), made, "{what}: made again");
    }
}

/// Two cache entries of `project`: the one made while its budget allowed curl (header and
/// body), then the budget rewritten to deny it and the entry made for that (its path and
/// header). The tests then try to pass the first off as the second.
fn entries_of_allowing_then_denying(project: &TempProject) -> (Value, Vec<u8>, PathBuf, Value) {
    assert_eq!(curl_decision(project), "allow");
    let (allowing, allowing_body) = read_entry(&entry(project));
    std::fs::write(project.root.join(".claude/budget.toml"), DENY_CURL).ok();
    assert_eq!(curl_decision(project), "deny");
    let path = entry(project);
    let (header, _) = read_entry(&path);
    (allowing, allowing_body, path, header)
}

/// An entry with this budget's key but the budget of other bytes: what a rewrite of the file
/// within one tick of the file system's clock (same size, mtime, ctime) would leave. Refused
/// because the file changed less than the margin before the entry was made, so its bytes are
/// hashed; and a header that does not describe its body is refused as well.
#[test]
fn an_entry_whose_budget_belongs_to_other_bytes_is_not_used() {
    let project = TempProject::new().budget(DENY_WGET);
    let (allowing, allowing_body, path, header) = entries_of_allowing_then_denying(&project);
    let mut same_stamps = header.clone();
    // Made just after the file changed (the executable, built before, is older still).
    let stamp = &header["key"]["files"][0]["stamp"];
    let changed = [&stamp["mtime_ns"], &stamp["ctime_ns"]]
        .iter()
        .filter_map(|t| t.as_i64())
        .max()
        .unwrap_or_default();
    same_stamps["written_ns"] = json!(changed + RACY_MARGIN_NS - 1);
    same_stamps["hashes"] = allowing["hashes"].clone();
    same_stamps["body_len"] = json!(allowing_body.len());
    write_entry(&path, &same_stamps, &allowing_body);
    assert_eq!(curl_decision(&project), "deny", "the file is hashed");
    let mut mismatched = header.clone();
    mismatched["body_len"] = json!(allowing_body.len());
    write_entry(&path, &mismatched, &allowing_body);
    assert_eq!(curl_decision(&project), "deny", "header and body disagree");
}

/// One change to a cache entry's header.
type HeaderChange = fn(&mut Value);

/// An entry trusted by its metadata (made long after the files changed) is still refused
/// when it was made by another version, schema or executable. The last cases show why the
/// cache dir is protected (with the right key, a planted entry is believed) and why managed
/// budgets are never cached (it still cannot drop them).
#[test]
fn an_entry_of_another_version_or_build_is_not_used() {
    let project = TempProject::new().budget(DENY_WGET);
    let (allowing, allowing_body, path, header) = entries_of_allowing_then_denying(&project);
    let later = header["written_ns"].as_i64().unwrap_or_default() + 60_000_000_000;
    let forge = |change: HeaderChange| {
        let mut forged = header.clone();
        forged["written_ns"] = json!(later);
        forged["hashes"] = allowing["hashes"].clone();
        forged["body_len"] = json!(allowing_body.len());
        change(&mut forged);
        write_entry(&path, &forged, &allowing_body);
    };
    let others: [(&str, HeaderChange); 3] = [
        ("version", |h| h["key"]["version"] = json!("0.0.0-old")),
        ("schema", |h| h["key"]["schema"] = json!(0)),
        ("build", |h| h["key"]["build"]["size"] = json!(1)),
    ];
    for (what, change) in others {
        forge(change);
        assert_eq!(curl_decision(&project), "deny", "{what}");
    }
    forge(|_| {});
    assert_eq!(
        curl_decision(&project),
        "allow",
        "a forged entry with the right key"
    );
    // The managed budget is never taken from the cache: a forged entry cannot drop it.
    std::fs::write(project.managed.join("budget.toml"), DENY_CURL).ok();
    assert_eq!(
        curl_decision(&project),
        "deny",
        "the managed layer still applies"
    );
}

#[test]
fn an_unwritable_cache_dir_changes_nothing() {
    let project = TempProject::new().budget(DENY_CURL);
    let dir = cache_dir(&project.data);
    std::fs::create_dir_all(dir.parent().unwrap_or(&dir)).ok();
    std::fs::write(&dir, "a file where the cache dir would be").ok();
    for _ in 0..2 {
        assert_eq!(curl_decision(&project), "deny");
    }
    std::fs::write(project.root.join(".claude/budget.toml"), DENY_WGET).ok();
    assert_eq!(curl_decision(&project), "allow");
}

#[test]
fn switching_the_task_applies_the_new_task_at_once() {
    let budget = format!("{DENY_WGET}[tasks.offline]\nrun.deny = [\"curl\"]\n");
    let project = TempProject::new().budget(&budget);
    let with_task = |task: &str| {
        bash(
            &project,
            "curl https://example.com",
            &[("CLAUDE_BUDGET_TASK", task)],
        )
    };
    assert_eq!(curl_decision(&project), "allow");
    assert_eq!(with_task("offline").0, "deny");
    assert_eq!(curl_decision(&project), "allow");
    let (verdict, reason) = with_task("no-such-task");
    assert_eq!(verdict, "deny");
    assert!(reason.contains("unknown task `no-such-task`"), "{reason}");
    assert_eq!(with_task("offline").0, "deny");
}

#[test]
fn a_new_user_or_managed_budget_is_in_force_at_the_next_call() {
    let project = TempProject::new().budget(DENY_WGET);
    assert_eq!(curl_decision(&project), "allow");
    let user = project.config.join("claude-budget");
    std::fs::create_dir_all(&user).ok();
    std::fs::write(user.join("budget.toml"), DENY_CURL).ok();
    assert_eq!(curl_decision(&project), "deny", "user layer");
    std::fs::remove_file(user.join("budget.toml")).ok();
    assert_eq!(curl_decision(&project), "allow", "user layer gone");
    std::fs::write(project.managed.join("budget.toml"), DENY_CURL).ok();
    assert_eq!(curl_decision(&project), "deny", "managed layer");
}

/// With the platform data dir (no `CLAUDE_BUDGET_DATA_DIR`), the cache dir is protected like
/// the runs beside it: the agent cannot plant an entry with its tools or the shell.
#[test]
fn the_agent_cannot_write_a_cache_entry() {
    let project = TempProject::new().budget(DENY_CURL);
    let data = project.home.join(".local/share");
    let entry = cache_dir(&data).join("budget-0123456789abcdef.bin");
    let run = |input: Value| {
        let mut cmd = project.command(PRE);
        cmd.env_remove("CLAUDE_BUDGET_DATA_DIR")
            .env_remove("XDG_DATA_HOME");
        let out = run_with_stdin(cmd, input.to_string().as_bytes());
        decision_and_reason(&out)
    };
    let dir = cache_dir(&data);
    let write = project.pre_tool_use("Write", json!({ "file_path": entry, "content": "{}" }));
    let bash = |command: String| project.pre_tool_use("Bash", json!({ "command": command }));
    let attempts = [
        ("Write", write),
        ("printf", bash(format!("printf x > {}", entry.display()))),
        ("cp", bash(format!("cp /tmp/forged {}/", dir.display()))),
        (
            "ln",
            bash(format!("ln -sf /tmp/forged {}", entry.display())),
        ),
        ("mv", bash(format!("mv /tmp/forged {}", entry.display()))),
        (
            "relative",
            bash("cd ~/.local/share/claude-budget && tee cache/x".into()),
        ),
        (
            "dir swap",
            bash(format!("rm -rf {0} && ln -s /tmp/x {0}", dir.display())),
        ),
    ];
    for (what, input) in attempts {
        let (verdict, reason) = run(input);
        assert_eq!(verdict, "deny", "{what}: {reason}");
        assert!(reason.contains("self-protection"), "{what}: {reason}");
    }
}

#[test]
fn a_budget_broken_after_a_cached_call_is_reported_invalid_not_served_from_the_cache() {
    let project = TempProject::new().budget(DENY_WGET);
    assert_eq!(curl_decision(&project), "allow");
    let _ = entry(&project);
    std::fs::write(
        project.root.join(".claude/budget.toml"),
        "version = 1\n[run\ndeny = [\"wget\"]\n",
    )
    .ok();
    let (verdict, reason) = bash(&project, "curl https://example.com", &[]);
    assert_eq!(verdict, "deny", "{reason}");
    assert!(reason.contains("invalid toml"), "{reason}");
    std::fs::write(project.root.join(".claude/budget.toml"), DENY_WGET).ok();
    assert_eq!(curl_decision(&project), "allow", "fixed again");
}
