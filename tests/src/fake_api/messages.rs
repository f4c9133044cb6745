//! What the fake answers: the scripted assistant message for a request, as JSON or as the
//! server-sent event stream the real API sends (`message_start`, one
//! `content_block_start`/`content_block_delta`/`content_block_stop` per block,
//! `message_delta` with the stop reason and usage, `message_stop`).

use super::{Script, Usage};
use serde_json::{Value, json};

pub(super) fn respond(
    method: &str,
    target: &str,
    body: &Value,
    script: &Script,
    serial: usize,
) -> Vec<u8> {
    let path = target.split('?').next().unwrap_or_default();
    match (method, path) {
        ("POST", "/v1/messages/count_tokens") => http(
            200,
            "application/json",
            &json!({ "input_tokens": 100 }).to_string(),
            serial,
        ),
        ("POST", "/v1/messages") => {
            let message = scripted_message(body, script, serial);
            if body["stream"] == true {
                http(200, "text/event-stream", &sse(&message), serial)
            } else {
                http(200, "application/json", &message.to_string(), serial)
            }
        }
        _ => {
            let error = json!({ "type": "error", "error": { "type": "not_found_error", "message": "not found" } });
            http(404, "application/json", &error.to_string(), serial)
        }
    }
}

fn http(status: u16, content_type: &str, body: &str, serial: usize) -> Vec<u8> {
    let reason = if status == 200 { "OK" } else { "Not Found" };
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nrequest-id: req_fake_{serial}\r\ncache-control: no-cache\r\n\r\n{body}",
        body.len(),
    )
    .into_bytes()
}

/// The complete assistant message for this request: the step is the number of assistant
/// messages already in the conversation.
fn scripted_message(request: &Value, script: &Script, serial: usize) -> Value {
    let turn = request["messages"]
        .as_array()
        .map_or(0, |m| m.iter().filter(|m| m["role"] == "assistant").count());
    let model = request["model"].as_str().unwrap_or("claude-fake");
    let (content, stop_reason, usage) = match script.steps.get(turn) {
        Some(step) if !step.calls.is_empty() => {
            let blocks = step
                .calls
                .iter()
                .enumerate()
                .map(|(i, call)| {
                    json!({ "type": "tool_use", "id": format!("toolu_fake_{serial}_{turn}_{i}"), "name": call.name, "input": call.input })
                })
                .collect::<Vec<_>>();
            (blocks, "tool_use", step.usage)
        }
        _ => (
            vec![json!({ "type": "text", "text": script.final_text })],
            "end_turn",
            script.final_usage,
        ),
    };
    json!({
        "id": format!("msg_fake_{serial}"),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": null,
        "usage": usage_json(usage),
    })
}

fn usage_json(usage: Usage) -> Value {
    json!({
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cache_creation_input_tokens": usage.cache_creation_input_tokens,
        "cache_read_input_tokens": usage.cache_read_input_tokens,
    })
}

/// The message as a server-sent event stream, the way the real API streams it.
fn sse(message: &Value) -> String {
    let mut out = String::new();
    let mut event = |name: &str, data: &Value| {
        out.push_str(&format!("event: {name}\ndata: {data}\n\n"));
    };
    let mut start = message.clone();
    start["content"] = json!([]);
    start["stop_reason"] = Value::Null;
    start["usage"]["output_tokens"] = json!(1);
    event(
        "message_start",
        &json!({ "type": "message_start", "message": start }),
    );
    for (index, block) in message["content"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        if block["type"] == "tool_use" {
            let opening = json!({ "type": "tool_use", "id": block["id"], "name": block["name"], "input": {} });
            event(
                "content_block_start",
                &json!({ "type": "content_block_start", "index": index, "content_block": opening }),
            );
            let delta =
                json!({ "type": "input_json_delta", "partial_json": block["input"].to_string() });
            event(
                "content_block_delta",
                &json!({ "type": "content_block_delta", "index": index, "delta": delta }),
            );
        } else {
            let opening = json!({ "type": "text", "text": "" });
            event(
                "content_block_start",
                &json!({ "type": "content_block_start", "index": index, "content_block": opening }),
            );
            let delta = json!({ "type": "text_delta", "text": block["text"] });
            event(
                "content_block_delta",
                &json!({ "type": "content_block_delta", "index": index, "delta": delta }),
            );
        }
        event(
            "content_block_stop",
            &json!({ "type": "content_block_stop", "index": index }),
        );
    }
    let delta = json!({ "stop_reason": message["stop_reason"], "stop_sequence": null });
    event(
        "message_delta",
        &json!({ "type": "message_delta", "delta": delta, "usage": message["usage"] }),
    );
    event("message_stop", &json!({ "type": "message_stop" }));
    out
}
