//! The SQLite store: one database file under `--data-dir` (without one, in a temporary
//! directory removed when the engine closes), WAL mode, the schema and its migrations; and the
//! engine that owns it with the memory tier, the writer and the maintenance thread.
//!
//! The writer owns one connection; catalog reads and queries use their own read connections
//! (WAL readers, [`ReadPool`]), so a long query never holds up a commit (DESIGN.md: readers
//! never block the writer). This is why the store is a file even when nothing persists: an
//! in-memory SQLite database has no WAL, and its readers would lock its writer out.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use rusqlite::{Connection, Transaction, TransactionBehavior, MAIN_DB};

use crate::activity::IngestActivity;
use crate::health::{Health, HealthState};
use crate::shared::{Core, ReadPool};
use crate::writer::Writer;
use crate::{maintenance, Clock, Result};

/// The file the store lives in, inside `--data-dir`.
pub const DATA_FILE: &str = "timestream-local.sqlite3";

/// Records clustered by time within their hour bucket, not by series: a fleet's reports arrive
/// in time order, so new records append at the end of the b-tree and a commit dirties a few
/// pages instead of one per series (README, Figures).
const MIGRATION_2: &str = r#"
    CREATE TABLE records_by_time (
        table_id   INTEGER NOT NULL,
        bucket     INTEGER NOT NULL,
        time_ns    INTEGER NOT NULL,
        series_id  INTEGER NOT NULL,
        measure_id INTEGER NOT NULL,
        version    INTEGER NOT NULL,
        value      BLOB NOT NULL,
        PRIMARY KEY (table_id, bucket, time_ns, series_id, measure_id)
    ) WITHOUT ROWID;
    INSERT INTO records_by_time (table_id, bucket, time_ns, series_id, measure_id, version, value)
        SELECT table_id, bucket, time_ns, series_id, measure_id, version, value FROM records;
    DROP TABLE records;
    ALTER TABLE records_by_time RENAME TO records;
"#;

/// Scheduled queries (wire-protocol.md §5.6): each one's definition as CreateScheduledQuery
/// took it (JSON), its state and its next pending invocation; and the summaries of its runs.
const MIGRATION_3: &str = r#"
    CREATE TABLE scheduled_queries (
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        name         TEXT NOT NULL,
        arn          TEXT NOT NULL UNIQUE,
        definition   TEXT NOT NULL,
        state        TEXT NOT NULL,
        created_ns   INTEGER NOT NULL,
        next_ns      INTEGER,
        previous_ns  INTEGER,
        client_token TEXT,
        PRIMARY KEY (account, region, name)
    ) WITHOUT ROWID;
    CREATE INDEX scheduled_queries_by_next ON scheduled_queries (next_ns);
    CREATE TABLE scheduled_query_runs (
        arn     TEXT NOT NULL,
        seq     INTEGER NOT NULL,
        failed  INTEGER NOT NULL,
        summary TEXT NOT NULL,
        PRIMARY KEY (arn, seq)
    ) WITHOUT ROWID;
"#;

