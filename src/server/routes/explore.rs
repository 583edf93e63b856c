//! Explore, platform commands and wallet reads (endpoints.md §14, §23, rows 48–55): the four
//! Explore lists (credential optional: one that does not resolve is anonymous, never 401),
//! the capabilities, the wallet lookup by username, the built-in command list and the
//! caller's wallet. The reference server has no wallets (§3.15). Only the agency list depends
//! on the caller (`isMember`), so only it resolves the optional credential.

use crate::server::App;
use crate::server::auth::{Allowed, authenticate, authenticate_optional};
use crate::server::error::{ApiError, ApiResult};
use crate::server::faults::Fault;
use crate::server::request::ApiRequest;
use crate::server::store::{Store, User};
use crate::server::views;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use std::cmp::Reverse;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/api/explore/agencies", get(agencies))
        .route("/api/explore/agents", get(agents))
        .route("/api/explore/users", get(users))
        .route("/api/explore/webhooks", get(webhooks))
        .route("/api/explore/capabilities", get(capabilities))
        .route("/api/explore/wallet/{username}", get(wallet_of))
        .route("/api/commands", get(platform_commands))
        .route("/api/wallet", get(wallet))
}

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;

/// A non-negative decimal integer (saturating, so that a huge `limit` is clamped, not refused).
fn count(raw: &str) -> Option<usize> {
    let raw = raw.trim();
    let digits = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit());
    digits.then(|| raw.parse::<usize>().unwrap_or(usize::MAX))
}

/// `q`, `limit` and `offset` of an Explore list (§14).
struct Page {
    /// Lower-cased; `None` when absent or blank.
    q: Option<String>,
    limit: usize,
    offset: usize,
}

impl Page {
    /// `limit` 1–100 (clamped above 100, default 20), `offset` ≥ 0 (default 0); else 400.
    fn parse(req: &ApiRequest) -> ApiResult<Page> {
        let limit = match req.query("limit").map(count) {
            None => DEFAULT_LIMIT,
            Some(Some(n)) if n >= 1 => n.min(MAX_LIMIT),
            Some(_) => {
                return Err(ApiError::bad_request(
                    "limit must be an integer from 1 to 100",
                ));
            }
        };
        let offset = match req.query("offset").map(count) {
            None => 0,
            Some(Some(n)) => n,
            Some(None) => {
                return Err(ApiError::bad_request(
                    "offset must be a non-negative integer",
                ));
            }
        };
        let q = req
            .query("q")
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty());
        Ok(Page { q, limit, offset })
    }

    /// Whether any of `fields` contains `q` (case-insensitive); true without `q`.
    fn matches<'a>(&self, fields: impl IntoIterator<Item = Option<&'a str>>) -> bool {
        let Some(q) = &self.q else { return true };
        fields
            .into_iter()
            .flatten()
            .any(|field| field.to_lowercase().contains(q.as_str()))
    }

    fn slice<T>(&self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .collect()
    }
}

/// `GET /api/explore/agencies`: public agencies (Lobby included, DMs never), most members
/// first, then by name; `isMember` only for a known caller.
async fn agencies(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let caller = authenticate_optional(&app, &req).map(|p| p.user_id);
    let page = Page::parse(&req)?;
    let extra = usize::from(app.fault(Fault::MemberCountOffByOne));
    let list = app.store.read(|w| {
        let mut found: Vec<_> = w
            .agencies
            .values()
            .filter(|a| !a.is_private && !a.is_dm)
            .filter(|a| page.matches([Some(a.name.as_str()), Some(a.slug.as_str())]))
            .collect();
        found.sort_by(|a, b| {
            (Reverse(a.members.len()), &a.name, a.id).cmp(&(
                Reverse(b.members.len()),
                &b.name,
                b.id,
            ))
        });
        page.slice(found)
            .into_iter()
            .map(|a| views::agency(a, caller, extra))
            .collect::<Vec<_>>()
    });
    Ok(Json(json!({"agencies": list})))
}

