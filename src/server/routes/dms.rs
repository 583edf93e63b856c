//! Direct messages (endpoints.md §22, rows 29, 30, 32, 33): list the caller's DMs, open one
//! with another user, hide one for the caller, purge its messages. Row 31 (DM history) lives
//! with the other history endpoint in `messages.rs`.
//!
//! A DM room is an `Agency` with `is_dm: true`, exactly two `member` memberships, no owner and
//! no entry in `World::slugs` (so lookups never find it), indexed in `World::dms` by the
//! ordered pair of participant IDs. It counts in the database gauges like any room.
//!
//! Hiding: `Agency::hidden_at` says who hid the room and when. A hidden room is listed again
//! as soon as its newest message is newer than the hide (§22: it reappears when either side
//! sends a message); opening the DM again clears the hide.

use crate::server::App;
use crate::server::auth::{Allowed, authenticate};
use crate::server::clock::Millis;
use crate::server::error::{ApiError, ApiResult};
use crate::server::request::ApiRequest;
use crate::server::store::{Agency, Membership, Role, Store, World};
use crate::server::views;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/dm", get(list))
        .route("/api/dm/{id}", post(open).delete(hide))
        .route("/api/dm/{id}/purge", post(purge))
}

/// The `World::dms` key of two users: the ordered pair.
fn pair(a: Uuid, b: Uuid) -> (Uuid, Uuid) {
    if a <= b { (a, b) } else { (b, a) }
}

/// The other participant of a DM room.
fn other(room: &Agency, caller: Uuid) -> Option<Uuid> {
    room.members
        .iter()
        .map(|m| m.user_id)
        .find(|id| *id != caller)
}

fn not_a_dm() -> ApiError {
    ApiError::not_found("Conversation not found")
}

/// Whether `caller` sees a room in the list: not hidden, or a message arrived after the hide.
fn visible(room: &Room, newest: Option<Millis>) -> bool {
    match (room.hidden_at, newest) {
        (None, _) => true,
        (Some(hidden), Some(newest)) => newest > hidden,
        (Some(_), None) => false,
    }
}

/// What the list needs of one of the caller's rooms.
struct Room {
    id: Uuid,
    created_at: Millis,
    hidden_at: Option<Millis>,
    participant: Value,
    participant_username: String,
}

/// A new DM room between two users.
fn new_room(a: Uuid, b: Uuid, now: Millis) -> Agency {
    let id = Uuid::new_v4();
    let member = |user_id| Membership {
        user_id,
        role: Role::Member,
        joined_at: now,
    };
    Agency {
        id,
        name: "Direct message".into(),
        slug: format!("dm-{id}"),
        charter: None,
        is_private: true,
        password: None,
        owner_id: None,
        created_at: now,
        members: vec![member(a), member(b)],
        skills: Vec::new(),
        is_dm: true,
        hidden_at: HashMap::new(),
    }
}

/// `GET /api/dm`: the caller's visible DMs, most recent activity first.
async fn list(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    // Collected under the world lock, then released before any room log is read.
    let rooms: Vec<Room> = app.store.read(|w| {
        w.agencies
            .values()
            .filter(|a| a.is_dm && a.is_member(who.user_id))
            .filter_map(|a| {
                let peer = w.users.get(&other(a, who.user_id)?)?;
                Some(Room {
                    id: a.id,
                    created_at: a.created_at,
                    hidden_at: a.hidden_at.get(&who.user_id).copied(),
                    participant: views::user_ref(peer),
                    participant_username: peer.username.clone(),
                })
            })
            .collect()
    });
    let mut conversations: Vec<(Millis, Uuid, Value)> = rooms
        .into_iter()
        .filter_map(|room| {
            let newest = app.store.rooms().log(room.id).read().newest().cloned();
            let activity = newest.as_ref().map(|m| m.created_at);
            if !visible(&room, activity) {
                return None;
            }
            let last_message = newest
                .and_then(|m| serde_json::from_slice::<Value>(&m.json).ok())
                .unwrap_or(Value::Null);
            let item = json!({
                "agencyId": room.id,
                "agency_id": room.id,
                "participant": room.participant,
                "participant_username": room.participant_username,
                "last_message": last_message,
            });
            Some((activity.unwrap_or(room.created_at), room.id, item))
        })
        .collect();
    conversations.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(Json(Value::Array(
        conversations.into_iter().map(|(_, _, item)| item).collect(),
    )))
}

/// What opening a DM found or made.
struct Opened {
    room_id: Uuid,
    created: bool,
    participant: Value,
}

fn open_in(w: &mut World, caller: Uuid, target: Uuid, now: Millis) -> ApiResult<Opened> {
    let participant = w
        .users
        .get(&target)
        .map(views::user_ref)
        .ok_or_else(|| ApiError::not_found("User not found"))?;
    if target == caller {
        return Err(ApiError::bad_request("Cannot open a DM with yourself"));
    }
    let key = pair(caller, target);
    let existing = w.dms.get(&key).copied();
    if let Some(room) = existing.and_then(|id| w.agencies.get_mut(&id)) {
        room.hidden_at.remove(&caller);
        return Ok(Opened {
            room_id: room.id,
            created: false,
            participant,
        });
    }
    let room = new_room(caller, target, now);
    let room_id = room.id;
    w.agencies.insert(room_id, room);
    w.dms.insert(key, room_id);
    Ok(Opened {
        room_id,
        created: true,
        participant,
    })
}

/// `POST /api/dm/:userId`: 201 with a new room, 200 with the existing one (un-hidden).
async fn open(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let target = Uuid::parse_str(&id).map_err(|_| ApiError::not_found("User not found"))?;
    let now = app.now();
    let opened = app.store.write(|w| open_in(w, who.user_id, target, now))?;
    let status = if opened.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(json!({
            "agencyId": opened.room_id,
            "agency_id": opened.room_id,
            "participant": opened.participant,
        })),
    ))
}

/// The DM room named by the path, if the caller is a participant: 404 for a non-UUID, an
/// unknown room or an agency that is not a DM; 403 for anyone but its two participants.
fn participant_room(w: &World, id: &str, caller: Uuid) -> ApiResult<Uuid> {
    let id = Uuid::parse_str(id).map_err(|_| not_a_dm())?;
    let room = w
        .agencies
        .get(&id)
        .filter(|a| a.is_dm)
        .ok_or_else(not_a_dm)?;
    if !room.is_member(caller) {
        return Err(ApiError::forbidden(
            "Not a participant of this conversation",
        ));
    }
    Ok(room.id)
}

/// `DELETE /api/dm/:agencyId`: hides the DM for the caller only.
async fn hide(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let now = app.now();
    let rooms = app.store.rooms();
    app.store.write(|w| {
        let room_id = participant_room(w, &id, who.user_id)?;
        // A message stamped just ahead of the clock (same-millisecond posts) is older than
        // this hide too.
        let newest = rooms.log(room_id).read().newest().map(|m| m.created_at);
        if let Some(room) = w.agencies.get_mut(&room_id) {
            room.hidden_at
                .insert(who.user_id, newest.map_or(now, |t| t.max(now)));
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(Json(views::ok()))
}

/// `POST /api/dm/:agencyId/purge`: deletes every message of the DM for both participants.
async fn purge(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let room_id = app.store.read(|w| participant_room(w, &id, who.user_id))?;
    let deleted = app.store.rooms().purge(room_id);
    Ok(Json(json!({"ok": true, "deleted": deleted})))
}
