//! A fake of the Anthropic Messages API on 127.0.0.1, so the end-to-end tests can drive the
//! real Claude Code CLI offline and deterministically.
//!
//! The conversation is scripted: the assistant turn number (how many assistant messages the
//! request already carries) selects a [`Step`]; a step answers with `tool_use` blocks and
//! `stop_reason: "tool_use"`; once the steps are used up the fake answers a text block with
//! `end_turn`. Every request body is logged so a test can find the `tool_result` carrying a
//! hook's deny reason. The usage numbers are scripted too: they are exactly what lands in the
//! transcript, which is what spend accounting reads.
//!
//! Bounded on purpose: it listens on loopback only, stops when dropped, and stops by itself
//! after a time limit even if a test forgets it. Only the HTTP/1.1 the CLI actually sends is
//! understood (`Content-Length` or chunked request bodies, keep-alive); responses always carry
//! a `Content-Length`.

mod messages;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Token counts one scripted answer reports (`message.usage` in the transcript).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cache_creation_input_tokens: u64,
    pub cache_read_input_tokens: u64,
}

impl Default for Usage {
    fn default() -> Self {
        Usage {
            input_tokens: 100,
            output_tokens: 10,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
        }
    }
}

/// One tool call the "model" makes.
#[derive(Clone, Debug)]
pub struct ToolCall {
    pub name: String,
    pub input: Value,
}

impl ToolCall {
    /// A `Bash` call running `command`.
    pub fn bash(command: &str) -> ToolCall {
        ToolCall {
            name: "Bash".into(),
            input: json!({ "command": command, "description": "scripted" }),
        }
    }

    /// Any tool with a JSON input.
    pub fn tool(name: &str, input: Value) -> ToolCall {
        ToolCall {
            name: name.into(),
            input,
        }
    }
}

/// One assistant turn: the tool calls it makes (in one parallel batch) and its usage.
#[derive(Clone, Debug, Default)]
pub struct Step {
    pub calls: Vec<ToolCall>,
    pub usage: Usage,
}

/// The whole scripted conversation.
#[derive(Clone, Debug)]
pub struct Script {
    pub steps: Vec<Step>,
    pub final_text: String,
    pub final_usage: Usage,
}

impl Script {
    /// One step per element, each a batch of calls, then `end_turn` with "done".
    pub fn new(steps: Vec<Vec<ToolCall>>) -> Script {
        Script {
            steps: steps
                .into_iter()
                .map(|calls| Step {
                    calls,
                    usage: Usage::default(),
                })
                .collect(),
            final_text: "done".into(),
            final_usage: Usage::default(),
        }
    }
}

/// One request the fake received.
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    pub method: String,
    pub target: String,
    /// How it arrived: `"tcp"` (loopback) or `"unix"` (the socket).
    pub transport: &'static str,
    /// The parsed JSON body (`Value::Null` when empty or not JSON).
    pub body: Value,
}

/// How long a fake server lives at most, whatever the test does.
pub const MAX_LIFETIME: Duration = Duration::from_secs(180);

/// A running fake API; stops when dropped.
pub struct FakeApi {
    addr: SocketAddr,
    socket: PathBuf,
    _socket_dir: tempfile::TempDir,
    log: Arc<Mutex<Vec<LoggedRequest>>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl FakeApi {
    /// Starts a server on 127.0.0.1 with a random port answering `script`.
    pub fn start(script: Script) -> FakeApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind fake api");
        let addr = listener.local_addr().expect("fake api addr");
        listener.set_nonblocking(true).expect("nonblocking");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            script,
            log: Arc::clone(&log),
            counter: AtomicUsize::new(0),
        });
        // The same API on a unix socket, for clients in a network namespace without even a
        // route to this process's loopback.
        let socket_dir = tempfile::tempdir().expect("socket dir");
        let socket = socket_dir.path().join("api.sock");
        let unix = UnixListener::bind(&socket)
            .unwrap_or_else(|e| panic!("bind {}: {e}", socket.display()));
        unix.set_nonblocking(true).expect("nonblocking");
        let stop_flag = Arc::clone(&stop);
        let acceptor =
            std::thread::spawn(move || accept_loop(&listener, &unix, &shared, &stop_flag));
        FakeApi {
            addr,
            socket,
            _socket_dir: socket_dir,
            log,
            stop,
            acceptor: Some(acceptor),
        }
    }

    /// `http://127.0.0.1:<port>`, for `ANTHROPIC_BASE_URL`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The unix socket serving the same API (for `ANTHROPIC_UNIX_SOCKET`).
    pub fn socket_path(&self) -> &Path {
        &self.socket
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The `POST /v1/messages` bodies (the model turns), in arrival order.
    pub fn message_requests(&self) -> Vec<Value> {
        self.requests()
            .into_iter()
            .filter(|r| {
                r.method == "POST"
                    && r.target.starts_with("/v1/messages")
                    && !r.target.contains("count_tokens")
            })
            .map(|r| r.body)
            .collect()
    }

    /// Every distinct `tool_result` block the CLI sent back, by `tool_use_id` (later requests
    /// repeat the history, so each result is kept once, from the request that first had it).
    pub fn tool_results(&self) -> Vec<Value> {
        let mut seen: Vec<Value> = Vec::new();
        for body in self.message_requests() {
            for block in body["messages"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|m| m["role"] == "user")
            {
                for part in block["content"].as_array().into_iter().flatten() {
                    if part["type"] == "tool_result"
                        && !seen.iter().any(|s| s["tool_use_id"] == part["tool_use_id"])
                    {
                        seen.push(part.clone());
                    }
                }
            }
        }
        seen
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self.acceptor.take() {
            let _ = handle.join();
        }
    }
}

