//! The redaction table: every built-in credential format is hidden, and ordinary text that
//! merely looks technical (hashes, UUIDs, `RUST_LOG=debug`) stays readable.

use budget_policy::redact::Redactor;
use serde_json::json;

/// (what it is, text containing a secret, the secret that must disappear)
const SECRETS: &[(&str, &str, &str)] = &[
    (
        "github classic token",
        "git clone https://ghp_R2d2C3poL0rEmIpSuMd0L0rS1tAmEt0001@github.com/o/r",
        "ghp_R2d2C3poL0rEmIpSuMd0L0rS1tAmEt0001",
    ),
    (
        "github fine-grained token",
        "export GH=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
    ),
    (
        "aws access key id",
        "aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE",
        "AKIAIOSFODNN7EXAMPLE",
    ),
    (
        "aws secret in assignment",
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY ./deploy.sh",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    (
        "slack bot token",
        "curl -d token=xoxb-123456789012-abcdefghijkl https://slack.com/api",
        "xoxb-123456789012-abcdefghijkl",
    ),
    (
        "openai key",
        "OPENAI=sk-proj-abcdefghijklmnopqrstuvwxyz0123 python run.py",
        "sk-proj-abcdefghijklmnopqrstuvwxyz0123",
    ),
    (
        "anthropic key",
        "client = Anthropic(api_key='sk-ant-api03-abcdefghijklmnopqrstuvwxyz-0123')",
        "sk-ant-api03-abcdefghijklmnopqrstuvwxyz-0123",
    ),
    (
        "jwt",
        "echo eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "eyJzdWIiOiIxMjM0NTY3ODkwIn0",
    ),
    (
        "private key block",
        "printf '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----' > k",
        "b3BlbnNzaC1rZXktdjEAAAAA",
    ),
    (
        "bearer header",
        "curl -H 'Authorization: Bearer abc.def.ghi123' https://api.example.com",
        "abc.def.ghi123",
    ),
    (
        "api key header",
        "curl -H \"X-Api-Key: 9f8e7d6c5b4a\" https://api.example.com",
        "9f8e7d6c5b4a",
    ),
    (
        "token flag with =",
        "deploy --token=s3cr3tvalue --verbose",
        "s3cr3tvalue",
    ),
    (
        "password flag with space",
        "mysqladmin --password hunter2 status",
        "hunter2",
    ),
    (
        "secret env assignment",
        "GITHUB_TOKEN=abc123def456 gh pr list",
        "abc123def456",
    ),
    (
        "quoted assignment",
        "export DB_PASSWORD=\"correct horse battery\"",
        "correct horse battery",
    ),
    (
        "json field in a command",
        r#"curl -d '{"client_secret": "zyx987"}' https://x"#,
        "zyx987",
    ),
    (
        "password in a url",
        "psql postgres://admin:pa55word@db.internal/app",
        "pa55word",
    ),
];

/// Text that must come out unchanged.
const READABLE: &[(&str, &str)] = &[
    (
        "commit hash",
        "git show 3f786850e387550fdab836ed7e6dc881de23001b",
    ),
    (
        "uuid",
        "session 39d6be26-b9ef-44dd-bf6f-07cc3105fabf resumed",
    ),
    (
        "ordinary assignment",
        "RUST_LOG=debug cargo test -p billing-export",
    ),
    (
        "several ordinary assignments",
        "CI=1 NODE_ENV=test PATH=/usr/bin:/bin npm test",
    ),
    (
        "variable reference, not a value",
        "GITHUB_TOKEN=$GH_TOKEN gh pr list",
    ),
    ("words that contain key", "monkey=1 keyboard=us turkey=2"),
    ("working directory", "PWD=/home/dev/proj make"),
    ("prose mentioning a key", "the key: keep the export stable"),
    ("task names with sk", "task-runner --desk-mode run"),
    ("git push", "git push --force origin main"),
];

#[test]
fn every_builtin_credential_format_is_redacted() {
    let redactor = Redactor::new(&[]);
    for (what, text, secret) in SECRETS {
        let out = redactor.text(text);
        assert!(
            !out.contains(secret),
            "{what}: secret still visible in {out:?}"
        );
        assert!(
            out.contains("[REDACTED"),
            "{what}: no redaction marker in {out:?}"
        );
    }
}

#[test]
fn ordinary_technical_text_stays_readable() {
    let redactor = Redactor::new(&[]);
    for (what, text) in READABLE {
        assert_eq!(redactor.text(text), *text, "{what} was changed");
    }
}

#[test]
fn redaction_keeps_the_name_of_what_was_hidden() {
    let redactor = Redactor::new(&[]);
    assert_eq!(
        redactor.text("GITHUB_TOKEN=abc123 gh pr list"),
        "GITHUB_TOKEN=[REDACTED:assignment] gh pr list"
    );
    assert_eq!(
        redactor.text("curl -H 'Authorization: Bearer abc123'"),
        "curl -H 'Authorization: Bearer [REDACTED:auth-header]'"
    );
}

#[test]
fn budget_record_redact_patterns_are_applied_on_top() {
    let extra = [budget_policy::redact::Regex::new(r"INV-\d{6}").unwrap_or_else(|e| panic!("{e}"))];
    let redactor = Redactor::new(&extra);
    assert_eq!(
        redactor.text("export invoice INV-123456 now"),
        "export invoice [REDACTED] now"
    );
    assert_eq!(
        Redactor::new(&[]).text("export invoice INV-123456 now"),
        "export invoice INV-123456 now"
    );
}

#[test]
fn json_strings_and_secret_named_fields_are_redacted() {
    let redactor = Redactor::new(&[]);
    let out = redactor.json(&json!({
        "command": "GITHUB_TOKEN=abc123 gh api",
        "headers": {"api_key": 12345, "accept": "json"},
        "list": ["ghp_R2d2C3poL0rEmIpSuMd0L0rS1tAmEt0001"],
        "session_id": null,
    }));
    let text = out.to_string();
    for secret in ["abc123", "12345", "ghp_R2d2"] {
        assert!(!text.contains(secret), "{secret} visible in {text}");
    }
    assert_eq!(out["headers"]["accept"], "json");
    assert!(out["session_id"].is_null());
}
