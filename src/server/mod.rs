//! The embedded reference target: a Crustocean-compatible server implementing
//! `../shared/spec` (endpoints.md, credentials.md, metrics.md), used by the main job when no
//! base URL is given and by the harness's own tests, optionally with injected `faults`.
//!
//! `app(config)` builds the router (for `oneshot` tests); `spawn(config)` serves it on the
//! configured address (tests use 127.0.0.1:0) and hands back its URL and a shutdown handle.
//! Routes live in `routes/<area>.rs`, each handler next to its route.

pub mod auth;
pub mod cascade;
pub mod clock;
pub mod error;
pub mod events;
pub mod faults;
pub mod layers;
pub mod messaging;
pub mod metrics;
pub mod outbound;
pub mod ratelimit;
pub mod request;
pub mod routes;
pub mod secrets;
pub mod ssrf;
pub mod store;
pub mod views;

use self::clock::Clock;
use self::faults::{Fault, FaultSet};
use self::metrics::Metrics;
use self::outbound::Outbound;
use self::ratelimit::RateLimiter;
use self::ssrf::DnsOverrides;
use self::store::{MemoryStore, World};
use anyhow::Context;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Start-up settings, named and defaulted as endpoints.md §27.2 binds them.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    pub api_base_url: Option<String>,
    pub app_base_url: String,
    pub allow_private_webhook_urls: bool,
    pub metrics_secret: Option<String>,
    pub metrics_cache_ttl_secs: f64,
    pub rate_limit_scale: f64,
    pub no_rate_limits: bool,
    pub secure_cookies: bool,
    pub test_controls: bool,
    pub trust_proxy: bool,
    pub faults: FaultSet,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            api_base_url: None,
            app_base_url: "https://crustocean.chat".into(),
            allow_private_webhook_urls: false,
            metrics_secret: None,
            metrics_cache_ttl_secs: 30.0,
            rate_limit_scale: 1.0,
            no_rate_limits: false,
            secure_cookies: false,
            test_controls: false,
            trust_proxy: false,
            faults: FaultSet::default(),
        }
    }
}

impl ServerConfig {
    /// The settings the harness uses for its own instances (endpoints.md §27.3): loopback
    /// port 0, test controls, private webhook URLs allowed, the given metrics secret.
    pub fn for_harness(metrics_secret: &str) -> Self {
        ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            allow_private_webhook_urls: true,
            metrics_secret: Some(metrics_secret.to_owned()),
            test_controls: true,
            ..ServerConfig::default()
        }
    }
}

/// Shared state of one server instance.
pub struct AppState {
    pub config: ServerConfig,
    /// Base of the claim-verify links (`--api-base-url`, default the bound address).
    pub api_base_url: String,
    pub store: MemoryStore,
    pub clock: Clock,
    pub limiter: RateLimiter,
    pub metrics: Metrics,
    pub outbound: Outbound,
    pub dns: DnsOverrides,
    /// Requests seen by the fault layer (drives the "every Nth request" faults).
    pub request_counter: AtomicU64,
    /// Message-history requests seen (drives `slow-history`).
    pub history_counter: AtomicU64,
    /// Hook-message posts in flight (drives `concurrent-post-duplicates`).
    pub posts_in_flight: AtomicU64,
}

pub type App = Arc<AppState>;

impl AppState {
    pub fn fault(&self, fault: Fault) -> bool {
        self.config.faults.on(fault)
    }

    pub fn now(&self) -> clock::Millis {
        self.clock.now_ms()
    }

    pub fn next_request_number(&self) -> u64 {
        self.request_counter.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// Builds the state and router of one instance. `bound` is the address actually listened on.
pub fn app(config: ServerConfig, bound: SocketAddr) -> (Router, App) {
    let clock = Clock::default();
    let mut world = World::default();
    cascade::create_lobby(&mut world, clock.now_ms());
    let state = Arc::new(AppState {
        api_base_url: config
            .api_base_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}")),
        limiter: RateLimiter::new(config.rate_limit_scale, !config.no_rate_limits),
        metrics: Metrics::new(clock.now_ms()),
        outbound: Outbound::new(),
        dns: DnsOverrides::default(),
        store: MemoryStore::new(world),
        clock,
        config,
        request_counter: AtomicU64::new(0),
        history_counter: AtomicU64::new(0),
        posts_in_flight: AtomicU64::new(0),
    });
    (routes::router(Arc::clone(&state)), state)
}

/// A server serving on a socket; dropped or shut down, it stops accepting and finishes.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub url: String,
    pub app: App,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// Stops the server and waits for in-flight requests to finish.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task)
            .await
            .context("reference server task failed")??;
        Ok(())
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Binds `config.addr` and serves the reference target in the background.
pub async fn spawn(config: ServerConfig) -> anyhow::Result<RunningServer> {
    let listener = TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.addr))?;
    let addr = listener
        .local_addr()
        .context("listener has no local address")?;
    let (router, app) = app(config, addr);
    let (tx, rx) = oneshot::channel::<()>();
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok(RunningServer {
        addr,
        url: format!("http://{addr}"),
        app,
        shutdown: Some(tx),
        task,
    })
}
