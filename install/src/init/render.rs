//! Writes the starter budget's text from what `detect` and `commands` found: commented, in
//! the order of SPEC §4, every list sorted and without repeats so the output is stable.

use super::baseline::{self, FILE_TOOLS, GIT, LOCAL_HOSTS, READ_ONLY, SCRATCH_RUNNERS};
use super::commands::{Purpose, RepoCommands};
use super::detect::Layout;
use std::fmt::Write as _;

/// The editable scratch area named in the SessionStart message.
pub(super) const SCRATCH: &str = ".claude/scratch/**";

/// A TOML array of strings on one line: `["a", "b"]`.
fn array<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let mut seen = Vec::<&str>::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    let quoted: Vec<String> = seen
        .iter()
        .map(|s| toml::Value::String((*s).to_owned()).to_string())
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// The whole starter budget.
pub(super) fn budget(layout: &Layout, commands: &RepoCommands) -> String {
    let ecosystems: Vec<_> = layout.ecosystems.iter().copied().collect();
    let defaults: Vec<_> = ecosystems.iter().map(|e| baseline::defaults(*e)).collect();
    let mut out = String::from(HEADER);
    let kinds: Vec<&str> = ecosystems.iter().map(|e| e.name()).collect();
    if kinds.is_empty() {
        out.push_str("# `claude-budget init` found no Cargo, npm, Python or Go manifest here.\n");
    } else {
        let _ = writeln!(
            out,
            "# Written by `claude-budget init` for a {} repository.",
            kinds.join(" + ")
        );
    }
    if !layout.members.is_empty() {
        let _ = writeln!(out, "# Workspace members: {}.", layout.members.join(", "));
    }
    if !commands.sources.is_empty() {
        let sources: Vec<&str> = commands.sources.iter().copied().collect();
        let _ = writeln!(out, "# Commands taken from: {}.", sources.join(", "));
    }
    out.push_str(PACKS);

    // [edit]
    // `crates/engine/**` adds nothing when `crates/**` is there.
    let covered = |glob: &str| {
        layout.code.iter().any(|outer| {
            outer != glob
                && outer
                    .strip_suffix("**")
                    .is_some_and(|dir| glob.starts_with(dir))
        })
    };
    let code = layout
        .code
        .iter()
        .filter(|g| !covered(g))
        .chain(&layout.root_files)
        .map(String::as_str);
    let docs = layout.docs.iter().map(String::as_str);
    let _ = write!(
        out,
        "\n[edit]                                    # Edit, Write, NotebookEdit, and shell writes/deletes\n\
         # Code and tests, docs and changelogs, and a scratch area for repro scripts and notes.\n\
         allow = {}\n\
         # Manifests and lock files: dependency changes need a human.\n\
         ask = {}\n\
         # CI configuration and migrations: outside a bug fix.\n\
         deny = {}\n\
         default = \"deny\"                          # paths in the project no rule names\n\
         outside_project = \"deny\"\n",
        array(code.chain(docs).chain([SCRATCH])),
        array(layout.manifests.iter().map(String::as_str)),
        array(EDIT_DENY.iter().copied()),
    );

    // [run]
    let repo: Vec<&str> = commands.rules.iter().map(|(_, r)| r.as_str()).collect();
    let eco_allow: Vec<&str> = defaults
        .iter()
        .flat_map(|d| d.allow.iter().copied())
        .collect();
    let mut tests: Vec<&str> = commands.with(Purpose::Test).collect();
    tests.extend(defaults.iter().flat_map(|d| d.tests.iter().copied()));
    let eco_ask = defaults.iter().flat_map(|d| d.ask.iter().copied());
    let baseline: Vec<&str> = READ_ONLY.iter().chain(FILE_TOOLS).copied().collect();
    let allow = grouped_array(&[
        (
            "the repository's own commands (CI, scripts, Makefile, docs)",
            &repo,
        ),
        ("the toolchain's usual commands", &eco_allow),
        (
            "everyday read-only tools; what they read or write is still decided by [read]/[edit]",
            &baseline,
        ),
        (
            "git on a branch ([merge] refuses commits on protected branches)",
            GIT,
        ),
        (
            "scripts the agent writes to its scratch area",
            SCRATCH_RUNNERS,
        ),
    ]);
    let _ = write!(
        out,
        "\n[run]                                     # Bash, split into simple commands by a shell parser\n\
         allow = {allow}\n\
         # Dependency changes need a human.\n\
         ask = {}\n\
         deny = {}\n\
         default = \"ask\"                           # simple commands no rule names\n\
         unparsed = \"ask\"                          # what cannot be analysed statically\n\
         tests = {}   # commands that count as running the tests\n",
        array(eco_ask),
        array(RUN_DENY.iter().copied()),
        array(tests),
    );

    // [web]
    let hosts = defaults.iter().flat_map(|d| d.hosts.iter().copied());
    let _ = write!(
        out,
        "\n[web]                                     # WebFetch by host, WebSearch; curl/wget hosts too\n\
         # Documentation of the ecosystems in use; localhost for the repository's own dev server.\n\
         allow = {}\n\
         default = \"ask\"\n\
         search = \"allow\"\n",
        array(hosts.chain(LOCAL_HOSTS.iter().copied())),
    );
    out.push_str(TAIL);
    out
}

