//! The hooks runtime API (endpoints.md §16, rows 62–65), authenticated by the hook key alone
//! (`X-Crustocean-Hook-Key`; `Authorization` and cookies are never read here): the agencies
//! where the hook is installed, their members, posting a message as the system, and editing
//! the hook's own messages. A disabled hook gets 403 everywhere; DM rooms never have hooks.

use super::commands::parse_id;
use crate::server::auth::authenticate_hook;
use crate::server::error::{ApiError, ApiResult};
use crate::server::faults::Fault;
use crate::server::messaging::{self, Draft};
use crate::server::request::{ApiRequest, Body, check_len};
use crate::server::store::{Agency, Message, Store, World};
use crate::server::{App, views};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::Arc;
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/hooks/agencies", get(agencies))
        .route("/api/hooks/agencies/{id}/members", get(members))
        .route("/api/hooks/messages", post(post_message))
        .route("/api/hooks/messages/{id}", patch(edit_message))
}

/// Message types a hook may post (§16).
const MESSAGE_TYPES: [&str; 4] = ["chat", "tool_result", "action", "system"];

/// The hook a request's key belongs to.
struct Caller {
    id: Uuid,
    enabled: bool,
    /// Default display identity of its messages: `at_name` (else name), and name.
    username: String,
    display_name: String,
}

impl Caller {
    fn of(app: &App, req: &ApiRequest) -> ApiResult<Caller> {
        let id = authenticate_hook(app, req)?;
        app.store
            .read(|w| {
                w.hooks.get(&id).map(|h| Caller {
                    id,
                    enabled: h.enabled,
                    username: h.at_name.clone().unwrap_or_else(|| h.name.clone()),
                    display_name: h.name.clone(),
                })
            })
            .ok_or_else(|| ApiError::unauthorized("Invalid hook key"))
    }

    fn enabled(&self) -> ApiResult<()> {
        if self.enabled {
            return Ok(());
        }
        Err(ApiError::forbidden("Hook is disabled"))
    }

    /// 403 unless the hook is enabled and installed in `agency` (never a DM room).
    fn may_act_in(&self, w: &World, agency: &Agency) -> ApiResult<()> {
        self.enabled()?;
        if agency.is_dm {
            return Err(ApiError::forbidden(
                "Hooks are not available in direct messages",
            ));
        }
        let installed = w
            .hooks
            .get(&self.id)
            .is_some_and(|h| w.hook_installs(h).contains(&agency.id));
        if !installed {
            return Err(ApiError::forbidden("Hook is not installed in this agency"));
        }
        Ok(())
    }
}

fn agency_not_found() -> ApiError {
    ApiError::not_found("Agency not found")
}

/// A stored message as the API's JSON (its cached serialisation).
fn message_answer(status: StatusCode, message: &Message) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        message.json.clone(),
    )
        .into_response()
}

async fn agencies(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let hook = Caller::of(&app, &req)?;
    hook.enabled()?;
    let list = app.store.read(|w| {
        let Some(record) = w.hooks.get(&hook.id) else {
            return Vec::new();
        };
        let mut installed: Vec<&Agency> = w
            .hook_installs(record)
            .iter()
            .filter_map(|id| w.agencies.get(id))
            .filter(|a| !a.is_dm)
            .collect();
        installed.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        installed.into_iter().map(views::agency_ref).collect()
    });
    Ok(Json(Value::Array(list)))
}

async fn members(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let hook = Caller::of(&app, &req)?;
    let agency_id = parse_id(&id, "Agency")?;
    app.store.read(|w| {
        let agency = w.agencies.get(&agency_id).ok_or_else(agency_not_found)?;
        hook.may_act_in(w, agency)?;
        Ok(Json(Value::Array(views::members(w, agency))))
    })
}

/// `content`, when sent: a string of 1–32768 characters (§16).
fn content(body: &Body) -> ApiResult<Option<String>> {
    let content = body.opt_str("content")?;
    if let Some(text) = &content {
        check_len("content", text, 1, 32768)?;
    }
    Ok(content)
}

