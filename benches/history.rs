//! Message history against a bare hello-world, same load tool, same connection count.
//!
//! Starts the reference target in-process, seeds an agency with 1,000 hook messages over the
//! API and creates a PAT; starts a bare axum server answering `GET /` with "Hello, World!";
//! then drives `GET /api/agencies/:id/messages?limit=50` (PAT) and `GET /` with `wrk` (the
//! same threads, connections and duration for both, an external process so that the load
//! tool's own cost is the same for both) and prints both request rates and their ratio.
//! Goal (issue #2): history ≥ 0.5 × hello. Both rounds also require zero non-2xx answers.
//!
//! Run: `cargo bench --bench history`. wrk comes from Debian (`apt-get install wrk`); the
//! bench installs it when missing and it can. Env: `CONNECTIONS` (16), `SECONDS` (5), `ROUNDS` (2).

use serde_json::{Value, json};
use std::process::Command;
use tidegauge::server::{ServerConfig, spawn};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn api(
    client: &reqwest::Client,
    url: String,
    auth: Option<(&str, &str)>,
    body: Value,
) -> Value {
    let mut request = client.post(url).json(&body);
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
/// Returns (history URL, PAT).
async fn seed(base: &str, count: usize) -> (String, String) {
    let client = reqwest::Client::new();
    let user = api(
        &client,
        format!("{base}/api/auth/register"),
        None,
        json!({"username": "bench_user", "password": "bench-password"}),
    )
    .await;
    let session = format!("Bearer {}", user["token"].as_str().unwrap());
    let pat = api(
        &client,
        format!("{base}/api/auth/tokens"),
        Some(("authorization", &session)),
        json!({"name": "bench"}),
    )
    .await;
    let pat = pat["token"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {pat}");
    let agency = api(
        &client,
        format!("{base}/api/agencies"),
        Some(("authorization", &bearer)),
        json!({"name": "Bench Agency"}),
    )
    .await;
    let agency_id = agency["id"].as_str().unwrap().to_owned();
    let command = api(
        &client,
        format!("{base}/api/custom-commands/{agency_id}/commands"),
        Some(("authorization", &bearer)),
        json!({"name": "bench", "webhookUrl": "https://example.com/bench"}),
    )
    .await;
    let key = command["hookKey"].as_str().unwrap().to_owned();
    for i in 0..count {
        let content = format!("message {i}: the quick brown fox jumps over the lazy dog");
        api(
            &client,
            format!("{base}/api/hooks/messages"),
            Some(("x-crustocean-hook-key", &key)),
            json!({"agencyId": agency_id, "content": content}),
        )
        .await;
    }
    (
        format!("{base}/api/agencies/{agency_id}/messages?limit=50"),
        pat,
    )
}

async fn hello_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn ensure_wrk() {
    if Command::new("wrk").arg("--version").output().is_ok() {
        return;
    }
    eprintln!("wrk is missing; installing it from Debian's packages");
    let installed = Command::new("apt-get")
        .args(["install", "-y", "-qq", "wrk"])
        .status();
    assert!(
        installed.is_ok_and(|s| s.success()),
        "install wrk first: apt-get install wrk"
    );
}

/// One wrk run; returns requests per second. Panics on any non-2xx or socket error.
fn wrk(url: &str, bearer: Option<&str>, connections: u64, seconds: u64) -> f64 {
    let mut command = Command::new("wrk");
    command.args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s")]);
    if let Some(token) = bearer {
        command.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    let output = command.arg(url).output().expect("wrk runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(!text.contains("Non-2xx"), "wrk saw failed answers:\n{text}");
    assert!(
        !text.contains("Socket errors"),
        "wrk saw socket errors:\n{text}"
    );
    text.lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no rate in wrk output:\n{text}"))
}

fn main() {
    ensure_wrk();
    let connections = env_number("CONNECTIONS", 16);
    let seconds = env_number("SECONDS", 5);
    let rounds = env_number("ROUNDS", 2);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (target, history_url, pat, hello_url) = runtime.block_on(async {
        let mut config = ServerConfig::for_harness("bench");
        config.no_rate_limits = true;
        let target = spawn(config).await.expect("reference target starts");
        let (history_url, pat) = seed(&target.url, 1000).await;
        let hello_url = format!("http://{}/", hello_server().await);
        (target, history_url, pat, hello_url)
    });
    println!("wrk -t2 -c{connections} -d{seconds}s, {rounds} rounds, history then hello in each");
    let (mut history_total, mut hello_total) = (0.0, 0.0);
    for round in 1..=rounds {
        let history = wrk(&history_url, Some(&pat), connections, seconds);
        let hello = wrk(&hello_url, None, connections, seconds);
        println!(
            "round {round}: history {history:>9.0} req/s   hello {hello:>9.0} req/s   ratio {:.2}",
            history / hello
        );
        history_total += history;
        hello_total += hello;
    }
    let (history, hello) = (history_total / rounds as f64, hello_total / rounds as f64);
    println!("history (limit 50 of 1000, PAT): {history:>9.0} req/s (mean)");
    println!("hello world:                     {hello:>9.0} req/s (mean)");
    println!("ratio history/hello: {:.2} (goal >= 0.50)", history / hello);
    runtime.block_on(async { target.shutdown().await.unwrap() });
}
