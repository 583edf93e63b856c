//! Resolving credentials to a `Principal`, in the order of credentials.md §1: the
//! `Authorization` header alone decides when present (it must be `Bearer <token>`), else the
//! `crustocean_token` cookie; `cru_` tokens are PATs, anything else a session; only
//! `POST /api/hooks/deploy` also tries a raw agent token. Then the credential kind is checked
//! against the endpoint (agent identity on a users-only endpoint → 403) before any body is read.
//! The hook runtime endpoints read only `X-Crustocean-Hook-Key` (`authenticate_hook`).

use super::error::{ApiError, ApiResult};
use super::faults::Fault;
use super::request::ApiRequest;
use super::store::credentials::{TokenHash, hash_secret};
use super::store::{Store, UserKind};
use super::{App, AppState};
use axum::http::header;
use uuid::Uuid;

/// Which identities an endpoint accepts (the Creds column of endpoints.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// P S C A: users and agent sessions.
    Anyone,
    /// P S C: agent identities get 403.
    UsersOnly,
    /// P S C A T: `POST /api/hooks/deploy` also takes a verified agent's raw token.
    WithAgentToken,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Pat,
    Session,
    Cookie,
    AgentToken,
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: Uuid,
    pub kind: UserKind,
    pub username: String,
    pub via: Via,
    /// The session that authenticated the request, if it was one (logout revokes it).
    pub session: Option<TokenHash>,
}

impl Principal {
    pub fn is_agent(&self) -> bool {
        self.kind == UserKind::Agent
    }
}

pub const SESSION_COOKIE: &str = "crustocean_token";

fn missing(app: &AppState) -> ApiError {
    if app.fault(Fault::MissingCredential403) {
        return ApiError::forbidden("Authentication required");
    }
    unauthorized("Authentication required")
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::unauthorized(message).with_header(header::WWW_AUTHENTICATE, "Bearer")
}

fn invalid_token() -> ApiError {
    unauthorized("Invalid or expired token")
}

/// The token presented by the request, and how it came.
enum Presented<'a> {
    Bearer(&'a str),
    Cookie(String),
    Nothing,
}

fn presented<'a>(app: &AppState, req: &'a ApiRequest) -> ApiResult<Presented<'a>> {
    if let Some(raw) = req.headers.get(header::AUTHORIZATION) {
        let value = raw
            .to_str()
            .map_err(|_| unauthorized("Malformed Authorization header"))?;
        let mut parts = value.split_whitespace();
        let scheme = parts.next().unwrap_or_default();
        let token = parts.next();
        return match (scheme.eq_ignore_ascii_case("bearer"), token, parts.next()) {
            (true, Some(token), None) => Ok(Presented::Bearer(token)),
            _ => Err(unauthorized("Malformed Authorization header")),
        };
    }
    if !app.fault(Fault::CookieIgnored)
        && let Some(token) = cookie_value(req, SESSION_COOKIE)
    {
        return Ok(Presented::Cookie(token));
    }
    Ok(Presented::Nothing)
}

/// The value of cookie `name`, if the request carries one.
pub fn cookie_value(req: &ApiRequest, name: &str) -> Option<String> {
    req.headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_owned())
}

/// Authenticates a request for an endpoint that accepts `allowed` identities.
pub fn authenticate(app: &App, req: &ApiRequest, allowed: Allowed) -> ApiResult<Principal> {
    let (token, via) = match presented(app, req)? {
        Presented::Bearer(token) => (token.to_owned(), Via::Session),
        Presented::Cookie(token) => (token, Via::Cookie),
        Presented::Nothing => return hook_key_as_identity(app, req, allowed),
    };
    let principal = resolve_token(app, &token, via, allowed)?;
    if allowed == Allowed::UsersOnly && principal.is_agent() {
        return Err(ApiError::forbidden(
            "This endpoint is not available to agents",
        ));
    }
    Ok(principal)
}

/// Optional-auth endpoints: a credential that does not resolve is treated as none.
pub fn authenticate_optional(app: &App, req: &ApiRequest) -> Option<Principal> {
    authenticate(app, req, Allowed::Anyone).ok()
}

