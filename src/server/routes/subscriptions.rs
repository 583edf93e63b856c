//! Webhook event subscriptions (endpoints.md §18.1, rows 76–80): the public event catalogue,
//! and list, create, update and delete of an agency's subscriptions by its owners and admins.
//! Deliveries are `server::events`; this module only keeps the records they read.
//!
//! `createdAt` is unique within an agency (a subscription created in the same millisecond as
//! the agency's newest one is stamped 1 ms after it), so "oldest first" is creation order.

use crate::server::App;
use crate::server::auth::{Allowed, authenticate};
use crate::server::error::{ApiError, ApiResult};
use crate::server::events::EVENTS;
use crate::server::request::{ApiRequest, Body, check_len};
use crate::server::ssrf;
use crate::server::store::{Store, Subscription, World};
use crate::server::views;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde_json::{Value, json};
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/webhook-subscriptions/meta/events", get(catalogue))
        .route("/api/webhook-subscriptions/{id}", get(list).post(create))
        .route(
            "/api/webhook-subscriptions/{id}/{subscription_id}",
            patch(update).delete(remove),
        )
}

const CATALOGUE_DESCRIPTION: &str = "Events an agency's webhook subscriptions can receive; each \
    delivery is a signed JSON POST {event, timestamp, agencyId, ...}.";

/// `GET /api/webhook-subscriptions/meta/events`.
async fn catalogue() -> Json<Value> {
    Json(json!({"events": EVENTS, "description": CATALOGUE_DESCRIPTION}))
}

fn agency_not_found() -> ApiError {
    ApiError::not_found("Agency not found")
}

fn subscription_not_found() -> ApiError {
    ApiError::not_found("Subscription not found")
}

/// Existence (404) then authorisation (403) of the agency named by the path: a DM room is
/// refused to everyone, and only its owners and admins manage an agency's subscriptions (the
/// Lobby has neither).
fn managed_agency(w: &World, id: &str, caller: Uuid) -> ApiResult<Uuid> {
    let id = Uuid::parse_str(id).map_err(|_| agency_not_found())?;
    let agency = w.agencies.get(&id).ok_or_else(agency_not_found)?;
    if agency.is_dm {
        return Err(ApiError::forbidden(
            "Webhook subscriptions are not available in direct messages",
        ));
    }
    if !agency.is_manager(caller) {
        return Err(ApiError::forbidden("Not authorized to manage this agency"));
    }
    Ok(id)
}

/// Both path IDs: agency and subscription must exist (404, the subscription in that agency)
/// before the caller's rights are checked (403).
fn managed_subscription(w: &World, id: &str, sub_id: &str, caller: Uuid) -> ApiResult<Uuid> {
    let agency_id = Uuid::parse_str(id).map_err(|_| agency_not_found())?;
    if !w.agencies.contains_key(&agency_id) {
        return Err(agency_not_found());
    }
    let sub_id = Uuid::parse_str(sub_id).map_err(|_| subscription_not_found())?;
    w.subscriptions
        .get(&sub_id)
        .filter(|s| s.agency_id == agency_id)
        .ok_or_else(subscription_not_found)?;
    managed_agency(w, id, caller)?;
    Ok(sub_id)
}

/// `events`: a non-empty array of catalogue names, duplicates removed (order kept).
fn events(body: &Body) -> ApiResult<Vec<String>> {
    let names = body
        .opt_str_list("events")?
        .ok_or_else(|| ApiError::bad_request("events is required"))?;
    if names.is_empty() {
        return Err(ApiError::bad_request("events must not be empty"));
    }
    let mut unique: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        if !EVENTS.contains(&name.as_str()) {
            return Err(ApiError::bad_request(format!("Unknown event: {name}")));
        }
        if !unique.contains(&name) {
            unique.push(name);
        }
    }
    Ok(unique)
}

/// `secret`: null, or 1–256 characters.
fn secret(body: &Body) -> ApiResult<Option<String>> {
    let secret = body.opt_str("secret")?;
    if let Some(s) = &secret {
        check_len("secret", s, 1, 256)?;
    }
    Ok(secret)
}

/// `description`: null, or at most 200 characters.
fn description(body: &Body) -> ApiResult<Option<String>> {
    let description = body.opt_str("description")?;
    if let Some(d) = &description {
        check_len("description", d, 0, 200)?;
    }
    Ok(description)
}

/// `enabled`, or its alias `active` when `enabled` is absent (`enabled` wins).
fn enabled(body: &Body) -> ApiResult<Option<bool>> {
    match body.opt_bool("enabled")? {
        Some(flag) => Ok(Some(flag)),
        None => body.opt_bool("active"),
    }
}

