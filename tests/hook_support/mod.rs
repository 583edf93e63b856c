//! Setup shared by the hook and command tests: agencies, memberships, DM rooms and agents made
//! directly in the store (their routes belong to other modules), the store's message history,
//! publishing a command for a hook key, and the `crustocean_hooks_active` gauge.
#![allow(dead_code)] // each test file uses its own subset of these helpers

use super::common::*;
use serde_json::{Value, json};
use std::sync::Arc;
use tidegauge::server::cascade;
use tidegauge::server::store::credentials::hash_secret;
use tidegauge::server::store::messages::Cursor;
use tidegauge::server::store::{AgentConfig, AgentInfo, Message, Role, Store, User, UserKind};
use uuid::Uuid;

pub fn uid(value: &Value) -> Uuid {
    Uuid::parse_str(value["id"].as_str().expect("an id")).expect("a UUID")
}

/// An agency owned by `owner`, made in the store.
pub fn new_agency(server: &Server, owner: &Value) -> String {
    let (id, name) = (Uuid::new_v4(), unique("tg_agency_"));
    let now = server.running.app.now();
    server.running.app.store.write(|w| {
        let agency =
            cascade::new_agency(id, &name, &cascade::slugify(&name), Some(uid(owner)), now);
        w.slugs.insert(agency.slug.clone(), id);
        w.agencies.insert(id, agency);
    });
    id.to_string()
}

pub fn join(server: &Server, agency: &str, user: Uuid) {
    let (id, now) = (Uuid::parse_str(agency).unwrap(), server.running.app.now());
    server.running.app.store.write(|w| {
        w.agencies
            .get_mut(&id)
            .unwrap()
            .add_member(user, Role::Member, now);
    });
}

/// A DM room between two users, made in the store.
pub fn dm(server: &Server, a: &Value, b: &Value) -> String {
    let (id, now) = (Uuid::new_v4(), server.running.app.now());
    server.running.app.store.write(|w| {
        let mut room = cascade::new_agency(id, "dm", &format!("dm-{id}"), None, now);
        room.is_dm = true;
        room.add_member(uid(a), Role::Member, now);
        room.add_member(uid(b), Role::Member, now);
        w.agencies.insert(id, room);
    });
    id.to_string()
}

/// An agent made in the store (as `POST /api/agents` would); returns (id, username, token).
pub fn store_agent(server: &Server, owner: Uuid, verified: bool) -> (Uuid, String, String) {
    let (id, name) = (Uuid::new_v4(), unique("tgagent"));
    let token = format!("sk_{}", Uuid::new_v4().simple());
    let now = server.running.app.now();
    let info = AgentInfo {
        name: name.clone(),
        owner_id: Some(owner),
        verified,
        persona: None,
        config: AgentConfig::default(),
        token: token.clone(),
        claim_code: None,
        claimed: false,
    };
    server.running.app.store.write(|w| {
        w.usernames.insert(name.to_lowercase(), id);
        w.users.insert(
            id,
            User {
                id,
                username: name.clone(),
                display_name: name.clone(),
                avatar: None,
                banner: None,
                description: None,
                theme: "default".into(),
                font: "default".into(),
                kind: UserKind::Agent,
                created_at: now,
                password: None,
                agent: Some(info),
            },
        );
    });
    let creds = server.running.app.store.credentials();
    creds.agent_tokens.insert(hash_secret(&token), id);
    (id, name, token)
}

/// The agency's stored messages, newest first.
pub fn history(server: &Server, agency: &str) -> Vec<Arc<Message>> {
    let log = server
        .running
        .app
        .store
        .rooms()
        .log(Uuid::parse_str(agency).unwrap());
    let page = log.read().page(Cursor::Newest, 10_000, |_| true);
    page.unwrap_or_default()
}

/// Publishes a command with a fresh URL; returns the command JSON (with `hookKey`).
pub async fn publish(server: &Server, owner: &Cred, agency: &str, extra: Value) -> Value {
    let mut body = json!({"name": unique("cmd"), "webhookUrl": url()});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let path = format!("/api/custom-commands/{agency}/commands");
    server.post(&path, owner, body).await.expect(201).clone()
}

pub async fn hooks_active(server: &Server) -> i64 {
    server.advance(30).await;
    let text = server.metrics().await;
    let line = text
        .lines()
        .find(|l| l.starts_with("crustocean_hooks_active "))
        .expect("the gauge is exposed");
    line.rsplit(' ').next().unwrap().parse::<f64>().unwrap() as i64
}

pub async fn patch(server: &Server, path: &str, cred: &Cred, body: Value) -> Answer {
    server.call("PATCH", path, cred, Some(body)).await
}

pub async fn post_message(server: &Server, key: &Cred, agency: &str, content: &str) -> Answer {
    let body = json!({"agencyId": agency, "content": content});
    server.post("/api/hooks/messages", key, body).await
}

pub fn lobby(server: &Server) -> String {
    server.running.app.store.read(|w| w.lobby_id.to_string())
}

/// `GET /api/hooks/agencies` with a raw hook key.
pub async fn hook_agencies(server: &Server, key: &str) -> Answer {
    server
        .get("/api/hooks/agencies", &Cred::HookKey(key.to_owned()))
        .await
}