/// `metadata`, when sent: an object, or a string holding a JSON object.
fn metadata(body: &Body) -> ApiResult<Option<Value>> {
    let invalid = || ApiError::bad_request("metadata must be a JSON object");
    match body.get("metadata") {
        None | Some(Value::Null) => Ok(None),
        Some(object @ Value::Object(_)) => Ok(Some(object.clone())),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(object @ Value::Object(_)) => Ok(Some(object)),
            _ => Err(invalid()),
        },
        Some(_) => Err(invalid()),
    }
}

/// An optional display field; an empty one falls back to the hook's default.
fn display_field(body: &Body, key: &str, default: &str) -> ApiResult<String> {
    Ok(body
        .opt_str(key)?
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| default.to_owned()))
}

async fn post_message(State(app): State<App>, req: ApiRequest) -> ApiResult<Response> {
    // `concurrent-post-duplicates`: posts that overlap in time race; a yield lets them overlap.
    let _racing = match app.fault(Fault::ConcurrentPostDuplicates) {
        true => {
            let guard = messaging::PostInFlight::enter(&app);
            tokio::task::yield_now().await;
            Some(guard)
        }
        false => None,
    };
    let hook = Caller::of(&app, &req)?;
    let body = req.json()?;
    let agency_id = match body.get("agencyId") {
        Some(Value::String(raw)) => Some(parse_id(raw, "Agency")?),
        _ => None,
    };
    match agency_id {
        Some(agency_id) => app.store.read(|w| {
            let agency = w.agencies.get(&agency_id).ok_or_else(agency_not_found)?;
            hook.may_act_in(w, agency)
        })?,
        None => hook.enabled()?,
    }
    let agency_id = agency_id.ok_or_else(|| ApiError::bad_request("agencyId is required"))?;
    let content = content(&body)?.ok_or_else(|| ApiError::bad_request("content is required"))?;
    let kind = body.opt_str("type")?.unwrap_or_else(|| "system".into());
    if !MESSAGE_TYPES.contains(&kind.as_str()) {
        return Err(ApiError::bad_request(
            "type must be one of chat, tool_result, action, system",
        ));
    }
    let metadata = metadata(&body)?.unwrap_or_else(|| json!({}));
    let sender_username = display_field(&body, "sender_username", &hook.username)?;
    let sender_display_name = display_field(&body, "sender_display_name", &hook.display_name)?;
    let message = messaging::post(
        &app,
        Draft {
            agency_id,
            author_id: "system".into(),
            sender_username,
            sender_display_name,
            sender_type: "system",
            content,
            kind,
            metadata,
            dm: false,
            hook_id: Some(hook.id),
        },
    );
    Ok(message_answer(StatusCode::CREATED, &message))
}

/// The stored message `id`, or 404. Takes only the room's lock, never the world's.
fn find_message(app: &App, id: Uuid) -> ApiResult<Arc<Message>> {
    let not_found = || ApiError::not_found("Message not found");
    let room = app.store.rooms().room_of(id).ok_or_else(not_found)?;
    let log = app.store.rooms().log(room);
    let message = log.read().get(id).cloned();
    message.ok_or_else(not_found)
}

async fn edit_message(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Response> {
    let hook = Caller::of(&app, &req)?;
    let body = req.json()?;
    let current = find_message(&app, parse_id(&id, "Message")?)?;
    hook.enabled()?;
    if current.hook_id != Some(hook.id) {
        return Err(ApiError::forbidden(
            "Only the hook that posted a message can edit it",
        ));
    }
    let content = content(&body)?;
    let metadata = metadata(&body)?;
    if content.is_none() && metadata.is_none() {
        return Err(ApiError::bad_request("content or metadata is required"));
    }
    let updated = messaging::edit(&app, &current, content, metadata);
    Ok(message_answer(StatusCode::OK, &updated))
}
