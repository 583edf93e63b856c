//! Hook management, transparency and native deploy (endpoints.md §17, rows 66–75): public
//! reads by slug and by ID, the creator's update (which also rewrites the `explore_metadata`
//! of linked commands), key rotation by ID and by `webhook_url` (legacy), revocation (the hook
//! entity is deleted), the legacy metadata update, the transparency source fields, and
//! `POST /api/hooks/deploy`. It also owns the rules custom commands share: issuing a hook key
//! (`issue_key`), the `slug` / `at_name` formats and their one global namespace (§15.1).

use super::commands::{normalise_command_name, parse_id};
use crate::server::auth::{Allowed, Principal, authenticate};
use crate::server::cascade;
use crate::server::error::{ApiError, ApiResult};
use crate::server::request::{ApiRequest, Body, check_len};
use crate::server::secrets;
use crate::server::store::credentials::{Credentials, hash_secret};
use crate::server::store::{Hook, HookCommand, HookSourceType, Store, World};
use crate::server::{App, views};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/hooks/by-slug/{slug}", get(by_slug))
        .route("/api/hooks/by-id/{id}", get(by_id).patch(update))
        .route("/api/hooks/by-id/{id}/rotate-key", post(rotate))
        .route("/api/hooks/by-id/{id}/revoke-key", delete(revoke))
        .route("/api/hooks/metadata", patch(legacy_metadata))
        .route("/api/hooks/rotate-key", post(legacy_rotate))
        .route("/api/hooks/source", get(source).patch(update_source))
        .route("/api/hooks/deploy", post(deploy))
}

/// Native hook code may be at most 64 KiB (§17).
const MAX_CODE_BYTES: usize = 64 * 1024;

/// Gives `hook` a new key and returns it; the previous key stops working at once (§15.2).
pub(super) fn issue_key(creds: &Credentials, hook: &mut Hook) -> String {
    let key = secrets::hook_key();
    let hash = hash_secret(&key);
    if let Some(old) = hook.key_hash.replace(hash) {
        creds.hook_keys.remove(&old);
    }
    creds.hook_keys.insert(hash, hook.id);
    key
}

/// `open`, `closed` or `whitelist` (§15.1, §17).
pub(super) fn check_permission(key: &str, value: &str) -> ApiResult<()> {
    if ["open", "closed", "whitelist"].contains(&value) {
        return Ok(());
    }
    Err(ApiError::bad_request(format!(
        "{key} must be one of open, closed, whitelist"
    )))
}

/// A slug: 2–48 lower-case letters, digits and hyphens; `single_hyphens` also refuses `--`
/// (the explore-metadata rule of §15.1; the deploy rule of §17 allows any hyphens).
fn check_slug(key: &str, slug: &str, single_hyphens: bool) -> ApiResult<()> {
    let chars = slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let hyphens = !single_hyphens || !slug.contains("--");
    if chars && hyphens && (2..=48).contains(&slug.len()) {
        return Ok(());
    }
    let rule = if single_hyphens {
        "single hyphens"
    } else {
        "hyphens"
    };
    Err(ApiError::bad_request(format!(
        "{key} must be 2-48 lower-case letters, digits and {rule}"
    )))
}

/// An `at_name`: 2–32 characters from `a–z 0–9 _` (§15.1).
fn check_at_name(key: &str, at_name: &str) -> ApiResult<()> {
    let chars = at_name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if chars && (2..=32).contains(&at_name.len()) {
        return Ok(());
    }
    Err(ApiError::bad_request(format!(
        "{key} must be 2-32 characters from a-z, 0-9 and _"
    )))
}

/// 409 when a hook other than `except` holds `slug` or `at_name`: webhook and native hooks
/// share one namespace of each (§15.1).
pub(super) fn ensure_names_free(
    w: &World,
    slug: Option<&str>,
    at_name: Option<&str>,
    except: Option<Uuid>,
) -> ApiResult<()> {
    for hook in w.hooks.values().filter(|h| Some(h.id) != except) {
        if slug.is_some() && hook.slug.as_deref() == slug {
            return Err(ApiError::conflict("Slug is already taken"));
        }
        if at_name.is_some() && hook.at_name.as_deref() == at_name {
            return Err(ApiError::conflict("at_name is already taken"));
        }
    }
    Ok(())
}

