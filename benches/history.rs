//! Message history against a bare hello-world, same load tool, same connection count.
//!
//! Starts the reference target in-process, seeds an agency with 1,000 hook messages over the
//! API, and creates a PAT; starts a bare axum server answering `GET /` with "Hello, World!";
//! then drives `GET /api/agencies/:id/messages?limit=50` (PAT) and `GET /` with the same
//! closed-loop generator (N keep-alive HTTP/1.1 connections, each sending its next request as
//! soon as the previous answer's body is read), for the same duration each, and prints both
//! request rates and their ratio. Goal (issue #2): history ≥ 0.5 × hello.
//!
//! Run: `cargo bench --bench history` (env `CONNECTIONS`, default 16; `SECONDS`, default 5).
//! Every response is checked for status 200; the loop is bounded by the duration.

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tidegauge::server::{ServerConfig, spawn};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn api(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    auth: Option<(&str, &str)>,
    body: Value,
) -> Value {
    let mut request = client.request(method, url).json(&body);
    if let Some((header, value)) = auth {
        request = request.header(header, value);
    }
    let response = request.send().await.expect("reference target answers");
    assert!(
        response.status().is_success(),
        "seeding failed: {}",
        response.status()
    );
    response.json().await.expect("JSON answer")
}

/// Registers a user, makes a PAT, an agency and a hook key, posts `count` messages.
/// Returns (history path, "Bearer <pat>").
async fn seed(base: &str, count: usize) -> (String, String) {
    let client = reqwest::Client::new();
    let post = reqwest::Method::POST;
    let user = api(
        &client,
        post.clone(),
        format!("{base}/api/auth/register"),
        None,
        json!({"username": "bench_user", "password": "bench-password"}),
    )
    .await;
    let session = format!("Bearer {}", user["token"].as_str().unwrap());
    let pat = api(
        &client,
        post.clone(),
        format!("{base}/api/auth/tokens"),
        Some(("authorization", &session)),
        json!({"name": "bench"}),
    )
    .await;
    let pat = format!("Bearer {}", pat["token"].as_str().unwrap());
    let agency = api(
        &client,
        post.clone(),
        format!("{base}/api/agencies"),
        Some(("authorization", &pat)),
        json!({"name": "Bench Agency"}),
    )
    .await;
    let agency_id = agency["id"].as_str().unwrap().to_owned();
    let command = api(
        &client,
        post.clone(),
        format!("{base}/api/custom-commands/{agency_id}/commands"),
        Some(("authorization", &pat)),
        json!({"name": "bench", "webhookUrl": "https://example.com/bench"}),
    )
    .await;
    let key = command["hookKey"].as_str().unwrap().to_owned();
    for i in 0..count {
        let content = format!("message {i}: the quick brown fox jumps over the lazy dog");
        api(
            &client,
            post.clone(),
            format!("{base}/api/hooks/messages"),
            Some(("x-crustocean-hook-key", &key)),
            json!({"agencyId": agency_id, "content": content}),
        )
        .await;
    }
    (format!("/api/agencies/{agency_id}/messages?limit=50"), pat)
}

async fn hello_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// Closed-loop load: `connections` keep-alive connections for `duration`; returns req/s.
async fn load(
    addr: std::net::SocketAddr,
    path: &str,
    auth: Option<&str>,
    connections: u64,
    duration: Duration,
) -> f64 {
    let completed = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (path, auth, completed) = (
            path.to_owned(),
            auth.map(str::to_owned),
            Arc::clone(&completed),
        );
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
            stream.set_nodelay(true).unwrap();
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .unwrap();
            tokio::spawn(connection);
            while Instant::now() < deadline {
                let mut request = Request::get(&path).header("host", addr.to_string());
                if let Some(auth) = &auth {
                    request = request.header("authorization", auth);
                }
                let response = sender
                    .send_request(request.body(Empty::<Bytes>::new()).unwrap())
                    .await
                    .unwrap();
                assert_eq!(response.status(), 200, "every response must succeed");
                let body = response.into_body().collect().await.unwrap().to_bytes();
                assert!(!body.is_empty());
                completed.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    completed.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn main() {
    let connections = env_number("CONNECTIONS", 16);
    let duration = Duration::from_secs(env_number("SECONDS", 5));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut config = ServerConfig::for_harness("bench");
        config.no_rate_limits = true;
        let target = spawn(config).await.expect("reference target starts");
        let (path, pat) = seed(&target.url, 1000).await;
        let hello = hello_server().await;
        // A short warm-up of each, then the measured runs.
        load(
            target.addr,
            &path,
            Some(&pat),
            connections,
            Duration::from_millis(500),
        )
        .await;
        load(hello, "/", None, connections, Duration::from_millis(500)).await;
        let history_rate = load(target.addr, &path, Some(&pat), connections, duration).await;
        let hello_rate = load(hello, "/", None, connections, duration).await;
        println!("connections: {connections}, {}s each", duration.as_secs());
        println!("history (limit 50 of 1000, PAT): {history_rate:>10.0} req/s");
        println!("hello world:                     {hello_rate:>10.0} req/s");
        println!(
            "ratio history/hello: {:.2} (goal >= 0.50)",
            history_rate / hello_rate
        );
        target.shutdown().await.unwrap();
    });
}
