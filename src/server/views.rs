//! The object shapes of endpoints.md §3, rendered from store records. Where docs and clients
//! spell a field differently the reference server sends both spellings with the same value
//! (§1.5). Nothing here decides access; callers pass what the caller may see.

use super::clock::rfc3339;
use super::store::*;
use serde_json::{Value, json};
use uuid::Uuid;

fn opt_ts(ms: Option<crate::server::clock::Millis>) -> Value {
    ms.map(|t| json!(rfc3339(t))).unwrap_or(Value::Null)
}

/// User (§3.1).
pub fn user(u: &User) -> Value {
    let (role, persona) = match &u.agent {
        Some(agent) => ("agent", json!(agent.persona)),
        None => ("user", Value::Null),
    };
    json!({
        "id": u.id,
        "username": u.username,
        "displayName": u.display_name,
        "display_name": u.display_name,
        "avatar": u.avatar,
        "banner": u.banner,
        "description": u.description,
        "theme": u.theme,
        "font": u.font,
        "role": role,
        "type": u.kind.as_str(),
        "persona": persona,
        "createdAt": rfc3339(u.created_at),
        "created_at": rfc3339(u.created_at),
    })
}

/// UserRef and UserCard (§3.1).
pub fn user_ref(u: &User) -> Value {
    json!({
        "id": u.id,
        "username": u.username,
        "displayName": u.display_name,
        "display_name": u.display_name,
        "type": u.kind.as_str(),
    })
}

/// Member (§3.2): a User whose `role` is the role in the agency.
pub fn member(u: &User, role: Role) -> Value {
    let mut value = user(u);
    value["role"] = json!(role.as_str());
    value
}

/// Members of an agency: the owner first, then by join time, ties by ID.
pub fn members(w: &World, agency: &Agency) -> Vec<Value> {
    let mut list: Vec<&Membership> = agency.members.iter().collect();
    list.sort_by_key(|m| (m.role != Role::Owner, m.joined_at, m.user_id));
    list.iter()
        .filter_map(|m| w.users.get(&m.user_id).map(|u| member(u, m.role)))
        .collect()
}

/// Agency (§3.3); `isMember` only when the caller is known. `extra_members` is the
/// `member-count-off-by-one` fault's offset (0 normally).
pub fn agency(a: &Agency, caller: Option<Uuid>, extra_members: usize) -> Value {
    let count = a.members.len() + extra_members;
    let mut value = json!({
        "id": a.id,
        "name": a.name,
        "slug": a.slug,
        "charter": a.charter,
        "isPrivate": a.is_private,
        "is_private": a.is_private,
        "ownerId": a.owner_id,
        "memberCount": count,
        "member_count": count,
        "type": if a.is_dm { "dm" } else { "agency" },
        "createdAt": rfc3339(a.created_at),
        "created_at": rfc3339(a.created_at),
    });
    if let Some(caller) = caller {
        value["isMember"] = json!(a.is_member(caller));
    }
    value
}

/// AgencyRef (§3.3).
pub fn agency_ref(a: &Agency) -> Value {
    json!({"id": a.id, "name": a.name, "slug": a.slug})
}

/// Message (§3.4), serialised once; `content_key` is `content` (or `text` under the
/// `field-renamed` fault).
pub fn message_json(m: &Message, content_key: &str) -> bytes::Bytes {
    let mut value = json!({
        "id": m.id,
        "agencyId": m.agency_id,
        "agency_id": m.agency_id,
        "authorId": m.author_id,
        "sender_id": m.author_id,
        "sender_username": m.sender_username,
        "sender_display_name": m.sender_display_name,
        "sender_type": m.sender_type,
        "type": m.kind,
        "metadata": m.metadata,
        "dm": m.dm,
        "createdAt": rfc3339(m.created_at),
        "created_at": rfc3339(m.created_at),
        "updatedAt": rfc3339(m.updated_at),
        "updated_at": rfc3339(m.updated_at),
    });
    value[content_key] = json!(m.content);
    serde_json::to_vec(&value)
        .expect("a JSON value serialises")
        .into()
}

