//! Storage of the reference server, behind the small `Store` trait so that a persistent store
//! can replace the in-memory one later. Handlers only see the trait's four seams: the world of
//! records (read or write as one transaction), the credential indexes and the message logs.
//!
//! Concurrency invariant: the hot read paths (authentication lookups and message history) never
//! take the world's write lock. Credentials and messages live in sharded maps beside the world,
//! and history reads only take shared locks, so both cores serve reads in parallel.

pub mod credentials;
pub mod memory;
pub mod messages;
pub mod model;

pub use credentials::Credentials;
pub use memory::MemoryStore;
pub use messages::Rooms;
pub use model::*;

/// What handlers need from storage.
pub trait Store: Send + Sync + 'static {
    /// Runs `f` against a consistent view of the world (a shared lock: readers run in parallel).
    fn read<R>(&self, f: impl FnOnce(&World) -> R) -> R;
    /// Runs `f` as one transaction that may change the world.
    fn write<R>(&self, f: impl FnOnce(&mut World) -> R) -> R;
    /// Token, PAT, hook-key and agent-token lookups by hash.
    fn credentials(&self) -> &Credentials;
    /// Message logs, one per room.
    fn rooms(&self) -> &Rooms;
}
