//! Agents (endpoints.md §11, rows 34–41): create, list, self-registration (open CORS, rate
//! limited, unowned and claimable), verify, config read and update, transfer and delete.
//! Also owns the one agent-creation helper (`insert_agent`), so that all three creation paths
//! (create, bootstrap, self-registration) agree.

use super::auth::client_ip;
use super::bootstrap::{agency_fields, insert_agency, open_cors, preflight, slug_taken};
use super::claims::claim_url;
use crate::server::auth::{Allowed, Principal, authenticate};
use crate::server::cascade;
use crate::server::clock::Millis;
use crate::server::error::{ApiError, ApiResult};
use crate::server::events::{self, member_payload};
use crate::server::faults::Fault;
use crate::server::ratelimit::Limit;
use crate::server::request::{ApiRequest, Body, check_len};
use crate::server::secrets::{agent_token, claim_code};
use crate::server::ssrf;
use crate::server::store::credentials::hash_secret;
use crate::server::store::{
    AgentConfig, AgentInfo, Credentials, Role, Store, User, UserKind, World,
};
use crate::server::{App, views};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/agents", post(create).get(list))
        .route(
            "/api/agents/register",
            post(self_register).options(preflight),
        )
        .route("/api/agents/{id}/verify", post(verify))
        .route(
            "/api/agents/{id}/config",
            get(read_config).patch(update_config),
        )
        .route("/api/agents/{id}/transfer", post(transfer))
        .route("/api/agents/{id}", axum::routing::delete(delete_agent))
}

/// What distinguishes the three ways an agent comes to exist (create, bootstrap,
/// self-registration); everything else about a new agent is the same.
pub(super) struct NewAgent {
    pub name: String,
    pub username: String,
    pub owner: Option<Uuid>,
    pub verified: bool,
    pub persona: Option<String>,
    pub config: AgentConfig,
    pub claim_code: Option<String>,
}

/// A trimmed agent name of 2–24 characters and the username derived from it, itself 2–24
/// characters (§11.1); 400 otherwise.
pub(super) fn agent_names(key: &str, raw: &str) -> ApiResult<(String, String)> {
    let name = raw.trim().to_owned();
    check_len(key, &name, 2, 24)?;
    let username = cascade::agent_username(&name);
    if !(2..=24).contains(&username.len()) {
        return Err(ApiError::bad_request(format!(
            "{key} must contain at least 2 letters or digits"
        )));
    }
    Ok((name, username))
}

pub(super) fn username_taken() -> ApiError {
    ApiError::conflict("Username already taken")
}

/// Creates the agent account and indexes its token (stored as a hash, and in clear in memory
/// for reply signatures, credentials.md §2.4); 409 when the username is taken. Memberships are
/// the caller's business. Returns the agent's ID and raw token.
pub(super) fn insert_agent(
    w: &mut World,
    creds: &Credentials,
    new: NewAgent,
    now: Millis,
) -> ApiResult<(Uuid, String)> {
    let key = new.username.to_lowercase();
    if w.usernames.contains_key(&key) {
        return Err(username_taken());
    }
    let id = Uuid::new_v4();
    let token = agent_token();
    let user = User {
        id,
        username: new.username,
        display_name: new.name.clone(),
        avatar: None,
        banner: None,
        description: None,
        theme: "default".into(),
        font: "default".into(),
        kind: UserKind::Agent,
        created_at: now,
        password: None,
        agent: Some(AgentInfo {
            name: new.name,
            owner_id: new.owner,
            verified: new.verified,
            persona: new.persona,
            config: new.config,
            token: token.clone(),
            claim_code: new.claim_code,
            claimed: false,
        }),
    };
    w.users.insert(id, user);
    w.usernames.insert(key, id);
    creds.agent_tokens.insert(hash_secret(&token), id);
    Ok((id, token))
}

/// A path ID that names an agent; 404 for anything else (non-UUIDs included).
fn agent_id(raw: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| agent_not_found())
}

fn agent_not_found() -> ApiError {
    ApiError::not_found("Agent not found")
}