/// The creation time of a new subscription of `agency_id`: now, or 1 ms after the newest.
fn creation_time(w: &World, agency_id: Uuid, now: i64) -> i64 {
    w.subscriptions
        .values()
        .filter(|s| s.agency_id == agency_id)
        .map(|s| s.created_at + 1)
        .fold(now, i64::max)
}

/// `GET /api/webhook-subscriptions/:agencyId`: oldest first, without secrets.
async fn list(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let list = app.store.read(|w| {
        let agency_id = managed_agency(w, &id, who.user_id)?;
        let mut subs: Vec<&Subscription> = w
            .subscriptions
            .values()
            .filter(|s| s.agency_id == agency_id)
            .collect();
        subs.sort_by_key(|s| (s.created_at, s.id));
        Ok::<_, ApiError>(
            subs.into_iter()
                .map(|s| views::subscription(s, false))
                .collect::<Vec<_>>(),
        )
    })?;
    Ok(Json(Value::Array(list)))
}

/// `POST /api/webhook-subscriptions/:agencyId`: 201 with the secret, shown only here.
async fn create(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    let agency_id = app.store.read(|w| managed_agency(w, &id, who.user_id))?;
    let raw_url = body.req_str("url")?;
    let events = events(&body)?;
    let secret = secret(&body)?;
    let description = description(&body)?;
    let enabled = enabled(&body)?.unwrap_or(true);
    let url = ssrf::check_at_save(&app, &raw_url).await?;
    let now = app.now();
    let created = app.store.write(|w| {
        // Re-checked: the agency may have gone, or the caller lost the role, meanwhile.
        managed_agency(w, &id, who.user_id)?;
        let created_at = creation_time(w, agency_id, now);
        let sub = Subscription {
            id: Uuid::new_v4(),
            agency_id,
            url,
            events,
            secret,
            description,
            enabled,
            created_at,
            updated_at: created_at,
        };
        w.subscriptions.insert(sub.id, sub.clone());
        Ok::<_, ApiError>(sub)
    })?;
    Ok((
        StatusCode::CREATED,
        Json(views::subscription(&created, true)),
    ))
}

/// The fields a PATCH sets; `None` = unchanged (`secret` and `description` may be cleared).
struct Changes {
    url: Option<String>,
    events: Option<Vec<String>>,
    secret: Option<Option<String>>,
    description: Option<Option<String>>,
    enabled: Option<bool>,
}

fn changes(body: &Body) -> ApiResult<Changes> {
    let url = match body.value("url") {
        None => None,
        Some(_) => Some(body.req_str("url")?),
    };
    Ok(Changes {
        url,
        events: body.value("events").map(|_| events(body)).transpose()?,
        secret: body.has("secret").then(|| secret(body)).transpose()?,
        description: body
            .has("description")
            .then(|| description(body))
            .transpose()?,
        enabled: enabled(body)?,
    })
}

/// `PATCH /api/webhook-subscriptions/:agencyId/:subscriptionId`: any field.
async fn update(
    State(app): State<App>,
    Path((id, sub_id)): Path<(String, String)>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    app.store
        .read(|w| managed_subscription(w, &id, &sub_id, who.user_id))?;
    let mut changes = changes(&body)?;
    if let Some(raw) = &changes.url {
        changes.url = Some(ssrf::check_at_save(&app, raw).await?);
    }
    let now = app.now();
    let updated = app.store.write(|w| {
        let sub_id = managed_subscription(w, &id, &sub_id, who.user_id)?;
        let sub = w
            .subscriptions
            .get_mut(&sub_id)
            .ok_or_else(subscription_not_found)?;
        if let Some(url) = changes.url {
            sub.url = url;
        }
        if let Some(events) = changes.events {
            sub.events = events;
        }
        if let Some(secret) = changes.secret {
            sub.secret = secret;
        }
        if let Some(description) = changes.description {
            sub.description = description;
        }
        if let Some(enabled) = changes.enabled {
            sub.enabled = enabled;
        }
        sub.updated_at = now.max(sub.created_at);
        Ok::<_, ApiError>(views::subscription(sub, false))
    })?;
    Ok(Json(updated))
}

/// `DELETE /api/webhook-subscriptions/:agencyId/:subscriptionId`.
async fn remove(
    State(app): State<App>,
    Path((id, sub_id)): Path<(String, String)>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    app.store.write(|w| {
        let sub_id = managed_subscription(w, &id, &sub_id, who.user_id)?;
        w.subscriptions.remove(&sub_id);
        Ok::<_, ApiError>(())
    })?;
    Ok(Json(views::ok()))
}
