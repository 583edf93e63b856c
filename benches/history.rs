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

use tidegauge::server::{ServerConfig, spawn};

mod support;

use support::{ensure_wrk, env_number, seed, side_by_side, wrk};

async fn hello_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "Hello, World!" }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
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
    let (history, hello) = side_by_side(
        rounds,
        ("history", &mut || {
            wrk(&history_url, Some(&pat), connections, seconds)
        }),
        ("hello", &mut || wrk(&hello_url, None, connections, seconds)),
    );
    println!("history (limit 50 of 1000, PAT): {history:>9.0} req/s (mean)");
    println!("hello world:                     {hello:>9.0} req/s (mean)");
    println!("ratio history/hello: {:.2} (goal >= 0.50)", history / hello);
    runtime.block_on(async { target.shutdown().await.unwrap() });
}
