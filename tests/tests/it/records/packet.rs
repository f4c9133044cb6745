//! The review packet of a recorded run, as a reviewer reads it (markdown) and as tools read it
//! (JSON): snapshots of the `invoice-export` fixture run.

use super::{install_fixture_run, stable};
use budget_policy::env::Env;
use budget_policy::fsview::RealFs;
use budget_policy::report::{Packet, Place};
use budget_policy::store::record;
use budget_tests::TempProject;
use std::path::Path;
use std::sync::OnceLock;

/// The place of a run under `root` in this process's environment, as the CLI builds it.
fn place(root: &Path) -> Place<'_> {
    static ENV: OnceLock<Env> = OnceLock::new();
    Place::new(root, ENV.get_or_init(Env::from_process), &RealFs)
}

fn fixture_packet() -> (Packet, TempProject) {
    let project = TempProject::new();
    project.write(
        ".git/config",
        "[user]\n\tname = Dana Dev\n\temail = dana@example.com\n",
    );
    let session = project.data.join("claude-budget/runs/proj/5feb3bdf");
    install_fixture_run("invoice-export", &project.root, &session);
    let events = record::read(&session).unwrap();
    (
        Packet::build(&events, None, None, &place(&project.root)),
        project,
    )
}

#[test]
fn review_packet_markdown_for_the_invoice_export_run() {
    let (packet, project) = fixture_packet();
    insta::assert_snapshot!(stable(&packet.markdown(), &project.root));
}

#[test]
fn review_packet_json_for_the_invoice_export_run() {
    let (packet, project) = fixture_packet();
    let json = serde_json::to_string_pretty(&packet).unwrap();
    insta::assert_snapshot!(stable(&json, &project.root));
}

#[test]
fn the_packet_names_what_a_reviewer_must_check() {
    let (packet, _project) = fixture_packet();
    assert_eq!(packet.delegating_user, "Dana Dev <dana@example.com>");
    assert_eq!(
        packet
            .task_request
            .as_deref()
            .map(|t| t.starts_with("The invoice CSV export")),
        Some(true)
    );
    let denied: Vec<&str> = packet.denied.iter().map(|d| d.what.as_str()).collect();
    assert_eq!(denied, [".env", "git push --force origin main"]);
    assert_eq!(packet.stops.len(), 1, "the migration edit hit a stop rule");
    let approvals: Vec<(&str, bool)> = packet
        .approvals
        .iter()
        .map(|a| (a.action.what.as_str(), a.ran))
        .collect();
    assert_eq!(
        approvals,
        [("Cargo.toml", true), ("git commit -am 'fix vat'", false)]
    );
    assert_eq!(
        packet.tests.gaps,
        ["billing/export/vat.rs"],
        "vat.rs was written after the passing run"
    );
    assert_eq!(packet.spend.retried.len(), 1);
    assert!(!packet.rollback.present);
}

#[test]
fn packet_has_no_raw_json_and_only_project_relative_paths() {
    let (packet, project) = fixture_packet();
    let markdown = packet.markdown();
    assert!(
        !markdown.contains(&*project.root.to_string_lossy()),
        "absolute project path in:\n{markdown}"
    );
    assert!(!markdown.contains("{\""), "raw JSON in:\n{markdown}");
    assert!(markdown.contains("## Reviewer decision"));
}

#[test]
fn spend_says_what_was_recorded_never_unknown_tokens() {
    let prompt = record::Event {
        ts: "2026-03-01T12:00:00.000Z".into(),
        event: "UserPromptSubmit".into(),
        prompt: Some("fix it".into()),
        ..record::Event::default()
    };
    let root = std::path::Path::new("/nonexistent-project");
    let rows = [
        (None, None, "- spend not recorded; "),
        (Some(1200), None, "- 1,200 tokens (USD not recorded); "),
        (Some(1200), Some(0.5), "- 1,200 tokens, $0.5000; "),
    ];
    for (tokens, usd, expected) in rows {
        let mut packet = Packet::build(std::slice::from_ref(&prompt), None, None, &place(root));
        packet.spend.tokens = tokens;
        packet.spend.usd = usd;
        let markdown = packet.markdown();
        assert!(markdown.contains(expected), "{expected}:\n{markdown}");
        assert!(!markdown.contains("unknown tokens"), "{markdown}");
    }
}

#[test]
fn a_real_denial_message_is_one_short_line_naming_the_rule_once() {
    let deny = record::Event {
        ts: "2026-03-01T12:00:00.000Z".into(),
        event: "PreToolUse".into(),
        tool: Some("Bash".into()),
        summary: Some("cat .env".into()),
        decision: Some("deny".into()),
        code: Some("path-denied".into()),
        rule: Some("pack:secrets/dotenv".into()),
        reason: Some("claude-budget refused reading `.env` (by `cat .env`): denied by pack secrets: dotenv (pack:secrets/dotenv) [path-denied]. Work only on paths the budget allows; if you really need this path, stop and ask the user.".into()),
        ..record::Event::default()
    };
    let packet = Packet::build(
        &[deny],
        None,
        None,
        &place(std::path::Path::new("/nonexistent-project")),
    );
    let markdown = packet.markdown();
    assert!(
        markdown.contains(
            "- Bash `cat .env` — path-denied, pack:secrets/dotenv — reading `.env`: denied by pack secrets: dotenv\n"
        ),
        "{markdown}"
    );
}
