//! Custom commands and hook-key issuance (endpoints.md §15, rows 56–61): listing (members),
//! creating, updating and deleting (the agency owner; never in the Lobby or a DM room), and the
//! command-level hook key (issue a new one, or clear it). The first command that publishes a
//! webhook URL creates the hook for it and is the only answer that shows its key; later
//! commands with that URL link to the existing hook silently (§15.2).

use super::hooks::{
    check_hook_text, check_permission, describe_hook, ensure_names_free, issue_key,
};
use crate::server::auth::{Allowed, Principal, authenticate};
use crate::server::error::{ApiError, ApiResult};
use crate::server::request::{ApiRequest, Body, check_len};
use crate::server::ssrf;
use crate::server::store::credentials::Credentials;
use crate::server::store::{Command, Hook, HookSourceType, Store, World};
use crate::server::{App, views};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/custom-commands/{id}/commands", get(list).post(create))
        .route(
            "/api/custom-commands/{id}/commands/{command_id}",
            patch(update).delete(remove),
        )
        .route(
            "/api/custom-commands/{id}/commands/{command_id}/hook-key",
            post(issue_hook_key).delete(clear_hook_key),
        )
}

/// The built-in commands (`GET /api/commands`), which custom commands cannot override.
const BUILTIN_COMMANDS: &str =
    "help echo roll who custom notes save get clearnote checkin price hook agent boot agency";

/// The keys of `explore_metadata` that are kept; others are dropped (§15.1).
const METADATA_KEYS: &str =
    "slug at_name creator display_name description default_invoke_permission";

/// A path ID; anything that is not a UUID names nothing: 404 `<what> not found`.
pub(super) fn parse_id(raw: &str, what: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| ApiError::not_found(format!("{what} not found")))
}

/// Lower-cased, stripped of everything but ASCII letters and digits, 1–32 characters, not a
/// built-in name (§15.1).
pub(super) fn normalise_command_name(raw: &str) -> ApiResult<String> {
    let name: String = raw
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if name.is_empty() {
        return Err(ApiError::bad_request("name must contain letters or digits"));
    }
    if name.len() > 32 {
        return Err(ApiError::bad_request("name must be at most 32 characters"));
    }
    if BUILTIN_COMMANDS.split(' ').any(|builtin| builtin == name) {
        return Err(ApiError::bad_request("Reserved command name"));
    }
    Ok(name)
}

/// What the command endpoints need to know about the agency in the path.
struct Room {
    id: Uuid,
    is_dm: bool,
    is_lobby: bool,
    owner: Option<Uuid>,
    caller_is_member: bool,
}

impl Room {
    /// The agency named by the path (404 when unknown or not a UUID).
    fn find(app: &App, raw: &str, caller: Uuid) -> ApiResult<Room> {
        let id = parse_id(raw, "Agency")?;
        app.store
            .read(|w| {
                w.agencies.get(&id).map(|a| Room {
                    id,
                    is_dm: a.is_dm,
                    is_lobby: id == w.lobby_id,
                    owner: a.owner_id,
                    caller_is_member: a.is_member(caller),
                })
            })
            .ok_or_else(|| ApiError::not_found("Agency not found"))
    }

    /// Not a DM room: every endpoint naming one answers 403 (§22).
    fn not_dm(&self) -> ApiResult<()> {
        if self.is_dm {
            return Err(ApiError::forbidden(
                "Commands are not available in direct messages",
            ));
        }
        Ok(())
    }

    /// Neither a DM room (§22) nor the Lobby (§15.1): where commands may be created.
    fn holds_commands(&self) -> ApiResult<()> {
        self.not_dm()?;
        if self.is_lobby {
            return Err(ApiError::forbidden(
                "Commands are not available in the Lobby",
            ));
        }
        Ok(())
    }

    fn owner_only(&self, who: &Principal) -> ApiResult<()> {
        if self.owner == Some(who.user_id) {
            return Ok(());
        }
        Err(ApiError::forbidden(
            "Only the agency owner can manage commands",
        ))
    }

