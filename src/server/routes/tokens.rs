//! Personal access tokens (endpoints.md §5, rows 9–11): create (shown once, at most 10 active
//! per user), list (never the raw token) and revoke.

use crate::server::auth::{Allowed, authenticate};
use crate::server::clock::DAY;
use crate::server::error::{ApiError, ApiResult};
use crate::server::request::{ApiRequest, check_len};
use crate::server::secrets::pat_token;
use crate::server::store::credentials::{PatEntry, hash_secret};
use crate::server::store::{PatRecord, Store};
use crate::server::{App, views};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use uuid::Uuid;

pub const PAT_CAP: usize = 10;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/auth/tokens", post(create).get(list))
        .route("/api/auth/tokens/{id}", delete(revoke))
}

/// Lifetime of `expiresIn` (or the CLI's `expires`): `None` = never (§5).
fn lifetime(value: Option<&str>) -> ApiResult<Option<i64>> {
    match value {
        None | Some("never") => Ok(None),
        Some("30d") => Ok(Some(30 * DAY)),
        Some("90d") => Ok(Some(90 * DAY)),
        Some("1y" | "365d") => Ok(Some(365 * DAY)),
        Some(other) => Err(ApiError::bad_request(format!(
            "expiresIn must be one of 30d, 90d, 1y, never (got {other})"
        ))),
    }
}

/// PATs of `user_id` that are neither revoked nor expired, newest first.
fn active_pats(app: &App, user_id: Uuid) -> Vec<(PatRecord, Option<i64>)> {
    let now = app.now();
    let mut pats: Vec<PatRecord> = app.store.read(|w| {
        w.pats
            .values()
            .filter(|p| p.user_id == user_id)
            .cloned()
            .collect()
    });
    pats.sort_by_key(|p| std::cmp::Reverse(p.seq));
    pats.into_iter()
        .filter_map(|p| {
            let entry = app
                .store
                .credentials()
                .pats
                .get(&p.hash)
                .map(|e| Arc::clone(&e))?;
            let live =
                !entry.revoked.load(Ordering::Relaxed) && p.expires_at.is_none_or(|at| now < at);
            live.then(|| (p, entry.last_used()))
        })
        .collect()
}

/// Creates a PAT for `user_id` (also used by bootstrap); returns the record and raw token.
pub(super) fn issue_pat(
    app: &App,
    user_id: Uuid,
    name: &str,
    lifetime_ms: Option<i64>,
) -> ApiResult<(PatRecord, String)> {
    if active_pats(app, user_id).len() >= PAT_CAP {
        return Err(ApiError::bad_request(
            "Token limit reached (10); revoke one first",
        ));
    }
    let token = pat_token();
    let now = app.now();
    let record = app.store.write(|w| {
        let record = PatRecord {
            id: Uuid::new_v4(),
            user_id,
            name: name.to_owned(),
            prefix: token[..8].to_owned(),
            hash: hash_secret(&token),
            expires_at: lifetime_ms.map(|ms| now + ms),
            created_at: now,
            seq: w.next_seq(),
        };
        w.pats.insert(record.id, record.clone());
        record
    });
    let entry = PatEntry {
        pat_id: record.id,
        user_id,
        expires_at: record.expires_at,
        revoked: AtomicBool::new(false),
        last_used_at: AtomicI64::new(0),
    };
    app.store
        .credentials()
        .pats
        .insert(record.hash, Arc::new(entry));
    Ok((record, token))
}

async fn create(State(app): State<App>, req: ApiRequest) -> ApiResult<(StatusCode, Json<Value>)> {
    let who = authenticate(&app, &req, Allowed::UsersOnly)?;
    let body = req.json()?;
    let name = body.req_str("name")?;
    check_len("name", &name, 1, 64)?;
    let expires = match body.opt_str("expiresIn")? {
        Some(v) => Some(v),
        None => body.opt_str("expires")?,
    };
    let lifetime_ms = lifetime(expires.as_deref())?;
    let (record, token) = issue_pat(&app, who.user_id, &name, lifetime_ms)?;
    Ok((
        StatusCode::CREATED,
        Json(views::pat_created(&record, &token)),
    ))
}

async fn list(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::UsersOnly)?;
    let items: Vec<Value> = active_pats(&app, who.user_id)
        .iter()
        .map(|(p, used)| views::pat_item(p, *used))
        .collect();
    Ok(Json(Value::Array(items)))
}

async fn revoke(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::UsersOnly)?;
    let unknown = || ApiError::not_found("Token not found");
    let id = Uuid::parse_str(&id).map_err(|_| unknown())?;
    let record = app.store.write(|w| match w.pats.get(&id) {
        Some(p) if p.user_id == who.user_id => w.pats.remove(&id),
        _ => None,
    });
    let record = record.ok_or_else(unknown)?;
    // The index entry is kept, flagged revoked, so that a revoked token is told apart from an
    // unknown one (and the `revoked-pat-accepted` fault has something to accept).
    if let Some(entry) = app.store.credentials().pats.get(&record.hash) {
        entry.revoked.store(true, Ordering::Relaxed);
    }
    Ok(Json(views::ok()))
}
