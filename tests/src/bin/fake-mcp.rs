//! A minimal stdio MCP server for the end-to-end tests: newline-delimited JSON-RPC with
//! `initialize`, `tools/list` (two tools: `list_repos`, `delete_repo`) and `tools/call`.
//! Every call that reaches it is appended to the file named by `$FAKE_MCP_LOG`, so a test
//! can prove a denied call never ran.

use serde_json::{Value, json};
use std::io::{BufRead, Write};

fn tools() -> Value {
    let schema = json!({"type": "object", "properties": {"name": {"type": "string"}}});
    json!([
        {"name": "list_repos", "description": "List repositories.", "inputSchema": schema},
        {"name": "delete_repo", "description": "Delete a repository.", "inputSchema": schema},
    ])
}

fn answer(request: &Value) -> Option<Value> {
    let id = request.get("id")?.clone();
    let result = match request["method"].as_str().unwrap_or_default() {
        "initialize" => json!({
            "protocolVersion": request["params"]["protocolVersion"].as_str().unwrap_or("2025-06-18"),
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "fake", "version": "0.0.1"},
        }),
        "tools/list" => json!({"tools": tools()}),
        "tools/call" => {
            let name = request["params"]["name"].as_str().unwrap_or("?");
            if let Some(log) = std::env::var_os("FAKE_MCP_LOG") {
                let line = format!("{name} {}\n", request["params"]["arguments"]);
                let _ = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(log)
                    .and_then(|mut f| f.write_all(line.as_bytes()));
            }
            json!({"content": [{"type": "text", "text": format!("{name} ran")}]})
        }
        _ => json!({}),
    };
    Some(json!({"jsonrpc": "2.0", "id": id, "result": result}))
}

fn main() {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let Ok(request) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if let Some(reply) = answer(&request) {
            let _ = writeln!(stdout, "{reply}");
            let _ = stdout.flush();
        }
    }
}
