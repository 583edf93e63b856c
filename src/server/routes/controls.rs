//! The reference server's test controls (endpoints.md §27.1), mounted only with
//! `--test-controls`: advance the clock, read the claim outbox, override DNS for the SSRF guard.
//! Not part of the Crustocean API; not counted in metrics.

use crate::server::App;
use crate::server::clock::rfc3339;
use crate::server::error::{ApiError, ApiResult};
use crate::server::request::ApiRequest;
use crate::server::store::Store;
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::net::IpAddr;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/__reference/clock/advance", post(advance_clock))
        .route("/__reference/outbox", get(outbox))
        .route("/__reference/dns", post(set_dns))
}

async fn advance_clock(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let seconds = req
        .json()?
        .opt_f64("seconds")?
        .filter(|s| *s > 0.0 && s.is_finite());
    let seconds =
        seconds.ok_or_else(|| ApiError::bad_request("seconds must be a positive number"))?;
    let now = app.clock.advance(seconds);
    Ok(Json(json!({"now": rfc3339(now)})))
}

async fn outbox(State(app): State<App>) -> Json<Value> {
    let entries = app.store.read(|w| {
        w.outbox
            .iter()
            .map(|e| {
                json!({
                    "to": e.to, "agentUsername": e.agent_username, "verifyUrl": e.verify_url,
                    "token": e.token, "status": e.status, "sentAt": rfc3339(e.sent_at),
                })
            })
            .collect::<Vec<_>>()
    });
    Json(Value::Array(entries))
}

async fn set_dns(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let body = req.json()?;
    let host = body.req_str("host")?;
    let addresses = body.opt_str_list("addresses")?.unwrap_or_default();
    let parsed = addresses
        .iter()
        .map(|a| a.parse::<IpAddr>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| ApiError::bad_request("addresses must be IP addresses"))?;
    app.dns.set(&host, parsed);
    Ok(Json(json!({"host": host, "addresses": addresses})))
}
