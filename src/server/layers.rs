//! The middleware around every route: `observe` counts each request in the HTTP metrics by
//! route template (metrics.md §3, §5) and, inside that, applies the response-level faults
//! (`server::faults`), so that the metrics see what clients see. One layer, not two: each
//! `from_fn` layer costs a boxed future per request on the load-test hot path.

use super::App;
use super::error::ApiError;
use super::faults::Fault;
use super::metrics::with_storage_timer;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Marks a response produced by the not-found fallbacks, whose `path` label is `unmatched`.
#[derive(Clone, Copy)]
pub struct Unmatched;

/// The fallback for unknown paths and for known paths with a method they do not have.
pub async fn not_found() -> Response {
    let mut response = ApiError::route_not_found().into_response();
    response.extensions_mut().insert(Unmatched);
    response
}

/// Paths that are not counted in the HTTP metrics (endpoints.md §24, metrics.md §2.1).
fn is_observability(path: &str) -> bool {
    matches!(path, "/metrics" | "/metrics/json" | "/health") || path.starts_with("/__reference/")
}

/// axum writes templates as `/a/{id}`; the spec's label form is `/a/:id`.
pub fn spec_template(axum_template: &str) -> String {
    axum_template
        .split('/')
        .map(
            |segment| match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => format!(":{name}"),
                None => segment.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// The one layer around every route: counts the request in the HTTP metrics (unless it is an
/// observability path) around the fault-injecting inner part.
pub async fn observe(State(app): State<App>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if is_observability(path) {
        return next.run(req).await;
    }
    let is_api = path.starts_with("/api/");
    // Only the `raw-path-label` fault needs the raw path kept.
    let raw_path = app.fault(Fault::RawPathLabel).then(|| path.to_owned());
    let method = req.method().clone();
    let template = req.extensions().get::<MatchedPath>().cloned();
    let started = Instant::now();
    let inner = async {
        if is_api {
            with_faults(&app, template.as_ref(), req, next).await
        } else {
            next.run(req).await
        }
    };
    let (response, storage) = with_storage_timer(inner).await;
    let label = match (raw_path, template) {
        (Some(raw), _) => raw,
        (None, _) if response.extensions().get::<Unmatched>().is_some() => "unmatched".to_owned(),
        (None, Some(template)) => spec_template(template.as_str()),
        (None, None) => "unmatched".to_owned(),
    };
    let elapsed = started.elapsed();
    app.metrics
        .record_request(method.as_str(), &label, response.status(), elapsed, storage);
    response
}

const HISTORY_TEMPLATES: [&str; 2] = ["/api/agencies/{id}/messages", "/api/dm/{id}/messages"];

/// `periodic-stall`: the first second of every 5 s of wall-clock time holds requests back.
async fn stall_if_in_window() {
    const PERIOD_MS: u128 = 5_000;
    const STALL_MS: u128 = 1_000;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let phase = now % PERIOD_MS;
    if phase < STALL_MS {
        tokio::time::sleep(Duration::from_millis((STALL_MS - phase) as u64)).await;
    }
}

/// Applies the response-level faults to an API request; with no fault active it only counts
/// the request.
async fn with_faults(
    app: &App,
    template: Option<&MatchedPath>,
    req: Request,
    next: Next,
) -> Response {
    let number = app.next_request_number();
    if app.fault(Fault::Every100th500) && number.is_multiple_of(100) {
        return ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
            .into_response();
    }
    if app.fault(Fault::PeriodicStall) {
        stall_if_in_window().await;
    }
    let is_history = template.is_some_and(|m| HISTORY_TEMPLATES.contains(&m.as_str()));
    if is_history && app.fault(Fault::SlowHistory) {
        let n = app.history_counter.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(10) {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let mut response = next.run(req).await;
    if response.status() == StatusCode::TOO_MANY_REQUESTS && app.fault(Fault::RetryAfterMissing) {
        response.headers_mut().remove(header::RETRY_AFTER);
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if is_json && app.fault(Fault::ErrorBodyNotJson) && !response.status().is_success() {
        return plain_text_error(response).await;
    }
    if is_json && app.fault(Fault::JsonWrongContentType) {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    }
    response
}

/// Fault `error-body-not-json`: the error message as plain text, status and headers kept.
async fn plain_text_error(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let message = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
        .unwrap_or_else(|| "error".to_owned());
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_use_colon_placeholders() {
        assert_eq!(
            spec_template("/api/agencies/{id}/messages"),
            "/api/agencies/:id/messages"
        );
        assert_eq!(spec_template("/api/auth/me"), "/api/auth/me");
    }
}
