//! The shared store in memory, on the time it is given: the reference the
//! Redis adapter must agree with, and the model the protocol's property
//! tests run against.

use std::collections::HashMap;
use std::time::SystemTime;

use super::entry::version_of;
use super::ops::{StoreOp, StoreReply};

/// A store of values that expire, executing each [`StoreOp`] atomically
/// at the time it is given, with Redis's semantics.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    values: HashMap<String, (Vec<u8>, SystemTime)>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Executes `op` at `now`.
    pub fn apply(&mut self, op: &StoreOp, now: SystemTime) -> StoreReply {
        self.values.retain(|_, (_, expires)| *expires > now);
        match op {
            StoreOp::Get { key } => StoreReply::Value(self.get(key, now).map(<[u8]>::to_vec)),
            StoreOp::Acquire { key, owner, ttl } => {
                let free = !self.values.contains_key(key);
                if free {
                    let value = owner.as_bytes().to_vec();
                    self.values.insert(key.clone(), (value, expiry(now, *ttl)));
                }
                StoreReply::Acquired(free)
            }
            StoreOp::Release { key, owner } => {
                let held = self.get(key, now) == Some(owner.as_bytes());
                if held {
                    self.values.remove(key);
                }
                StoreReply::Released(held)
            }
            StoreOp::Swap {
                key,
                expected,
                value,
                ttl,
            } => {
                let current = self.get(key, now).map_or("", version_of);
                let matches = current == expected;
                if matches {
                    self.values
                        .insert(key.clone(), (value.clone(), expiry(now, *ttl)));
                }
                StoreReply::Swapped(matches)
            }
            StoreOp::Sleep { .. } => StoreReply::Slept,
        }
    }

    /// The value at `key` at `now`, unless it has expired.
    pub fn get(&self, key: &str, now: SystemTime) -> Option<&[u8]> {
        let (value, expires) = self.values.get(key)?;
        (*expires > now).then_some(value.as_slice())
    }

    /// Writes `value` at `key` until `expires` (a test putting a foreign or
    /// damaged entry in place).
    pub fn put(&mut self, key: &str, value: Vec<u8>, expires: SystemTime) {
        self.values.insert(key.to_owned(), (value, expires));
    }
}

/// `ttl` after `now`, or the farthest time the clock can tell.
fn expiry(now: SystemTime, ttl: std::time::Duration) -> SystemTime {
    now.checked_add(ttl)
        .unwrap_or_else(|| now + std::time::Duration::from_secs(u32::MAX.into()))
}
