//! Storing chat messages and what follows from them: `post` stamps a message with a
//! room-unique `createdAt` (endpoints.md §8.2), caches its JSON, fires `message.created`, and
//! for hook messages calls the response webhooks of the member agents it @mentions (§19.2),
//! asynchronously and never delaying the answer. Agent replies never trigger further calls.

use super::App;
use super::events::{self, message_payload};
use super::faults::Fault;
use super::outbound::{CallError, SIGNATURE_HEADER, signature, verify_signature};
use super::store::messages::mentions;
use super::store::{Message, Store};
use super::views;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use uuid::Uuid;

const RESPONSE_WEBHOOK_TIMEOUT: Duration = Duration::from_secs(30);

/// What the caller decides about a new message; the rest is stamped by `post`.
pub struct Draft {
    pub agency_id: Uuid,
    pub author_id: String,
    pub sender_username: String,
    pub sender_display_name: String,
    pub sender_type: &'static str,
    pub content: String,
    pub kind: String,
    pub metadata: Value,
    pub dm: bool,
    pub hook_id: Option<Uuid>,
}

fn content_key(app: &App) -> &'static str {
    if app.fault(Fault::FieldRenamed) {
        "text"
    } else {
        "content"
    }
}

fn build(app: &App, draft: &Draft, created_at: i64) -> Arc<Message> {
    let mut message = Message {
        id: Uuid::new_v4(),
        agency_id: draft.agency_id,
        author_id: draft.author_id.clone(),
        sender_username: draft.sender_username.clone(),
        sender_display_name: draft.sender_display_name.clone(),
        sender_type: draft.sender_type,
        content: draft.content.clone(),
        kind: draft.kind.clone(),
        metadata: draft.metadata.clone(),
        dm: draft.dm,
        hook_id: draft.hook_id,
        created_at,
        updated_at: created_at,
        json: Default::default(),
    };
    message.json = views::message_json(&message, content_key(app));
    Arc::new(message)
}

/// A hook-message request being handled (only counted under the
/// `concurrent-post-duplicates` fault, whose duplicates need to know of concurrent posts).
pub struct PostInFlight(App);

impl PostInFlight {
    pub fn enter(app: &App) -> PostInFlight {
        app.posts_in_flight.fetch_add(1, Ordering::SeqCst);
        PostInFlight(App::clone(app))
    }
}

