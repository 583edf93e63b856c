//! Agent runs (endpoints.md §21, rows 27–28), read-only. Runs are created and fed over the
//! realtime socket, which the reference server does not implement, so it never has any: the
//! list is `[]` once access and the `limit` / `offset` query have been checked, and a run by ID
//! is always 404 (#175).

use super::agencies::{agency_id, find, may_read, not_dm};
use super::messages::{query_limit, query_offset};
use crate::server::App;
use crate::server::auth::{Allowed, authenticate};
use crate::server::error::{ApiError, ApiResult};
use crate::server::request::ApiRequest;
use crate::server::store::Store;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/agencies/{id}/runs", get(list))
        .route("/api/runs/{id}", get(one))
}

const DEFAULT_LIMIT: u64 = 20;
const MAX_LIMIT: u64 = 100;

async fn list(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let id = agency_id(&id)?;
    app.store.read(|w| {
        let a = find(w, id)?;
        not_dm(a)?;
        may_read(a, who.user_id)
    })?;
    query_limit(&req, "limit", DEFAULT_LIMIT, MAX_LIMIT)?;
    query_offset(&req, "offset")?;
    Ok(Json(Value::Array(Vec::new())))
}

async fn one(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    authenticate(&app, &req, Allowed::Anyone)?;
    Err(ApiError::not_found("Run not found"))
}
