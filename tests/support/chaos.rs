//! The chaos responder: a loopback server (127.0.0.1:0) that misbehaves in one chosen way, to
//! show that every phase of tidegauge ends with a clear verdict whatever a target does. It
//! speaks raw bytes over a tokio `TcpListener` so that it can break HTTP itself (reset a
//! connection mid-body, drip, answer with TLS bytes), which no well-behaved server framework
//! allows. It is test support only: the reference target (`src/server/`) never misbehaves
//! unless a named fault asks it to.
//!
//! Bounds: a request head is read up to 64 KiB; every body is streamed in 64 KiB chunks (a
//! 200 MB answer is never held in memory); the drip ends with its 72-byte answer; a silent
//! connection is held at most 10 minutes; a closed client ends every write loop.
#![allow(dead_code)] // each test file uses its own subset

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The metrics key the responder's `/metrics` and snapshot ask for (header or `?key=`).
pub const KEY: &str = "chaos-metrics-key";

/// One way of misbehaving. Behaviours that concern `/metrics` or the snapshot answer every
/// other path with a plain `200 {}` (`[]` for list paths).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Nothing listens on the port (bound, then closed).
    Refused,
    /// Accepts the connection, reads the request, never answers.
    Silent,
    /// Announces a 1000-byte body, sends 100 bytes, resets the connection (RST).
    ResetMidBody,
    /// This status, with a JSON error body, to everything.
    Status(u16),
    /// 200 with a body that is not JSON.
    GarbageJson,
    /// 200 with JSON cut in the middle of a string.
    TruncatedJson,
    /// 200 with 100,000 `[`.
    NestedJson,
    /// 200 with a body of this many bytes (chunked, streamed).
    HugeBody(u64),
    /// 200, one byte of the answer per second.
    SlowDrip,
    /// `/metrics` with lines that are not exposition lines.
    MalformedMetrics,
    /// `/metrics` with an exposition of this many bytes (chunked, streamed, valid lines).
    HugeExposition(u64),
    /// `/metrics` with the same series twice.
    DuplicateSeries,
    /// `/metrics` with NaN counters.
    NanCounters,
    /// `/metrics` with a label value holding every escape, defined (`\\`, `\"`, `\n`) or not.
    LabelEscapes,
    /// A valid `/metrics`; the snapshot is HTML.
    SnapshotNotJson,
    /// 302 to the same path, to everything.
    RedirectLoop,
    /// Plain HTTP, for a client told to use https://.
    PlainForTlsClient,
    /// The first bytes of a TLS ServerHello, for a client told to use http://.
    TlsForPlainClient,
}

/// A running responder; dropping it stops it.
pub struct Chaos {
    pub addr: SocketAddr,
    /// Connections accepted so far.
    pub connections: Arc<AtomicU64>,
    /// The base URL a client should use (https:// for `PlainForTlsClient`).
    pub base_url: String,
    task: Option<JoinHandle<()>>,
}

impl Drop for Chaos {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Starts a responder with one behaviour.
pub async fn start(behaviour: Behaviour) -> Chaos {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("the bound address");
    let scheme = if behaviour == Behaviour::PlainForTlsClient {
        "https"
    } else {
        "http"
    };
    let base_url = format!("{scheme}://{addr}");
    let connections = Arc::new(AtomicU64::new(0));
    if behaviour == Behaviour::Refused {
        drop(listener);
        return Chaos {
            addr,
            connections,
            base_url,
            task: None,
        };
    }
    let counter = Arc::clone(&connections);
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                // A client that went away ends the connection; nothing to report.
                let _ = serve(stream, behaviour).await;
            });
        }
    });
    Chaos {
        addr,
        connections,
        base_url,
        task: Some(task),
    }
}

/// The request line and the headers the responder looks at.
struct Request {
    path: String,
    query: String,
    metrics_key: Option<String>,
}

impl Request {
    fn keyed(&self) -> bool {
        self.metrics_key.as_deref() == Some(KEY)
            || self
                .query
                .split('&')
                .any(|pair| pair == format!("key={KEY}"))
    }
}