/// The text of a `tool_result` block, whether its content is a string or a list of text parts.
pub fn tool_result_text(result: &Value) -> String {
    match &result["content"] {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|p| p["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

struct Shared {
    script: Script,
    log: Arc<Mutex<Vec<LoggedRequest>>>,
    counter: AtomicUsize,
}

fn accept_loop(
    tcp: &TcpListener,
    unix: &UnixListener,
    shared: &Arc<Shared>,
    stop: &Arc<AtomicBool>,
) {
    let deadline = Instant::now() + MAX_LIFETIME;
    while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
        let mut idle = true;
        if let Ok((stream, peer)) = tcp.accept() {
            idle = false;
            if peer.ip().is_loopback() {
                spawn_connection(stream, shared, stop);
            }
        }
        if let Ok((stream, _)) = unix.accept() {
            idle = false;
            spawn_connection(stream, shared, stop);
        }
        if idle {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

/// A byte stream a connection is served on: TCP or a unix socket.
trait Connection: Read + Write + Send + Sized + 'static {
    const TRANSPORT: &'static str;
    fn duplicate(&self) -> std::io::Result<Self>;
    fn blocking_with_timeout(&self, timeout: Duration);
}

impl Connection for TcpStream {
    const TRANSPORT: &'static str = "tcp";
    fn duplicate(&self) -> std::io::Result<Self> {
        self.try_clone()
    }
    fn blocking_with_timeout(&self, timeout: Duration) {
        let _ = self.set_nonblocking(false);
        let _ = self.set_read_timeout(Some(timeout));
    }
}

impl Connection for UnixStream {
    const TRANSPORT: &'static str = "unix";
    fn duplicate(&self) -> std::io::Result<Self> {
        self.try_clone()
    }
    fn blocking_with_timeout(&self, timeout: Duration) {
        let _ = self.set_nonblocking(false);
        let _ = self.set_read_timeout(Some(timeout));
    }
}

fn spawn_connection<C: Connection>(stream: C, shared: &Arc<Shared>, stop: &Arc<AtomicBool>) {
    let shared = Arc::clone(shared);
    let stop = Arc::clone(stop);
    // Connection threads are detached: they end on EOF, an error, `stop` or the lifetime limit.
    std::thread::spawn(move || serve_connection(stream, &shared, &stop));
}

fn serve_connection<C: Connection>(stream: C, shared: &Shared, stop: &AtomicBool) {
    stream.blocking_with_timeout(Duration::from_secs(2));
    let Ok(writer) = stream.duplicate() else {
        return;
    };
    let mut writer = writer;
    let mut reader = BufReader::new(stream);
    let idle_limit = Instant::now() + MAX_LIFETIME;
    while !stop.load(Ordering::SeqCst) && Instant::now() < idle_limit {
        let request = match read_request(&mut reader) {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                continue;
            }
            Err(_) => return,
        };
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        shared
            .log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(LoggedRequest {
                method: request.method.clone(),
                target: request.target.clone(),
                transport: C::TRANSPORT,
                body: body.clone(),
            });
        let serial = shared.counter.fetch_add(1, Ordering::SeqCst);
        let response = messages::respond(
            &request.method,
            &request.target,
            &body,
            &shared.script,
            serial,
        );
        if writer
            .write_all(&response)
            .and_then(|()| writer.flush())
            .is_err()
            || request.close
        {
            return;
        }
    }
}

struct RawRequest {
    method: String,
    target: String,
    body: Vec<u8>,
    close: bool,
}

/// Reads one request; `Ok(None)` on a clean EOF before it starts.
fn read_request(reader: &mut impl BufRead) -> std::io::Result<Option<RawRequest>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let (mut length, mut chunked, mut close) = (0usize, false, false);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap_or((header.as_str(), ""));
        let (name, value) = (
            name.trim().to_ascii_lowercase(),
            value.trim().to_ascii_lowercase(),
        );
        match name.as_str() {
            "content-length" => length = value.parse().unwrap_or(0),
            "transfer-encoding" => chunked = value.contains("chunked"),
            "connection" => close = value == "close",
            _ => {}
        }
    }
    let body = if chunked {
        read_chunked(reader)?
    } else {
        read_exact_vec(reader, length)?
    };
    Ok(Some(RawRequest {
        method,
        target,
        body,
        close,
    }))
}

fn read_exact_vec(reader: &mut impl BufRead, length: usize) -> std::io::Result<Vec<u8>> {
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(body)
}

fn read_chunked(reader: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size_line = String::new();
        reader.read_line(&mut size_line)?;
        let size_hex = size_line.trim().split(';').next().unwrap_or("0");
        let size = usize::from_str_radix(size_hex, 16)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                let mut trailer = String::new();
                if reader.read_line(&mut trailer)? == 0 || trailer.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        body.extend(read_exact_vec(reader, size)?);
        let mut crlf = String::new();
        reader.read_line(&mut crlf)?;
    }
}
