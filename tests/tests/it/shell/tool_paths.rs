//! Read/Edit/Grep/Glob/NotebookEdit/MultiEdit/WebFetch/PowerShell calls whose path or URL
//! is dressed up to slip past a rule (`src/../.env`, `//`, a trailing slash, `~`, userinfo
//! in a URL): each must get the decision the plain path or host gets under the corpus's
//! strict budget, in the corpus's fake project `/p` (home `/home/u`).

use super::FakeFs;
use budget_policy::budget::{self, Located};
use budget_policy::decide::{DecideContext, SessionFacts, decide};
use budget_policy::protocol::ToolCall;
use std::path::Path;

/// A corpus budget (`strict`, `open`) as the repo budget of `/p`.
fn corpus_budget(name: &str) -> budget::Budget {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/corpus/budgets");
    let located = Located {
        project_root: "/p".into(),
        repo_budget: Some(dir.join(format!("{name}.toml"))),
        user_budget: None,
        managed_budgets: Vec::new(),
    };
    match budget::load(&located, None) {
        Ok(Some(budget)) => budget,
        Ok(None) => panic!("{name} budget did not load"),
        Err(e) => panic!("{name} budget: {:?}", e.diagnostics),
    }
}

/// (tool, input JSON, expected decision, why).
const ROWS: &[(&str, &str, &str, &str)] = &[
    (
        "Read",
        r#"{"file_path":"/p/.env"}"#,
        "deny",
        "the plain path",
    ),
    (
        "Read",
        r#"{"file_path":"src/../.env"}"#,
        "deny",
        "`..` is resolved",
    ),
    (
        "Read",
        r#"{"file_path":"/p/src/../.env"}"#,
        "deny",
        "`..` in an absolute path",
    ),
    (
        "Read",
        r#"{"file_path":"./.env"}"#,
        "deny",
        "`./` is dropped",
    ),
    (
        "Read",
        r#"{"file_path":"/p//.env"}"#,
        "deny",
        "`//` is one separator",
    ),
    (
        "Read",
        r#"{"file_path":".env/"}"#,
        "deny",
        "a trailing slash names the same path",
    ),
    (
        "Read",
        r#"{"file_path":"/p/./secrets/./k.pem"}"#,
        "deny",
        "`.` segments are dropped",
    ),
    (
        "Read",
        r#"{"file_path":"secrets"}"#,
        "deny",
        "`dir/**` matches the folder itself",
    ),
    (
        "Read",
        r#"{"file_path":"~/.ssh/id_rsa"}"#,
        "deny",
        "`~` is the home folder",
    ),
    (
        "Read",
        r#"{"file_path":"/home/u/.ssh/../.ssh/id_rsa"}"#,
        "deny",
        "`..` outside the project",
    ),
    (
        "Read",
        r#"{"file_path":"src/main.rs"}"#,
        "no opinion",
        "an unnamed path in the project abstains",
    ),
    (
        "Read",
        r#"{}"#,
        "no opinion",
        "Read without a path reads the current folder",
    ),
    (
        "Grep",
        r#"{"pattern":"KEY","path":".env"}"#,
        "deny",
        "Grep's path field is a read",
    ),
    (
        "Grep",
        r#"{"pattern":"KEY","path":"src/../secrets"}"#,
        "deny",
        "Grep's path is normalised",
    ),
    (
        "Glob",
        r#"{"pattern":"**/*","path":"secrets/"}"#,
        "deny",
        "Glob's path field is a read",
    ),
    (
        "Grep",
        r#"{"pattern":"KEY","path":"/p","glob":".env"}"#,
        "deny",
        "Grep's glob names the files it reads: `.env` at any depth",
    ),
    (
        "Grep",
        r#"{"pattern":"KEY","glob":"**/.env*"}"#,
        "deny",
        "a glob that names `.env` among others",
    ),
    (
        "Grep",
        r#"{"pattern":"KEY","path":"src","glob":"../secrets/*"}"#,
        "deny",
        "`..` in the glob leaves the searched folder",
    ),
    (
        "Grep",
        r#"{"pattern":"KEY","path":"/p","glob":"*.{pem,key}"}"#,
        "deny",
        "alternatives in the glob meet `**/*.pem`",
    ),
    (
        "Glob",
        r#"{"pattern":"**/.env*"}"#,
        "deny",
        "Glob's pattern names the files it lists",
    ),
    (
        "Glob",
        r#"{"pattern":"secrets/*"}"#,
        "deny",
        "Glob's pattern inside a denied folder",
    ),
    (
        "Glob",
        r#"{"pattern":"/home/u/.ssh/*"}"#,
        "deny",
        "an absolute Glob pattern outside the project",
    ),
    (
        "Grep",
        r#"{"pattern":"KEY","path":"/p","glob":"*.rs"}"#,
        "no opinion",
        "a glob naming no denied file abstains like the folder",
    ),
    (
        "Edit",
        r#"{"file_path":"migrations/../migrations/001.sql","old_string":"a","new_string":"b"}"#,
        "deny",
        "`..` is resolved for edits",
    ),
    (
        "Edit",
        r#"{"file_path":"src/../migrations/001.sql","old_string":"a","new_string":"b"}"#,
        "deny",
        "an allowed prefix does not hide a denied path",
    ),
    (
        "Write",
        r#"{"file_path":"/p/migrations//new.sql","content":""}"#,
        "deny",
        "`//` in an edit path",
    ),
    (
        "Write",
        r#"{"file_path":".claude/./budget.toml","content":""}"#,
        "deny",
        "the budget file, dressed up",
    ),
    (
        "Write",
        r#"{"file_path":"src/../.claude/settings.local.json","content":"{}"}"#,
        "deny",
        "Claude Code's settings, dressed up",
    ),
    (
        "Write",
        r#"{"file_path":".git/hooks/pre-commit","content":""}"#,
        "deny",
        "git hooks are persistence",
    ),
    (
        "Write",
        r#"{"file_path":"~/.bashrc","content":""}"#,
        "deny",
        "a shell start-up file",
    ),
    (
        "Write",
        r#"{"file_path":"/home/u/.zshrc","content":""}"#,
        "deny",
        "a shell start-up file, absolute",
    ),
    (
        "Write",
        r#"{"content":"x"}"#,
        "ask",
        "an edit without a path cannot be checked",
    ),
    (
        "Write",
        r#"{"file_path":"src/new.rs","content":""}"#,
        "allow",
        "an allowed path stays allowed",
    ),
    (
        "MultiEdit",
        r#"{"file_path":"migrations/001.sql","edits":[]}"#,
        "deny",
        "legacy MultiEdit is an edit",
    ),
    (
        "NotebookEdit",
        r#"{"notebook_path":"migrations/a.ipynb","new_source":""}"#,
        "deny",
        "NotebookEdit's notebook_path is an edit",
    ),
    (
        "NotebookEdit",
        r#"{"notebook_path":"/p/.github/workflows/x.ipynb","new_source":""}"#,
        "deny",
        "NotebookEdit in a denied folder",
    ),
    (
        "WebFetch",
        r#"{"url":"https://docs.rs@evil.example/","prompt":"x"}"#,
        "deny",
        "userinfo is not the host",
    ),
    (
        "WebFetch",
        r#"{"url":"http://evil.example#docs.rs","prompt":"x"}"#,
        "deny",
        "a fragment is not the host",
    ),
    (
        "WebFetch",
        r#"{"url":"https://evil.example/docs.rs","prompt":"x"}"#,
        "deny",
        "a path is not the host",
    ),
    (
        "WebFetch",
        r#"{"url":"https://docs.rs.evil.example/","prompt":"x"}"#,
        "deny",
        "a suffix is another host",
    ),
    (
        "WebFetch",
        r#"{"url":"https://DOCS.RS@EVIL.EXAMPLE/","prompt":"x"}"#,
        "deny",
        "upper-case userinfo",
    ),
    (
        "WebFetch",
        r#"{"url":"https://[::1]/","prompt":"x"}"#,
        "deny",
        "an IP literal compares as written",
    ),
    (
        "WebFetch",
        r#"{"url":"file:///p/.env","prompt":"x"}"#,
        "ask",
        "a file: URL has no host: unparsed",
    ),
    (
        "WebFetch",
        r#"{"url":"https://evil.example\\@docs.rs/","prompt":"x"}"#,
        "deny",
        "WHATWG: `\\` ends the authority, `@docs.rs/` is the path: the host is evil.example",
    ),
    (
        "WebFetch",
        r#"{"url":"https://docs.rs:99999/","prompt":"x"}"#,
        "ask",
        "a port past 65535 does not parse: unparsed",
    ),
    (
        "WebFetch",
        r#"{"url":"https://docs%2Ers/","prompt":"x"}"#,
        "allow",
        "WHATWG (WebFetch's parser) decodes the host: it fetches docs.rs",
    ),
    (
        "WebFetch",
        r#"{"url":"https://evil.example\\docs.rs","prompt":"x"}"#,
        "deny",
        "WHATWG reads `\\` as `/`: the host is evil.example",
    ),
    (
        "WebFetch",
        r#"{"url":"HTTPS://DOCS.RS./x","prompt":"x"}"#,
        "allow",
        "case and a trailing dot do not change the host",
    ),
    (
        "PowerShell",
        r#"{"command":"Remove-Item -Recurse -Force /"}"#,
        "ask",
        "PowerShell is decided as unparsed",
    ),
    (
        "PowerShell",
        r#"{"command":"Get-Content .env"}"#,
        "ask",
        "PowerShell reads are unparsed too",
    ),
];