/// Reads a request head (up to 64 KiB); `None` when the client sent no HTTP request.
async fn read_head(stream: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        if head.len() > 64 * 1024 {
            return Ok(None);
        }
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            return Ok(None);
        }
        head.extend_from_slice(&buffer[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.split("\r\n");
    let target = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .unwrap_or("/");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let metrics_key = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("x-metrics-key")
            .then(|| value.trim().to_owned())
    });
    Ok(Some(Request {
        path: path.to_owned(),
        query: query.to_owned(),
        metrics_key,
    }))
}

async fn answer(
    stream: &mut TcpStream,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status} Chaos\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    stream.shutdown().await
}

async fn json(stream: &mut TcpStream, status: u16, body: &[u8]) -> std::io::Result<()> {
    answer(
        stream,
        status,
        &[("content-type", "application/json")],
        body,
    )
    .await
}

/// Streams `total` bytes made by `fill` (called with the offset, returns a chunk) as a
/// chunked body, stopping when the client goes away.
async fn stream_chunked(
    stream: &mut TcpStream,
    content_type: &str,
    total: u64,
    mut fill: impl FnMut(u64) -> Vec<u8>,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await?;
    let mut sent = 0u64;
    // Bounded by `total`: every chunk is at least one byte.
    while sent < total {
        let mut chunk = fill(sent);
        chunk.truncate(usize::try_from(total - sent).unwrap_or(usize::MAX));
        if chunk.is_empty() {
            break;
        }
        stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await?;
        stream.write_all(&chunk).await?;
        stream.write_all(b"\r\n").await?;
        sent += chunk.len() as u64;
    }
    stream.write_all(b"0\r\n\r\n").await?;
    stream.shutdown().await
}

/// A small exposition that parses and declares one documented family.
const EXPOSITION: &str = "# HELP http_requests_total Total HTTP requests.\n# TYPE http_requests_total counter\nhttp_requests_total{method=\"GET\",path=\"/health\",status=\"200\"} 1\n";

/// The `/metrics` body of a metrics behaviour.
fn exposition(behaviour: Behaviour) -> String {
    let series = "http_requests_total{method=\"GET\",path=\"/health\",status=\"200\"}";
    match behaviour {
        Behaviour::MalformedMetrics => format!(
            "{EXPOSITION}this is not an exposition line\nhttp_requests_total{{method=\"GET\" 3\n"
        ),
        Behaviour::DuplicateSeries => format!("{EXPOSITION}{series} 2\n"),
        Behaviour::NanCounters => EXPOSITION.replace("} 1\n", "} NaN\n"),
        Behaviour::LabelEscapes => format!(
            "{EXPOSITION}http_requests_total{{method=\"GET\",path=\"/a\\\\b\\\"c\\nd\\te\\x\",status=\"200\"}} 1\n"
        ),
        _ => EXPOSITION.to_owned(),
    }
}

