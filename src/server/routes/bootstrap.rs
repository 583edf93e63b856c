//! Bootstrap (endpoints.md §6, row 12): one atomic call that registers or logs in the owner,
//! creates an agency, a verified agent in it and a never-expiring PAT. Also owns the open
//! CORS of §1.6 and the new-agency fields, both shared with agent self-registration.

use super::agents::{NewAgent, agent_names, insert_agent, username_taken};
use super::auth::{client_ip, create_human, validate_password, validate_username};
use super::tokens::{PAT_CAP, issue_pat};
use crate::server::App;
use crate::server::auth::issue_session;
use crate::server::cascade;
use crate::server::clock::{Millis, rfc3339};
use crate::server::error::{ApiError, ApiResult};
use crate::server::ratelimit::Limit;
use crate::server::request::{ApiRequest, Body, check_len};
use crate::server::secrets::verify_password;
use crate::server::ssrf;
use crate::server::store::{AgentConfig, Role, Store, World};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new().route("/api/bootstrap", post(bootstrap).options(preflight))
}

pub(super) fn slug_taken() -> ApiError {
    ApiError::conflict("An agency with this name already exists")
}

/// The agency of bootstrap and self-registration: `agencyName` (default `<agent name>'s
/// Agency`, 1–64 characters, a non-empty slug) and `agencyCharter` (at most 2000).
pub(super) struct AgencyFields {
    pub name: String,
    pub slug: String,
    pub charter: Option<String>,
}

pub(super) fn agency_fields(body: &Body, agent_name: &str) -> ApiResult<AgencyFields> {
    let name = match body.opt_str("agencyName")? {
        Some(name) => name.trim().to_owned(),
        None => format!("{agent_name}'s Agency"),
    };
    check_len("agencyName", &name, 1, 64)?;
    let slug = cascade::slugify(&name);
    if slug.is_empty() {
        return Err(ApiError::bad_request(
            "agencyName must contain letters or digits",
        ));
    }
    let charter = body.opt_str("agencyCharter")?;
    if let Some(charter) = &charter {
        check_len("agencyCharter", charter, 0, 2000)?;
    }
    Ok(AgencyFields {
        name,
        slug,
        charter,
    })
}

/// Inserts a public agency owned by `owner` (its first member); the caller has checked that
/// the slug is free within the same write.
pub(super) fn insert_agency(w: &mut World, fields: AgencyFields, owner: Uuid, now: Millis) -> Uuid {
    let id = Uuid::new_v4();
    let mut agency = cascade::new_agency(id, &fields.name, &fields.slug, Some(owner), now);
    agency.charter = fields.charter;
    w.slugs.insert(fields.slug, id);
    w.agencies.insert(id, agency);
    id
}

/// Adds the open CORS headers of §1.6 to any answer, errors included.
pub(super) fn open_cors(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type"),
    );
    response
}

/// The `OPTIONS` preflight of the two open-CORS routes: 204 with the CORS headers.
pub(super) async fn preflight() -> Response {
    open_cors(StatusCode::NO_CONTENT)
}

async fn bootstrap(State(app): State<App>, req: ApiRequest) -> Response {
    open_cors(run(&app, &req).await)
}

/// PATs of `user_id` that are neither revoked nor expired (the ones the cap counts, §5).
fn active_pat_count(app: &App, user_id: Uuid) -> usize {
    let now = app.now();
    let hashes: Vec<[u8; 32]> = app.store.read(|w| {
        w.pats
            .values()
            .filter(|p| p.user_id == user_id && p.expires_at.is_none_or(|at| now < at))
            .map(|p| p.hash)
            .collect()
    });
    let creds = app.store.credentials();
    hashes
        .iter()
        .filter(|hash| {
            creds
                .pats
                .get(*hash)
                .is_some_and(|entry| !entry.revoked.load(Ordering::Relaxed))
        })
        .count()
}

/// What the transaction created (for the answer, or to undo on a late PAT refusal).
struct Created {
    user_id: Uuid,
    username: String,
    agency_id: Uuid,
    agency: Value,
    agent_id: Uuid,
    agent_username: String,
    agent_display_name: String,
    agent_token: String,
}