fn hook_not_found() -> ApiError {
    ApiError::not_found("Hook not found")
}

fn creator_only(hook: &Hook, who: &Principal) -> ApiResult<()> {
    if hook.creator_id == who.user_id {
        return Ok(());
    }
    Err(ApiError::forbidden("Only the hook's creator can manage it"))
}

/// Existence (404), then the creator check (403), of the hook with `id`.
fn creators_hook(app: &App, id: Uuid, who: &Principal) -> ApiResult<()> {
    app.store
        .read(|w| w.hooks.get(&id).map(|h| creator_only(h, who)))
        .ok_or_else(hook_not_found)?
}

/// The hook named by the body's `webhook_url`, checked to be the caller's. `None` when the
/// field is absent, so that its 400 comes after the other checks (§1.3 step 8).
fn creators_hook_by_url(app: &App, body: &Body, who: &Principal) -> ApiResult<Option<Uuid>> {
    let Some(url) = body.opt_str("webhook_url")? else {
        return Ok(None);
    };
    let url = url.trim().to_owned();
    let found = app.store.read(|w| {
        w.hook_by_url(&url)
            .map(|h| creator_only(h, who).map(|()| h.id))
    });
    found.ok_or_else(hook_not_found)?.map(Some)
}

fn require_url(found: Option<Uuid>) -> ApiResult<Uuid> {
    found.ok_or_else(|| ApiError::bad_request("webhook_url is required"))
}

/// Validates one descriptive hook field, named by its explore-metadata key (§15.1, §17);
/// `label` names it in the error.
pub(super) fn check_hook_text(label: &str, key: &str, text: &str) -> ApiResult<()> {
    match key {
        "display_name" => check_len(label, text, 1, 64),
        "description" => check_len(label, text, 0, 200),
        "default_invoke_permission" => check_permission(label, text),
        "slug" => check_slug(label, text, true),
        "at_name" => check_at_name(label, text),
        _ => Ok(()),
    }
}

/// Sets the hook fields named in `changes` (explore-metadata keys; null clears the optional
/// ones). Other keys, such as `creator`, are display attribution and leave the hook alone.
pub(super) fn describe_hook(hook: &mut Hook, changes: &Map<String, Value>, now: i64) {
    for (key, value) in changes {
        let text = value.as_str().map(str::to_owned);
        match (key.as_str(), text) {
            ("display_name", Some(name)) => hook.name = name,
            ("default_invoke_permission", Some(permission)) => {
                hook.default_invoke_permission = permission
            }
            ("description", text) => hook.description = text,
            ("slug", text) => hook.slug = text,
            ("at_name", text) => hook.at_name = text,
            _ => {}
        }
    }
    hook.updated_at = now;
}

/// The descriptive fields of a hook update, keyed by their explore-metadata names; `names`
/// also reads `slug` and `at_name` (legacy metadata update).
fn read_changes(body: &Body, names: bool) -> ApiResult<Map<String, Value>> {
    let fields = [
        ("name", "display_name"),
        ("description", "description"),
        ("default_invoke_permission", "default_invoke_permission"),
        ("slug", "slug"),
        ("at_name", "at_name"),
    ];
    let mut changes = Map::new();
    for (field, key) in fields.into_iter().take(if names { 5 } else { 3 }) {
        if !body.has(field) {
            continue;
        }
        match body.opt_str(field)? {
            Some(text) => check_hook_text(field, key, &text)?,
            // A name and a permission cannot be cleared; null leaves them as they are.
            None if matches!(key, "display_name" | "default_invoke_permission") => continue,
            None => {}
        }
        changes.insert(key.to_owned(), body.get(field).cloned().unwrap_or_default());
    }
    Ok(changes)
}

