//! Series identity: a fast hasher, an order-independent hash of a label set, and the index
//! that finds duplicate series.
//!
//! Two samples are the same series when they have the same name and the same set of label
//! pairs, in any order (`{a="1",b="2"}` is `{b="2",a="1"}`). The hash is a wrapping sum of
//! per-pair hashes, so order does not matter; a hash hit is always confirmed by comparing the
//! labels themselves, so a collision can never report a false duplicate.

use super::Label;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hash (rustc's): fast and good enough for names and short label values. Not
/// resistant to crafted collisions; collisions only cost time, never correctness here.
#[derive(Default, Clone, Copy)]
pub(super) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// `BuildHasher` for maps keyed by names.
pub(super) type FxBuildHasher = BuildHasherDefault<FxHasher>;

fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(bytes);
    hasher.add(bytes.len() as u64);
    hasher.finish()
}

/// Spreads a value so that sums of them keep their entropy (the splitmix64 finaliser).
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Hash of a label set, independent of label order; labels named `skip` are left out.
pub(super) fn label_set_hash(labels: &[Label<'_>], skip: Option<&str>) -> u64 {
    labels
        .iter()
        .filter(|label| Some(label.name) != skip)
        .fold(0u64, |acc, label| {
            let pair = hash_bytes(label.name.as_bytes()).rotate_left(17)
                ^ hash_bytes(label.value.as_bytes());
            acc.wrapping_add(mix(pair))
        })
}

/// True when both label sets hold the same pairs (label names are unique within each set,
/// which the line parser guarantees); labels named `skip` are left out.
pub(super) fn same_label_set(a: &[Label<'_>], b: &[Label<'_>], skip: Option<&str>) -> bool {
    let kept = |labels: &[Label<'_>]| {
        labels
            .iter()
            .filter(|label| Some(label.name) != skip)
            .count()
    };
    kept(a) == kept(b)
        && a.iter()
            .filter(|label| Some(label.name) != skip)
            .all(|label| b.iter().any(|other| other == label))
}

/// Identity "hasher" for maps whose keys are already hashes.
#[derive(Default, Clone, Copy)]
pub(super) struct PrehashedHasher(u64);

impl Hasher for PrehashedHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used by `u64` keys; fold anything else in for safety.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Where an already-seen series lives: family index and sample index within it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct SeriesRef {
    pub family: u32,
    pub sample: u32,
}

/// Every series seen so far, keyed by hash; colliding series are chained.
#[derive(Default)]
pub(super) struct SeriesIndex {
    heads: HashMap<u64, u32, BuildHasherDefault<PrehashedHasher>>,
    nodes: Vec<(SeriesRef, u32)>,
}

const NO_NEXT: u32 = u32::MAX;

impl SeriesIndex {
    /// The hash of a series: its family, its name and its label set.
    pub fn key(family: usize, name: &str, labels: &[Label<'_>]) -> u64 {
        mix(hash_bytes(name.as_bytes()) ^ (family as u64).rotate_left(32))
            .wrapping_add(label_set_hash(labels, None))
    }

    /// Finds a series with hash `key` for which `same` holds, or records `new` under `key`.
    pub fn find_or_insert(
        &mut self,
        key: u64,
        new: SeriesRef,
        same: impl Fn(SeriesRef) -> bool,
    ) -> Option<SeriesRef> {
        let head = self.heads.get(&key).copied().unwrap_or(NO_NEXT);
        let mut cursor = head;
        while let Some(&(seen, next)) = self.nodes.get(cursor as usize) {
            if same(seen) {
                return Some(seen);
            }
            cursor = next;
        }
        let Ok(index) = u32::try_from(self.nodes.len()) else {
            // Beyond 4 billion series duplicates go unchecked rather than wrong.
            return None;
        };
        self.nodes.push((new, head));
        self.heads.insert(key, index);
        None
    }
}
