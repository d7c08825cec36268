//! Decoded hour buckets of the magnetic tier, kept for the next query. Reading a bucket from
//! SQLite (step, decode, build Arrow chunks) costs ~50× what scanning the same records in the
//! memory tier does; a dashboard re-running its query over last week should pay that once.
//!
//! Only whole buckets below the memory window and above the retention floor are kept: nothing
//! of them moves between tiers or expires. What can still change them is a magnetic-store write
//! (or upsert) into their table: the writer then bumps the table's *generation*, under the lock
//! it holds for a whole transaction, right after the commit. A query reads the generation under
//! that same lock, together with opening its read transactions, so a cached entry is used (and
//! stored) only by a query whose snapshot is exactly that generation's. Least recently used
//! buckets go first past [`CAPACITY`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use arrow_array::RecordBatch;

/// Bytes of decoded buckets kept at most.
pub const CAPACITY: usize = 256 << 20;

/// A bucket's chunks and the record bytes they cover (for QueryStatus).
#[derive(Debug, Clone)]
pub struct CachedBucket {
    pub batches: Arc<Vec<RecordBatch>>,
    pub bytes: usize,
}

struct Entry {
    generation: u64,
    bucket: CachedBucket,
    memory: usize,
    used: u64,
}

#[derive(Default)]
struct Inner {
    /// Generations are never reused, so that an entry read before a table was dropped (and its
    /// id perhaps reused) or before a reset can never pass for a current one.
    generations: HashMap<i64, u64>,
    /// The generation of tables not in `generations`.
    base: u64,
    last: u64,
    entries: HashMap<(i64, i64), Entry>,
    memory: usize,
    tick: u64,
}

#[derive(Default)]
pub struct MagneticCache {
    inner: Mutex<Inner>,
}

impl MagneticCache {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The table's generation; read under the writer's transaction lock.
    pub fn generation(&self, table_id: i64) -> u64 {
        self.lock().generation(table_id)
    }

    /// A committed magnetic-store write changed the table, or the table is gone; called under
    /// the writer's transaction lock.
    pub fn bump(&self, table_id: i64) {
        let mut inner = self.lock();
        inner.last += 1;
        let next = inner.last;
        inner.generations.insert(table_id, next);
        inner.drop_table(table_id);
    }

    /// Every table is gone (the admin API's reset); called under the writer's lock.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.last += 1;
        inner.base = inner.last;
        inner.generations.clear();
        inner.entries.clear();
        inner.memory = 0;
    }

    pub fn get(&self, table_id: i64, bucket: i64, generation: u64) -> Option<CachedBucket> {
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        let entry = inner.entries.get_mut(&(table_id, bucket))?;
        if entry.generation != generation {
            return None;
        }
        entry.used = tick;
        Some(entry.bucket.clone())
    }

    /// Keeps `bucket` if it was read at the table's current generation.
    pub fn insert(&self, table_id: i64, bucket: i64, generation: u64, cached: CachedBucket) {
        let mut inner = self.lock();
        if inner.generation(table_id) != generation {
            return;
        }
        let memory: usize = cached
            .batches
            .iter()
            .map(RecordBatch::get_array_memory_size)
            .sum();
        if memory > CAPACITY / 4 {
            return;
        }
        inner.tick += 1;
        let used = inner.tick;
        if let Some(old) = inner.entries.insert(
            (table_id, bucket),
            Entry {
                generation,
                bucket: cached,
                memory,
                used,
            },
        ) {
            inner.memory -= old.memory;
        }
        inner.memory += memory;
        while inner.memory > CAPACITY {
            let Some(oldest) = inner
                .entries
                .iter()
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| *k)
            else {
                break;
            };
            if let Some(e) = inner.entries.remove(&oldest) {
                inner.memory -= e.memory;
            }
        }
    }
}

impl Inner {
    fn generation(&self, table_id: i64) -> u64 {
        self.generations
            .get(&table_id)
            .copied()
            .unwrap_or(self.base)
    }

    fn drop_table(&mut self, table_id: i64) {
        let memory = &mut self.memory;
        self.entries.retain(|(t, _), e| {
            let keep = *t != table_id;
            if !keep {
                *memory -= e.memory;
            }
            keep
        });
    }
}