async fn run(app: &App, req: &ApiRequest) -> ApiResult<(StatusCode, Json<Value>)> {
    app.limiter
        .check(Limit::Bootstrap, client_ip(app, req), app.now())?;
    let body = req.json()?;
    let username = body.req_str("username")?;
    let password = body.req_str("password")?;
    let agent_name = body.req_str("agentName")?;
    validate_username(&username)?;
    validate_password("password", &password)?;
    let (agent_name, agent_username) = agent_names("agentName", &agent_name)?;
    let display_name = body.opt_str("displayName")?;
    if let Some(name) = &display_name {
        check_len("displayName", name, 1, 64)?;
    }
    let agency = agency_fields(&body, &agent_name)?;
    let role = body
        .opt_str("agentRole")?
        .unwrap_or_else(|| "General".into());
    check_len("agentRole", &role, 1, 64)?;
    let webhook = match body.opt_str("webhookUrl")? {
        Some(url) => Some(ssrf::check_at_save(app, &url).await?),
        None => None,
    };

    // Step 1: an existing user must give the right password (and have room for a PAT).
    let existing = app.store.read(|w| {
        w.user_by_name(&username).map(|u| {
            let matches = u
                .password
                .as_ref()
                .is_some_and(|p| verify_password(p, &password));
            (u.id, matches)
        })
    });
    let existing = match existing {
        Some((_, false)) => return Err(ApiError::unauthorized("Invalid username or password")),
        Some((id, true)) => Some(id),
        None => None,
    };
    if let Some(id) = existing
        && active_pat_count(app, id) >= PAT_CAP
    {
        return Err(ApiError::bad_request(
            "Token limit reached (10); revoke one first",
        ));
    }

    // Steps 1–4 in one transaction: every conflict is checked before anything is created.
    let now = app.now();
    let creds = app.store.credentials();
    let created = app.store.write(|w| {
        let new_user_key = username.to_lowercase();
        let taken = |key: &str| w.usernames.contains_key(key);
        if existing.is_none() && taken(&new_user_key) {
            return Err(username_taken());
        }
        if taken(&agent_username) || (existing.is_none() && agent_username == new_user_key) {
            return Err(username_taken());
        }
        if w.slugs.contains_key(&agency.slug) {
            return Err(slug_taken());
        }
        let user_id = match existing {
            Some(id) => id,
            None => create_human(w, &username, &password, display_name, now)?,
        };
        let agency_id = insert_agency(w, agency, user_id, now);
        let config = AgentConfig {
            role: Some(role),
            response_webhook_url: webhook,
            ..AgentConfig::default()
        };
        let new = NewAgent {
            name: agent_name,
            username: agent_username,
            owner: Some(user_id),
            verified: true,
            persona: None,
            config,
            claim_code: None,
        };
        let (agent_id, agent_token) = insert_agent(w, creds, new, now)?;
        let agency = w
            .agencies
            .get_mut(&agency_id)
            .ok_or_else(|| ApiError::not_found("Agency not found"))?;
        agency.add_member(agent_id, Role::Member, now);
        let agency = crate::server::views::agency_ref(agency);
        let (user, agent) = match (w.users.get(&user_id), w.users.get(&agent_id)) {
            (Some(user), Some(agent)) => (user, agent),
            _ => return Err(ApiError::not_found("User not found")),
        };
        Ok(Created {
            user_id,
            username: user.username.clone(),
            agency_id,
            agency,
            agent_id,
            agent_username: agent.username.clone(),
            agent_display_name: agent.display_name.clone(),
            agent_token,
        })
    })?;

    // Step 5. The cap was checked above; a PAT created concurrently can still fill it, and
    // then what this call created is removed again, so that it stays all or nothing.
    let (pat, pat_token) = match issue_pat(app, created.user_id, "bootstrap", None) {
        Ok(issued) => issued,
        Err(refused) => {
            let rooms = app.store.rooms();
            app.store.write(|w| {
                cascade::delete_user(w, creds, rooms, created.agent_id);
                cascade::delete_agency(w, rooms, created.agency_id);
                if existing.is_none() {
                    cascade::delete_user(w, creds, rooms, created.user_id);
                }
            });
            return Err(refused);
        }
    };
    let session = issue_session(app, created.user_id);
    let body = json!({
        "ok": true,
        "user": {"id": created.user_id, "username": created.username, "token": session},
        "pat": {"token": pat_token, "expiresAt": pat.expires_at.map(rfc3339)},
        "agency": created.agency,
        "agent": {
            "id": created.agent_id,
            "username": created.agent_username,
            "displayName": created.agent_display_name,
            "token": created.agent_token,
            "verified": true,
        },
        "next": next_steps(app, &created.agent_username),
    });
    Ok((StatusCode::CREATED, Json(body)))
}

/// The three hint strings of the `next` block (§3.6).
fn next_steps(app: &App, agent_username: &str) -> Value {
    let api = app.api_base_url.trim_end_matches('/');
    json!({
        "connectSdk": format!(
            "Exchange agent.token for a session with POST {api}/api/auth/agent, or pass it to the SDK as agentToken with apiUrl {api}"
        ),
        "connectSocket": format!(
            "Connect Socket.IO to {api} with auth {{ token: <agent session token> }} to act as @{agent_username}"
        ),
        "docs": "https://docs.crustocean.chat",
    })
}