    /// The command `raw` of this agency (404 otherwise).
    fn command(&self, w: &World, raw: &str) -> ApiResult<Command> {
        let id = parse_id(raw, "Command")?;
        w.commands
            .get(&id)
            .filter(|c| c.agency_id == self.id)
            .cloned()
            .ok_or_else(|| ApiError::not_found("Command not found"))
    }
}

/// The create / update fields of a command, validated; `None` = not sent.
#[derive(Default)]
struct Fields {
    name: Option<String>,
    url: Option<String>,
    description: Option<Option<String>>,
    creator: Option<String>,
    metadata: Option<Option<Map<String, Value>>>,
    permission: Option<String>,
    whitelist: Option<Vec<String>>,
}

impl Fields {
    /// Validates every field sent; the URL goes through the SSRF guard (which trims it).
    async fn read(app: &App, body: &Body) -> ApiResult<Fields> {
        let name = body
            .opt_str("name")?
            .map(|raw| normalise_command_name(&raw))
            .transpose()?;
        let description = body
            .has("description")
            .then(|| body.opt_str("description"))
            .transpose()?;
        if let Some(Some(text)) = &description {
            check_len("description", text, 0, 200)?;
        }
        let creator = body
            .opt_str("creator")?
            .map(|raw| creator_of(app, &raw))
            .transpose()?;
        let metadata = explore_metadata(body)?;
        let permission = body.opt_str("invoke_permission")?;
        if let Some(permission) = &permission {
            check_permission("invoke_permission", permission)?;
        }
        let whitelist = body.opt_str_list("invoke_whitelist")?;
        let url = match body.opt_str_any(&["webhookUrl", "webhook_url"])? {
            Some(raw) => Some(ssrf::check_at_save(app, &raw).await?),
            None => None,
        };
        Ok(Fields {
            name,
            url,
            description,
            creator,
            metadata,
            permission,
            whitelist,
        })
    }

    /// Metadata sent with this request (not a clear).
    fn sent_metadata(&self) -> Option<&Map<String, Value>> {
        self.metadata.as_ref().and_then(Option::as_ref)
    }
}

/// `creator` must name an existing user; stored as `@<username>` (§15.1).
fn creator_of(app: &App, raw: &str) -> ApiResult<String> {
    app.store
        .read(|w| {
            w.user_by_name(raw.trim())
                .map(|u| format!("@{}", u.username))
        })
        .ok_or_else(|| ApiError::bad_request("creator must name an existing user"))
}

/// `explore_metadata`: absent, null (clear), or an object (or a string holding one) whose six
/// known keys are strings in their formats; other keys are dropped.
fn explore_metadata(body: &Body) -> ApiResult<Option<Option<Map<String, Value>>>> {
    let invalid = || ApiError::bad_request("explore_metadata must be a JSON object");
    let object = match body.get("explore_metadata") {
        None => return Ok(None),
        Some(Value::Null) => return Ok(Some(None)),
        Some(Value::Object(map)) => map.clone(),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            _ => return Err(invalid()),
        },
        Some(_) => return Err(invalid()),
    };
    let mut kept = Map::new();
    for key in METADATA_KEYS.split(' ') {
        let text = match object.get(key) {
            None | Some(Value::Null) => continue,
            Some(Value::String(text)) => text,
            Some(_) => {
                return Err(ApiError::bad_request(format!(
                    "explore_metadata.{key} must be a string"
                )));
            }
        };
        check_hook_text(&format!("explore_metadata.{key}"), key, text)?;
        kept.insert(key.to_owned(), json!(text));
    }
    Ok(Some(Some(kept)))
}

fn meta<'a>(metadata: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a str> {
    metadata.and_then(|m| m.get(key)).and_then(Value::as_str)
}

/// What a new hook is made from: the command it is published with and its metadata.
struct Seed<'a> {
    name: &'a str,
    description: Option<&'a str>,
    creator: &'a str,
    metadata: Option<&'a Map<String, Value>>,
}

