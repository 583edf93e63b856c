//! The harness's loopback receiver for outbound calls of the target (webhook deliveries,
//! response webhooks): an HTTP server on 127.0.0.1:0 that records every request per path and
//! answers with the status (and body) a scenario chose for that path, 200 `{}` by default.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// One request the sink received.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: Instant,
}

/// How the sink answers one path: status, body and extra headers.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

#[derive(Default)]
struct Inner {
    received: Mutex<HashMap<String, Vec<Received>>>,
    replies: Mutex<HashMap<String, Reply>>,
}

#[derive(Clone)]
pub struct Sink {
    pub base_url: String,
    inner: Arc<Inner>,
    _shutdown: Arc<tokio::sync::oneshot::Sender<()>>,
}

const BODY_CAP: usize = 1024 * 1024;

async fn receive(State(inner): State<Arc<Inner>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let headers = request.headers().clone();
    let body = axum::body::to_bytes(request.into_body(), BODY_CAP)
        .await
        .unwrap_or_default();
    inner
        .received
        .lock()
        .entry(path.clone())
        .or_default()
        .push(Received {
            headers,
            body,
            at: Instant::now(),
        });
    let reply = inner.replies.lock().get(&path).cloned();
    match reply {
        None => (StatusCode::OK, [("content-type", "application/json")], "{}").into_response(),
        Some(reply) => {
            let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
            let mut response = (status, reply.body).into_response();
            for (name, value) in reply.headers {
                if let (Ok(name), Ok(value)) = (
                    name.parse::<axum::http::HeaderName>(),
                    value.parse::<axum::http::HeaderValue>(),
                ) {
                    response.headers_mut().insert(name, value);
                }
            }
            response
        }
    }
}

impl Sink {
    /// Starts the sink on `addr` (loopback port 0 by default).
    pub async fn start(addr: std::net::SocketAddr) -> anyhow::Result<Sink> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let inner = Arc::new(Inner::default());
        let app = Router::new()
            .fallback(receive)
            .with_state(Arc::clone(&inner));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Sink {
            base_url: format!("http://{local}"),
            inner,
            _shutdown: Arc::new(tx),
        })
    }

    pub fn set_reply(&self, path: &str, reply: Reply) {
        self.inner.replies.lock().insert(path.to_owned(), reply);
    }

    pub fn received(&self, path: &str) -> Vec<Received> {
        self.inner
            .received
            .lock()
            .get(path)
            .cloned()
            .unwrap_or_default()
    }
}