/// The owner of agent `id` (`None` for an unclaimed agent); 404 when `id` is not an agent.
fn owner_of(w: &World, id: Uuid) -> ApiResult<Option<Uuid>> {
    w.users
        .get(&id)
        .and_then(|u| u.agent.as_ref())
        .map(|a| a.owner_id)
        .ok_or_else(agent_not_found)
}

/// 404 unless `id` is an agent, then 403 unless the caller owns it.
fn require_owner(w: &World, who: &Principal, id: Uuid) -> ApiResult<()> {
    if owner_of(w, id)? == Some(who.user_id) {
        Ok(())
    } else {
        Err(ApiError::forbidden("Not authorized to manage this agent"))
    }
}

/// Validated fields of `POST /api/agents`: (name, username, role).
fn create_fields(body: &Body) -> ApiResult<(String, String, Option<String>)> {
    let (name, username) = agent_names("name", &body.req_str("name")?)?;
    let role = body.opt_str("role")?;
    if let Some(role) = &role {
        check_len("role", role, 0, 64)?;
    }
    Ok((name, username, role))
}

async fn create(State(app): State<App>, req: ApiRequest) -> ApiResult<(StatusCode, Json<Value>)> {
    let who = authenticate(&app, &req, Allowed::UsersOnly)?;
    let body = req.json()?;
    let agency = match body.get("agencyId") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(id)) => Ok(Some(id.clone())),
        Some(_) => Err(ApiError::bad_request("agencyId must be a string")),
    };
    let fields = create_fields(&body);
    let now = app.now();
    let creds = app.store.credentials();
    let (agent, agency_id, token) = app.store.write(|w| {
        let agency_id = match agency? {
            None => w.lobby_id,
            Some(raw) => Uuid::parse_str(&raw)
                .ok()
                .filter(|id| w.agencies.contains_key(id))
                .ok_or_else(|| ApiError::not_found("Agency not found"))?,
        };
        let target = w
            .agencies
            .get(&agency_id)
            .ok_or_else(|| ApiError::not_found("Agency not found"))?;
        if target.is_dm || !target.is_member(who.user_id) {
            return Err(ApiError::forbidden("You are not a member of this agency"));
        }
        let (name, username, role) = fields?;
        let config = AgentConfig {
            role,
            ..AgentConfig::default()
        };
        let new = NewAgent {
            name,
            username,
            owner: Some(who.user_id),
            verified: false,
            persona: None,
            config,
            claim_code: None,
        };
        let (id, token) = insert_agent(w, creds, new, now)?;
        if let Some(agency) = w.agencies.get_mut(&agency_id) {
            agency.add_member(id, Role::Member, now);
        }
        let agent = w.users.get(&id).ok_or_else(agent_not_found)?.clone();
        Ok((agent, agency_id, token))
    })?;
    let membership = app.store.read(|w| {
        w.agencies
            .get(&agency_id)
            .and_then(|a| a.member(agent.id).cloned())
    });
    events::emit(
        &app,
        agency_id,
        "member.joined",
        json!({"member": member_payload(&agent, membership.as_ref())}),
    );
    Ok((
        StatusCode::CREATED,
        Json(json!({"agent": views::agent(&agent), "agentToken": token})),
    ))
}

async fn list(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let mut agents: Vec<User> = app.store.read(|w| {
        w.users
            .values()
            .filter(|u| {
                u.agent
                    .as_ref()
                    .is_some_and(|a| a.owner_id == Some(who.user_id))
            })
            .cloned()
            .collect()
    });
    // Newest first; agents created in the same millisecond are ordered by ID.
    agents.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    Ok(Json(Value::Array(
        agents.iter().map(views::agent).collect(),
    )))
}

async fn self_register(State(app): State<App>, req: ApiRequest) -> Response {
    open_cors(register_agent(&app, &req).await)
}

