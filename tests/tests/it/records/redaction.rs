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
    (
        "postgres password variable (name contains PASSWORD)",
        "PGPASSWORD=pgsecret42 psql -h db -U app",
        "pgsecret42",
    ),
    (
        "mysql password glued to -p",
        "mysql -u root -psupersecretpw app < dump.sql",
        "supersecretpw",
    ),
    (
        "mariadb password glued to -p",
        "mariadb -h db -pMariaPw99 -e 'select 1'",
        "MariaPw99",
    ),
    (
        "mysqldump password glued to -p",
        "/usr/bin/mysqldump -uroot -p'quoted pw' app > backup.sql",
        "quoted pw",
    ),
    (
        "mysql --password=",
        "mysql --password=xk42pw -u app",
        "xk42pw",
    ),
    (
        "curl -u user:password",
        "curl -u admin:hunter2secret https://api.example.com",
        "hunter2secret",
    ),
    (
        "curl --user user:password",
        "curl --user admin:pw7 https://api.example.com",
        "pw7",
    ),
    (
        "curl -u glued",
        "curl -uadmin:gluedpw9 https://api.example.com",
        "gluedpw9",
    ),
    (
        "sshpass -p",
        "sshpass -p sshpw123 ssh deploy@host uptime",
        "sshpw123",
    ),
    (
        "sshpass -p glued",
        "sshpass -psshpw456 ssh deploy@host uptime",
        "sshpw456",
    ),
    (
        "--password with a space",
        "redis-cli --password r3dispw ping",
        "r3dispw",
    ),
    (
        "exported variable whose name contains PASSWD",
        "export MY_DB_PASSWD=passwd77",
        "passwd77",
    ),
    (
        "variable named ..._SECRET",
        "AWS_SECRET=awsS3cr3tValue ./deploy.sh",
        "awsS3cr3tValue",
    ),
    (
        "variable whose name contains TOKEN without a separator",
        "NPMTOKEN=npm0tok3n npm publish",
        "npm0tok3n",
    ),
    (
        "lower-case client secret in a flag",
        "oauth --clientsecret=abcdef99 login",
        "abcdef99",
    ),
    (
        "segment KEY in a flag",
        "tool --api.key=keyvalue42",
        "keyvalue42",
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
    // `-p` is a password only for the MySQL/MariaDB clients and sshpass.
    ("git log -p (patch)", "git log -p -- src/main.rs"),
    ("ls -p (slashes)", "ls -p src"),
    ("npm script port after --", "npm run build -- -p 3000"),
    ("ssh port", "ssh -p 2222 deploy@host uptime"),
    (
        "docker port mapping before the image",
        "docker run -p 3306:3306 mysql",
    ),
    ("mysql -p alone prompts", "mysql -u root -p app"),
    ("mysql -P is the port", "mysql -P 3307 -u app"),
    (
        "mysql password from a variable",
        "mysql -u app -p\"$MYSQL_PWD\" app",
    ),
    (
        "sshpass password from a variable",
        "sshpass -p \"$SSHPASS\" ssh host",
    ),
    (
        "curl user without a password prompts",
        "curl -u admin https://api.example.com",
    ),
    (
        "curl flag clusters",
        "curl -fsSL https://sh.rustup.rs -o rustup.sh",
    ),
    // Counting words and well-known settings that merely contain TOKEN.
    ("token counts", "bench --max_tokens=256 input_tokens=12"),
    (
        "tokenizer setting",
        "TOKENIZERS_PARALLELISM=false python train.py",
    ),
    ("words that contain pass or auth", "passenger=3 author=ana"),
    (
        "a boolean flag before another flag",
        "gh repo create demo --private --description tools",
    ),
];

#[test]
fn every_builtin_credential_format_is_redacted() {
    let redactor = Redactor::new(&[]);
    let leaks: Vec<String> = SECRETS
        .iter()
        .filter_map(|(what, text, secret)| {
            let out = redactor.text(text);
            (out.contains(secret) || !out.contains("[REDACTED")).then(|| format!("{what}: {out}"))
        })
        .collect();
    assert!(
        leaks.is_empty(),
        "secrets still visible:\n{}",
        leaks.join("\n")
    );
}

#[test]
fn ordinary_technical_text_stays_readable() {
    let redactor = Redactor::new(&[]);
    let changed: Vec<String> = READABLE
        .iter()
        .filter_map(|(what, text)| {
            let out = redactor.text(text);
            (out != *text).then(|| format!("{what}: {out}"))
        })
        .collect();
    assert!(
        changed.is_empty(),
        "readable text was changed:\n{}",
        changed.join("\n")
    );
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
fn command_option_passwords_keep_the_option_and_user_readable() {
    let redactor = Redactor::new(&[]);
    let rows = [
        (
            "mysql -u root -psupersecretpw app",
            "mysql -u root -p[REDACTED:password] app",
        ),
        (
            "curl -u admin:hunter2secret https://x",
            "curl -u admin:[REDACTED:password] https://x",
        ),
        (
            "curl --user 'admin:pw 7' https://x",
            "curl --user 'admin:[REDACTED:password]' https://x",
        ),
        (
            "sshpass -p pw ssh -p 2222 host",
            "sshpass -p [REDACTED:password] ssh -p 2222 host",
        ),
        (
            "sudo mysql -pX1; git log -p",
            "sudo mysql -p[REDACTED:password]; git log -p",
        ),
        (
            "PGPASSWORD=pgsecret42 psql",
            "PGPASSWORD=[REDACTED:assignment] psql",
        ),
    ];
    for (text, expected) in rows {
        assert_eq!(redactor.text(text), expected, "{text}");
    }
}

#[test]
fn budget_record_redact_patterns_are_applied_on_top() {
    let extra = [budget_policy::redact::Regex::new(r"INV-\d{6}").unwrap()];
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