/// Batch load tasks (wire-protocol.md §5.9): each one's definition as CreateBatchLoadTask took
/// it (JSON), its status, progress counters and resume position; and the rows that failed, for
/// its error report.
const MIGRATION_4: &str = r#"
    CREATE TABLE batch_load_tasks (
        task_id                   TEXT NOT NULL PRIMARY KEY,
        account                   TEXT NOT NULL,
        region                    TEXT NOT NULL,
        definition                TEXT NOT NULL,
        database                  TEXT NOT NULL,
        table_name                TEXT NOT NULL,
        status                    TEXT NOT NULL,
        error_message             TEXT,
        records_processed         INTEGER NOT NULL DEFAULT 0,
        records_ingested          INTEGER NOT NULL DEFAULT 0,
        parse_failures            INTEGER NOT NULL DEFAULT 0,
        record_ingestion_failures INTEGER NOT NULL DEFAULT 0,
        file_failures             INTEGER NOT NULL DEFAULT 0,
        bytes_metered             INTEGER NOT NULL DEFAULT 0,
        file_key                  TEXT,
        file_row                  INTEGER NOT NULL DEFAULT 0,
        created_ns                INTEGER NOT NULL,
        updated_ns                INTEGER NOT NULL,
        resumable_until_ns        INTEGER,
        client_token              TEXT
    ) WITHOUT ROWID;
    CREATE INDEX batch_load_tasks_by_scope ON batch_load_tasks (account, region, created_ns);
    CREATE INDEX batch_load_tasks_by_status ON batch_load_tasks (status);
    CREATE TABLE batch_load_task_errors (
        task_id TEXT NOT NULL,
        seq     INTEGER NOT NULL,
        file    TEXT NOT NULL,
        line    INTEGER NOT NULL,
        reason  TEXT NOT NULL,
        PRIMARY KEY (task_id, seq)
    ) WITHOUT ROWID;
"#;

/// Migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[MIGRATION_1, MIGRATION_2, MIGRATION_3, MIGRATION_4];

const MIGRATION_1: &str = r#"
    CREATE TABLE databases (
        account     TEXT NOT NULL,
        region      TEXT NOT NULL,
        name        TEXT NOT NULL,
        kms_key_id  TEXT NOT NULL,
        created_ns  INTEGER NOT NULL,
        updated_ns  INTEGER NOT NULL,
        PRIMARY KEY (account, region, name)
    ) WITHOUT ROWID;
    CREATE TABLE tables (
        account         TEXT NOT NULL,
        region          TEXT NOT NULL,
        database        TEXT NOT NULL,
        name            TEXT NOT NULL,
        id              INTEGER NOT NULL UNIQUE,
        memory_hours    INTEGER NOT NULL,
        memory_floor_ns INTEGER,
        magnetic_days   INTEGER NOT NULL,
        magnetic_writes TEXT NOT NULL,
        schema          TEXT NOT NULL,
        created_ns      INTEGER NOT NULL,
        updated_ns      INTEGER NOT NULL,
        PRIMARY KEY (account, region, database, name)
    ) WITHOUT ROWID;
    CREATE TABLE tags (
        arn   TEXT NOT NULL,
        key   TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (arn, key)
    ) WITHOUT ROWID;
    -- Records and their dictionaries, per table id (wire-protocol.md §5.4, DESIGN.md "Storage").
    -- A series is one distinct dimension set; `dims` is its canonical key.
    CREATE TABLE series (
        table_id  INTEGER NOT NULL,
        series_id INTEGER NOT NULL,
        dims      TEXT NOT NULL,
        PRIMARY KEY (table_id, series_id)
    ) WITHOUT ROWID;
    CREATE TABLE measure_names (
        table_id   INTEGER NOT NULL,
        measure_id INTEGER NOT NULL,
        name       TEXT NOT NULL,
        kind       TEXT NOT NULL,
        PRIMARY KEY (table_id, measure_id)
    ) WITHOUT ROWID;
    -- The table's columns in first-seen order: dimensions, measure_value::<type>, attributes.
    CREATE TABLE table_columns (
        table_id INTEGER NOT NULL,
        ordinal  INTEGER NOT NULL,
        name     TEXT NOT NULL,
        kind     TEXT NOT NULL,
        PRIMARY KEY (table_id, ordinal)
    ) WITHOUT ROWID;
    -- One row per record identity (series, measure, time), clustered by hour bucket so that
    -- time-range reads, tiering and expiry touch contiguous key ranges.
    CREATE TABLE records (
        table_id   INTEGER NOT NULL,
        bucket     INTEGER NOT NULL,
        series_id  INTEGER NOT NULL,
        measure_id INTEGER NOT NULL,
        time_ns    INTEGER NOT NULL,
        version    INTEGER NOT NULL,
        value      BLOB NOT NULL,
        PRIMARY KEY (table_id, bucket, series_id, measure_id, time_ns)
    ) WITHOUT ROWID;
    CREATE TABLE account_settings (
        account  TEXT NOT NULL,
        region   TEXT NOT NULL,
        settings TEXT NOT NULL,
        PRIMARY KEY (account, region)
    ) WITHOUT ROWID;
