//! Agencies (endpoints.md §7, rows 13–20 and 26): list, create, update, delete, lookup by slug,
//! join, leave, the member roster and adding an agent to an agency.
//!
//! Also owns the access rules that every agency-scoped area of this server shares (§7.3, §22):
//! `find` (404 for a non-UUID or unknown ID), `may_read` (public agencies are readable by any
//! caller, private agencies and DM rooms only by their members) and `not_dm` (every agency
//! endpoint except members and messages refuses a DM room with 403, even to a participant).
//! Events are fired only after the world lock is released (`events::emit` reads the world).

use crate::server::auth::{Allowed, authenticate};
use crate::server::cascade;
use crate::server::error::{ApiError, ApiResult};
use crate::server::events;
use crate::server::faults::Fault;
use crate::server::request::{ApiRequest, Body, check_len};
use crate::server::secrets::{hash_password, verify_password};
use crate::server::store::{Agency, Role, Store, UserKind, World};
use crate::server::{App, views};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/agencies", get(list).post(create))
        .route("/api/agencies/lookup/{slug}", get(lookup))
        .route("/api/agencies/{id}", patch(update).delete(remove))
        .route("/api/agencies/{id}/join", post(join))
        .route("/api/agencies/{id}/leave", post(leave))
        .route("/api/agencies/{id}/members", get(members))
        .route("/api/agencies/{id}/agents", post(add_agent))
}

const CHARTER_MAX: usize = 2000;

pub(super) fn agency_not_found() -> ApiError {
    ApiError::not_found("Agency not found")
}

/// The agency a path parameter names; a value that is not a UUID is an unknown agency (§1.2).
pub(super) fn agency_id(raw: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| agency_not_found())
}

/// The agency (or DM room) with this ID, or 404.
pub(super) fn find(w: &World, id: Uuid) -> ApiResult<&Agency> {
    w.agencies.get(&id).ok_or_else(agency_not_found)
}

fn find_mut(w: &mut World, id: Uuid) -> ApiResult<&mut Agency> {
    w.agencies.get_mut(&id).ok_or_else(agency_not_found)
}

/// §7.3 and §22: members, messages, skills and runs of a public agency are readable by any
/// caller; those of a private agency or a DM room only by its members.
pub(super) fn may_read(a: &Agency, user_id: Uuid) -> ApiResult<()> {
    if (a.is_private || a.is_dm) && !a.is_member(user_id) {
        return Err(ApiError::forbidden("Not a member of this agency"));
    }
    Ok(())
}

/// §22: an agency endpoint other than members and messages refuses a DM room.
pub(super) fn not_dm(a: &Agency) -> ApiResult<()> {
    if a.is_dm {
        return Err(ApiError::forbidden(
            "Not available for a direct-message room",
        ));
    }
    Ok(())
}

/// §7.1: the Lobby cannot be modified (update, delete, skills).
pub(super) fn not_lobby(w: &World, a: &Agency) -> ApiResult<()> {
    if a.id == w.lobby_id {
        return Err(ApiError::forbidden("The Lobby cannot be modified"));
    }
    Ok(())
}

pub(super) fn not_manager() -> ApiError {
    ApiError::forbidden("Not authorized to manage this agency")
}

/// The Agency object (§3.3) as `caller` sees it, with the `member-count-off-by-one` fault.
pub(super) fn agency_view(app: &App, a: &Agency, caller: Uuid) -> Value {
    let extra = usize::from(app.fault(Fault::MemberCountOffByOne));
    views::agency(a, Some(caller), extra)
}

/// `{"member": ...}` for the member events, or `None` if the user or membership is gone.
pub(super) fn member_event(w: &World, agency_id: Uuid, user_id: Uuid) -> Option<Value> {
    let user = w.users.get(&user_id)?;
    let membership = w.agencies.get(&agency_id)?.member(user_id)?;
    Some(json!({"member": events::member_payload(user, Some(membership))}))
}

/// The answer of join and invite redeem: `{ok, agencyId, agency_id, agency: AgencyRef}`.
pub(super) fn joined_answer(a: &Agency) -> Value {
    json!({"ok": true, "agencyId": a.id, "agency_id": a.id, "agency": views::agency_ref(a)})
}

fn check_charter(charter: Option<&str>) -> ApiResult<()> {
    match charter {
        Some(text) if text.chars().count() > CHARTER_MAX => Err(ApiError::bad_request(format!(
            "charter must be at most {CHARTER_MAX} characters"
        ))),
        _ => Ok(()),
    }
}