fn new_webhook_hook(url: &str, who: &Principal, seed: &Seed<'_>, now: i64) -> Hook {
    let mut hook = Hook {
        id: Uuid::new_v4(),
        webhook_url: Some(url.to_owned()),
        name: seed.name.to_owned(),
        slug: None,
        at_name: None,
        description: seed.description.map(str::to_owned),
        creator: seed.creator.to_owned(),
        creator_id: who.user_id,
        default_invoke_permission: "open".into(),
        enabled: true,
        source_type: HookSourceType::Webhook,
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
    if let Some(metadata) = seed.metadata {
        describe_hook(&mut hook, metadata, now);
    }
    hook
}

/// 409 when a hook other than `except` holds the metadata's `slug` or `at_name`.
fn names_free(
    w: &World,
    metadata: Option<&Map<String, Value>>,
    except: Option<Uuid>,
) -> ApiResult<()> {
    ensure_names_free(w, meta(metadata, "slug"), meta(metadata, "at_name"), except)
}

/// Checks the names of metadata sent for a command linked to `hook` (409 when another hook
/// holds them) and, when the caller created that hook, applies the metadata to it.
fn touch_hook(
    w: &mut World,
    who: &Principal,
    hook: Option<Uuid>,
    metadata: Option<&Map<String, Value>>,
    now: i64,
) -> ApiResult<()> {
    let Some(metadata) = metadata else {
        return Ok(());
    };
    names_free(w, Some(metadata), hook)?;
    if let Some(hook) = hook.and_then(|id| w.hooks.get_mut(&id))
        && hook.creator_id == who.user_id
    {
        describe_hook(hook, metadata, now);
    }
    Ok(())
}

/// The hook a command publishing `url` links to: the URL's hook, or a new one created with
/// the caller as creator, whose key is returned (the only time it is shown).
fn link_hook(
    w: &mut World,
    creds: &Credentials,
    who: &Principal,
    url: &str,
    seed: &Seed<'_>,
    now: i64,
) -> ApiResult<(Uuid, Option<String>)> {
    if let Some(existing) = w.hook_by_url(url).map(|h| h.id) {
        touch_hook(w, who, Some(existing), seed.metadata, now)?;
        return Ok((existing, None));
    }
    names_free(w, seed.metadata, None)?;
    let (id, key) = insert_new_hook(w, creds, who, url, seed, now);
    Ok((id, Some(key)))
}

/// Creates the hook of `url` with the caller as creator; returns its ID and key.
fn insert_new_hook(
    w: &mut World,
    creds: &Credentials,
    who: &Principal,
    url: &str,
    seed: &Seed<'_>,
    now: i64,
) -> (Uuid, String) {
    let mut hook = new_webhook_hook(url, who, seed, now);
    let key = issue_key(creds, &mut hook);
    let id = hook.id;
    w.hooks.insert(id, hook);
    (id, key)
}

fn not_hook_creator() -> ApiError {
    ApiError::forbidden("Only the hook's creator can manage its key")
}

fn name_taken(w: &World, agency: Uuid, name: &str, except: Option<Uuid>) -> bool {
    w.commands
        .values()
        .any(|c| c.agency_id == agency && c.name == name && Some(c.id) != except)
}

fn duplicate_name() -> ApiError {
    ApiError::conflict("A command with this name already exists in this agency")
}

/// A command answer, with `hookKey` when a hook was created for it.
fn command_answer(command: &Command, key: Option<String>) -> Value {
    let mut value = views::command(command);
    if let Some(key) = key {
        value["hookKey"] = json!(key);
    }
    value
}

async fn list(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let room = Room::find(&app, &id, who.user_id)?;
    if room.is_lobby {
        return Ok(Json(json!([])));
    }
    room.holds_commands()?;
    if !room.caller_is_member {
        return Err(ApiError::forbidden("Not a member of this agency"));
    }
    let mut commands: Vec<Command> = app.store.read(|w| {
        w.commands
            .values()
            .filter(|c| c.agency_id == room.id)
            .cloned()
            .collect()
    });
    commands.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Json(Value::Array(
        commands.iter().map(views::command).collect(),
    )))
}