async fn metrics_answer(
    stream: &mut TcpStream,
    behaviour: Behaviour,
    request: &Request,
) -> std::io::Result<()> {
    if !request.keyed() {
        return json(stream, 401, br#"{"error":"Unauthorized"}"#).await;
    }
    let text_type = "text/plain; version=0.0.4; charset=utf-8";
    match (behaviour, request.path.as_str()) {
        (Behaviour::HugeExposition(total), "/metrics") => {
            let mut line = 0u64;
            stream_chunked(stream, text_type, total, |offset| {
                let mut chunk = Vec::with_capacity(64 * 1024);
                if offset == 0 {
                    chunk.extend_from_slice(b"# TYPE tg_chaos_total counter\n");
                }
                while chunk.len() < 64 * 1024 - 64 {
                    line += 1;
                    chunk.extend_from_slice(
                        format!("tg_chaos_total{{n=\"{line}\"}} 1\n").as_bytes(),
                    );
                }
                chunk
            })
            .await
        }
        (_, "/metrics") => {
            answer(
                stream,
                200,
                &[("content-type", text_type)],
                exposition(behaviour).as_bytes(),
            )
            .await
        }
        (Behaviour::SnapshotNotJson, _) => {
            answer(
                stream,
                200,
                &[("content-type", "text/html")],
                b"<html><body>metrics snapshot</body></html>",
            )
            .await
        }
        _ => {
            json(
                stream,
                200,
                br#"{"generated_at":"2026-01-01T00:00:00.000Z","uptime_seconds":1}"#,
            )
            .await
        }
    }
}

/// Answers one connection according to `behaviour`.
async fn serve(mut stream: TcpStream, behaviour: Behaviour) -> std::io::Result<()> {
    match behaviour {
        Behaviour::TlsForPlainClient => {
            // What a TLS server might send back: a ServerHello record header and the start
            // of its body (a real one would answer a plain request with an alert).
            let _ = read_head(&mut stream).await?;
            let mut hello = vec![
                0x16, 0x03, 0x01, 0x00, 0x4a, 0x02, 0x00, 0x00, 0x46, 0x03, 0x03,
            ];
            hello.extend_from_slice(&[0x5a; 32]);
            stream.write_all(&hello).await?;
            return stream.shutdown().await;
        }
        Behaviour::PlainForTlsClient => {
            // The client opens with a TLS ClientHello; a plain server answers it as HTTP.
            let mut buffer = [0u8; 1024];
            let _ = stream.read(&mut buffer).await?;
            return answer(&mut stream, 400, &[], b"plain HTTP here").await;
        }
        _ => {}
    }
    let Some(request) = read_head(&mut stream).await? else {
        return Ok(());
    };
    let metrics_path = request.path == "/metrics" || request.path.starts_with("/metrics/");
    match behaviour {
        Behaviour::Silent => {
            // Hold the connection until the client gives up (bounded).
            let mut buffer = [0u8; 1024];
            let _ = tokio::time::timeout(Duration::from_secs(600), stream.read(&mut buffer)).await;
            Ok(())
        }
        Behaviour::ResetMidBody => {
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n")
                .await?;
            stream.write_all(&[b' '; 100]).await?;
            stream.flush().await?;
            tokio::time::sleep(Duration::from_millis(50)).await;
            // SO_LINGER 0: closing sends RST instead of FIN.
            stream.set_zero_linger()?;
            drop(stream);
            Ok(())
        }
        Behaviour::Status(status) => json(&mut stream, status, br#"{"error":"chaos"}"#).await,
        Behaviour::GarbageJson => json(&mut stream, 200, b"{\"token\": nope!!! ]] \x01").await,
        Behaviour::TruncatedJson => {
            json(&mut stream, 200, br#"{"token":"abc","user":{"id":"12"#).await
        }
        Behaviour::NestedJson => json(&mut stream, 200, &[b'['; 100_000]).await,
        Behaviour::HugeBody(total) => {
            stream_chunked(&mut stream, "application/json", total, |offset| {
                let mut chunk = vec![b' '; 64 * 1024];
                if offset == 0 {
                    chunk[0] = b'[';
                }
                chunk
            })
            .await
        }
        Behaviour::SlowDrip => {
            let whole =
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
            for byte in whole {
                stream.write_all(&[*byte]).await?;
                stream.flush().await?;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Ok(())
        }
        Behaviour::RedirectLoop => {
            let location = request.path.clone();
            answer(&mut stream, 302, &[("location", &location)], b"").await
        }
        Behaviour::MalformedMetrics
        | Behaviour::HugeExposition(_)
        | Behaviour::DuplicateSeries
        | Behaviour::NanCounters
        | Behaviour::LabelEscapes
        | Behaviour::SnapshotNotJson
            if metrics_path =>
        {
            metrics_answer(&mut stream, behaviour, &request).await
        }
        _ if request.path.starts_with("/api/explore") => json(&mut stream, 200, b"[]").await,
        _ => json(&mut stream, 200, b"{}").await,
    }
}