/// Self-registration (§11.3): a verified agent with no owner, its own agency (owned by the
/// agent), membership there and in the Lobby, and a claim code.
async fn register_agent(app: &App, req: &ApiRequest) -> ApiResult<(StatusCode, Json<Value>)> {
    app.limiter
        .check(Limit::AgentRegister, client_ip(app, req), app.now())?;
    let body = req.json()?;
    let (name, username) = agent_names("name", &body.req_str("name")?)?;
    let persona = body.opt_str("description")?;
    if let Some(persona) = &persona {
        check_len("description", persona, 0, 2000)?;
    }
    let agency = agency_fields(&body, &name)?;
    let mut config = AgentConfig::default();
    if let Some(url) = body.opt_str("openclawGateway")? {
        config.openclaw_gateway = Some(ssrf::check_at_save(app, &url).await?);
    }
    config.openclaw_token = body.opt_str("openclawToken")?;
    if let Some(id) = body.opt_str("openclawAgentId")? {
        check_len("openclawAgentId", &id, 1, 128)?;
        config.openclaw_agent_id = Some(id);
    }
    let code = claim_code();
    let now = app.now();
    let creds = app.store.credentials();
    let (agent, agency, token) = app.store.write(|w| {
        if w.slugs.contains_key(&agency.slug) {
            return Err(slug_taken());
        }
        let new = NewAgent {
            name,
            username,
            owner: None,
            verified: true,
            persona,
            config,
            claim_code: Some(code.clone()),
        };
        let (id, token) = insert_agent(w, creds, new, now)?;
        let agency_id = insert_agency(w, agency, id, now);
        let lobby = w.lobby_id;
        if let Some(lobby) = w.agencies.get_mut(&lobby) {
            lobby.add_member(id, Role::Member, now);
        }
        let agent = w.users.get(&id).ok_or_else(agent_not_found)?;
        let agency = w
            .agencies
            .get(&agency_id)
            .ok_or_else(|| ApiError::not_found("Agency not found"))?;
        Ok((agent.clone(), views::agency_ref(agency), token))
    })?;
    if !app.fault(Fault::CounterNeverIncremented) {
        app.metrics.agent_registrations.inc();
    }
    let body = json!({
        "ok": true,
        "agent": {
            "id": agent.id,
            "username": agent.username,
            "displayName": agent.display_name,
            "token": token,
            "verified": true,
        },
        "agency": agency,
        "claimUrl": claim_url(app, &code),
        "claimCode": code,
        "important": "Store the agent token now; it is shown only this once.",
    });
    Ok((StatusCode::CREATED, Json(body)))
}

async fn verify(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::UsersOnly)?;
    let id = agent_id(&id)?;
    let agent = app.store.write(|w| {
        require_owner(w, &who, id)?;
        let agent = w.users.get_mut(&id).ok_or_else(agent_not_found)?;
        if let Some(info) = agent.agent.as_mut() {
            info.verified = true;
        }
        Ok::<_, ApiError>(views::agent(agent))
    })?;
    Ok(Json(json!({"ok": true, "agent": agent})))
}

async fn read_config(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let id = agent_id(&id)?;
    // `agencyId` is accepted and ignored: per-agency settings exist only in chat (§11.2).
    let config = app.store.read(|w| {
        let info = w
            .users
            .get(&id)
            .and_then(|u| u.agent.as_ref())
            .ok_or_else(agent_not_found)?;
        if who.user_id == id {
            Ok(views::agent_config(&info.config, true))
        } else if info.owner_id == Some(who.user_id) {
            Ok(views::agent_config(&info.config, false))
        } else {
            Err(ApiError::forbidden(
                "Not authorized to read this agent's config",
            ))
        }
    })?;
    Ok(Json(config))
}

/// One validated change of a config PATCH, applied inside the write that stores it.
type Edit = Box<dyn FnOnce(&mut AgentConfig) + Send>;
type TextSlot = fn(&mut AgentConfig) -> &mut Option<String>;

/// Nullable strings of at most 2000 characters.
const DESCRIPTIVE: [(&str, TextSlot); 4] = [
    ("role", |c| &mut c.role),
    ("personality", |c| &mut c.personality),
    ("interaction_style", |c| &mut c.interaction_style),
    ("expertise_level", |c| &mut c.expertise_level),
];