/// Applies `changes` to the hook and copies them into the `explore_metadata` of every
/// command linked to it (§17).
fn apply_changes(w: &mut World, hook_id: Uuid, changes: &Map<String, Value>, now: i64) {
    if let Some(hook) = w.hooks.get_mut(&hook_id) {
        describe_hook(hook, changes, now);
    }
    if changes.is_empty() {
        return;
    }
    for command in w
        .commands
        .values_mut()
        .filter(|c| c.hook_id == Some(hook_id))
    {
        let mut metadata = match command.explore_metadata.take() {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        metadata.extend(changes.clone());
        command.explore_metadata = Some(Value::Object(metadata));
    }
}

/// The Hook view of `id`, or 404 if it vanished meanwhile.
fn hook_view(w: &World, id: Uuid) -> ApiResult<Json<Value>> {
    w.hooks
        .get(&id)
        .map(|h| Json(views::hook(w, h)))
        .ok_or_else(hook_not_found)
}

async fn by_slug(State(app): State<App>, Path(slug): Path<String>) -> ApiResult<Json<Value>> {
    let slug = slug.to_lowercase();
    app.store.read(|w| {
        w.hook_by_slug(&slug)
            .map(|h| Json(views::hook(w, h)))
            .ok_or_else(hook_not_found)
    })
}

async fn by_id(State(app): State<App>, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let id = parse_id(&id, "Hook")?;
    app.store.read(|w| hook_view(w, id))
}

async fn update(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    let id = parse_id(&id, "Hook")?;
    creators_hook(&app, id, &who)?;
    let changes = read_changes(&body, false)?;
    let enabled = body.opt_bool("enabled")?;
    let now = app.now();
    app.store.write(|w| {
        if !w.hooks.contains_key(&id) {
            return Err(hook_not_found());
        }
        apply_changes(w, id, &changes, now);
        if let (Some(enabled), Some(hook)) = (enabled, w.hooks.get_mut(&id)) {
            hook.enabled = enabled;
        }
        hook_view(w, id)
    })
}

/// Issues a new key for the hook `id` (already checked to be the caller's).
fn rotate_key(app: &App, id: Uuid) -> ApiResult<String> {
    let creds = app.store.credentials();
    let now = app.now();
    app.store.write(|w| {
        let hook = w.hooks.get_mut(&id).ok_or_else(hook_not_found)?;
        hook.updated_at = now;
        Ok(issue_key(creds, hook))
    })
}

async fn rotate(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let id = parse_id(&id, "Hook")?;
    creators_hook(&app, id, &who)?;
    let key = rotate_key(&app, id)?;
    Ok(Json(json!({ "hookKey": key })))
}

async fn revoke(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let id = parse_id(&id, "Hook")?;
    creators_hook(&app, id, &who)?;
    let creds = app.store.credentials();
    app.store.write(|w| cascade::delete_hook(w, creds, id));
    Ok(Json(views::ok()))
}

async fn legacy_metadata(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    let found = creators_hook_by_url(&app, &body, &who)?;
    let id = require_url(found)?;
    let changes = read_changes(&body, true)?;
    let now = app.now();
    app.store.write(|w| {
        if !w.hooks.contains_key(&id) {
            return Err(hook_not_found());
        }
        let name = |key| changes.get(key).and_then(Value::as_str);
        ensure_names_free(w, name("slug"), name("at_name"), Some(id))?;
        apply_changes(w, id, &changes, now);
        hook_view(w, id)
    })
}

async fn legacy_rotate(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    let found = creators_hook_by_url(&app, &body, &who)?;
    let id = require_url(found)?;
    let key = rotate_key(&app, id)?;
    Ok(Json(json!({ "key": key })))
}

async fn source(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let url = req
        .query("webhook_url")
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| ApiError::bad_request("webhook_url query parameter is required"))?;
    app.store.read(|w| {
        w.hook_by_url(url)
            .map(|h| Json(views::hook_source(h)))
            .ok_or_else(hook_not_found)
    })
}

async fn update_source(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    let found = creators_hook_by_url(&app, &body, &who)?;
    let id = require_url(found)?;
    let source_url = body
        .has("source_url")
        .then(|| body.opt_str("source_url"))
        .transpose()?;
    let source_hash = body
        .has("source_hash")
        .then(|| body.opt_str("source_hash"))
        .transpose()?;
    let schema = match body.get("schema") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(value @ Value::Object(_)) => Some(Some(value.clone())),
        Some(_) => return Err(ApiError::bad_request("schema must be a JSON object")),
    };
    let now = app.now();
    app.store.write(|w| {
        let hook = w.hooks.get_mut(&id).ok_or_else(hook_not_found)?;
        if let Some(source_url) = source_url {
            hook.source_url = source_url;
        }
        if let Some(source_hash) = source_hash {
            hook.source_hash = source_hash;
        }
        if let Some(schema) = schema {
            hook.schema = schema;
        }
        hook.updated_at = now;
        Ok(Json(views::hook_source(hook)))
    })
}

