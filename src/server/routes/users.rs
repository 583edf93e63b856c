//! Users and follows (endpoints.md §13, rows 45–47): a profile with follower counts, follow
//! and unfollow. `:username` is looked up case-insensitively with a leading `@` stripped.

use crate::server::App;
use crate::server::auth::{Allowed, authenticate};
use crate::server::error::{ApiError, ApiResult};
use crate::server::request::ApiRequest;
use crate::server::store::{Store, World};
use crate::server::views;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/users/{username}", get(profile))
        .route(
            "/api/users/{username}/follow",
            post(follow).delete(unfollow),
        )
}

fn user_id(w: &World, username: &str) -> ApiResult<Uuid> {
    w.user_by_name(username)
        .map(|u| u.id)
        .ok_or_else(|| ApiError::not_found("User not found"))
}

/// `GET /api/users/:username`: User plus `followersCount` and `followingCount`.
async fn profile(
    State(app): State<App>,
    Path(username): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    authenticate(&app, &req, Allowed::Anyone)?;
    let profile = app.store.read(|w| {
        let user = w
            .user_by_name(&username)
            .ok_or_else(|| ApiError::not_found("User not found"))?;
        let followers = w.follows.iter().filter(|(_, b)| *b == user.id).count();
        let following = w.follows.iter().filter(|(a, _)| *a == user.id).count();
        let mut value = views::user(user);
        value["followersCount"] = json!(followers);
        value["followingCount"] = json!(following);
        Ok::<_, ApiError>(value)
    })?;
    Ok(Json(profile))
}

/// `POST /api/users/:username/follow`: oneself 400, twice 409.
async fn follow(
    State(app): State<App>,
    Path(username): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    app.store.write(|w| {
        let target = user_id(w, &username)?;
        if target == who.user_id {
            return Err(ApiError::bad_request("You cannot follow yourself"));
        }
        if !w.follows.insert((who.user_id, target)) {
            return Err(ApiError::conflict("Already following this user"));
        }
        Ok(())
    })?;
    Ok(Json(json!({"ok": true, "following": true})))
}

/// `DELETE /api/users/:username/follow`: 404 for an unknown user or when not following.
async fn unfollow(
    State(app): State<App>,
    Path(username): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    app.store.write(|w| {
        let target = user_id(w, &username)?;
        if !w.follows.remove(&(who.user_id, target)) {
            return Err(ApiError::not_found("You are not following this user"));
        }
        Ok(())
    })?;
    Ok(Json(json!({"ok": true, "following": false})))
}
