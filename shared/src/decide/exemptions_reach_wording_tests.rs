//! Rows on exemptions, reach and wording: a rollback note loosens only its own
//! layer, folder edits reaching protected paths, Bash calls without a command, and what the
//! messages say.

use super::*;

/// (name, repo budget, user budget, path written, expected verdict)
type NoteRow<'a> = (&'a str, &'a str, Option<&'a str>, &'a str, Option<Verdict>);

#[test]
fn a_rollback_note_is_exempt_only_in_the_layer_that_needs_it() {
    let user_asks = "version = 1\n[edit]\nask = [\"src/**\"]\ndefault = \"deny\"\n";
    let rows: Vec<NoteRow> = vec![
        (
            "a repo note does not lift the user's ask",
            "version = 1\n[evidence]\nrollback_note = \"src/a.rs\"\n",
            Some(user_asks),
            "src/a.rs",
            Some(Verdict::Ask),
        ),
        (
            "a repo note with high-risk paths still does not lift the user's ask",
            "version = 1\n[evidence]\nhigh_risk = [\"billing/**\"]\nrollback_note = \"src/a.rs\"\n",
            Some(user_asks),
            "src/a.rs",
            Some(Verdict::Ask),
        ),
        (
            "a repo note does not lift the user's default deny",
            "version = 1\n[evidence]\nhigh_risk = [\"billing/**\"]\nrollback_note = \"notes/undo.md\"\n",
            Some(user_asks),
            "notes/undo.md",
            Some(Verdict::Deny),
        ),
        (
            "a layer without high-risk paths decides its note by [edit]",
            "version = 1\n[edit]\ndefault = \"deny\"\n[evidence]\nrollback_note = \"notes/undo.md\"\n",
            None,
            "notes/undo.md",
            Some(Verdict::Deny),
        ),
        (
            "a layer with high-risk paths lets its own note be written",
            "version = 1\n[edit]\ndefault = \"deny\"\n[evidence]\nhigh_risk = [\"billing/**\"]\nrollback_note = \"notes/undo.md\"\n",
            None,
            "notes/undo.md",
            Some(Verdict::Allow),
        ),
    ];
    for (name, repo, user, rel, want) in rows {
        let f = fixture_with(repo, user, None);
        let write = ToolCall::Edit {
            tool: "Write".into(),
            path: Some(f.path(rel)),
        };
        let d = f.decide(write);
        assert_eq!(d.verdict, want, "{name}: {}", d.reason);
    }
}

#[test]
fn a_bash_call_without_a_usable_command_is_unparsed() {
    let f = fixture(SECTIONS);
    let rows: Vec<(&str, serde_json::Value)> = vec![
        ("input is a string", serde_json::json!("rm -rf /")),
        ("no command field", serde_json::json!({})),
        ("empty command", serde_json::json!({"command": ""})),
        ("blank command", serde_json::json!({"command": "  \n"})),
        ("command is a number", serde_json::json!({"command": 5})),
        ("input missing", serde_json::Value::Null),
    ];
    for (name, input) in rows {
        let d = f.decide(ToolCall::from_parts("Bash", &input));
        assert_eq!(
            (d.verdict, d.code),
            (Some(Verdict::Ask), Code::UnparsedCommand),
            "{name}: {}",
            d.reason
        );
        assert!(d.reason.contains("had no command"), "{name}: {}", d.reason);
        assert!(d.reason.contains("[run] unparsed"), "{name}: {}", d.reason);
    }
}

const OPEN_EDITS: &str = r#"
version = 1
[read]
allow = ["**"]
outside_project = "allow"
[edit]
allow = ["**"]
outside_project = "allow"
"#;

#[test]
fn edits_that_reach_a_protected_path_through_its_folder_are_refused() {
    let f = fixture_with(OPEN_EDITS, Some("version = 1\n"), None);
    let config = f.root.with_file_name("config");
    let user_dir = config.join("claude-budget");
    let refused = [
        "rm -rf .".to_owned(),
        "rm -rf ..".into(),
        "rm -rf /".into(),
        "find . -name '*.toml' -delete".into(),
        "find . -name .git -exec rm -rf {} +".into(),
        "find . -name '.*' -delete".into(),
        "find . -delete".into(),
        "cp -r /tmp/x/. .".into(),
        "rsync -a --delete /tmp/x/ .".into(),
        "tar -xf /tmp/x.tgz".into(),
        "cp -r /tmp/evil/.git .".into(),
        "cp /tmp/evil/.git .".into(),
        format!("mv {} /tmp/old", user_dir.display()),
        format!("rm -rf {}", config.display()),
        format!("echo x > {}/extra.toml", user_dir.display()),
        "echo {} > ~/.claude/settings.json".into(),
        "echo {} > ~/.claude/settings.local.json".into(),
        "rm -rf ~/.claude".into(),
    ];
    for cmd in &refused {
        let d = f.decide(bash(cmd));
        assert_eq!(
            (d.verdict, d.code),
            (Some(Verdict::Deny), Code::SelfProtection),
            "{cmd}: {}",
            d.reason
        );
    }
    let write_settings = ToolCall::Edit {
        tool: "Write".into(),
        path: Some("~/.claude/settings.json".into()),
    };
    assert_eq!(f.decide(write_settings).code, Code::SelfProtection);
    let left_to_edit = [
        "cp /tmp/a.txt .".to_owned(),
        "cp -r /tmp/x src".into(),
        "rm -rf /tmp/unrelated".into(),
        // Narrowed by name, a cleanup at the root reaches neither the budget nor `.git`.
        "find . -name '*.pyc' -delete".into(),
        "find . -type d -name __pycache__ -exec rm -rf {} +".into(),
        "cat ~/.claude/settings.json".into(),
        format!("cat {}/budget.toml", user_dir.display()),
    ];
    for cmd in &left_to_edit {
        let d = f.decide(bash(cmd));
        assert!(
            d.code != Code::SelfProtection && d.verdict != Some(Verdict::Deny),
            "{cmd}: {}",
            d.reason
        );
    }
}

