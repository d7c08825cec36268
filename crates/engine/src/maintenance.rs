//! Tiering and expiry: records leave the memory tier (RAM) once older than the table's memory
//! retention — they stay in SQLite, the magnetic tier — and leave SQLite once older than
//! memory + magnetic retention. Runs every second on the engine clock, and at once when the
//! admin API moves the clock, so a test can make hours pass instantly.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use rusqlite::{params, Connection};

use crate::catalog::settings_by_id;
use crate::ingest::bucket;
use crate::memory_tier::{MemRow, MemTable};
use crate::record::Measures;
use crate::store::Core;
use crate::{Engine, Result};

const PERIOD: Duration = Duration::from_secs(1);

pub fn spawn(core: Weak<Core>) {
    let spawned = std::thread::Builder::new()
        .name("tsl-maintenance".into())
        .spawn(move || {
            // Logged at warn when a failure starts or changes, not every second while it lasts.
            let mut failing: Option<String> = None;
            loop {
                std::thread::sleep(PERIOD);
                let Some(core) = core.upgrade() else { return };
                match run(&core) {
                    Ok(_) => {
                        if failing.take().is_some() {
                            tracing::info!("maintenance succeeds again");
                        }
                    }
                    Err(e) => {
                        let message = e.to_string();
                        if failing.as_ref() != Some(&message) {
                            tracing::warn!(error = %message, "maintenance failed");
                        } else {
                            tracing::debug!(error = %message, "maintenance failed");
                        }
                        failing = Some(message);
                    }
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the maintenance thread; tiering runs only on clock changes");
    }
}

/// How often the checkpointer copies the WAL into the database file.
const CHECKPOINT_PERIOD: Duration = Duration::from_millis(250);

/// WAL frames (pages) past which the checkpointer makes the log start over.
const WAL_RESTART_FRAMES: i64 = 16_384;

/// Checkpoints the WAL from a connection of its own, so the writer's commits never do that
/// work (SQLite's automatic checkpoints would run inside them). PASSIVE: it never blocks the
/// writer or readers. SQLite reuses the log from its start only when a write begins after a
/// checkpoint copied all of it, which a steady stream of commits can keep from happening; past
/// `WAL_RESTART_FRAMES` a RESTART checkpoint (which waits for the writer's current commit)
/// makes it start over, so the log stays bounded and is rewritten in place rather than grown.
///
/// A failing checkpoint (a full disk: the database file cannot grow) is logged at warn when it
/// starts or its cause changes and at info when it ends, and shown by `Engine::health` while
/// it lasts; a busy database only makes a checkpoint wait for the next round (debug).
pub fn spawn_checkpointer(path: std::path::PathBuf, core: Weak<Core>) {
    let spawned = std::thread::Builder::new()
        .name("tsl-checkpoint".into())
        .spawn(move || {
            let conn = match Connection::open(&path) {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "cannot open the checkpoint connection");
                    if let Some(core) = core.upgrade() {
                        core.health.checkpointer_stopped(e.to_string());
                    }
                    return;
                }
            };
            let _ = conn.busy_timeout(Duration::from_millis(100));
            loop {
                std::thread::sleep(CHECKPOINT_PERIOD);
                let Some(core) = core.upgrade() else { return };
                let result = conn
                    .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1))
                    .and_then(|frames| {
                        if frames > WAL_RESTART_FRAMES {
                            conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()))
                        } else {
                            Ok(())
                        }
                    });
                match result {
                    Ok(()) => {
                        if core.health.checkpoint_succeeded() {
                            tracing::info!("checkpoints succeed again");
                        }
                    }
                    Err(e) if is_busy(&e) => tracing::debug!(error = %e, "checkpoint skipped"),
                    Err(e) => {
                        if core.health.checkpoint_failed(e.to_string()) {
                            tracing::warn!(error = %e, "checkpoint failed; the WAL grows until it succeeds");
                        } else {
                            tracing::debug!(error = %e, "checkpoint failed");
                        }
                    }
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the checkpoint thread; the WAL grows until shutdown");
    }
}

/// Another connection holds a lock the checkpoint needs: not a fault.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// What one maintenance pass did.
#[derive(Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MaintenanceReport {
    pub evicted_from_memory: usize,
    pub expired: usize,
}

impl Engine {
    /// Runs tiering and expiry now (the admin API calls this after moving the clock).
    pub fn run_maintenance(&self) -> Result<MaintenanceReport> {
        run(&self.core)
    }
}

fn run(core: &Arc<Core>) -> Result<MaintenanceReport> {
    let now = core.clock.now_ns();
    let conn = core.lock_conn();
    let mut report = MaintenanceReport::default();
    let ids: Vec<i64> = {
        let mut stmt = conn.prepare_cached("SELECT id FROM tables")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for &id in &ids {
        let Some(settings) = settings_by_id(&conn, id)? else {
            continue;
        };
        let lower = settings.retention_lower_ns(now);
        report.expired += conn
            .prepare_cached(
                "DELETE FROM records WHERE table_id = ?1 AND bucket <= ?2 AND time_ns < ?3",
            )?
            .execute(params![id, bucket(lower), lower])?;
        let cutoff = settings.memory_lower_ns(now);
        let mut memory = core.memory_write();
        if let Some(table) = memory.get_mut(&id) {
            let before = table.len();
            table.evict_before(cutoff);
            report.evicted_from_memory += before - table.len();
        }
    }
    core.memory_write().retain(|id, _| ids.contains(id));
    Ok(report)
}

/// Loads every record inside its table's memory window from SQLite (at start-up).
pub fn rebuild_memory_tier(conn: &Connection, now: i64) -> Result<HashMap<i64, MemTable>> {
    let mut memory = HashMap::new();
    let ids: Vec<i64> = {
        let mut stmt = conn.prepare("SELECT id FROM tables")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for id in ids {
        let Some(settings) = settings_by_id(conn, id)? else {
            continue;
        };
        let lower = settings.memory_lower_ns(now);
        let mut table = MemTable::default();
        let mut stmt = conn.prepare(
            "SELECT series_id, measure_id, time_ns, version, value FROM records
             WHERE table_id = ?1 AND bucket >= ?2 AND time_ns >= ?3
             ORDER BY bucket, time_ns",
        )?;
        let rows = stmt.query_map(params![id, bucket(lower), lower], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Vec<u8>>(4)?,
            ))
        })?;
        for row in rows {
            let (series, measure, time_ns, version, value) = row?;
            let Some(measures) = Measures::decode(&value) else {
                return Err(crate::Error::Corrupt(format!(
                    "undecodable record value in table {id}"
                )));
            };
            table.insert(MemRow {
                series,
                measure,
                time_ns,
                version,
                measures,
            });
        }
        if !table.is_empty() {
            memory.insert(id, table);
        }
    }
    Ok(memory)
}
