//! Agency skills (endpoints.md §10, rows 24–25): the reference catalogue (`echo`, `analyze`,
//! `dice`), what an agency has installed, and installing one (owners and admins; not in the
//! Lobby; never in a DM room). Installing only records the fact: skills run in chat, which is
//! outside the spec.

use super::agencies::{agency_id, find, may_read, not_dm, not_lobby, not_manager};
use crate::server::App;
use crate::server::auth::{Allowed, authenticate};
use crate::server::error::{ApiError, ApiResult};
use crate::server::request::ApiRequest;
use crate::server::store::Store;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

pub fn routes() -> Router<App> {
    Router::new().route("/api/agencies/{id}/skills", get(list).post(install))
}

/// The reference skill catalogue: name and one-line description.
const CATALOGUE: [(&str, &str); 3] = [
    ("echo", "Repeats the text it is given back into the chat."),
    (
        "analyze",
        "Summarises and analyses the recent conversation.",
    ),
    ("dice", "Rolls dice in standard notation, for example 2d6."),
];

/// Skill (§3.9) of a catalogue name.
fn skill(name: &str) -> Option<Value> {
    CATALOGUE
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(name, description)| json!({"name": name, "description": description}))
}

async fn list(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let id = agency_id(&id)?;
    let installed = app.store.read(|w| {
        let a = find(w, id)?;
        not_dm(a)?;
        may_read(a, who.user_id)?;
        Ok(a.skills.iter().filter_map(|s| skill(s)).collect::<Vec<_>>())
    })?;
    // `available` is the whole catalogue, installed or not.
    let available: Vec<Value> = CATALOGUE.iter().filter_map(|(n, _)| skill(n)).collect();
    Ok(Json(
        json!({"installed": installed, "available": available}),
    ))
}

async fn install(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    let id = agency_id(&id)?;
    // A named skill must exist (404, §1.3 step 6); a missing one is a 400 after the 403s.
    let name = body
        .get("skillName")
        .and_then(Value::as_str)
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty());
    let installed = app.store.write(|w| {
        let a = find(w, id)?;
        let wanted = match &name {
            Some(name) => Some(skill(name).ok_or_else(|| ApiError::not_found("Skill not found"))?),
            None => None,
        };
        not_dm(a)?;
        not_lobby(w, a)?;
        if !a.is_manager(who.user_id) {
            return Err(not_manager());
        }
        let (Some(name), Some(wanted)) = (name, wanted) else {
            return Err(ApiError::bad_request("skillName is required"));
        };
        if a.skills.contains(&name) {
            return Err(ApiError::conflict("Skill is already installed"));
        }
        if let Some(a) = w.agencies.get_mut(&id) {
            a.skills.push(name);
        }
        Ok(wanted)
    })?;
    Ok(Json(json!({"ok": true, "skill": installed})))
}
