//! Credential indexes: every secret is stored as its SHA-256 only (PATs per the docs; sessions,
//! hook keys and agent tokens by the same rule), looked up through sharded maps so that
//! authentication never waits for a writer of the world.

use crate::server::clock::Millis;
use dashmap::DashMap;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use uuid::Uuid;

pub type TokenHash = [u8; 32];

pub fn hash_secret(secret: &str) -> TokenHash {
    Sha256::digest(secret.as_bytes()).into()
}

/// A user or agent session (Bearer or cookie).
#[derive(Debug, Clone, Copy)]
pub struct SessionRecord {
    pub user_id: Uuid,
    pub expires_at: Millis,
}

/// The hot part of a PAT: what authentication reads and the last-use stamp it writes.
#[derive(Debug)]
pub struct PatEntry {
    pub pat_id: Uuid,
    pub user_id: Uuid,
    pub expires_at: Option<Millis>,
    pub revoked: AtomicBool,
    /// 0 = never used.
    pub last_used_at: AtomicI64,
}

impl PatEntry {
    pub fn last_used(&self) -> Option<Millis> {
        match self.last_used_at.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(ms),
        }
    }

    /// Records a use, at most once every 5 minutes (endpoints.md §5).
    pub fn touch(&self, now: Millis) {
        let last = self.last_used_at.load(Ordering::Relaxed);
        if last == 0 || now - last >= 5 * crate::server::clock::MINUTE {
            self.last_used_at.store(now, Ordering::Relaxed);
        }
    }
}

#[derive(Default)]
pub struct Credentials {
    pub sessions: DashMap<TokenHash, SessionRecord>,
    pub pats: DashMap<TokenHash, Arc<PatEntry>>,
    /// Hook key hash → hook ID.
    pub hook_keys: DashMap<TokenHash, Uuid>,
    /// Raw agent token hash → agent ID.
    pub agent_tokens: DashMap<TokenHash, Uuid>,
}

impl Credentials {
    pub fn session(&self, token: &str) -> Option<SessionRecord> {
        self.sessions.get(&hash_secret(token)).map(|entry| *entry)
    }

    pub fn pat(&self, token: &str) -> Option<Arc<PatEntry>> {
        self.pats
            .get(&hash_secret(token))
            .map(|entry| Arc::clone(&entry))
    }

    pub fn revoke_session(&self, token: &str) {
        self.sessions.remove(&hash_secret(token));
    }

    /// Removes every session and PAT of `user_id` (account or agent deletion).
    pub fn forget_user(&self, user_id: Uuid) {
        self.sessions.retain(|_, s| s.user_id != user_id);
        self.pats.retain(|_, p| p.user_id != user_id);
        self.agent_tokens.retain(|_, agent| *agent != user_id);
    }

    /// Removes every session of `user_id` except the one whose hash is `keep`.
    pub fn revoke_other_sessions(&self, user_id: Uuid, keep: Option<TokenHash>) {
        self.sessions
            .retain(|hash, s| s.user_id != user_id || Some(*hash) == keep);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_use_is_debounced_to_five_minutes() {
        let entry = PatEntry {
            pat_id: Uuid::nil(),
            user_id: Uuid::nil(),
            expires_at: None,
            revoked: AtomicBool::new(false),
            last_used_at: AtomicI64::new(0),
        };
        assert_eq!(entry.last_used(), None);
        entry.touch(1_000);
        entry.touch(200_000);
        assert_eq!(entry.last_used(), Some(1_000));
        entry.touch(301_000);
        assert_eq!(entry.last_used(), Some(301_000));
    }
}
