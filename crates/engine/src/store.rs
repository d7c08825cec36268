//! The SQLite store: one database file under `--data-dir` (or one in memory), WAL mode, the
//! schema and its migrations.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, Transaction};

use crate::{Clock, Result};

/// The file the store lives in, inside `--data-dir`.
pub const DATA_FILE: &str = "timestream-local.sqlite3";

/// Migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[r#"
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
        memory_hours    INTEGER NOT NULL,
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
    CREATE TABLE account_settings (
        account  TEXT NOT NULL,
        region   TEXT NOT NULL,
        settings TEXT NOT NULL,
        PRIMARY KEY (account, region)
    ) WITHOUT ROWID;
"#];

/// The engine: the store and the clock. Cheap to share behind an `Arc`.
pub struct Engine {
    conn: Mutex<Connection>,
    clock: Clock,
    path: Option<PathBuf>,
}

impl Engine {
    /// Opens (creating if needed) the store in `data_dir`, or an in-memory one.
    pub fn open(data_dir: Option<&Path>, clock: Clock) -> Result<Self> {
        let (conn, path) = match data_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    crate::Error::Corrupt(format!("cannot create {}: {e}", dir.display()))
                })?;
                let path = dir.join(DATA_FILE);
                (Connection::open(&path)?, Some(path))
            }
            None => (Connection::open_in_memory()?, None),
        };
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            clock,
            path,
        })
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The SQLite file, when the store is on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Runs `f` in one transaction, committed only if `f` succeeds.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on the connection without a write transaction.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        f(&self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (the transaction rolls back
        // on drop), so a poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wipes every resource of every scope (the admin API's reset).
    pub fn reset(&self) -> Result<()> {
        self.write(|tx| {
            tx.execute_batch(
                "DELETE FROM tags; DELETE FROM tables; DELETE FROM databases; DELETE FROM account_settings;",
            )?;
            Ok(())
        })
    }

    /// Flushes the WAL into the main file; called on shutdown.
    pub fn checkpoint(&self) -> Result<()> {
        self.lock()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }
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
