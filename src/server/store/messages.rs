//! Message logs, one per room (agency or DM), each behind its own read-write lock, plus a
//! message-ID → room index for edits. A log is kept in ascending `createdAt` order and
//! `createdAt` is unique within a room (endpoints.md §8.2: a message stamped in the same
//! millisecond as the previous one, or earlier, moves to 1 ms after it), so cursors are exact.

use super::model::Message;
use crate::server::clock::Millis;
use dashmap::DashMap;
use parking_lot::RwLock;
use std::sync::Arc;
use uuid::Uuid;

#[derive(Default)]
pub struct MessageLog {
    /// Ascending by `created_at` (strictly increasing).
    messages: Vec<Arc<Message>>,
}

/// Where a history page ends (exclusive), as the two documented `before` forms.
#[derive(Debug, Clone, Copy)]
pub enum Cursor {
    Newest,
    BeforeTime(Millis),
    BeforeMessage(Uuid),
}

impl MessageLog {
    /// The creation time a new message gets: now, or 1 ms after the newest message.
    pub fn next_timestamp(&self, now: Millis) -> Millis {
        match self.messages.last() {
            Some(last) if last.created_at >= now => last.created_at + 1,
            _ => now,
        }
    }

    pub fn push(&mut self, message: Arc<Message>) {
        debug_assert!(
            self.messages
                .last()
                .is_none_or(|m| m.created_at < message.created_at)
        );
        self.messages.push(message);
    }

    pub fn len(&self) -> usize {
        self.messages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    pub fn newest(&self) -> Option<&Arc<Message>> {
        self.messages.last()
    }

    /// Index one past the last message that a page ending at `cursor` may contain, or `None`
    /// when the cursor names a message that is not in this log.
    fn end_of(&self, cursor: Cursor) -> Option<usize> {
        match cursor {
            Cursor::Newest => Some(self.messages.len()),
            Cursor::BeforeTime(t) => Some(self.messages.partition_point(|m| m.created_at < t)),
            Cursor::BeforeMessage(id) => self.messages.iter().rposition(|m| m.id == id),
        }
    }

    /// Up to `limit` messages older than `cursor`, newest first, that pass `keep`.
    /// `None` when the cursor names an unknown message.
    pub fn page(
        &self,
        cursor: Cursor,
        limit: usize,
        keep: impl Fn(&Message) -> bool,
    ) -> Option<Vec<Arc<Message>>> {
        let end = self.end_of(cursor)?;
        Some(
            self.messages[..end]
                .iter()
                .rev()
                .filter(|m| keep(m))
                .take(limit)
                .cloned()
                .collect(),
        )
    }

    pub fn get(&self, id: Uuid) -> Option<&Arc<Message>> {
        self.messages.iter().rev().find(|m| m.id == id)
    }

    pub fn replace(&mut self, message: Arc<Message>) {
        if let Some(slot) = self.messages.iter_mut().rev().find(|m| m.id == message.id) {
            *slot = message;
        }
    }

    pub fn clear(&mut self) -> Vec<Arc<Message>> {
        std::mem::take(&mut self.messages)
    }
}

#[derive(Default)]
pub struct Rooms {
    logs: DashMap<Uuid, Arc<RwLock<MessageLog>>>,
    /// Message ID → room ID.
    index: DashMap<Uuid, Uuid>,
}

impl Rooms {
    /// The log of a room, created empty on first use.
    pub fn log(&self, room: Uuid) -> Arc<RwLock<MessageLog>> {
        if let Some(log) = self.logs.get(&room) {
            return Arc::clone(&log);
        }
        Arc::clone(&self.logs.entry(room).or_default())
    }

    pub fn room_of(&self, message: Uuid) -> Option<Uuid> {
        self.index.get(&message).map(|r| *r)
    }

    pub fn index(&self, message: Uuid, room: Uuid) {
        self.index.insert(message, room);
    }

    /// Deletes a room's log and its index entries; returns how many messages it held.
    pub fn drop_room(&self, room: Uuid) -> usize {
        let Some((_, log)) = self.logs.remove(&room) else {
            return 0;
        };
        let removed = log.write().clear();
        for message in &removed {
            self.index.remove(&message.id);
        }
        removed.len()
    }

    /// Deletes every message of a room but keeps the room; returns the count.
    pub fn purge(&self, room: Uuid) -> usize {
        let removed = self.log(room).write().clear();
        for message in &removed {
            self.index.remove(&message.id);
        }
        removed.len()
    }

    pub fn total(&self) -> usize {
        self.logs.iter().map(|log| log.read().len()).sum()
    }
}

/// True when `content` mentions `@username` (case-insensitive, ending at a character that
/// cannot be part of a username).
pub fn mentions(content: &str, username: &str) -> bool {
    let needle = format!("@{}", username.trim_start_matches('@').to_lowercase());
    let haystack = content.to_lowercase();
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(&needle) {
        let end = from + pos + needle.len();
        let next = haystack[end..].chars().next();
        if !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return true;
        }
        from = end;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(created_at: Millis) -> Arc<Message> {
        Arc::new(Message {
            id: Uuid::new_v4(),
            agency_id: Uuid::nil(),
            author_id: "system".into(),
            sender_username: "bot".into(),
            sender_display_name: "Bot".into(),
            sender_type: "system",
            content: format!("m{created_at}"),
            kind: "system".into(),
            metadata: serde_json::json!({}),
            dm: false,
            hook_id: None,
            created_at,
            updated_at: created_at,
            json: bytes::Bytes::new(),
        })
    }

    #[test]
    fn timestamps_are_unique_and_pages_are_exclusive() {
        let mut log = MessageLog::default();
        for _ in 0..5 {
            let t = log.next_timestamp(100);
            log.push(message(t));
        }
        let all = log.page(Cursor::Newest, 10, |_| true).unwrap();
        let times: Vec<_> = all.iter().map(|m| m.created_at).collect();
        assert_eq!(times, vec![104, 103, 102, 101, 100]);
        let older = log.page(Cursor::BeforeTime(102), 10, |_| true).unwrap();
        assert_eq!(
            older.iter().map(|m| m.created_at).collect::<Vec<_>>(),
            vec![101, 100]
        );
        let by_id = log
            .page(Cursor::BeforeMessage(all[1].id), 2, |_| true)
            .unwrap();
        assert_eq!(
            by_id.iter().map(|m| m.created_at).collect::<Vec<_>>(),
            vec![102, 101]
        );
        assert!(
            log.page(Cursor::BeforeMessage(Uuid::new_v4()), 2, |_| true)
                .is_none()
        );
    }

    #[test]
    fn mention_matching_respects_username_boundaries() {
        assert!(mentions("hi @Bob!", "bob"));
        assert!(mentions("@bob", "@bob"));
        assert!(!mentions("hi @bobby", "bob"));
        assert!(!mentions("hi bob", "bob"));
        assert!(mentions("@bobby and @bob", "bob"));
    }
}