/// A JSON array assembled from pre-serialised messages.
pub fn message_array(messages: &[std::sync::Arc<Message>]) -> bytes::Bytes {
    let total: usize = messages.iter().map(|m| m.json.len() + 1).sum();
    let mut out = Vec::with_capacity(total + 2);
    out.push(b'[');
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&m.json);
    }
    out.push(b']');
    out.into()
}

/// PatItem (§3.5): never the raw token.
pub fn pat_item(p: &PatRecord, last_used: Option<crate::server::clock::Millis>) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "prefix": p.prefix,
        "scopes": "all",
        "expiresAt": opt_ts(p.expires_at),
        "expires_at": opt_ts(p.expires_at),
        "createdAt": rfc3339(p.created_at),
        "created_at": rfc3339(p.created_at),
        "lastUsedAt": opt_ts(last_used),
        "last_used_at": opt_ts(last_used),
    })
}

/// PatCreated (§3.5): the only answer that carries the raw token.
pub fn pat_created(p: &PatRecord, token: &str) -> Value {
    let mut value = pat_item(p, None);
    let object = value.as_object_mut().expect("pat_item is an object");
    object.remove("lastUsedAt");
    object.remove("last_used_at");
    object.insert("token".into(), json!(token));
    value
}

/// Agent (§3.7).
pub fn agent(u: &User) -> Value {
    let info = u.agent.as_ref();
    json!({
        "id": u.id,
        "name": info.map(|a| a.name.clone()),
        "username": u.username,
        "displayName": u.display_name,
        "display_name": u.display_name,
        "ownerId": info.and_then(|a| a.owner_id),
        "verified": info.is_some_and(|a| a.verified),
        "role": info.and_then(|a| a.config.role.clone()),
        "personality": info.and_then(|a| a.config.personality.clone()),
        "status": "offline",
        "hasToken": true,
        "createdAt": rfc3339(u.created_at),
        "created_at": rfc3339(u.created_at),
    })
}

/// AgentCard (§3.7).
pub fn agent_card(u: &User) -> Value {
    let info = u.agent.as_ref();
    json!({
        "id": u.id,
        "username": u.username,
        "name": info.map(|a| a.name.clone()),
        "displayName": u.display_name,
        "display_name": u.display_name,
        "role": info.and_then(|a| a.config.role.clone()),
        "verified": info.is_some_and(|a| a.verified),
    })
}

/// AgentConfig (§3.7): secrets in clear for the agent itself, `"[redacted]"` for its owner.
pub fn agent_config(c: &AgentConfig, reveal_secrets: bool) -> Value {
    let secret = |s: &Option<String>| match (s, reveal_secrets) {
        (None, _) => Value::Null,
        (Some(v), true) => json!(v),
        (Some(_), false) => json!("[redacted]"),
    };
    json!({
        "role": c.role,
        "personality": c.personality,
        "interaction_style": c.interaction_style,
        "expertise_level": c.expertise_level,
        "response_webhook_url": c.response_webhook_url,
        "response_webhook_secret": secret(&c.response_webhook_secret),
        "llm_provider": c.llm_provider,
        "llm_api_key": secret(&c.llm_api_key),
        "ollama_endpoint": c.ollama_endpoint,
        "ollama_model": c.ollama_model,
        "openclaw_gateway": c.openclaw_gateway,
        "openclaw_token": secret(&c.openclaw_token),
        "openclaw_agent_id": c.openclaw_agent_id,
        "prompt_permission": c.prompt_permission,
        "prompt_whitelist": c.prompt_whitelist,
        "wallet_spend_limit_per_tx": c.wallet_spend_limit_per_tx,
        "wallet_spend_limit_daily": c.wallet_spend_limit_daily,
        "wallet_approval_mode": c.wallet_approval_mode,
        "wallet_allowlisted_hooks": c.wallet_allowlisted_hooks,
    })
}