impl Drop for PostInFlight {
    fn drop(&mut self) {
        self.0.posts_in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Stores a message and fires its consequences; returns the stored message.
pub fn post(app: &App, draft: Draft) -> Arc<Message> {
    let in_flight = app.posts_in_flight.load(Ordering::SeqCst);
    let log = app.store.rooms().log(draft.agency_id);
    let message = {
        let mut log = log.write();
        let message = build(app, &draft, log.next_timestamp(app.now()));
        log.push(Arc::clone(&message));
        app.store.rooms().index(message.id, message.agency_id);
        if in_flight > 1 && app.fault(Fault::ConcurrentPostDuplicates) {
            let copy = build(app, &draft, log.next_timestamp(app.now()));
            log.push(Arc::clone(&copy));
            app.store.rooms().index(copy.id, copy.agency_id);
        }
        message
    };
    events::emit(
        app,
        message.agency_id,
        "message.created",
        json!({"message": message_payload(&message)}),
    );
    if message.sender_type == "system" {
        call_mentioned_agents(app, &message);
    }
    message
}

/// Applies an edit (new content and/or metadata) and fires `message.updated`.
pub fn edit(
    app: &App,
    current: &Message,
    content: Option<String>,
    metadata: Option<Value>,
) -> Arc<Message> {
    let mut updated = current.clone();
    if let Some(content) = content {
        updated.content = content;
    }
    if let Some(metadata) = metadata {
        updated.metadata = metadata;
    }
    updated.updated_at = app.now().max(current.created_at);
    updated.json = views::message_json(&updated, content_key(app));
    let updated = Arc::new(updated);
    app.store
        .rooms()
        .log(current.agency_id)
        .write()
        .replace(Arc::clone(&updated));
    events::emit(
        app,
        updated.agency_id,
        "message.updated",
        json!({"message": message_payload(&updated)}),
    );
    updated
}

/// A member agent to call: its ID, token, webhook URL and secret, and the request body.
struct Call {
    agent_id: Uuid,
    username: String,
    display_name: String,
    token: String,
    url: String,
    secret: Option<String>,
    body: Vec<u8>,
}

fn mentioned_calls(app: &App, message: &Message) -> Vec<Call> {
    app.store.read(|w| {
        let Some(agency) = w.agencies.get(&message.agency_id) else { return Vec::new() };
        agency
            .members
            .iter()
            .filter_map(|m| w.users.get(&m.user_id))
            .filter_map(|u| Some((u, u.agent.as_ref()?)))
            .filter(|(u, _)| mentions(&message.content, &u.username))
            .filter_map(|(u, agent)| {
                let url = agent.config.response_webhook_url.clone()?;
                let body = json!({
                    "agent": {
                        "id": u.id, "username": u.username, "displayName": u.display_name,
                        "persona": agent.persona,
                        "config": {
                            "role": agent.config.role, "personality": agent.config.personality,
                            "interaction_style": agent.config.interaction_style,
                            "expertise_level": agent.config.expertise_level,
                        },
                    },
                    "message": serde_json::from_slice::<Value>(&message.json).unwrap_or_default(),
                    "agency": {"id": agency.id, "name": agency.name, "slug": agency.slug, "charter": agency.charter},
                    "agencyCharter": agency.charter,
                });
                Some(Call {
                    agent_id: u.id,
                    username: u.username.clone(),
                    display_name: u.display_name.clone(),
                    token: agent.token.clone(),
                    url,
                    secret: agent.config.response_webhook_secret.clone(),
                    body: serde_json::to_vec(&body).expect("a JSON value serialises"),
                })
            })
            .collect()
    })
}

fn call_mentioned_agents(app: &App, message: &Message) {
    for call in mentioned_calls(app, message) {
        tokio::spawn(call_agent(app.clone(), message.agency_id, call));
    }
}

/// The text to post for a signed 200 reply: `error` first, then `content` (§19.2).
fn reply_text(reply: &Value) -> Option<(String, bool)> {
    let non_empty = |key| {
        reply
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    if let Some(error) = non_empty("error") {
        return Some((error.to_owned(), false));
    }
    non_empty("content").map(|content| (content.to_owned(), true))
}

async fn call_agent(app: App, agency_id: Uuid, call: Call) {
    let mut headers = Vec::new();
    if let Some(secret) = &call.secret {
        headers.push((SIGNATURE_HEADER, signature(secret, &call.body)));
    }
    let started = Instant::now();
    let result = app
        .outbound
        .post(
            &app,
            &call.url,
            call.body,
            headers,
            RESPONSE_WEBHOOK_TIMEOUT,
        )
        .await;
    let observe = || {
        app.metrics
            .agent_response_duration
            .with_label_values(&["webhook"])
            .observe(started.elapsed().as_secs_f64())
    };
    let posted = match result {
        Err(CallError::Refused(_)) => None,
        Err(CallError::Failed(_)) => {
            observe();
            None
        }
        Ok(reply) => {
            observe();
            let signed = reply
                .headers
                .get(SIGNATURE_HEADER)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|sig| verify_signature(&call.token, &reply.body, sig));
            let parsed = serde_json::from_slice::<Value>(&reply.body).ok();
            match (
                reply.status == 200 && signed,
                parsed.as_ref().and_then(reply_text),
            ) {
                (true, Some(text)) => Some(text),
                _ => None,
            }
        }
    };
    let status = match &posted {
        Some((_, true)) => "success",
        _ => "error",
    };
    app.metrics
        .agent_responses
        .with_label_values(&["webhook", status])
        .inc();
    if let Some((text, _)) = posted {
        app.metrics
            .messages_sent
            .with_label_values(&["agent"])
            .inc();
        post(
            &app,
            Draft {
                agency_id,
                author_id: call.agent_id.to_string(),
                sender_username: call.username,
                sender_display_name: call.display_name,
                sender_type: "agent",
                content: text,
                kind: "chat".into(),
                metadata: json!({}),
                dm: false,
                hook_id: None,
            },
        );
    }
}