/// Users (all, or agents only) matching `q`, newest first (ties by ID), one page of them.
fn newest_users(app: &App, page: &Page, agents_only: bool, view: fn(&User) -> Value) -> Vec<Value> {
    app.store.read(|w| {
        let mut found: Vec<&User> = w
            .users
            .values()
            .filter(|u| !agents_only || u.agent.is_some())
            .filter(|u| {
                page.matches([
                    Some(u.username.as_str()),
                    Some(u.display_name.as_str()),
                    u.agent.as_ref().map(|a| a.name.as_str()),
                ])
            })
            .collect();
        found.sort_by_key(|u| (Reverse(u.created_at), u.id));
        page.slice(found).into_iter().map(view).collect()
    })
}

/// `GET /api/explore/agents`: every agent as an AgentCard, newest first.
async fn agents(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let page = Page::parse(&req)?;
    Ok(Json(
        json!({"agents": newest_users(&app, &page, true, views::agent_card)}),
    ))
}

/// `GET /api/explore/users`: humans and agents as UserCards, newest first.
async fn users(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let page = Page::parse(&req)?;
    Ok(Json(
        json!({"users": newest_users(&app, &page, false, views::user_ref)}),
    ))
}

/// `GET /api/explore/webhooks`: enabled hooks that have a slug (installable), by name.
async fn webhooks(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    let page = Page::parse(&req)?;
    let list = app.store.read(|w| {
        let mut found: Vec<_> = w
            .hooks
            .values()
            .filter(|h| h.enabled && h.slug.is_some())
            .filter(|h| {
                page.matches([
                    Some(h.name.as_str()),
                    h.slug.as_deref(),
                    h.description.as_deref(),
                ])
            })
            .collect();
        found.sort_by(|a, b| (&a.name, &a.slug, a.id).cmp(&(&b.name, &b.slug, b.id)));
        page.slice(found)
            .into_iter()
            .map(|h| views::hook(w, h))
            .collect::<Vec<_>>()
    });
    Ok(Json(json!({"webhooks": list})))
}

/// `GET /api/explore/capabilities`: no wallets, no x402, hook transparency on.
async fn capabilities() -> Json<Value> {
    Json(json!({
        "wallets": false,
        "network": null,
        "token": "USDC",
        "x402": false,
        "hookTransparency": true,
    }))
}

/// `GET /api/explore/wallet/:username`: `{username, address: null}`; unknown user 404.
async fn wallet_of(State(app): State<App>, Path(username): Path<String>) -> ApiResult<Json<Value>> {
    let username = app
        .store
        .read(|w| w.user_by_name(&username).map(|u| u.username.clone()))
        .ok_or_else(|| ApiError::not_found("User not found"))?;
    Ok(Json(json!({"username": username, "address": null})))
}

/// The built-in chat commands, by the names the official clients use (§14).
const BUILTIN_COMMANDS: [(&str, &str); 15] = [
    ("help", "List the available commands"),
    ("echo", "Repeat a message back"),
    ("roll", "Roll dice, e.g. /roll 2d6"),
    ("who", "List who is in the agency"),
    ("custom", "List the agency's custom commands"),
    ("notes", "List your saved notes"),
    ("save", "Save a note"),
    ("get", "Show a saved note"),
    ("clearnote", "Delete a saved note"),
    ("checkin", "Check in for the day"),
    ("price", "Show a token price"),
    ("hook", "Manage and inspect hooks"),
    ("agent", "Manage your agents"),
    ("boot", "Remove a member from the agency"),
    ("agency", "Manage the agency"),
];

/// `GET /api/commands`: a bare array of PlatformCommand.
async fn platform_commands() -> Json<Value> {
    let list: Vec<Value> = BUILTIN_COMMANDS
        .iter()
        .map(|(name, description)| {
            json!({"name": name, "description": description, "type": "builtin"})
        })
        .collect();
    Json(Value::Array(list))
}

/// `GET /api/wallet`: WalletInfo of a caller without a wallet.
async fn wallet(State(app): State<App>, req: ApiRequest) -> ApiResult<Json<Value>> {
    authenticate(&app, &req, Allowed::Anyone)?;
    Ok(Json(json!({
        "hasWallet": false,
        "address": null,
        "network": null,
        "balances": null,
        "explorer": null,
        "spendingConfig": null,
    })))
}