"#;

/// The engine: store, clock, memory tier, writer. Cheap to share behind an `Arc`.
pub struct Engine {
    pub(crate) core: Arc<Core>,
    pub(crate) writer: Writer,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("path", &self.core.path)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Opens (creating if needed) the store in `data_dir`, or an in-memory one; rebuilds the
    /// memory tier from it and starts the writer and maintenance threads.
    ///
    /// A data directory that cannot be written (read-only file system or permissions, or a
    /// store file SQLite opens read-only) fails here with [`crate::Error::StoreUnavailable`],
    /// naming the directory and the cause, rather than on the first write.
    pub fn open(data_dir: Option<&Path>, clock: Clock) -> Result<Self> {
        let (conn, file, path, temp_dir) = match data_dir {
            Some(dir) => {
                let unavailable = |what: &str, e: &dyn std::fmt::Display| {
                    crate::Error::StoreUnavailable(format!(
                        "the data directory {} {what}: {e}",
                        dir.display()
                    ))
                };
                std::fs::create_dir_all(dir).map_err(|e| unavailable("cannot be created", &e))?;
                probe_writable(dir).map_err(|e| unavailable("is not writable", &e))?;
                let path = dir.join(DATA_FILE);
                let conn = Connection::open(&path)
                    .map_err(|e| unavailable("holds no usable store", &e))?;
                if conn.is_readonly(MAIN_DB)? {
                    return Err(unavailable(
                        "is not writable",
                        &format!("SQLite opened {DATA_FILE} read-only"),
                    ));
                }
                (conn, path.clone(), Some(path), None)
            }
            None => {
                let temp_dir = tempfile::Builder::new()
                    .prefix("timestream-local-")
                    .tempdir()
                    .map_err(|e| {
                        crate::Error::StoreUnavailable(format!(
                            "cannot create the in-memory store's directory in {} (set TMPDIR): {e}",
                            std::env::temp_dir().display()
                        ))
                    })?;
                let file = temp_dir.path().join(DATA_FILE);
                let conn = Connection::open(&file)?;
                (conn, file, None, Some(temp_dir))
            }
        };
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Nothing of memory mode survives the process: no fsync is worth waiting for.
        let synchronous = if path.is_some() { "NORMAL" } else { "OFF" };
        conn.pragma_update(None, "synchronous", synchronous)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 64 MiB of page cache (SQLite's default is 2 MiB): the records b-tree's upper levels
        // and the hour buckets being written stay cached.
        conn.pragma_update(None, "cache_size", -65536)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Checkpoints run on their own connection and thread (see maintenance), not inside
        // the writer's commits.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        migrate(&conn)?;
        let memory = maintenance::rebuild_memory_tier(&conn, clock.now_ns())?;
        let core = Arc::new(Core {
            conn: Mutex::new(conn),
            readers: Arc::new(ReadPool {
                file: file.clone(),
                idle: Mutex::new(Vec::new()),
            }),
            clock,
            path,
            states: Mutex::new(HashMap::new()),
            memory: RwLock::new(memory),
            health: HealthState::default(),
            magnetic_cache: Arc::default(),
            activity: IngestActivity::default(),
            _temp_dir: temp_dir,
        });
        let writer = Writer::spawn(Arc::downgrade(&core))
            .map_err(|e| crate::Error::Corrupt(format!("cannot start the writer: {e}")))?;
        maintenance::spawn(Arc::downgrade(&core));
        maintenance::spawn_checkpointer(file, Arc::downgrade(&core));
        Ok(Self { core, writer })
    }

    pub fn clock(&self) -> &Clock {
        &self.core.clock
    }

    /// The SQLite file, when the store is on disk.
    pub fn path(&self) -> Option<&Path> {
        self.core.path.as_deref()
    }

    /// The engine's health, for the admin API: `ok`; `degraded` while a fault lasts (a full
    /// disk, failing writes or checkpoints) or once the writer recovered from a panic;
    /// `unhealthy` once the writer thread is gone. Each reason is one line of text.
    pub fn health(&self) -> Health {
        self.core.health.report(self.writer.is_alive())
    }

    /// Runs `f` in one transaction, committed only if `f` succeeds. A storage failure (a full
    /// disk, say) is recorded for [`Engine::health`]; a commit ends it.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.core.lock_conn();
        let result = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })();
        match &result {
            Ok(_) => {
                self.core.health.write_committed();
            }
            Err(e @ crate::Error::Storage(_)) => {
                if self.core.health.write_failed(e) {
                    tracing::warn!(error = %e, "catalog write failed");
                }
            }
            Err(_) => {}
        }
        result
    }

    /// Runs `f` on a read connection (it sees every committed write, and waits for none).
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        f(&*self.core.readers.get()?)
    }

    /// Drops what RAM holds of a deleted table.
    pub(crate) fn forget_table(&self, table_id: i64) {
        let _conn = self.core.lock_conn();
        let mut states = self.core.lock_states();
        states.remove(&table_id);
        self.core.memory_write().remove(&table_id);
        self.core.magnetic_cache.bump(table_id);
    }

    /// Wipes every resource of every scope (the admin API's reset).
    pub fn reset(&self) -> Result<()> {
        let mut conn = self.core.lock_conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "DELETE FROM records; DELETE FROM series; DELETE FROM measure_names; DELETE FROM table_columns;
             DELETE FROM tags; DELETE FROM tables; DELETE FROM databases; DELETE FROM account_settings;
             DELETE FROM scheduled_queries; DELETE FROM scheduled_query_runs;
             DELETE FROM batch_load_tasks; DELETE FROM batch_load_task_errors;",
        )?;
        tx.commit()?;
        let mut states = self.core.lock_states();
        states.clear();
        self.core.memory_write().clear();
        self.core.magnetic_cache.clear();
        self.core.activity.clear();
        Ok(())
    }

    /// Flushes the WAL into the main file; called on shutdown.
    pub fn checkpoint(&self) -> Result<()> {
        self.core
            .lock_conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }
}

