//! What the request paths, the writer thread and the maintenance threads share: the writer's
//! connection, the read connections, the clock, the cached dictionaries, the memory tier, the
//! magnetic bucket cache and the health state. The engine ([`crate::Engine`]) owns it with the
//! threads; the threads hold it weakly, so none of them depends on the engine itself.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use rusqlite::Connection;

use crate::activity::IngestActivity;
use crate::health::HealthState;
use crate::magnetic_cache::MagneticCache;
use crate::memory_tier::MemTable;
use crate::table_state::TableState;
use crate::{Clock, Result};

/// Idle read connections, opened on demand and kept for reuse.
pub(crate) struct ReadPool {
    pub file: PathBuf,
    pub idle: Mutex<Vec<Connection>>,
}

/// Read connections kept idle at most; more are opened while queries need them.
const IDLE_READERS: usize = 8;

impl ReadPool {
    fn open(&self) -> Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.file,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Smaller than the writer's cache: several readers run at once, and the OS page
        // cache holds the file anyway.
        conn.pragma_update(None, "cache_size", -16384)?;
        Ok(conn)
    }

    /// A read connection outside any transaction.
    pub fn get(self: &Arc<Self>) -> Result<PooledReader> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        Ok(PooledReader {
            conn: Some(conn),
            pool: self.clone(),
        })
    }
}

/// A read connection, back to its pool on drop (its read transaction, if any, ended).
pub(crate) struct PooledReader {
    conn: Option<Connection>,
    pool: Arc<ReadPool>,
}

impl std::ops::Deref for PooledReader {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        // Always `Some` until drop.
        self.conn.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for PooledReader {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        // An open read transaction would pin its WAL snapshot forever.
        if !conn.is_autocommit() && conn.execute_batch("ROLLBACK").is_err() {
            return;
        }
        let mut idle = self.pool.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
    }
}

/// What the writer, the maintenance thread and the request paths share.
pub(crate) struct Core {
    /// The writer's connection (also catalog writes and maintenance).
    pub conn: Mutex<Connection>,
    pub readers: Arc<ReadPool>,
    pub clock: Clock,
    /// The store file under `--data-dir`; `None` in memory mode.
    pub path: Option<PathBuf>,
    /// Per table id: dictionaries and columns, loaded on first use.
    pub states: Mutex<HashMap<i64, TableState>>,
    /// Per table id: the memory tier.
    pub memory: RwLock<HashMap<i64, MemTable>>,
    pub health: HealthState,
    /// Decoded magnetic-tier buckets (see [`crate::magnetic_cache`]).
    pub magnetic_cache: Arc<MagneticCache>,
    /// Recent ingestion, for the console (see [`crate::activity`]).
    pub activity: IngestActivity,
    /// Memory mode's store directory, removed on drop (after the connections above close).
    pub _temp_dir: Option<tempfile::TempDir>,
}

impl Core {
    /// Lock order everywhere: connection, then states, then memory.
    pub fn lock_conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (the transaction rolls back
        // on drop), so a poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn lock_states(&self) -> MutexGuard<'_, HashMap<i64, TableState>> {
        self.states.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn memory_write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<i64, MemTable>> {
        self.memory.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn memory_read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<i64, MemTable>> {
        self.memory.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn apply_memory_ops(&self, ops: Vec<(i64, Vec<crate::ingest::MemoryOp>)>) {
        let mut memory = self.memory_write();
        for (table_id, ops) in ops {
            if ops.is_empty() {
                continue;
            }
            let table = memory.entry(table_id).or_default();
            for op in ops {
                match op {
                    crate::ingest::MemoryOp::Insert(row) => table.insert(row),
                    crate::ingest::MemoryOp::Upsert(row) => table.upsert(row),
                }
            }
        }
    }
}