/// Decides every row with `budget` on `fs` (cwd `/p`, home `/home/u`) and fails listing every
/// row whose decision differs.
fn assert_rows(rows: &[(&str, &str, &str, &str)], fs: &FakeFs, budget_name: &str, what: &str) {
    let budget = corpus_budget(budget_name);
    let ctx = DecideContext {
        cwd: "/p".into(),
        home: Some("/home/u".into()),
        nobody_can_answer: false,
        protected_dirs: Vec::new(),
        current_branch: None,
        fs,
    };
    let mut failures = Vec::new();
    for (tool, input, expect, why) in rows {
        let input: serde_json::Value =
            serde_json::from_str(input).unwrap_or_else(|e| panic!("{tool} {input}: {e}"));
        let call = ToolCall::from_parts(tool, &input);
        let decision = decide(&call, &budget, &SessionFacts::default(), &ctx);
        let got = decision.verdict.map_or("no opinion", |v| v.as_str());
        if got != *expect {
            failures.push(format!(
                "{tool} {input}: expected {expect}, got {got} ({why}); reason: {}",
                decision.reason.lines().next().unwrap_or_default()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} {what} differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

#[test]
fn dressed_up_tool_paths_and_urls_meet_the_plain_rule() {
    let fs = FakeFs::new(&[
        "/p/.env",
        "/p/src/main.rs",
        "/p/secrets/k.pem",
        "/p/migrations/001.sql",
        "/p/.claude/settings.json",
        "/p/.git/hooks/",
        "/home/u/.ssh/id_rsa",
        "/home/u/.bashrc",
    ]);
    assert_rows(ROWS, &fs, "strict", "tool-path cases");
}

/// (tool, input JSON, expected decision, why) under the `open` budget: read allow `**`,
/// deny `.env` and `**/*.pem`.
const OPEN_ROWS: &[(&str, &str, &str, &str)] = &[
    (
        "Grep",
        r#"{"pattern":"KEY","path":"/p"}"#,
        "deny",
        "Grep of the folder reads the .env inside it (rg --hidden)",
    ),
    (
        "Grep",
        r#"{"pattern":"KEY","path":"/p/src"}"#,
        "allow",
        "nothing denied under src",
    ),
    (
        "Grep",
        r#"{"pattern":"KEY","path":"/p","glob":"*.rs"}"#,
        "allow",
        "a glob naming only allowed files stays allowed",
    ),
    (
        "Grep",
        r#"{"pattern":"KEY","path":"/p","glob":"*"}"#,
        "deny",
        "Grep runs rg --hidden: `*` takes in the .env that no .gitignore leaves out",
    ),
    (
        "Glob",
        r#"{"pattern":"**/*"}"#,
        "allow",
        "listing everything singles out no file",
    ),
    (
        "Glob",
        r#"{"pattern":"src/**/*.rs","path":"/p"}"#,
        "allow",
        "a Glob of allowed files",
    ),
    (
        "Grep",
        r#"{"pattern":"KEY","path":"/p","glob":".env"}"#,
        "deny",
        "Grep's glob naming `.env`",
    ),
    (
        "Grep",
        r#"{"pattern":"KEY","path":"/p","glob":".env*"}"#,
        "deny",
        "a glob that also names `.env`",
    ),
    (
        "Glob",
        r#"{"pattern":"**/*.pem"}"#,
        "deny",
        "Glob's pattern naming the denied `*.pem`",
    ),
    (
        "Grep",
        r#"{"pattern":"KEY","path":"/p/secrets","glob":"k.pem"}"#,
        "deny",
        "a glob naming one denied file",
    ),
];

#[test]
fn grep_and_glob_globs_meet_the_rules_for_the_files_they_name() {
    let fs = FakeFs::new(&["/p/.env", "/p/src/main.rs", "/p/secrets/k.pem"]);
    assert_rows(OPEN_ROWS, &fs, "open", "glob cases");
}
