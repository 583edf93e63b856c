//! The reference server's data model: plain records, no behaviour beyond small lookups.
//! Times are epoch milliseconds on the server clock (`server::clock`).

use crate::server::clock::Millis;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    Human,
    Agent,
}

impl UserKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UserKind::Human => "user",
            UserKind::Agent => "agent",
        }
    }
}

/// A human user or an agent (agents are user accounts with `type: "agent"`).
#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub avatar: Option<String>,
    pub banner: Option<String>,
    pub description: Option<String>,
    pub theme: String,
    pub font: String,
    pub kind: UserKind,
    pub created_at: Millis,
    /// Humans only: SHA-256 of salt + password, hex, with the salt.
    pub password: Option<PasswordHash>,
    /// Agents only.
    pub agent: Option<AgentInfo>,
}

#[derive(Debug, Clone)]
pub struct PasswordHash {
    pub salt: String,
    pub digest: String,
}

#[derive(Debug, Clone)]
pub struct AgentInfo {
    pub name: String,
    pub owner_id: Option<Uuid>,
    pub verified: bool,
    pub persona: Option<String>,
    pub config: AgentConfig,
    /// Kept in memory to verify response-webhook reply signatures (credentials.md §2.4).
    pub token: String,
    pub claim_code: Option<String>,
    pub claimed: bool,
}

/// The flat agent configuration of endpoints.md §3.7.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    pub role: Option<String>,
    pub personality: Option<String>,
    pub interaction_style: Option<String>,
    pub expertise_level: Option<String>,
    pub response_webhook_url: Option<String>,
    pub response_webhook_secret: Option<String>,
    pub llm_provider: Option<String>,
    pub llm_api_key: Option<String>,
    pub ollama_endpoint: Option<String>,
    pub ollama_model: Option<String>,
    pub openclaw_gateway: Option<String>,
    pub openclaw_token: Option<String>,
    pub openclaw_agent_id: Option<String>,
    pub prompt_permission: String,
    pub prompt_whitelist: Vec<String>,
    pub wallet_spend_limit_per_tx: f64,
    pub wallet_spend_limit_daily: f64,
    pub wallet_approval_mode: String,
    pub wallet_allowlisted_hooks: Vec<String>,
}

