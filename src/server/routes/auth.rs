//! Authentication and account (endpoints.md §4, rows 1–8): register, login, logout, the agent
//! token exchange, the caller's profile, password change and account deletion.

use crate::server::auth::{
    Allowed, Via, authenticate, clearing_cookie, issue_session, session_cookie,
};
use crate::server::cascade;
use crate::server::error::{ApiError, ApiResult};
use crate::server::faults::Fault;
use crate::server::ratelimit::Limit;
use crate::server::request::{ApiRequest, Body, check_len};
use crate::server::secrets::{hash_password, verify_password};
use crate::server::store::credentials::hash_secret;
use crate::server::store::{Role, Store, User, UserKind, World};
use crate::server::{App, views};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/auth/register", post(register))
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/auth/agent", post(exchange_agent_token))
        .route("/api/auth/me", get(me).patch(update_me))
        .route("/api/auth/change-password", post(change_password))
        .route("/api/auth/account", delete(delete_account))
}

/// 2–24 characters from `A–Z a–z 0–9 _ -` (§4.1).
pub(super) fn validate_username(username: &str) -> ApiResult<()> {
    let valid_chars = username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !valid_chars || !(2..=24).contains(&username.chars().count()) {
        return Err(ApiError::bad_request(
            "username must be 2-24 characters of letters, digits, _ and -",
        ));
    }
    Ok(())
}

/// At least 8 and at most 256 characters (§4.1).
pub(super) fn validate_password(key: &str, password: &str) -> ApiResult<()> {
    check_len(key, password, 8, 256)
}

/// Creates a human user, joined to the Lobby; 409 when the username is taken.
pub(super) fn create_human(
    w: &mut World,
    username: &str,
    password: &str,
    display_name: Option<String>,
    now: i64,
) -> ApiResult<Uuid> {
    let key = username.to_lowercase();
    if w.usernames.contains_key(&key) {
        return Err(ApiError::conflict("Username already taken"));
    }
    let id = Uuid::new_v4();
    w.users.insert(
        id,
        User {
            id,
            username: username.to_owned(),
            display_name: display_name.unwrap_or_else(|| username.to_owned()),
            avatar: None,
            banner: None,
            description: None,
            theme: "default".into(),
            font: "default".into(),
            kind: UserKind::Human,
            created_at: now,
            password: Some(hash_password(password)),
            agent: None,
        },
    );
    w.usernames.insert(key, id);
    let lobby = w.lobby_id;
    if let Some(lobby) = w.agencies.get_mut(&lobby) {
        lobby.add_member(id, Role::Member, now);
    }
    Ok(id)
}

fn with_cookie(status: StatusCode, body: Value, cookie: String) -> Response {
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        headers.insert(header::SET_COOKIE, value);
    }
    (status, headers, Json(body)).into_response()
}

fn user_view(app: &App, user_id: Uuid) -> ApiResult<Value> {
    app.store
        .read(|w| w.users.get(&user_id).map(views::user))
        .ok_or_else(|| ApiError::unauthorized("Invalid or expired token"))
}

async fn register(State(app): State<App>, req: ApiRequest) -> ApiResult<Response> {
    app.limiter
        .check(Limit::Register, client_ip(&app, &req), app.now())?;
    let body = req.json()?;
    let username = body.req_str("username")?;
    let password = body.req_str("password")?;
    let display_name = body.opt_str("displayName")?;
    validate_username(&username)?;
    validate_password("password", &password)?;
    if let Some(name) = &display_name {
        check_len("displayName", name, 1, 64)?;
    }
    let now = app.now();
    let id = app
        .store
        .write(|w| create_human(w, &username, &password, display_name, now))?;
    let token = issue_session(&app, id);
    let body = json!({"token": token, "user": user_view(&app, id)?});
    Ok(with_cookie(
        StatusCode::CREATED,
        body,
        session_cookie(&token, app.config.secure_cookies),
    ))
}

async fn login(State(app): State<App>, req: ApiRequest) -> ApiResult<Response> {
    app.limiter
        .check(Limit::Login, client_ip(&app, &req), app.now())?;
    let body = req.json()?;
    let username = body.req_str("username")?;
    let password = body.req_str("password")?;
    let id = app.store.read(|w| {
        let user = w.user_by_name(&username)?;
        let stored = user.password.as_ref()?;
        verify_password(stored, &password).then_some(user.id)
    });
    let id = id.ok_or_else(|| ApiError::unauthorized("Invalid username or password"))?;
    let token = issue_session(&app, id);
    let body = json!({"token": token, "user": user_view(&app, id)?});
    Ok(with_cookie(
        StatusCode::OK,
        body,
        session_cookie(&token, app.config.secure_cookies),
    ))
}

async fn logout(State(app): State<App>, req: ApiRequest) -> ApiResult<Response> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    if let Some(session) = who.session {
        app.store.credentials().sessions.remove(&session);
    }
    Ok(with_cookie(
        StatusCode::OK,
        views::ok(),
        clearing_cookie(app.config.secure_cookies),
    ))
}