/// Nullable strings with no further rule (secrets, model names, IDs).
const PLAIN: [(&str, TextSlot); 5] = [
    ("response_webhook_secret", |c| {
        &mut c.response_webhook_secret
    }),
    ("llm_api_key", |c| &mut c.llm_api_key),
    ("ollama_model", |c| &mut c.ollama_model),
    ("openclaw_token", |c| &mut c.openclaw_token),
    ("openclaw_agent_id", |c| &mut c.openclaw_agent_id),
];

const PROVIDERS: [&str; 5] = ["openai", "anthropic", "replicate", "openclaw", "ollama"];

/// Absent → `None`; `null` → `Some(None)`; a string → `Some(Some(..))`; else 400.
fn nullable(body: &Body, key: &str) -> ApiResult<Option<Option<String>>> {
    if body.has(key) {
        body.opt_str(key).map(Some)
    } else {
        Ok(None)
    }
}

/// 400 unless `key`, when present, is one of `allowed`.
fn choice(body: &Body, key: &str, allowed: &[&str]) -> ApiResult<Option<String>> {
    if !body.has(key) {
        return Ok(None);
    }
    match body.opt_str(key)? {
        Some(value) if allowed.contains(&value.as_str()) => Ok(Some(value)),
        _ => Err(ApiError::bad_request(format!(
            "{key} must be one of {}",
            allowed.join(", ")
        ))),
    }
}

fn string_list(body: &Body, key: &str) -> ApiResult<Option<Vec<String>>> {
    if !body.has(key) {
        return Ok(None);
    }
    body.opt_str_list(key)?
        .map(Some)
        .ok_or_else(|| ApiError::bad_request(format!("{key} must be an array of strings")))
}

fn limit(body: &Body, key: &str) -> ApiResult<Option<f64>> {
    if !body.has(key) {
        return Ok(None);
    }
    body.opt_f64(key)?
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(Some)
        .ok_or_else(|| ApiError::bad_request(format!("{key} must be a number >= 0")))
}

/// Validates every field of a config PATCH (the table of §11.2) before anything changes;
/// outbound URLs pass the SSRF guard. `webhook_url` is the CLI's alias.
async fn config_edits(app: &App, body: &Body) -> ApiResult<Vec<Edit>> {
    let mut edits: Vec<Edit> = Vec::new();
    for (key, slot) in DESCRIPTIVE {
        if let Some(value) = nullable(body, key)? {
            if let Some(text) = &value {
                check_len(key, text, 0, 2000)?;
            }
            edits.push(Box::new(move |c| *slot(c) = value));
        }
    }
    for (key, slot) in PLAIN {
        if let Some(value) = nullable(body, key)? {
            edits.push(Box::new(move |c| *slot(c) = value));
        }
    }
    let webhook_key = if body.has("response_webhook_url") {
        "response_webhook_url"
    } else {
        "webhook_url"
    };
    let urls: [(&str, TextSlot); 3] = [
        (webhook_key, |c| &mut c.response_webhook_url),
        ("ollama_endpoint", |c| &mut c.ollama_endpoint),
        ("openclaw_gateway", |c| &mut c.openclaw_gateway),
    ];
    for (key, slot) in urls {
        if let Some(value) = nullable(body, key)? {
            let value = match value {
                Some(url) => Some(ssrf::check_at_save(app, &url).await?),
                None => None,
            };
            edits.push(Box::new(move |c| *slot(c) = value));
        }
    }
    if let Some(provider) = nullable(body, "llm_provider")? {
        if provider.as_deref().is_some_and(|p| !PROVIDERS.contains(&p)) {
            return Err(ApiError::bad_request(format!(
                "llm_provider must be one of {}",
                PROVIDERS.join(", ")
            )));
        }
        edits.push(Box::new(move |c| c.llm_provider = provider));
    }
    if let Some(v) = choice(body, "prompt_permission", &["open", "closed", "whitelist"])? {
        edits.push(Box::new(move |c| c.prompt_permission = v));
    }
    if let Some(v) = choice(body, "wallet_approval_mode", &["auto", "manual"])? {
        edits.push(Box::new(move |c| c.wallet_approval_mode = v));
    }
    if let Some(v) = string_list(body, "prompt_whitelist")? {
        edits.push(Box::new(move |c| c.prompt_whitelist = v));
    }
    if let Some(v) = string_list(body, "wallet_allowlisted_hooks")? {
        edits.push(Box::new(move |c| c.wallet_allowlisted_hooks = v));
    }
    if let Some(v) = limit(body, "wallet_spend_limit_per_tx")? {
        edits.push(Box::new(move |c| c.wallet_spend_limit_per_tx = v));
    }
    if let Some(v) = limit(body, "wallet_spend_limit_daily")? {
        edits.push(Box::new(move |c| c.wallet_spend_limit_daily = v));
    }
    Ok(edits)
}

