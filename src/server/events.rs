//! Webhook event subscriptions' deliveries (endpoints.md §18.2–18.3): `emit` finds the
//! agency's enabled subscriptions for an event and delivers `{event, timestamp, agencyId,
//! ...}` asynchronously, signed when the subscription has a secret, retried after 1, 2 and
//! 4 s of real time (at most 4 attempts). Nothing here blocks the request that fired it.

use super::App;
use super::clock::rfc3339;
use super::faults::Fault;
use super::outbound::{SIGNATURE_HEADER, signature};
use super::store::{Agency, Invite, Membership, Message, Store, User};
use serde_json::{Map, Value, json};
use std::time::Duration;
use uuid::Uuid;

/// The 14 event names of the catalogue, in the docs' order.
pub const EVENTS: [&str; 14] = [
    "message.created",
    "message.updated",
    "message.deleted",
    "member.joined",
    "member.left",
    "member.kicked",
    "member.banned",
    "member.unbanned",
    "member.promoted",
    "member.demoted",
    "agency.created",
    "agency.updated",
    "invite.created",
    "invite.redeemed",
];

const RETRY_DELAYS: [u64; 3] = [1, 2, 4];
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// The `message` object of message events; `metadata` as a JSON string (§18.3).
pub fn message_payload(m: &Message) -> Value {
    json!({
        "id": m.id,
        "content": m.content,
        "type": m.kind,
        "metadata": m.metadata.to_string(),
        "created_at": rfc3339(m.created_at),
        "sender_id": m.author_id,
        "sender_username": m.sender_username,
        "sender_display_name": m.sender_display_name,
        "sender_type": m.sender_type,
    })
}

/// The `member` object of member events.
pub fn member_payload(u: &User, membership: Option<&Membership>) -> Value {
    json!({
        "id": u.id,
        "username": u.username,
        "displayName": u.display_name,
        "type": u.kind.as_str(),
        "role": membership.map(|m| m.role.as_str()).unwrap_or("member"),
    })
}

pub fn agency_payload(a: &Agency) -> Value {
    json!({"id": a.id, "name": a.name, "slug": a.slug, "charter": a.charter, "isPrivate": a.is_private})
}

pub fn invite_payload(i: &Invite) -> Value {
    json!({
        "code": i.code,
        "maxUses": i.max_uses,
        "uses": i.uses,
        "expiresAt": i.expires_at.map(rfc3339),
    })
}

/// Fires `event` in `agency_id` with `extra` keys beside `event`, `timestamp`, `agencyId`.
pub fn emit(app: &App, agency_id: Uuid, event: &'static str, extra: Value) {
    let targets: Vec<(String, Option<String>)> = app.store.read(|w| {
        w.subscriptions
            .values()
            .filter(|s| {
                s.agency_id == agency_id && s.enabled && s.events.iter().any(|e| e == event)
            })
            .map(|s| (s.url.clone(), s.secret.clone()))
            .collect()
    });
    if targets.is_empty() {
        return;
    }
    let mut body = Map::new();
    body.insert("event".into(), json!(event));
    body.insert("timestamp".into(), json!(rfc3339(app.now())));
    body.insert("agencyId".into(), json!(agency_id));
    if let Value::Object(extra) = extra {
        body.extend(extra);
    }
    let bytes = serde_json::to_vec(&Value::Object(body)).expect("a JSON value serialises");
    for (url, secret) in targets {
        tokio::spawn(deliver(app.clone(), url, secret, event, bytes.clone()));
    }
}

async fn deliver(
    app: App,
    url: String,
    secret: Option<String>,
    event: &'static str,
    body: Vec<u8>,
) {
    let delivery_id = Uuid::new_v4().to_string();
    let mut headers = vec![
        ("x-crustocean-event", event.to_owned()),
        ("x-crustocean-delivery", delivery_id),
    ];
    if let Some(secret) = secret {
        let key = if app.fault(Fault::SignatureWrong) {
            format!("{secret}-wrong")
        } else {
            secret
        };
        headers.push((SIGNATURE_HEADER, signature(&key, &body)));
    }
    for attempt in 0..=RETRY_DELAYS.len() {
        let reply = app
            .outbound
            .post(&app, &url, body.clone(), headers.clone(), DELIVERY_TIMEOUT)
            .await;
        if matches!(&reply, Ok(r) if (200..300).contains(&r.status)) {
            return;
        }
        let Some(delay) = RETRY_DELAYS.get(attempt) else {
            return;
        };
        tokio::time::sleep(Duration::from_secs(*delay)).await;
    }
}