fn check_password(password: Option<&str>) -> ApiResult<()> {
    password.map_or(Ok(()), |p| check_len("password", p, 1, 128))
}

/// `isPrivate`, also accepted as `is_private` (§1.5: every request spelling is accepted).
fn is_private_field(body: &Body) -> ApiResult<Option<bool>> {
    match body.opt_bool("isPrivate")? {
        Some(value) => Ok(Some(value)),
        None => body.opt_bool("is_private"),
    }
}

async fn list(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let private_for_all = app.fault(Fault::PrivateAgencyListed);
    let items = app.store.read(|w| {
        let mut visible: Vec<&Agency> = w
            .agencies
            .values()
            .filter(|a| !a.is_dm)
            .filter(|a| !a.is_private || private_for_all || a.is_member(who.user_id))
            .collect();
        // The Lobby first, then by name (case-insensitively), ties by ID (§7.2).
        visible.sort_by_cached_key(|a| (a.id != w.lobby_id, a.name.to_lowercase(), a.id));
        visible
            .iter()
            .map(|a| agency_view(&app, a, who.user_id))
            .collect::<Vec<_>>()
    });
    Ok(Json(Value::Array(items)))
}

async fn create(State(app): State<App>, req: ApiRequest) -> ApiResult<(StatusCode, Json<Value>)> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    let name = body.req_str("name")?.trim().to_owned();
    check_len("name", &name, 1, 64)?;
    let charter = body.opt_str("charter")?;
    check_charter(charter.as_deref())?;
    let is_private = is_private_field(&body)?.unwrap_or(false);
    let password = body.opt_str("password")?;
    check_password(password.as_deref())?;
    if is_private && password.is_none() {
        return Err(ApiError::bad_request(
            "password is required for a private agency",
        ));
    }
    let slug = cascade::slugify(&name);
    if slug.is_empty() {
        return Err(ApiError::bad_request(
            "name must contain at least one letter or digit",
        ));
    }
    let password = password.as_deref().map(hash_password);
    let now = app.now();
    let agency = app.store.write(|w| {
        if w.slugs.contains_key(&slug) {
            return Err(ApiError::conflict(
                "An agency with this name already exists",
            ));
        }
        let id = Uuid::new_v4();
        let mut agency = cascade::new_agency(id, &name, &slug, Some(who.user_id), now);
        agency.charter = charter;
        agency.is_private = is_private;
        agency.password = password;
        w.slugs.insert(slug.clone(), id);
        w.agencies.insert(id, agency.clone());
        Ok(agency)
    })?;
    events::emit(
        &app,
        agency.id,
        "agency.created",
        json!({"agency": events::agency_payload(&agency)}),
    );
    Ok((
        StatusCode::CREATED,
        Json(agency_view(&app, &agency, who.user_id)),
    ))
}

async fn update(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    let id = agency_id(&id)?;
    let (agency, changed) = app.store.write(|w| {
        let a = find(w, id)?;
        not_dm(a)?;
        not_lobby(w, a)?;
        if a.owner_id != Some(who.user_id) {
            return Err(not_manager());
        }
        // `charter: null` clears it; an absent key leaves it as it is. `name` is ignored.
        let charter = match body.has("charter") {
            true => Some(body.opt_str("charter")?),
            false => None,
        };
        check_charter(charter.as_ref().and_then(Option::as_deref))?;
        let is_private = is_private_field(&body)?;
        let password = body.opt_str("password")?;
        check_password(password.as_deref())?;
        let will_be_private = is_private.unwrap_or(a.is_private);
        if will_be_private && password.is_none() && a.password.is_none() {
            return Err(ApiError::bad_request(
                "password is required for a private agency",
            ));
        }
        let a = find_mut(w, id)?;
        let mut changed = false;
        if let Some(charter) = charter {
            changed |= a.charter != charter;
            a.charter = charter;
        }
        if let Some(is_private) = is_private {
            changed |= a.is_private != is_private;
            a.is_private = is_private;
        }
        if let Some(password) = password {
            a.password = Some(hash_password(&password));
        }
        Ok((a.clone(), changed))
    })?;
    // `agency.updated` fires on, and only on, a change of charter or privacy (§7.2, #220).
    if changed {
        events::emit(
            &app,
            agency.id,
            "agency.updated",
            json!({"agency": events::agency_payload(&agency)}),
        );
    }
    Ok(Json(agency_view(&app, &agency, who.user_id)))
}