#[test]
fn refusals_lead_with_what_was_refused_and_name_the_real_rule() {
    let f = fixture(SECTIONS);
    // Ask in a mode where nobody can approve: the refusal comes first.
    let d = f.decide_with(bash("git commit -m x"), &SessionFacts::default(), true);
    assert!(
        d.reason.starts_with(
            "claude-budget refused running `git commit -m x`: it needs the user's approval"
        ) && d
            .reason
            .contains("nobody can approve in this permission mode [approval-needed]")
            && d.reason
                .contains("Stop and ask the user to approve it or run it themselves")
            && !d.reason.contains("asks for approval"),
        "{}",
        d.reason
    );
    // Ties: what the analysis found beats a section's default.
    for cmd in ["eval $X", "bash -c \"$(printf rm) -rf /\""] {
        let d = f.decide(bash(cmd));
        assert_eq!(d.code, Code::UnparsedCommand, "{cmd}: {}", d.reason);
        assert!(!d.reason.contains("[run] default"), "{cmd}: {}", d.reason);
    }
    // A refused command names allowed commands of the same program.
    let d = f.decide(bash("cargo build"));
    assert!(
        d.reason.contains("Allowed instead: `cargo test`."),
        "{}",
        d.reason
    );
    let d = f.decide(bash("git push origin main"));
    assert!(!d.reason.contains("Allowed instead"), "{}", d.reason);
}

#[test]
fn a_stopped_run_names_the_rule_that_stopped_it() {
    let repo = r#"
version = 1
[run]
allow = ["**"]
[spend]
max_usd = 1.0
on_exceed = "halt"
"#;
    let f = fixture(repo);
    let stopped_by_rule = SessionFacts {
        stopped: Some(StopFact {
            reason: "Deploying is outside this budget.".into(),
            origin: ".claude/budget.toml:9:1".into(),
        }),
        ..SessionFacts::default()
    };
    let d = f.decide_with(bash("ls"), &stopped_by_rule, false);
    assert!(
        d.reason.contains("stop rule at .claude/budget.toml:9:1")
            && d.reason.contains("Deploying is outside this budget.")
            && !d.reason.contains("stopped-run"),
        "{}",
        d.reason
    );
    let over = SessionFacts {
        spend_usd: 2.0,
        ..SessionFacts::default()
    };
    let halt = f.decide_with(bash("ls"), &over, false);
    assert_eq!(halt.code, Code::SpendExceeded);
    assert!(
        halt.reason.contains("spend limit") && !halt.reason.contains("stop rule"),
        "{}",
        halt.reason
    );
    let halted = SessionFacts {
        stopped: Some(StopFact {
            reason: halt.stop_reason.clone().unwrap_or_default(),
            origin: halt
                .rule
                .as_ref()
                .map(|h| h.origin.to_string())
                .unwrap_or_default(),
        }),
        ..over
    };
    let d = f.decide_with(bash("ls"), &halted, false);
    assert!(
        d.reason
            .contains("stopped by the spend limit at .claude/budget.toml:")
            && d.reason.contains("max_usd")
            && !d.reason.contains("stop rule"),
        "{}",
        d.reason
    );
}

#[test]
fn self_protection_says_what_the_file_is_and_why_it_is_kept() {
    let f = fixture(OPEN_EDITS);
    let rows = [
        (".claude/budget.toml", "sets what this run may do"),
        (".claude/settings.json", "install the hooks"),
        (".git/hooks/pre-commit", "run code on later git commands"),
        ("home/.bashrc", "runs code in every later shell"),
    ];
    for (rel, why) in rows {
        let d = f.decide(f.edit(rel));
        assert_eq!(d.code, Code::SelfProtection, "{rel}");
        assert!(d.reason.contains(why), "{rel}: {}", d.reason);
        assert_eq!(
            d.reason
                .matches(d.rule.as_ref().map_or("?", |h| h.rule.as_str()))
                .count(),
            1,
            "{rel}: says what it is once: {}",
            d.reason
        );
    }
    let d = f.decide(f.edit("home/.bashrc"));
    assert!(!d.reason.contains("enforce the budget"), "{}", d.reason);
    let d = f.decide(bash("rm -rf ."));
    assert!(
        d.reason.contains("it holds `") && d.reason.contains("Name the paths inside the folder"),
        "{}",
        d.reason
    );
}
