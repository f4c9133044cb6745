//! One row per kind of call, each section deciding its own: read, edit, run, MCP, web,
//! unparsed commands and tools no section names.

use super::*;

#[test]
fn each_section_decides_its_own_kind_of_call() {
    let f = fixture(SECTIONS);
    let rows: Vec<(&str, ToolCall, Option<Verdict>, Code)> = vec![
        (
            "read allowed",
            f.read("src/lib.rs"),
            Some(Verdict::Allow),
            Code::Allowed,
        ),
        (
            "read denied",
            f.read(".env"),
            Some(Verdict::Deny),
            Code::PathDenied,
        ),
        (
            "read denied at depth",
            f.read("secrets/a/b.key"),
            Some(Verdict::Deny),
            Code::PathDenied,
        ),
        (
            "grep of a denied folder",
            ToolCall::Read {
                tool: "Grep".into(),
                path: Some(f.path("secrets")),
                glob: None,
            },
            Some(Verdict::Deny),
            Code::PathDenied,
        ),
        (
            "edit allowed",
            f.edit("src/lib.rs"),
            Some(Verdict::Allow),
            Code::Allowed,
        ),
        (
            "edit ask",
            f.edit("Cargo.toml"),
            Some(Verdict::Ask),
            Code::PathAsk,
        ),
        (
            "deny beats allow",
            f.edit("src/generated/x.rs"),
            Some(Verdict::Deny),
            Code::PathDenied,
        ),
        (
            "edit default",
            f.edit("README.md"),
            Some(Verdict::Deny),
            Code::PathDenied,
        ),
        (
            "edit outside",
            ToolCall::Edit {
                tool: "Write".into(),
                path: Some("/etc/passwd".into()),
            },
            Some(Verdict::Deny),
            Code::PathDenied,
        ),
        (
            "run allowed",
            bash("cargo test -p x"),
            Some(Verdict::Allow),
            Code::Allowed,
        ),
        (
            "run ask",
            bash("git commit -m 'x'"),
            Some(Verdict::Ask),
            Code::CommandAsk,
        ),
        (
            "run deny",
            bash("git push origin main"),
            Some(Verdict::Deny),
            Code::CommandDenied,
        ),
        (
            "run default",
            bash("make"),
            Some(Verdict::Ask),
            Code::CommandAsk,
        ),
        (
            "list: deny wins",
            bash("ls && git push"),
            Some(Verdict::Deny),
            Code::CommandDenied,
        ),
        (
            "mcp read-only",
            ToolCall::Mcp {
                server: "github".into(),
                tool: "get_issue".into(),
            },
            Some(Verdict::Allow),
            Code::Allowed,
        ),
        (
            "mcp write asks",
            ToolCall::Mcp {
                server: "github".into(),
                tool: "create_pull_request".into(),
            },
            Some(Verdict::Ask),
            Code::McpAsk,
        ),
        (
            "mcp unlisted tool",
            ToolCall::Mcp {
                server: "github".into(),
                tool: "delete_repo".into(),
            },
            Some(Verdict::Deny),
            Code::McpDenied,
        ),
        (
            "mcp unknown server",
            ToolCall::Mcp {
                server: "slack".into(),
                tool: "post".into(),
            },
            Some(Verdict::Deny),
            Code::McpDenied,
        ),
        (
            "mcp kill switch",
            ToolCall::Mcp {
                server: "jira".into(),
                tool: "get_issue".into(),
            },
            Some(Verdict::Deny),
            Code::McpDenied,
        ),
        (
            "web allowed",
            ToolCall::WebFetch {
                url: "https://docs.rs/x".into(),
            },
            Some(Verdict::Allow),
            Code::Allowed,
        ),
        (
            "web userinfo trick",
            ToolCall::WebFetch {
                url: "https://docs.rs@evil.example/".into(),
            },
            Some(Verdict::Ask),
            Code::WebAsk,
        ),
        (
            "web unparseable",
            ToolCall::WebFetch { url: "::".into() },
            Some(Verdict::Ask),
            Code::UnparsedCommand,
        ),
        (
            "web search",
            ToolCall::WebSearch { query: "x".into() },
            Some(Verdict::Deny),
            Code::WebDenied,
        ),
        (
            "powershell is unparsed",
            ToolCall::Unanalysable {
                tool: "PowerShell".into(),
                text: "rm x".into(),
            },
            Some(Verdict::Ask),
            Code::UnparsedCommand,
        ),
        (
            "other tools abstain",
            ToolCall::Other {
                tool: "TodoWrite".into(),
            },
            None,
            Code::NoOpinion,
        ),
    ];
    for (name, call, want, code) in rows {
        let d = f.decide(call);
        assert_eq!((verdict(&d), d.code), (want, code), "{name}: {}", d.reason);
    }
}