fn resolve_token(app: &App, token: &str, via: Via, allowed: Allowed) -> ApiResult<Principal> {
    let now = app.now();
    let creds = app.store.credentials();
    if token.starts_with("cru_") {
        let pat = creds.pat(token).ok_or_else(invalid_token)?;
        let revoked = pat.revoked.load(std::sync::atomic::Ordering::Relaxed);
        if revoked && !app.fault(Fault::RevokedPatAccepted) {
            return Err(invalid_token());
        }
        let expired = pat.expires_at.is_some_and(|at| now >= at);
        if expired && !app.fault(Fault::ExpiredPatAccepted) {
            return Err(invalid_token());
        }
        pat.touch(now);
        let via = if via == Via::Cookie {
            Via::Cookie
        } else {
            Via::Pat
        };
        return principal_for(app, pat.user_id, via, None);
    }
    let hash = hash_secret(token);
    if let Some(session) = creds.sessions.get(&hash).map(|s| *s) {
        if now >= session.expires_at {
            return Err(invalid_token());
        }
        return principal_for(app, session.user_id, via, Some(hash));
    }
    if allowed == Allowed::WithAgentToken
        && via == Via::Session
        && let Some(agent_id) = creds.agent_tokens.get(&hash).map(|a| *a)
    {
        let principal = principal_for(app, agent_id, Via::AgentToken, None)?;
        let verified = app.store.read(|w| {
            w.users
                .get(&agent_id)
                .and_then(|u| u.agent.as_ref())
                .is_some_and(|a| a.verified)
        });
        if !verified {
            return Err(ApiError::forbidden("Agent not verified"));
        }
        return Ok(principal);
    }
    Err(invalid_token())
}

fn principal_for(
    app: &App,
    user_id: Uuid,
    via: Via,
    session: Option<TokenHash>,
) -> ApiResult<Principal> {
    app.store
        .read(|w| {
            w.users.get(&user_id).map(|u| Principal {
                user_id,
                kind: u.kind,
                username: u.username.clone(),
                via,
                session,
            })
        })
        .ok_or_else(invalid_token)
}

/// Fault `hook-key-on-any-route`: a hook key stands in for its creator's credential.
fn hook_key_as_identity(app: &App, req: &ApiRequest, allowed: Allowed) -> ApiResult<Principal> {
    if !app.fault(Fault::HookKeyOnAnyRoute) {
        return Err(missing(app));
    }
    let hook_id = authenticate_hook(app, req).map_err(|_| missing(app))?;
    let creator = app
        .store
        .read(|w| w.hooks.get(&hook_id).map(|h| h.creator_id));
    let principal = principal_for(
        app,
        creator.ok_or_else(|| missing(app))?,
        Via::Session,
        None,
    )?;
    if allowed == Allowed::UsersOnly && principal.is_agent() {
        return Err(ApiError::forbidden(
            "This endpoint is not available to agents",
        ));
    }
    Ok(principal)
}

pub const HOOK_KEY_HEADER: &str = "x-crustocean-hook-key";

/// The hook runtime endpoints: only `X-Crustocean-Hook-Key` is read. Returns the hook's ID.
pub fn authenticate_hook(app: &App, req: &ApiRequest) -> ApiResult<Uuid> {
    let key = req
        .header(HOOK_KEY_HEADER)
        .map(str::trim)
        .unwrap_or_default();
    if key.is_empty() {
        return Err(ApiError::unauthorized("Hook key required"));
    }
    app.store
        .credentials()
        .hook_keys
        .get(&hash_secret(key))
        .map(|id| *id)
        .ok_or_else(|| ApiError::unauthorized("Invalid hook key"))
}

/// Sessions (user or agent) last 7 days from issue, not extended by use.
pub const SESSION_LIFETIME: crate::server::clock::Millis = 7 * crate::server::clock::DAY;

/// Starts a session for `user_id` and returns its token (stored only as a hash).
pub fn issue_session(app: &App, user_id: Uuid) -> String {
    let token = crate::server::secrets::session_token();
    let record = crate::server::store::credentials::SessionRecord {
        user_id,
        expires_at: app.now() + SESSION_LIFETIME,
    };
    app.store
        .credentials()
        .sessions
        .insert(hash_secret(&token), record);
    token
}

/// The `Set-Cookie` value that carries a new session (credentials.md §2.3).
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; HttpOnly; Path=/; SameSite=Lax; Max-Age=604800{secure}")
}

/// The `Set-Cookie` value that clears the session cookie on logout.
pub fn clearing_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; HttpOnly; Path=/; SameSite=Lax; Max-Age=0{secure}")
}