async fn create(
    State(app): State<App>,
    Path(id): Path<String>,
    req: ApiRequest,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    let room = Room::find(&app, &id, who.user_id)?;
    room.holds_commands()?;
    room.owner_only(&who)?;
    let fields = Fields::read(&app, &body).await?;
    let name = fields
        .name
        .clone()
        .ok_or_else(|| ApiError::bad_request("name is required"))?;
    let url = fields
        .url
        .clone()
        .ok_or_else(|| ApiError::bad_request("webhookUrl is required"))?;
    let description = fields.description.clone().flatten();
    let creator = fields
        .creator
        .clone()
        .unwrap_or_else(|| format!("@{}", who.username));
    let creds = app.store.credentials();
    let now = app.now();
    let answer = app.store.write(|w| {
        if !w.agencies.contains_key(&room.id) {
            return Err(ApiError::not_found("Agency not found"));
        }
        if name_taken(w, room.id, &name, None) {
            return Err(duplicate_name());
        }
        let seed = Seed {
            name: &name,
            description: description.as_deref(),
            creator: &creator,
            metadata: fields.sent_metadata(),
        };
        let (hook_id, key) = link_hook(w, creds, &who, &url, &seed, now)?;
        let command = Command {
            id: Uuid::new_v4(),
            agency_id: room.id,
            name: name.clone(),
            description: description.clone(),
            webhook_url: url.clone(),
            creator: creator.clone(),
            explore_metadata: fields.sent_metadata().cloned().map(Value::Object),
            invoke_permission: fields.permission.clone().unwrap_or_else(|| "open".into()),
            invoke_whitelist: fields.whitelist.clone().unwrap_or_default(),
            hook_id: Some(hook_id),
            created_at: now,
        };
        let answer = command_answer(&command, key);
        w.commands.insert(command.id, command);
        Ok(answer)
    })?;
    Ok((StatusCode::CREATED, Json(answer)))
}

async fn update(
    State(app): State<App>,
    Path((id, command_id)): Path<(String, String)>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let body = req.json()?;
    let room = Room::find(&app, &id, who.user_id)?;
    room.not_dm()?;
    app.store.read(|w| room.command(w, &command_id))?;
    room.owner_only(&who)?;
    let fields = Fields::read(&app, &body).await?;
    let creds = app.store.credentials();
    let now = app.now();
    app.store.write(|w| {
        let mut command = room.command(w, &command_id)?;
        if let Some(name) = &fields.name {
            if name_taken(w, room.id, name, Some(command.id)) {
                return Err(duplicate_name());
            }
            command.name = name.clone();
        }
        if let Some(description) = &fields.description {
            command.description = description.clone();
        }
        if let Some(creator) = &fields.creator {
            command.creator = creator.clone();
        }
        let mut key = None;
        match fields
            .url
            .as_ref()
            .filter(|url| **url != command.webhook_url)
        {
            Some(url) => {
                let seed = Seed {
                    name: &command.name,
                    description: command.description.as_deref(),
                    creator: &command.creator,
                    metadata: fields.sent_metadata(),
                };
                let (hook_id, new_key) = link_hook(w, creds, &who, url, &seed, now)?;
                command.hook_id = Some(hook_id);
                command.webhook_url = url.clone();
                key = new_key;
            }
            None => touch_hook(w, &who, command.hook_id, fields.sent_metadata(), now)?,
        }
        if let Some(metadata) = &fields.metadata {
            command.explore_metadata = metadata.clone().map(Value::Object);
        }
        if let Some(permission) = &fields.permission {
            command.invoke_permission = permission.clone();
        }
        if let Some(whitelist) = &fields.whitelist {
            command.invoke_whitelist = whitelist.clone();
        }
        let answer = command_answer(&command, key);
        w.commands.insert(command.id, command);
        Ok(Json(answer))
    })
}

