//! The claim flow of self-registered agents (endpoints.md §12, rows 42–44): look a claim code
//! up, start a claim (a pending request with a one-hour link, "e-mailed" into the test outbox;
//! at most 3 pending per user), and the e-mailed link, which always redirects to the app.

use crate::server::App;
use crate::server::auth::{Allowed, authenticate};
use crate::server::clock::{HOUR, Millis};
use crate::server::error::{ApiError, ApiResult};
use crate::server::events::{self, member_payload};
use crate::server::request::ApiRequest;
use crate::server::secrets::random_hex;
use crate::server::store::{ClaimRequest, OutboxEntry, Role, Store, User, UserKind, World};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use uuid::Uuid;

/// Lifetime of a claim link (§12 step 2).
const CLAIM_LIFETIME: Millis = HOUR;
/// Pending claim requests one user may have (§12 step 2).
const MAX_PENDING: usize = 3;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/agents/claim", post(start))
        .route("/api/agents/claim/{id}", get(lookup))
        .route("/api/agents/claim/verify/{id}", get(verify))
}

fn app_base(app: &App) -> &str {
    app.config.app_base_url.trim_end_matches('/')
}

/// `<app base URL>/claim/<code>` (§11.3).
pub(super) fn claim_url(app: &App, code: &str) -> String {
    format!("{}/claim/{code}", app_base(app))
}

/// The agent holding claim code `code`, if any.
fn agent_by_code<'w>(w: &'w World, code: &str) -> Option<&'w User> {
    w.users.values().find(|u| {
        u.agent
            .as_ref()
            .is_some_and(|a| a.claim_code.as_deref() == Some(code))
    })
}

fn is_claimed(agent: &User) -> bool {
    agent.agent.as_ref().is_some_and(|a| a.claimed)
}

fn unknown_code() -> ApiError {
    ApiError::not_found("Claim code not found")
}

fn already_claimed() -> ApiError {
    ApiError::conflict("Agent already claimed")
}

async fn lookup(State(app): State<App>, Path(code): Path<String>) -> ApiResult<Json<Value>> {
    app.store.read(|w| {
        let agent = agent_by_code(w, &code).ok_or_else(unknown_code)?;
        if is_claimed(agent) {
            return Err(already_claimed());
        }
        Ok(Json(json!({
            "username": agent.username,
            "displayName": agent.display_name,
            "persona": agent.agent.as_ref().and_then(|a| a.persona.clone()),
            "avatarUrl": agent.avatar,
        })))
    })
}

/// A plausible address: one `@`, a non-empty local part without spaces, a dotted domain of
/// letters, digits and `-`.
fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local
            .chars()
            .all(|c| c.is_ascii_graphic() && !"@()<>[]\\,;:\"".contains(c));
    let domain_ok = domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

/// The first character of the local part, `*` for the rest of it, then the domain.
fn mask(email: &str) -> String {
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let mut chars = local.chars();
    let first = chars.next().map(String::from).unwrap_or_default();
    format!("{first}{}@{domain}", "*".repeat(chars.count()))
}

/// The reserved `.invalid` top-level domain simulates a failed send (§12 step 2).
fn send_fails(email: &str) -> bool {
    email.to_ascii_lowercase().ends_with(".invalid")
}

enum Started {
    Sent,
    SendFailed,
}

async fn start(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::UsersOnly)?;
    let body = req.json()?;
    let code = match body.get("claimCode") {
        Some(Value::String(code)) if !code.trim().is_empty() => Some(code.clone()),
        _ => None,
    };
    // Checked after the code's existence (§1.3): a wrong type is a validation error too.
    let email = body
        .opt_str("email")
        .map(|e| e.map(|e| e.trim().to_owned()));
    let now = app.now();
    let outcome = app.store.write(|w| {
        let agent = match &code {
            Some(code) => Some(agent_by_code(w, code).ok_or_else(unknown_code)?),
            None => None,
        };
        let Some(agent) = agent else {
            return Err(ApiError::bad_request("claimCode is required"));
        };
        let email = match email? {
            Some(email) if valid_email(&email) => email,
            Some(_) => {
                return Err(ApiError::bad_request(
                    "email must be a valid e-mail address",
                ));
            }
            None => return Err(ApiError::bad_request("email is required")),
        };
        if is_claimed(agent) {
            return Err(already_claimed());
        }
        let (agent_id, agent_username) = (agent.id, agent.username.clone());
        // A pending request for the same agent is replaced, so it does not count.
        let oldest_other = w
            .claims
            .values()
            .filter(|c| c.user_id == who.user_id && c.agent_id != agent_id && now < c.expires_at)
            .map(|c| c.expires_at);
        let (count, oldest) =
            oldest_other.fold((0, Millis::MAX), |(n, min), at| (n + 1, min.min(at)));
        if count >= MAX_PENDING {
            let retry_after = (oldest - now + 999) / 1000;
            return Err(ApiError::too_many("Too many pending claims", retry_after));
        }
        let token = random_hex(32);
        let verify_url = format!(
            "{}/api/agents/claim/verify/{token}",
            app.api_base_url.trim_end_matches('/')
        );
        let failed = send_fails(&email);
        w.outbox.push(OutboxEntry {
            to: email.clone(),
            agent_username,
            verify_url,
            token: token.clone(),
            status: if failed { "error" } else { "sent" },
            sent_at: now,
        });
        if failed {
            return Ok((Started::SendFailed, email));
        }
        w.claims.retain(|_, c| {
            !(c.user_id == who.user_id && c.agent_id == agent_id && now < c.expires_at)
        });
        let request = ClaimRequest {
            token: token.clone(),
            user_id: who.user_id,
            agent_id,
            email: email.clone(),
            created_at: now,
            expires_at: now + CLAIM_LIFETIME,
        };
        w.claims.insert(token, request);
        Ok((Started::Sent, email))
    })?;
    match outcome {
        (Started::SendFailed, _) => {
            app.metrics.claim_emails.with_label_values(&["error"]).inc();
            Err(ApiError::new(
                StatusCode::BAD_GATEWAY,
                "Could not send verification email",
            ))
        }
        (Started::Sent, email) => {
            app.metrics.claim_emails.with_label_values(&["sent"]).inc();
            Ok(Json(json!({"ok": true, "maskedEmail": mask(&email)})))
        }
    }
}