/// Creates and removes a file in `dir`: as root, permission bits say nothing, and SQLite
/// silently opens a file it cannot write read-only.
fn probe_writable(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(format!(".{DATA_FILE}.probe-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&probe)?;
    std::fs::remove_file(&probe)
}

fn migrate(conn: &Connection) -> Result<()> {
    let done: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        conn.execute_batch(&format!(
            "BEGIN; {sql}; PRAGMA user_version = {}; COMMIT;",
            i + 1
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn migration_2_keeps_records_and_clusters_them_by_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DATA_FILE);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "BEGIN; {MIGRATION_1}; PRAGMA user_version = 1; COMMIT;"
        ))
        .unwrap();
        for (series, time) in [(2, 10), (1, 20), (1, 5)] {
            conn.execute(
                "INSERT INTO records (table_id, bucket, series_id, measure_id, time_ns, version, value)
                 VALUES (7, 0, ?1, 0, ?2, 1, x'00')",
                rusqlite::params![series, time],
            )
            .unwrap();
        }
        drop(conn);
        let conn = Connection::open(&path).unwrap();
        migrate(&conn).unwrap();
        let version: usize = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len());
        // A WITHOUT ROWID table scans in key order: time before series now.
        let rows: Vec<(i64, i64)> = conn
            .prepare("SELECT time_ns, series_id FROM records")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows, [(5, 1), (10, 2), (20, 1)]);
    }
}