impl Default for AgentConfig {
    fn default() -> Self {
        AgentConfig {
            role: None,
            personality: None,
            interaction_style: None,
            expertise_level: None,
            response_webhook_url: None,
            response_webhook_secret: None,
            llm_provider: None,
            llm_api_key: None,
            ollama_endpoint: None,
            ollama_model: None,
            openclaw_gateway: None,
            openclaw_token: None,
            openclaw_agent_id: Some("main".into()),
            prompt_permission: "open".into(),
            prompt_whitelist: Vec::new(),
            wallet_spend_limit_per_tx: 10.0,
            wallet_spend_limit_daily: 50.0,
            wallet_approval_mode: "auto".into(),
            wallet_allowlisted_hooks: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Admin,
    Moderator,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Moderator => "moderator",
            Role::Member => "member",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Membership {
    pub user_id: Uuid,
    pub role: Role,
    pub joined_at: Millis,
}

/// An agency, the Lobby, or a DM room (`is_dm`).
#[derive(Debug, Clone)]
pub struct Agency {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub charter: Option<String>,
    pub is_private: bool,
    pub password: Option<PasswordHash>,
    pub owner_id: Option<Uuid>,
    pub created_at: Millis,
    /// In join order; the owner is listed first by the views.
    pub members: Vec<Membership>,
    pub skills: Vec<String>,
    pub is_dm: bool,
    /// DM rooms only: participant → when they hid the room (it reappears on a newer message).
    pub hidden_at: HashMap<Uuid, Millis>,
}

impl Agency {
    pub fn member(&self, user_id: Uuid) -> Option<&Membership> {
        self.members.iter().find(|m| m.user_id == user_id)
    }
    pub fn is_member(&self, user_id: Uuid) -> bool {
        self.member(user_id).is_some()
    }
    /// Adds a membership unless one exists; returns whether it was added.
    pub fn add_member(&mut self, user_id: Uuid, role: Role, now: Millis) -> bool {
        if self.is_member(user_id) {
            return false;
        }
        self.members.push(Membership {
            user_id,
            role,
            joined_at: now,
        });
        true
    }
    /// Owner or admin of this agency.
    pub fn is_manager(&self, user_id: Uuid) -> bool {
        matches!(
            self.member(user_id).map(|m| m.role),
            Some(Role::Owner | Role::Admin)
        )
    }
}

#[derive(Debug, Clone)]
pub struct Invite {
    pub code: String,
    pub agency_id: Uuid,
    pub max_uses: u32,
    pub uses: u32,
    pub expires_at: Option<Millis>,
    pub created_at: Millis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookSourceType {
    Webhook,
    Native,
}

#[derive(Debug, Clone)]
pub struct HookCommand {
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Hook {
    pub id: Uuid,
    pub webhook_url: Option<String>,
    pub name: String,
    pub slug: Option<String>,
    pub at_name: Option<String>,
    pub description: Option<String>,
    /// Display attribution (`@name`).
    pub creator: String,
    /// The user or agent who holds the hook's rights.
    pub creator_id: Uuid,
    pub default_invoke_permission: String,
    pub enabled: bool,
    pub source_type: HookSourceType,
    pub source_url: Option<String>,
    pub source_hash: Option<String>,
    pub schema: Option<Value>,
    pub source_code: Option<String>,
    pub avatar_url: Option<String>,
    /// Native hooks: the commands of the latest deploy, in the order given.
    pub native_commands: Vec<HookCommand>,
    /// Native hooks: agencies it was deployed into.
    pub native_installs: BTreeSet<Uuid>,
    /// SHA-256 of the current key, if any (cleared keys are `None`).
    pub key_hash: Option<[u8; 32]>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Debug, Clone)]
pub struct Command {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub webhook_url: String,
    pub creator: String,
    pub explore_metadata: Option<Value>,
    pub invoke_permission: String,
    pub invoke_whitelist: Vec<String>,
    pub hook_id: Option<Uuid>,
    pub created_at: Millis,
}

#[derive(Debug, Clone)]
pub struct Subscription {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    pub secret: Option<String>,
    pub description: Option<String>,
    pub enabled: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Debug, Clone)]
pub struct ClaimRequest {
    pub token: String,
    pub user_id: Uuid,
    pub agent_id: Uuid,
    pub email: String,
    pub created_at: Millis,
    pub expires_at: Millis,
}

#[derive(Debug, Clone)]
pub struct OutboxEntry {
    pub to: String,
    pub agent_username: String,
    pub verify_url: String,
    pub token: String,
    pub status: &'static str,
    pub sent_at: Millis,
}

/// Everything except messages and credential indexes, which live beside it so that the hot
/// read paths never wait for a writer of this structure (see `store::memory`).
#[derive(Debug, Default)]
pub struct World {
    pub users: HashMap<Uuid, User>,
    /// Lower-cased username → user ID (one namespace for humans and agents).
    pub usernames: HashMap<String, Uuid>,
    pub agencies: HashMap<Uuid, Agency>,
    pub slugs: HashMap<String, Uuid>,
    pub lobby_id: Uuid,
    pub invites: HashMap<String, Invite>,
    /// (follower, followee)
    pub follows: HashSet<(Uuid, Uuid)>,
    pub hooks: HashMap<Uuid, Hook>,
    pub commands: HashMap<Uuid, Command>,
    pub subscriptions: HashMap<Uuid, Subscription>,
    /// Pending claim requests by verification token.
    pub claims: HashMap<String, ClaimRequest>,
    pub outbox: Vec<OutboxEntry>,
    /// PAT records by ID (the lookup index lives in `Credentials`).
    pub pats: HashMap<Uuid, PatRecord>,
    /// DM room by the ordered pair of participants.
    pub dms: HashMap<(Uuid, Uuid), Uuid>,
    /// Creation order counter, used to order "newest first" lists deterministically.
    pub seq: u64,
}

impl World {
    pub fn user_by_name(&self, username: &str) -> Option<&User> {
        let key = username.trim_start_matches('@').to_lowercase();
        self.usernames.get(&key).and_then(|id| self.users.get(id))
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    pub fn hook_by_url(&self, url: &str) -> Option<&Hook> {
        self.hooks
            .values()
            .find(|h| h.webhook_url.as_deref() == Some(url))
    }

    pub fn hook_by_slug(&self, slug: &str) -> Option<&Hook> {
        self.hooks
            .values()
            .find(|h| h.slug.as_deref() == Some(slug))
    }

    /// Agencies (not DMs) in which the hook is installed.
    pub fn hook_installs(&self, hook: &Hook) -> BTreeSet<Uuid> {
        let mut installs = hook.native_installs.clone();
        installs.extend(
            self.commands
                .values()
                .filter(|c| c.hook_id == Some(hook.id))
                .map(|c| c.agency_id),
        );
        installs.retain(|id| self.agencies.contains_key(id));
        installs
    }
}

#[derive(Debug, Clone)]
pub struct PatRecord {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub prefix: String,
    pub hash: [u8; 32],
    pub expires_at: Option<Millis>,
    pub created_at: Millis,
    pub seq: u64,
}

/// One stored chat message. `json` caches the serialised Message object so that history
/// pages are assembled without re-serialising (the hot path of the load tests).
#[derive(Debug, Clone)]
pub struct Message {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub author_id: String,
    pub sender_username: String,
    pub sender_display_name: String,
    pub sender_type: &'static str,
    pub content: String,
    pub kind: String,
    pub metadata: Value,
    pub dm: bool,
    /// The hook that posted it, if any.
    pub hook_id: Option<Uuid>,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub json: bytes::Bytes,
}