/// True when `code` contains the identifier `handler` (the static check of §17).
fn mentions_handler(code: &str) -> bool {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    code.match_indices("handler").any(|(at, word)| {
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

fn check_code(code: &str) -> ApiResult<()> {
    if code.len() > MAX_CODE_BYTES {
        return Err(ApiError::bad_request("code must be at most 64 KiB"));
    }
    if !mentions_handler(code) {
        return Err(ApiError::bad_request(
            "code must define a top-level handler",
        ));
    }
    Ok(())
}

/// `commands`: at least one `{name, description?}`, names normalised as in §15.1.
fn deploy_commands(body: &Body) -> ApiResult<Vec<HookCommand>> {
    let invalid =
        || ApiError::bad_request("commands must be a non-empty array of {name, description}");
    let items = match body.value("commands") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => return Err(invalid()),
    };
    let mut commands: Vec<HookCommand> = Vec::new();
    for item in items {
        let raw = item
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(invalid)?;
        let name = normalise_command_name(raw)?;
        let description = match item.get("description") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => {
                check_len("description", text, 0, 200)?;
                Some(text.clone())
            }
            Some(_) => return Err(invalid()),
        };
        if commands.iter().any(|c| c.name == name) {
            return Err(ApiError::bad_request(format!(
                "Duplicate command name {name}"
            )));
        }
        commands.push(HookCommand { name, description });
    }
    Ok(commands)
}

/// The validated body of a deploy.
struct Deploy {
    slug: String,
    code: String,
    commands: Vec<HookCommand>,
    name: Option<String>,
    description: Option<String>,
    avatar_url: Option<String>,
    at_name: Option<String>,
}

fn read_deploy(body: &Body) -> ApiResult<Deploy> {
    let slug = body.req_str("slug")?;
    check_slug("slug", &slug, false)?;
    let code = body.req_str("code")?;
    check_code(&code)?;
    let commands = deploy_commands(body)?;
    let text = |field: &str, key: &str| -> ApiResult<Option<String>> {
        let value = body.opt_str(field)?;
        if let Some(text) = &value {
            check_hook_text(field, key, text)?;
        }
        Ok(value)
    };
    Ok(Deploy {
        name: text("name", "display_name")?,
        description: text("description", "description")?,
        at_name: text("at_name", "at_name")?,
        avatar_url: body.opt_str("avatar_url")?,
        slug,
        code,
        commands,
    })
}

/// `agency_id` of a deploy: 404 unknown, 403 a DM room or not managed by the caller.
fn deploy_target(app: &App, body: &Body, who: &Principal) -> ApiResult<Option<Uuid>> {
    let raw = match body.get("agency_id") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(raw)) => raw,
        Some(_) => return Err(ApiError::bad_request("agency_id must be a string")),
    };
    let id = parse_id(raw, "Agency")?;
    let allowed = app
        .store
        .read(|w| {
            w.agencies
                .get(&id)
                .map(|a| !a.is_dm && a.is_manager(who.user_id))
        })
        .ok_or_else(|| ApiError::not_found("Agency not found"))?;
    if !allowed {
        return Err(ApiError::forbidden(
            "Not authorized to manage hooks in this agency",
        ));
    }
    Ok(Some(id))
}

/// Creates the native hook of a first deploy (named after its slug unless a name is given),
/// with its key.
fn new_native_hook(
    creds: &Credentials,
    who: &Principal,
    d: Deploy,
    hash: String,
    now: i64,
) -> (Hook, String) {
    let mut hook = Hook {
        id: Uuid::new_v4(),
        webhook_url: None,
        name: d.slug.clone(),
        slug: Some(d.slug.clone()),
        at_name: None,
        description: None,
        creator: format!("@{}", who.username),
        creator_id: who.user_id,
        default_invoke_permission: "open".into(),
        enabled: true,
        source_type: HookSourceType::Native,
        source_url: None,
        source_hash: None,
        schema: None,
        source_code: None,
        avatar_url: None,
        native_commands: Vec::new(),
        native_installs: BTreeSet::new(),
        key_hash: None,
        created_at: now,
        updated_at: now,
    };
    redeploy(&mut hook, d, hash, now);
    let key = issue_key(creds, &mut hook);
    (hook, key)
}

