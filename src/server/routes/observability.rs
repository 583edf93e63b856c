//! `/metrics`, `/metrics/json` and `/health` (endpoints.md §24, metrics.md §1, §6, §8).
//! With a metrics secret configured, the `X-Metrics-Key` header decides when present, else the
//! `key` query parameter; compared in constant time; 401 JSON otherwise.

use crate::server::App;
use crate::server::error::{ApiError, ApiResult};
use crate::server::faults::Fault;
use crate::server::request::ApiRequest;
use crate::server::secrets::constant_time_eq;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub const EXPOSITION_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

pub fn routes() -> Router<App> {
    Router::new()
        .route("/metrics", get(exposition))
        .route("/metrics/json", get(snapshot))
        .route("/health", get(health))
}

fn check_key(app: &App, req: &ApiRequest) -> ApiResult<()> {
    let Some(secret) = &app.config.metrics_secret else {
        return Ok(());
    };
    if app.fault(Fault::MetricsOpen) {
        return Ok(());
    }
    let presented = req.header("x-metrics-key").or_else(|| req.query("key"));
    match presented {
        Some(key) if constant_time_eq(key, secret) => Ok(()),
        _ => Err(ApiError::unauthorized("Invalid metrics key")),
    }
}

async fn exposition(State(app): State<App>, req: ApiRequest) -> ApiResult<Response> {
    check_key(&app, &req)?;
    let text = app.metrics.exposition(&app);
    Ok(([(header::CONTENT_TYPE, EXPOSITION_CONTENT_TYPE)], text).into_response())
}

async fn snapshot(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    check_key(&app, &req)?;
    Ok(Json(app.metrics.snapshot(&app)))
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}