async fn exchange_agent_token(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    app.limiter
        .check(Limit::AgentExchange, client_ip(&app, &req), app.now())?;
    let body = req.json()?;
    let token = match body.get("agentToken") {
        Some(Value::String(t)) if !t.is_empty() => t.clone(),
        _ => return Err(ApiError::bad_request("agentToken is required")),
    };
    let agent_id = app
        .store
        .credentials()
        .agent_tokens
        .get(&hash_secret(&token))
        .map(|id| *id);
    let agent_id = agent_id.ok_or_else(|| ApiError::unauthorized("Invalid agent token"))?;
    let verified = app.store.read(|w| {
        w.users
            .get(&agent_id)
            .and_then(|u| u.agent.as_ref())
            .map(|a| a.verified)
    });
    match verified {
        None => return Err(ApiError::unauthorized("Invalid agent token")),
        Some(false) if !app.fault(Fault::UnverifiedAgentExchange) => {
            return Err(ApiError::forbidden("Agent not verified"));
        }
        Some(_) => {}
    }
    let session = issue_session(&app, agent_id);
    Ok(Json(
        json!({"token": session, "user": user_view(&app, agent_id)?}),
    ))
}

async fn me(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    Ok(Json(user_view(&app, who.user_id)?))
}

/// `null` or an http(s) URL of at most 2048 characters.
fn check_image_url(key: &str, value: &Option<String>) -> ApiResult<()> {
    let Some(url) = value else { return Ok(()) };
    let ok = url.len() <= 2048
        && url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "{key} must be an http(s) URL"
        )))
    }
}

struct ProfileChanges {
    display_name: Option<String>,
    description: Option<Option<String>>,
    avatar: Option<Option<String>>,
    banner: Option<Option<String>>,
    theme: Option<String>,
    font: Option<String>,
}

fn nullable(body: &Body, key: &str) -> ApiResult<Option<Option<String>>> {
    Ok(if body.has(key) {
        Some(body.opt_str(key)?)
    } else {
        None
    })
}

fn profile_changes(body: &Body) -> ApiResult<ProfileChanges> {
    let changes = ProfileChanges {
        display_name: body.opt_str("displayName")?,
        description: nullable(body, "description")?,
        avatar: nullable(body, "avatar")?,
        banner: nullable(body, "banner")?,
        theme: body.opt_str("theme")?,
        font: body.opt_str("font")?,
    };
    if let Some(name) = &changes.display_name {
        check_len("displayName", name, 1, 64)?;
    }
    if let Some(Some(description)) = &changes.description {
        check_len("description", description, 0, 500)?;
    }
    check_image_url("avatar", changes.avatar.as_ref().unwrap_or(&None))?;
    check_image_url("banner", changes.banner.as_ref().unwrap_or(&None))?;
    if let Some(theme) = &changes.theme {
        check_len("theme", theme, 1, 32)?;
    }
    if let Some(font) = &changes.font {
        check_len("font", font, 1, 32)?;
    }
    Ok(changes)
}

async fn update_me(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let changes = profile_changes(&req.json()?)?;
    let updated = app.store.write(|w| {
        let user = w.users.get_mut(&who.user_id)?;
        if let Some(v) = changes.display_name {
            user.display_name = v;
        }
        if let Some(v) = changes.description {
            user.description = v;
        }
        if let Some(v) = changes.avatar {
            user.avatar = v;
        }
        if let Some(v) = changes.banner {
            user.banner = v;
        }
        if let Some(v) = changes.theme {
            user.theme = v;
        }
        if let Some(v) = changes.font {
            user.font = v;
        }
        Some(views::user(user))
    });
    updated
        .map(Json)
        .ok_or_else(|| ApiError::unauthorized("Invalid or expired token"))
}

async fn change_password(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::UsersOnly)?;
    let body = req.json()?;
    let current = body.req_str("currentPassword")?;
    let matches = app.store.read(|w| {
        w.users
            .get(&who.user_id)
            .and_then(|u| u.password.as_ref())
            .is_some_and(|p| verify_password(p, &current))
    });
    if !matches {
        return Err(ApiError::forbidden("Current password is incorrect"));
    }
    let new = body.req_str("newPassword")?;
    validate_password("newPassword", &new)?;
    app.store.write(|w| {
        if let Some(user) = w.users.get_mut(&who.user_id) {
            user.password = Some(hash_password(&new));
        }
    });
    let keep = if matches!(who.via, Via::Session | Via::Cookie) {
        who.session
    } else {
        None
    };
    app.store
        .credentials()
        .revoke_other_sessions(who.user_id, keep);
    Ok(Json(views::ok()))
}

async fn delete_account(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::UsersOnly)?;
    let (creds, rooms) = (app.store.credentials(), app.store.rooms());
    app.store
        .write(|w| cascade::delete_user(w, creds, rooms, who.user_id));
    Ok(Json(views::ok()))
}

/// The client IP for rate limiting: the TCP peer, or the last `X-Forwarded-For` address
/// when started with `--trust-proxy`.
pub(super) fn client_ip(app: &App, req: &ApiRequest) -> std::net::IpAddr {
    if app.config.trust_proxy
        && let Some(ip) = req
            .header("x-forwarded-for")
            .and_then(|v| v.rsplit(',').next())
            .and_then(|ip| ip.trim().parse().ok())
    {
        return ip;
    }
    req.peer
}