enum Verified {
    Claimed {
        username: String,
        claimant: Uuid,
        /// The agencies the claimant was added to.
        joined: Vec<Uuid>,
    },
    Expired,
    AlreadyClaimed,
    Invalid,
}

/// Completes a claim (§12 step 4): the claimant owns the agent; in the agent's own agencies
/// ownership passes to the claimant (the agent becomes a member); in other agencies (the
/// Lobby and DM rooms aside) the claimant joins, as owner only where no human owns it.
fn complete(w: &mut World, token: &str, now: Millis) -> Verified {
    let Some(request) = w.claims.remove(token) else {
        return Verified::Invalid;
    };
    let (agent_id, claimant) = (request.agent_id, request.user_id);
    let Some(agent) = w
        .users
        .get(&agent_id)
        .filter(|_| w.users.contains_key(&claimant))
    else {
        return Verified::Invalid;
    };
    if is_claimed(agent) {
        return Verified::AlreadyClaimed;
    }
    if now >= request.expires_at {
        return Verified::Expired;
    }
    let username = agent.username.clone();
    if let Some(info) = w.users.get_mut(&agent_id).and_then(|u| u.agent.as_mut()) {
        info.owner_id = Some(claimant);
        info.claimed = true;
    }
    let lobby = w.lobby_id;
    let agencies: Vec<(Uuid, bool)> = w
        .agencies
        .values()
        .filter(|a| a.id != lobby && !a.is_dm && a.is_member(agent_id))
        .map(|a| {
            let human_owner = a
                .owner_id
                .and_then(|id| w.users.get(&id))
                .is_some_and(|u| u.kind == UserKind::Human);
            (a.id, human_owner)
        })
        .collect();
    let mut joined = Vec::new();
    for (agency_id, human_owner) in agencies {
        let Some(agency) = w.agencies.get_mut(&agency_id) else {
            continue;
        };
        if agency.owner_id == Some(agent_id) {
            agency.owner_id = Some(claimant);
            for m in agency.members.iter_mut() {
                if m.user_id == agent_id {
                    m.role = Role::Member;
                } else if m.user_id == claimant {
                    m.role = Role::Owner;
                }
            }
            if agency.add_member(claimant, Role::Owner, now) {
                joined.push(agency_id);
            }
        } else {
            let role = if human_owner {
                Role::Member
            } else {
                Role::Owner
            };
            if agency.add_member(claimant, role, now) {
                joined.push(agency_id);
            }
        }
    }
    // The other pending requests for this agent stop being pending at once; their links,
    // kept until used, then answer `already_claimed` instead of `invalid`.
    for other in w.claims.values_mut() {
        if other.agent_id == agent_id && now < other.expires_at {
            other.expires_at = now;
        }
    }
    Verified::Claimed {
        username,
        claimant,
        joined,
    }
}

fn redirect(app: &App, key: &str, value: &str) -> Response {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair(key, value)
        .finish();
    let location = format!("{}/?{query}", app_base(app));
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

async fn verify(State(app): State<App>, Path(token): Path<String>) -> Response {
    let now = app.now();
    let outcome = app.store.write(|w| complete(w, &token, now));
    let (username, claimant, joined) = match outcome {
        Verified::Claimed {
            username,
            claimant,
            joined,
        } => (username, claimant, joined),
        Verified::Expired => {
            app.metrics.claims_expired.inc();
            return redirect(&app, "claim_error", "expired");
        }
        Verified::AlreadyClaimed => return redirect(&app, "claim_error", "already_claimed"),
        Verified::Invalid => return redirect(&app, "claim_error", "invalid"),
    };
    app.metrics.claims_completed.inc();
    for agency_id in joined {
        let member = app.store.read(|w| {
            let user = w.users.get(&claimant)?;
            let membership = w.agencies.get(&agency_id)?.member(claimant);
            Some(member_payload(user, membership))
        });
        if let Some(member) = member {
            events::emit(&app, agency_id, "member.joined", json!({"member": member}));
        }
    }
    redirect(&app, "claimed", &username)
}
