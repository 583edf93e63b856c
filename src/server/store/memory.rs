//! The in-memory `Store`: a `parking_lot` read-write lock around the `World`, plus the sharded
//! credential indexes and per-room message logs. Every closure run against the world is timed
//! into the current request's storage time (`server::metrics::add_storage_time`).

use super::{Credentials, Rooms, Store, World};
use crate::server::metrics::add_storage_time;
use parking_lot::RwLock;
use std::time::Instant;

#[derive(Default)]
pub struct MemoryStore {
    world: RwLock<World>,
    credentials: Credentials,
    rooms: Rooms,
}

impl MemoryStore {
    pub fn new(world: World) -> Self {
        MemoryStore {
            world: RwLock::new(world),
            ..Default::default()
        }
    }
}

impl Store for MemoryStore {
    fn read<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        let started = Instant::now();
        let result = f(&self.world.read());
        add_storage_time(started.elapsed());
        result
    }

    fn write<R>(&self, f: impl FnOnce(&mut World) -> R) -> R {
        let started = Instant::now();
        let result = f(&mut self.world.write());
        add_storage_time(started.elapsed());
        result
    }

    fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    fn rooms(&self) -> &Rooms {
        &self.rooms
    }
}