/// Code, hash and commands of a deploy; the other fields only when given.
fn redeploy(hook: &mut Hook, d: Deploy, hash: String, now: i64) {
    hook.source_code = Some(d.code);
    hook.source_hash = Some(hash);
    hook.native_commands = d.commands;
    hook.name = d.name.unwrap_or(std::mem::take(&mut hook.name));
    hook.description = d.description.or(hook.description.take());
    hook.avatar_url = d.avatar_url.or(hook.avatar_url.take());
    hook.at_name = d.at_name.or(hook.at_name.take());
    hook.updated_at = now;
}

async fn deploy(State(app): State<App>, req: ApiRequest) -> ApiResult<(StatusCode, Json<Value>)> {
    let who = authenticate(&app, &req, Allowed::WithAgentToken)?;
    let body = req.json()?;
    let target = deploy_target(&app, &body, &who)?;
    let d = read_deploy(&body)?;
    let hash = hex::encode(Sha256::digest(d.code.as_bytes()));
    let creds = app.store.credentials();
    let now = app.now();
    let (id, key) = app.store.write(|w| {
        if target.is_some_and(|id| !w.agencies.contains_key(&id)) {
            return Err(ApiError::not_found("Agency not found"));
        }
        let existing = w.hook_by_slug(&d.slug);
        if existing.is_some_and(|h| h.source_type == HookSourceType::Webhook) {
            return Err(ApiError::conflict("Slug is taken by a webhook hook"));
        }
        if existing.is_some_and(|h| h.creator_id != who.user_id) {
            return Err(ApiError::conflict("Slug is owned by another creator"));
        }
        let existing = existing.map(|h| h.id);
        ensure_names_free(w, None, d.at_name.as_deref(), existing)?;
        let (id, key) = match existing.and_then(|id| w.hooks.get_mut(&id)) {
            Some(hook) => {
                redeploy(hook, d, hash, now);
                (hook.id, None)
            }
            None => {
                let (hook, key) = new_native_hook(creds, &who, d, hash, now);
                let id = hook.id;
                w.hooks.insert(id, hook);
                (id, Some(key))
            }
        };
        if let (Some(agency), Some(hook)) = (target, w.hooks.get_mut(&id)) {
            hook.native_installs.insert(agency);
        }
        Ok((id, key))
    })?;
    let mut result = app
        .store
        .read(|w| w.hooks.get(&id).map(|h| deploy_result(h, target)))
        .ok_or_else(hook_not_found)?;
    let Some(key) = key else {
        return Ok((StatusCode::OK, Json(result)));
    };
    result["hook_key"] = json!(key);
    Ok((StatusCode::CREATED, Json(result)))
}

/// DeployResult (§3.13) without `hook_key`.
fn deploy_result(h: &Hook, installed_in: Option<Uuid>) -> Value {
    let commands: Vec<Value> = h
        .native_commands
        .iter()
        .map(|c| json!({"name": c.name, "description": c.description}))
        .collect();
    let installed: Vec<&str> = match installed_in {
        Some(_) => h.native_commands.iter().map(|c| c.name.as_str()).collect(),
        None => Vec::new(),
    };
    json!({
        "hook_id": h.id,
        "slug": h.slug,
        "source_type": "native",
        "source_hash": h.source_hash,
        "verified": true,
        "commands": commands,
        "installed_in": installed_in,
        "installed_commands": installed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_must_appear_as_an_identifier() {
        assert!(mentions_handler("export async function handler(ctx) {}"));
        assert!(mentions_handler("const handler = () => ({})"));
        assert!(!mentions_handler("function myhandler() {}"));
        assert!(!mentions_handler("const handlers = []"));
    }

    #[test]
    fn slug_and_at_name_formats() {
        assert!(check_slug("slug", "dice-bot", true).is_ok());
        assert!(check_slug("slug", "dice--bot", true).is_err());
        assert!(check_slug("slug", "dice--bot", false).is_ok());
        assert!(check_slug("slug", "Dice", false).is_err());
        assert!(check_slug("slug", "d", false).is_err());
        assert!(check_at_name("at_name", "dice_bot2").is_ok());
        assert!(check_at_name("at_name", "dice-bot").is_err());
    }
}
