//! The fake API by itself, spoken to with raw HTTP: these run even where Claude Code is not
//! installed, so the harness cannot rot unseen.

use budget_tests::fake_api::{FakeApi, Script, ToolCall};
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;

/// Sends one request and reads the whole response (the fake always sends `content-length`;
/// `connection: close` makes it hang up after answering).
fn exchange(mut stream: impl Read + Write, request: &str) -> String {
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("receive");
    response
}

fn post(body: &Value) -> String {
    let body = body.to_string();
    format!(
        "POST /v1/messages?beta=true HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// The `event:` names of an SSE body, in order.
fn event_names(response: &str) -> Vec<&str> {
    response
        .lines()
        .filter_map(|l| l.strip_prefix("event: "))
        .collect()
}

fn tcp(api: &FakeApi) -> TcpStream {
    let addr = api.base_url().trim_start_matches("http://").to_string();
    TcpStream::connect(addr).expect("connect")
}

#[test]
fn fake_api_streams_tool_use_then_end_turn_as_the_conversation_grows() {
    let api = FakeApi::start(Script::new(vec![vec![
        ToolCall::bash("echo a"),
        ToolCall::bash("echo b"),
    ]]));
    let first =
        json!({ "model": "m", "stream": true, "messages": [{ "role": "user", "content": "go" }] });
    let response = exchange(tcp(&api), &post(&first));
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let block = [
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
    ];
    let mut expected = vec!["message_start"];
    expected.extend(block);
    expected.extend(block);
    expected.extend(["message_delta", "message_stop"]);
    assert_eq!(event_names(&response), expected);
    assert!(
        response.contains(r#""stop_reason":"tool_use""#),
        "{response}"
    );
    assert!(response.contains(r#"\"command\":\"echo b\""#), "{response}");

    let second = json!({ "model": "m", "stream": true, "messages": [
        { "role": "user", "content": "go" },
        { "role": "assistant", "content": [{ "type": "tool_use", "id": "t1", "name": "Bash", "input": {} }] },
        { "role": "user", "content": [{ "type": "tool_result", "tool_use_id": "t1", "content": "refused", "is_error": true }] },
    ] });
    let response = exchange(tcp(&api), &post(&second));
    assert!(
        response.contains(r#""stop_reason":"end_turn""#),
        "{response}"
    );
    assert!(response.contains("text_delta"), "{response}");
    let results = api.tool_results();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["content"], "refused");
}

#[test]
fn fake_api_reads_chunked_bodies_answers_404_elsewhere_and_serves_its_unix_socket() {
    let api = FakeApi::start(Script::new(vec![]));
    let body = json!({ "model": "m", "messages": [] }).to_string();
    let (a, b) = body.split_at(5);
    let chunked = format!(
        "POST /v1/messages HTTP/1.1\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
        a.len(),
        b.len()
    );
    let response = exchange(tcp(&api), &chunked);
    assert!(
        response.contains(r#""stop_reason":"end_turn""#),
        "non-streaming JSON answer: {response}"
    );
    assert_eq!(api.requests()[0].body["model"], "m");

    let response = exchange(tcp(&api), "GET / HTTP/1.1\r\nconnection: close\r\n\r\n");
    assert!(response.starts_with("HTTP/1.1 404"), "{response}");

    let unix = UnixStream::connect(api.socket_path()).expect("connect unix");
    let response = exchange(unix, &post(&json!({ "model": "m", "messages": [] })));
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let transports: Vec<_> = api.requests().iter().map(|r| r.transport).collect();
    assert_eq!(transports, ["tcp", "tcp", "unix"]);
}