/// A multi-line TOML array in commented groups, each item once (its first group wins),
/// wrapped at about 100 columns; groups left empty are left out.
fn grouped_array(groups: &[(&str, &[&str])]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = String::from("[\n");
    for (comment, items) in groups {
        let fresh: Vec<&str> = items
            .iter()
            .copied()
            .filter(|i| !seen.contains(i))
            .collect();
        if fresh.is_empty() {
            continue;
        }
        let _ = writeln!(out, "    # {comment}");
        let mut line = String::from("   ");
        for item in fresh {
            seen.push(item);
            let quoted = format!(" {},", toml::Value::String(item.to_owned()));
            if line.len() + quoted.len() > 100 && line.len() > 3 {
                out.push_str(&line);
                out.push('\n');
                line = String::from("   ");
            }
            line.push_str(&quoted);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.push(']');
    out
}

const EDIT_DENY: &[&str] = &[
    ".github/workflows/**",
    ".github/actions/**",
    ".gitlab-ci.yml",
    ".circleci/**",
    "**/migrations/**",
];

const RUN_DENY: &[&str] = &[
    "sudo",
    "git push",
    "cargo publish",
    "npm publish",
    "twine upload",
    "gh release",
];

const HEADER: &str = "\
# .claude/budget.toml — what an agent run in this repository may do, and when it must stop.
# Every key is optional. `claude-budget check` validates this file and names contradictions;
# `claude-budget explain '<command>'` shows how a call is decided; `claude-budget touchmap`
# prints the whole budget as a table for reviewers.
";

const PACKS: &str = r#"version = 1
extends = ["destructive", "secrets"]      # built-in packs: destructive, secrets, deploy

# Decisions are allow / ask / deny. In a section, deny beats ask beats allow, then `default`.
# In bypassPermissions or dontAsk mode nobody can answer, so every `ask` is a refusal there.

[read]                                    # Read, Grep, Glob, and shell reads (`cat f`, `< f`)
allow = ["**"]
deny = [".env", ".env.*", "secrets/**", "**/*.pem", "**/*.key", "id_rsa*", "id_ed25519*", "*.p12"]
outside_project = "allow"                 # paths outside the project no rule names
"#;

const TAIL: &str = r#"
[mcp]
default = "deny"                          # tools of servers not listed below

# [mcp.servers.github]
# owner = "platform-team"
# purpose = "read issues and pull requests for context"
# read_only = ["get_issue", "get_pull_request", "search_*"]   # allowed
# write = ["create_pull_request", "add_issue_comment"]         # -> write_decision
# write_decision = "ask"

[spend]                                   # priced from the session transcript
max_usd = 10.0
max_tool_calls = 600
max_minutes = 120
warn_at = 0.8                             # the agent is told once at 80 %
on_exceed = "deny"                        # or "halt": stop the run

[retry]
same_command_failures = 3                 # the same failing command at most this often
failures = 20                             # failed tool calls in the whole run
same_file_edits = 30
stop_blocks = 3                           # how often the stop gate may send the agent back

[merge]
push = "deny"                             # any git push
protected_branches = ["main", "master", "release/*"]   # no commit there: branch first
pr_merge = "deny"                         # gh pr merge, glab mr merge

[[stop]]                                  # the run must end and ask for a new approval
edit = ["**/migrations/**", "**/schema.sql"]
reason = "The fix needs a schema change. Stop and ask for a new approval."

[[stop]]
run = ["terraform apply", "kubectl apply"]
reason = "Deploying is outside this budget."

[evidence]
tests_after_edit = true                   # Stop is blocked until tests ran and passed after the last edit
# high_risk = ["billing/**"]              # editing these needs a rollback note first
rollback_note = ".claude/rollback.md"

[record]
redact = ["(?i)(api[_-]?key|token|secret|password)=\\S+"]   # on top of the built-in patterns
# dir = ".claude/runs"                    # keep run records in the repo

# A task contract, active when CLAUDE_BUDGET_TASK=invoice-export. Tasks only narrow.
# [tasks.invoice-export]
# edit.allow = ["billing/export/**"]
# run.allow = ["cargo test -p billing-export", "cargo clippy"]
"#;