async fn update_config(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::UsersOnly)?;
    let body = req.json()?;
    let id = agent_id(&id)?;
    app.store.read(|w| require_owner(w, &who, id))?;
    let edits = config_edits(&app, &body).await?;
    let agent = app.store.write(|w| {
        require_owner(w, &who, id)?;
        let agent = w.users.get_mut(&id).ok_or_else(agent_not_found)?;
        if let Some(info) = agent.agent.as_mut() {
            for edit in edits {
                edit(&mut info.config);
            }
        }
        Ok::<_, ApiError>(views::agent(agent))
    })?;
    Ok(Json(agent))
}

/// The transfer target named by `newOwnerId` (preferred) or `newOwnerUsername`: `Ok(None)`
/// when neither is a string, 404 when it names nobody, else (id, username, is human).
fn transfer_target(w: &World, body: &Body) -> ApiResult<Option<(Uuid, String, bool)>> {
    let unknown = || ApiError::not_found("User not found");
    let user = match (body.get("newOwnerId"), body.get("newOwnerUsername")) {
        (Some(Value::String(id)), _) if !id.is_empty() => Uuid::parse_str(id)
            .ok()
            .and_then(|id| w.users.get(&id))
            .ok_or_else(unknown)?,
        (_, Some(Value::String(name))) if !name.is_empty() => {
            w.user_by_name(name).ok_or_else(unknown)?
        }
        _ => return Ok(None),
    };
    Ok(Some((
        user.id,
        user.username.clone(),
        user.kind == UserKind::Human,
    )))
}

async fn transfer(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::UsersOnly)?;
    let body = req.json()?;
    let id = agent_id(&id)?;
    let answer = app.store.write(|w| {
        owner_of(w, id)?;
        let target = transfer_target(w, &body)?;
        require_owner(w, &who, id)?;
        let Some((new_owner, new_username, human)) = target else {
            return Err(ApiError::bad_request(
                "newOwnerUsername or newOwnerId is required",
            ));
        };
        if !human {
            return Err(ApiError::bad_request("The new owner must be a human user"));
        }
        if new_owner == who.user_id {
            return Err(ApiError::bad_request("You already own this agent"));
        }
        let agent = w.users.get_mut(&id).ok_or_else(agent_not_found)?;
        if let Some(info) = agent.agent.as_mut() {
            info.owner_id = Some(new_owner);
        }
        Ok(json!({
            "ok": true,
            "agent": {"id": agent.id, "username": agent.username},
            "newOwner": {"id": new_owner, "username": new_username},
        }))
    })?;
    Ok(Json(answer))
}

async fn delete_agent(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::UsersOnly)?;
    let id = agent_id(&id)?;
    let (creds, rooms) = (app.store.credentials(), app.store.rooms());
    app.store.write(|w| {
        require_owner(w, &who, id)?;
        cascade::delete_user(w, creds, rooms, id);
        Ok::<_, ApiError>(())
    })?;
    Ok(Json(views::ok()))
}