async fn remove(
    State(app): State<App>,
    Path((id, command_id)): Path<(String, String)>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let room = Room::find(&app, &id, who.user_id)?;
    room.not_dm()?;
    app.store.read(|w| room.command(w, &command_id))?;
    room.owner_only(&who)?;
    app.store.write(|w| {
        let command = room.command(w, &command_id)?;
        w.commands.remove(&command.id);
        Ok(Json(views::ok()))
    })
}

/// A new key for the command's hook (its creator only). A command whose hook was revoked
/// gets a hook again when the agency owner asks: the URL's hook if the caller created it,
/// else a new one with the caller as creator (§15.2, row 60).
async fn issue_hook_key(
    State(app): State<App>,
    Path((id, command_id)): Path<(String, String)>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let room = Room::find(&app, &id, who.user_id)?;
    room.not_dm()?;
    let creds = app.store.credentials();
    let now = app.now();
    let key = app.store.write(|w| {
        let command = room.command(w, &command_id)?;
        if let Some(hook) = command.hook_id.and_then(|id| w.hooks.get_mut(&id)) {
            if hook.creator_id != who.user_id {
                return Err(not_hook_creator());
            }
            hook.updated_at = now;
            return Ok(issue_key(creds, hook));
        }
        room.owner_only(&who)?;
        let existing = w
            .hook_by_url(&command.webhook_url)
            .map(|h| (h.id, h.creator_id));
        let (hook_id, key) = match existing {
            Some((_, creator)) if creator != who.user_id => {
                return Err(not_hook_creator());
            }
            Some((hook_id, _)) => {
                let hook = w
                    .hooks
                    .get_mut(&hook_id)
                    .ok_or_else(|| ApiError::not_found("Hook not found"))?;
                hook.updated_at = now;
                (hook_id, issue_key(creds, hook))
            }
            None => {
                let metadata = recreated_metadata(w, &command);
                let seed = Seed {
                    name: &command.name,
                    description: command.description.as_deref(),
                    creator: &command.creator,
                    metadata: metadata.as_ref(),
                };
                insert_new_hook(w, creds, &who, &command.webhook_url, &seed, now)
            }
        };
        if let Some(command) = w.commands.get_mut(&command.id) {
            command.hook_id = Some(hook_id);
        }
        Ok(key)
    })?;
    Ok(Json(json!({ "hookKey": key })))
}

/// A command's stored explore metadata, for a recreated hook: without `slug` and `at_name`
/// when another hook now holds either.
fn recreated_metadata(w: &World, command: &Command) -> Option<Map<String, Value>> {
    let Some(Value::Object(mut metadata)) = command.explore_metadata.clone() else {
        return None;
    };
    if names_free(w, Some(&metadata), None).is_err() {
        metadata.remove("slug");
        metadata.remove("at_name");
    }
    Some(metadata)
}

/// Clears the key of the command's hook (its creator only); the hook stays (§15.2).
async fn clear_hook_key(
    State(app): State<App>,
    Path((id, command_id)): Path<(String, String)>,
    req: ApiRequest,
) -> ApiResult<Json<Value>> {
    let who = authenticate(&app, &req, Allowed::Anyone)?;
    let room = Room::find(&app, &id, who.user_id)?;
    room.not_dm()?;
    let creds = app.store.credentials();
    let now = app.now();
    app.store.write(|w| {
        let command = room.command(w, &command_id)?;
        let hook = command
            .hook_id
            .and_then(|id| w.hooks.get_mut(&id))
            .ok_or_else(|| ApiError::not_found("Command has no hook"))?;
        if hook.creator_id != who.user_id {
            return Err(not_hook_creator());
        }
        if let Some(hash) = hook.key_hash.take() {
            creds.hook_keys.remove(&hash);
        }
        hook.updated_at = now;
        Ok(Json(views::ok()))
    })
}