async fn remove(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let id = agency_id(&id)?;
    app.store.write(|w| {
        let a = find(w, id)?;
        not_dm(a)?;
        not_lobby(w, a)?;
        if a.owner_id != Some(who.user_id) {
            return Err(not_manager());
        }
        cascade::delete_agency(w, app.store.rooms(), id);
        Ok(())
    })?;
    Ok(Json(views::ok()))
}

async fn lookup(
    State(app): State<App>,
    Path(slug): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let slug = slug.to_lowercase();
    app.store
        .read(|w| {
            w.slugs
                .get(&slug)
                .and_then(|id| w.agencies.get(id))
                .filter(|a| !a.is_dm)
                .map(|a| agency_view(&app, a, who.user_id))
        })
        .map(Json)
        .ok_or_else(agency_not_found)
}

async fn join(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    let id = agency_id(&id)?;
    // Only a private agency reads the password; a missing or non-string one is simply wrong.
    let password = body.get("password").and_then(Value::as_str);
    let now = app.now();
    let (answer, event) = app.store.write(|w| {
        let a = find_mut(w, id)?;
        not_dm(a)?;
        if a.is_private {
            let correct = match (&a.password, password) {
                (Some(stored), Some(given)) => verify_password(stored, given),
                _ => false,
            };
            if !correct {
                return Err(ApiError::forbidden("Incorrect agency password"));
            }
        }
        if !a.add_member(who.user_id, Role::Member, now) {
            return Err(ApiError::conflict("Already a member of this agency"));
        }
        let answer = joined_answer(a);
        Ok((answer, member_event(w, id, who.user_id)))
    })?;
    if let Some(event) = event {
        events::emit(&app, id, "member.joined", event);
    }
    Ok(Json(answer))
}

async fn leave(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let id = agency_id(&id)?;
    let event = app.store.write(|w| {
        let a = find(w, id)?;
        not_dm(a)?;
        let membership = a
            .member(who.user_id)
            .ok_or_else(|| ApiError::not_found("Not a member of this agency"))?;
        if membership.role == Role::Owner || a.owner_id == Some(who.user_id) {
            return Err(ApiError::forbidden("The owner cannot leave the agency"));
        }
        let event = member_event(w, id, who.user_id);
        find_mut(w, id)?
            .members
            .retain(|m| m.user_id != who.user_id);
        Ok(event)
    })?;
    if let Some(event) = event {
        events::emit(&app, id, "member.left", event);
    }
    Ok(Json(views::ok()))
}

async fn members(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let id = agency_id(&id)?;
    let list = app.store.read(|w| {
        let a = find(w, id)?;
        may_read(a, who.user_id)?;
        Ok(views::members(w, a))
    })?;
    Ok(Json(Value::Array(list)))
}

/// A non-empty string field, or `None` (a missing, empty or non-string value names nothing).
fn named(body: &Body, key: &str) -> Option<String> {
    body.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

async fn add_agent(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    let id = agency_id(&id)?;
    // The SDK sends both keys, one of them empty; `agentId` wins when both are given (#100).
    let by_id = named(&body, "agentId");
    let by_name = named(&body, "username");
    let now = app.now();
    let (answer, event) = app.store.write(|w| {
        let a = find(w, id)?;
        let unknown = || ApiError::not_found("Agent not found");
        let target = match (&by_id, &by_name) {
            (Some(raw), _) => {
                let user_id = Uuid::parse_str(raw).map_err(|_| unknown())?;
                Some(w.users.get(&user_id).ok_or_else(unknown)?)
            }
            (None, Some(username)) => Some(w.user_by_name(username).ok_or_else(unknown)?),
            (None, None) => None,
        };
        not_dm(a)?;
        if !a.is_member(who.user_id) {
            return Err(ApiError::forbidden("Not a member of this agency"));
        }
        let target =
            target.ok_or_else(|| ApiError::bad_request("agentId or username is required"))?;
        if target.kind != UserKind::Agent {
            return Err(ApiError::bad_request("Not an agent"));
        }
        if a.is_member(target.id) {
            return Err(ApiError::conflict(
                "Agent is already a member of this agency",
            ));
        }
        let (agent_id, username) = (target.id, target.username.clone());
        find_mut(w, id)?.add_member(agent_id, Role::Member, now);
        let answer = json!({
            "ok": true,
            "agencyId": id,
            "agent": {"id": agent_id, "username": username},
        });
        Ok((answer, member_event(w, id, agent_id)))
    })?;
    if let Some(event) = event {
        events::emit(&app, id, "member.joined", event);
    }
    Ok(Json(answer))
}