/// Invite (§3.9).
pub fn invite(i: &Invite) -> Value {
    json!({
        "code": i.code,
        "agencyId": i.agency_id,
        "agency_id": i.agency_id,
        "maxUses": i.max_uses,
        "uses": i.uses,
        "expiresAt": opt_ts(i.expires_at),
        "createdAt": rfc3339(i.created_at),
        "created_at": rfc3339(i.created_at),
    })
}

/// Command (§3.12).
pub fn command(c: &Command) -> Value {
    json!({
        "id": c.id,
        "agencyId": c.agency_id,
        "agency_id": c.agency_id,
        "name": c.name,
        "description": c.description,
        "webhookUrl": c.webhook_url,
        "webhook_url": c.webhook_url,
        "creator": c.creator,
        "explore_metadata": c.explore_metadata,
        "invoke_permission": c.invoke_permission,
        "invoke_whitelist": c.invoke_whitelist,
        "hook_id": c.hook_id,
        "createdAt": rfc3339(c.created_at),
        "created_at": rfc3339(c.created_at),
    })
}

/// The `commands` of a hook (§3.13): distinct `{name, description}` of linked commands by
/// name then description, or a native hook's latest deploy in the order given.
fn hook_commands(w: &World, h: &Hook) -> Vec<Value> {
    let pairs: Vec<(String, Option<String>)> = match h.source_type {
        HookSourceType::Native => h
            .native_commands
            .iter()
            .map(|c| (c.name.clone(), c.description.clone()))
            .collect(),
        HookSourceType::Webhook => {
            let mut pairs: Vec<_> = w
                .commands
                .values()
                .filter(|c| c.hook_id == Some(h.id))
                .map(|c| (c.name.clone(), c.description.clone()))
                .collect();
            pairs.sort();
            pairs.dedup();
            pairs
        }
    };
    pairs
        .into_iter()
        .map(|(name, description)| json!({"name": name, "description": description}))
        .collect()
}

/// Hook (§3.13), snake_case throughout; native hooks also expose `source_code`.
pub fn hook(w: &World, h: &Hook) -> Value {
    let native = h.source_type == HookSourceType::Native;
    let mut value = json!({
        "id": h.id,
        "webhook_url": h.webhook_url,
        "name": h.name,
        "slug": h.slug,
        "at_name": h.at_name,
        "description": h.description,
        "creator": h.creator,
        "default_invoke_permission": h.default_invoke_permission,
        "enabled": h.enabled,
        "source_type": if native { "native" } else { "webhook" },
        "source_url": h.source_url,
        "source_hash": h.source_hash,
        "verified": native,
        "schema": h.schema,
        "commands": hook_commands(w, h),
        "created_at": rfc3339(h.created_at),
        "updated_at": rfc3339(h.updated_at),
    });
    if native {
        value["source_code"] = json!(h.source_code);
    }
    value
}

/// HookSource (§3.13).
pub fn hook_source(h: &Hook) -> Value {
    json!({
        "webhook_url": h.webhook_url,
        "source_url": h.source_url,
        "source_hash": h.source_hash,
        "verified": h.source_type == HookSourceType::Native,
        "schema": h.schema,
    })
}

/// Subscription (§3.14); `secret` only in the create answer.
pub fn subscription(s: &Subscription, with_secret: bool) -> Value {
    let mut value = json!({
        "id": s.id,
        "agencyId": s.agency_id,
        "agency_id": s.agency_id,
        "url": s.url,
        "events": s.events,
        "description": s.description,
        "enabled": s.enabled,
        "active": s.enabled,
        "createdAt": rfc3339(s.created_at),
        "created_at": rfc3339(s.created_at),
        "updatedAt": rfc3339(s.updated_at),
        "updated_at": rfc3339(s.updated_at),
    });
    if with_secret {
        value["secret"] = json!(s.secret);
    }
    value
}

/// `{"ok": true}`, the answer of deletes and bodiless actions (§1.4).
pub fn ok() -> Value {
    json!({"ok": true})
}
