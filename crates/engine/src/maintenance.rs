//! Tiering and expiry: records leave the memory tier (RAM) once older than the table's memory
//! retention — they stay in SQLite, the magnetic tier — and leave SQLite once older than
//! memory + magnetic retention. Runs every second on the engine clock, and at once when the
//! admin API moves the clock, so a test can make hours pass instantly.

use std::collections::HashMap;
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Weak};
use std::thread::{Scope, ScopedJoinHandle};
use std::time::Duration;

use rusqlite::{params, Connection};

use crate::catalog::settings_by_id;
use crate::ingest::bucket;
use crate::memory_tier::{Chunk, EncodedRows, MemTable, CHUNK_ROWS};
use crate::shared::Core;
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
            // A RESTART checkpoint holds new writers off while it waits for readers to leave
            // the log, and a query may read for seconds: give up quickly and retry next round.
            let _ = conn.busy_timeout(Duration::from_millis(10));
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

/// Loads every record inside its table's memory window from SQLite (at start-up, and after a
/// writer panic). The memory tier is the one inserting the records one by one in (bucket,
/// time, series, measure) order would build, chunk for chunk; but each chunk is built straight
/// from the values' encodings as SQLite returns them, with no [`crate::memory_tier::MemRow`]
/// per record, and on a thread of its own while this one reads on (issue 16: 10 M records took
/// 12 s, most of it in allocations; reading SQLite is now the larger half of the work).
pub fn rebuild_memory_tier(conn: &Connection, now: i64) -> Result<HashMap<i64, MemTable>> {
    rebuild(conn, now, true)
}

/// The rebuild, with chunks built on a thread of their own (`threaded`) or on the reader's.
fn rebuild(conn: &Connection, now: i64, threaded: bool) -> Result<HashMap<i64, MemTable>> {
    let ids: Vec<i64> = {
        let mut stmt = conn.prepare("SELECT id FROM tables")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut windows = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(settings) = settings_by_id(conn, id)? {
            windows.push((id, settings.memory_lower_ns(now)));
        }
    }
    std::thread::scope(|scope| {
        let mut builder = ChunkBuilders::new(scope, threaded);
        let mut pending = EncodedRows::with_capacity(CHUNK_ROWS);
        let mut actives = Vec::with_capacity(windows.len());
        for &(id, lower) in &windows {
            match read_table(conn, id, lower, &mut builder, &mut pending) {
                Ok(active) => actives.push((id, active)),
                // The building thread's own error, if it has one, is the cause.
                Err(e) => return Err(builder.finish().err().unwrap_or(e)),
            }
        }
        let mut chunks = builder.finish()?;
        let mut memory = HashMap::new();
        for (id, active) in actives {
            let table = MemTable::rebuilt(chunks.remove(&id).unwrap_or_default(), active);
            if !table.is_empty() {
                memory.insert(id, table);
            }
        }
        Ok(memory)
    })
}

/// Reads table `id`'s records from `lower` on, in the primary key's order (no sort), into
/// `pending`: each full chunk's worth goes to `builder`; returns the rest, decoded, as the
/// table's active rows.
fn read_table(
    conn: &Connection,
    id: i64,
    lower: i64,
    builder: &mut ChunkBuilders<'_, '_>,
    pending: &mut EncodedRows,
) -> Result<Vec<crate::memory_tier::MemRow>> {
    let mut stmt = conn.prepare(
        "SELECT series_id, measure_id, time_ns, version, value FROM records
         WHERE table_id = ?1 AND bucket >= ?2 AND time_ns >= ?3
         ORDER BY bucket, time_ns, series_id, measure_id",
    )?;
    let mut rows = stmt.query(params![id, bucket(lower), lower])?;
    let unreadable = |e: rusqlite::types::FromSqlError| {
        crate::Error::Corrupt(format!("unreadable record in table {id}: {e}"))
    };
    while let Some(row) = rows.next()? {
        let int = |i: usize| -> Result<i64> { row.get_ref(i)?.as_i64().map_err(unreadable) };
        let (series, measure, time_ns, version) = (int(0)?, int(1)?, int(2)?, int(3)?);
        let (Ok(series), Ok(measure)) = (u32::try_from(series), u32::try_from(measure)) else {
            return Err(crate::Error::Corrupt(format!(
                "record ids out of range in table {id}"
            )));
        };
        // Borrowed from SQLite's row: copied once, into the chunk's buffer.
        let value = row.get_ref(4)?.as_blob().map_err(unreadable)?;
        pending.push(series, measure, time_ns, version, value);
        if pending.len() == CHUNK_ROWS {
            *pending = builder.build(id, std::mem::take(pending))?;
        }
    }
    let active = pending.decode().ok_or_else(|| undecodable(id))?;
    pending.clear();
    Ok(active)
}

fn undecodable(id: i64) -> crate::Error {
    crate::Error::Corrupt(format!("undecodable record value in table {id}"))
}

/// Full chunks' worth of encoded records waiting for the building thread at most (each about
/// 1 MB): enough to ride out a pause on either side.
const REBUILD_QUEUE: usize = 4;

type BuiltChunks = HashMap<i64, Vec<Chunk>>;

/// Builds the chunks of the records the rebuild hands over, each table's in order: on a thread
/// of its own, started with the first chunk (a store with less than a chunk in memory needs
/// none), or on the reader's if that thread cannot start.
struct ChunkBuilders<'scope, 'env> {
    scope: &'scope Scope<'scope, 'env>,
    started: bool,
    thread: Option<BuildingThread<'scope>>,
    /// Chunks built on the reader's thread, when no thread of their own could start.
    inline: BuiltChunks,
}

struct BuildingThread<'scope> {
    to_build: SyncSender<(i64, EncodedRows)>,
    /// Buffers the thread is done with, to be filled again.
    spare: Receiver<EncodedRows>,
    handle: ScopedJoinHandle<'scope, Result<BuiltChunks>>,
}

impl<'scope, 'env> ChunkBuilders<'scope, 'env> {
    fn new(scope: &'scope Scope<'scope, 'env>, threaded: bool) -> Self {
        Self {
            scope,
            started: !threaded,
            thread: None,
            inline: BuiltChunks::new(),
        }
    }

    fn start(&self) -> Option<BuildingThread<'scope>> {
        let (to_build, queue) = sync_channel::<(i64, EncodedRows)>(REBUILD_QUEUE);
        let (give_back, spare) = channel();
        let spawned = std::thread::Builder::new()
            .name("tsl-rebuild".into())
            .spawn_scoped(self.scope, move || {
                let mut chunks = BuiltChunks::new();
                for (id, mut rows) in queue {
                    let chunk = rows.build_chunk().ok_or_else(|| undecodable(id))?;
                    chunks.entry(id).or_default().push(chunk);
                    rows.clear();
                    // The reader may be done already: then the buffer is simply dropped.
                    let _ = give_back.send(rows);
                }
                Ok(chunks)
            });
        match spawned {
            Ok(handle) => Some(BuildingThread {
                to_build,
                spare,
                handle,
            }),
            Err(e) => {
                tracing::warn!(error = %e, "cannot start a thread to rebuild the memory tier; rebuilding on one");
                None
            }
        }
    }

    /// Takes one full chunk's records of table `id`; returns an empty buffer for the next.
    /// Err when the building thread has stopped (on an undecodable record: [`Self::finish`]
    /// says which).
    fn build(&mut self, id: i64, mut rows: EncodedRows) -> Result<EncodedRows> {
        if !self.started {
            self.started = true;
            self.thread = self.start();
        }
        if let Some(thread) = &self.thread {
            if thread.to_build.send((id, rows)).is_err() {
                return Err(crate::Error::Corrupt(
                    "the memory tier's rebuild stopped".into(),
                ));
            }
            return Ok(thread
                .spare
                .try_recv()
                .unwrap_or_else(|_| EncodedRows::with_capacity(CHUNK_ROWS)));
        }
        let chunk = rows.build_chunk().ok_or_else(|| undecodable(id))?;
        self.inline.entry(id).or_default().push(chunk);
        rows.clear();
        Ok(rows)
    }

    /// Every table's chunks, in the order their records were handed over.
    fn finish(self) -> Result<BuiltChunks> {
        let Some(thread) = self.thread else {
            return Ok(self.inline);
        };
        drop(thread.to_build);
        thread.handle.join().unwrap_or_else(|_| {
            Err(crate::Error::Corrupt(
                "the memory tier's rebuild failed unexpectedly".into(),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use protocol::operations::create_database::CreateDatabaseInput;
    use protocol::operations::create_table::CreateTableInput;
    use protocol::operations::write_records::WriteRecordsInput;
    use protocol::shapes::{
        Dimension, MagneticStoreWriteProperties, MeasureValue, MeasureValueType, Record,
        RetentionProperties,
    };

    use super::*;
    use crate::memory_tier::MemRow;
    use crate::table_state::TableState;
    use crate::{Clock, Error, Scope};

    const NOW_MS: i64 = 1_767_225_600_000;
    const HOUR_MS: i64 = 3_600_000;

    fn scope() -> Scope {
        Scope::new("123456789012", "us-east-1")
    }

    fn open(dir: &std::path::Path) -> crate::Result<Engine> {
        let clock = Clock::default();
        clock.freeze_at_ns(NOW_MS * 1_000_000);
        Engine::open(Some(dir), clock)
    }

    fn create(e: &Engine, table: &str, memory_hours: i64) {
        let _ = e.create_database(
            &scope(),
            CreateDatabaseInput {
                database_name: "db".into(),
                kms_key_id: None,
                tags: vec![],
            },
        );
        e.create_table(
            &scope(),
            CreateTableInput {
                database_name: "db".into(),
                table_name: table.into(),
                retention_properties: Some(RetentionProperties {
                    memory_store_retention_period_in_hours: memory_hours,
                    magnetic_store_retention_period_in_days: 30,
                }),
                tags: vec![],
                magnetic_store_write_properties: Some(MagneticStoreWriteProperties {
                    enable_magnetic_store_writes: true,
                    magnetic_store_rejected_data_location: None,
                }),
                schema: None,
            },
        )
        .unwrap();
    }

    /// Record `i` of one of 50 hosts: one of six measures (single-measure values of every
    /// type, and multi-measure records with three different attribute sets).
    fn record(i: i64, version: i64, time_ms: i64) -> Record {
        let value = |v: String, t| (Some(v), Some(t), None);
        let attrs = |list: &[(&str, &str, MeasureValueType)]| {
            (
                None,
                Some(MeasureValueType::Multi),
                Some(
                    list.iter()
                        .map(|(n, v, t)| MeasureValue {
                            name: (*n).into(),
                            value: (*v).into(),
                            r#type: *t,
                        })
                        .collect(),
                ),
            )
        };
        let (name, (measure_value, measure_value_type, measure_values)) = match i % 6 {
            0 => (
                "cpu",
                value(format!("{}.25", i * version), MeasureValueType::Double),
            ),
            1 => (
                "count",
                value((i * version).to_string(), MeasureValueType::Bigint),
            ),
            2 => (
                "state",
                value(format!("s{i}é{version}"), MeasureValueType::Varchar),
            ),
            3 => (
                "up",
                value((i % 4 == 3).to_string(), MeasureValueType::Boolean),
            ),
            4 => (
                "seen",
                value((i * 1000).to_string(), MeasureValueType::Timestamp),
            ),
            _ if i / 6 % 3 == 0 => (
                "metrics",
                attrs(&[
                    ("a", "1.5", MeasureValueType::Double),
                    ("b", "7", MeasureValueType::Bigint),
                ]),
            ),
            _ if i / 6 % 3 == 1 => (
                "metrics",
                attrs(&[
                    ("a", "2.5", MeasureValueType::Double),
                    ("s", "text", MeasureValueType::Varchar),
                ]),
            ),
            _ => (
                "metrics",
                attrs(&[("z", "true", MeasureValueType::Boolean)]),
            ),
        };
        Record {
            dimensions: vec![Dimension {
                name: "host".into(),
                value: format!("host-{}", i % 50),
                dimension_value_type: None,
            }],
            measure_name: Some(name.into()),
            measure_value,
            measure_value_type,
            measure_values,
            time: Some(time_ms.to_string()),
            version: Some(version),
            ..Default::default()
        }
    }

    /// A time in the last two hours, the same for three records in a row (of different hosts
    /// and measures), scattered over the two hours.
    fn time_ms(i: i64) -> i64 {
        NOW_MS - 1 - (i / 3 * 7919) % (2 * HOUR_MS - 1000)
    }

    async fn write(e: &Engine, table: &str, records: Vec<Record>) {
        for batch in records.chunks(100) {
            e.write_records(
                &scope(),
                WriteRecordsInput {
                    database_name: "db".into(),
                    table_name: table.into(),
                    common_attributes: None,
                    records: batch.to_vec(),
                },
            )
            .await
            .unwrap();
        }
    }

    /// Each table's live memory-tier rows, decoded, in the order the tier holds them.
    fn memory_rows(e: &Engine, tables: &[&str]) -> Vec<Vec<MemRow>> {
        tables
            .iter()
            .map(|t| {
                let id = e.table_settings(&scope(), "db", t).unwrap().id;
                let conn = e.core.lock_conn();
                let mut states = e.core.lock_states();
                let state = TableState::cached(&mut states, &conn, id).unwrap();
                e.core
                    .memory_read()
                    .get(&id)
                    .map(|m| m.rows(state))
                    .unwrap_or_default()
            })
            .collect()
    }

    #[tokio::test]
    async fn a_rebuilt_memory_tier_holds_the_rows_written_in_key_order_chunk_for_chunk() {
        let dir = tempfile::tempdir().unwrap();
        let tables = ["big", "small", "empty"];
        let big = 3 * CHUNK_ROWS as i64 + 123;
        let written = {
            let e = open(dir.path()).unwrap();
            create(&e, "big", 2);
            create(&e, "small", 24);
            create(&e, "empty", 24);
            write(
                &e,
                "big",
                (0..big).map(|i| record(i, 1, time_ms(i))).collect(),
            )
            .await;
            // Newer versions of some records: their old rows are deleted in sealed chunks
            // and replaced in the active rows of the tier as written.
            let updates = (0..big).step_by(97).map(|i| record(i, 2, time_ms(i)));
            write(&e, "big", updates.collect()).await;
            // Older than the memory window: SQLite only.
            let magnetic = (0..300).map(|i| record(i, 1, NOW_MS - 5 * HOUR_MS - i));
            write(&e, "big", magnetic.collect()).await;
            write(
                &e,
                "small",
                (0..40).map(|i| record(i, 1, time_ms(i))).collect(),
            )
            .await;
            write(&e, "empty", vec![record(0, 1, NOW_MS - 30 * HOUR_MS)]).await;
            let rows = memory_rows(&e, &tables);
            assert!(
                e.core
                    .memory_read()
                    .values()
                    .any(|t| t.chunks.iter().any(|c| c.live_mask().is_some())),
                "the tier as written has replaced rows"
            );
            rows
        };
        let e = open(dir.path()).unwrap();
        let rebuilt = memory_rows(&e, &tables);
        for ((table, mut written), rebuilt) in tables.iter().zip(written).zip(rebuilt) {
            written.sort_by_key(|r| (r.time_ns, r.series, r.measure));
            assert_eq!(rebuilt.len(), written.len(), "{table}");
            assert!(rebuilt == written, "{table}: the same rows, in key order");
        }
        assert_eq!(e.memory_tier_usage().0, big as usize + 40);

        // Chunk for chunk the table inserting those rows one by one builds (the rebuild before
        // issue 16).
        let mut inserted = MemTable::default();
        for row in memory_rows(&e, &["big"]).remove(0) {
            inserted.insert(row);
        }
        let id = e.table_settings(&scope(), "db", "big").unwrap().id;
        let empty = e.table_settings(&scope(), "db", "empty").unwrap().id;
        // Built on the reader's thread (when no thread of their own can start): the same.
        let inline = rebuild(&e.core.lock_conn(), NOW_MS * 1_000_000, false).unwrap();
        let memory = e.core.memory_read();
        let table = &memory[&id];
        assert_eq!(table.chunks.len(), 3);
        assert_eq!(table.chunks.len(), inserted.chunks.len());
        for (a, b) in table.chunks.iter().zip(&inserted.chunks) {
            assert_eq!(a.batch, b.batch);
            assert_eq!((a.min_time, a.max_time), (b.min_time, b.max_time));
            assert!(a.live_mask().is_none());
        }
        assert_eq!(table.active_batch(), inserted.active_batch());
        assert_eq!(table.memory_bytes(), inserted.memory_bytes());
        assert!(
            !memory.contains_key(&empty),
            "no table without rows in memory"
        );
        assert_eq!(inline.len(), memory.len());
        for (id, table) in memory.iter() {
            let other = &inline[id];
            assert_eq!(other.chunks.len(), table.chunks.len());
            for (a, b) in table.chunks.iter().zip(&other.chunks) {
                assert_eq!(a.batch, b.batch);
            }
            assert_eq!(other.active_batch(), table.active_batch());
        }
    }

    /// Replaces the value of the `nth` record of table `big` in key order with bytes that are
    /// no encoding.
    fn corrupt(dir: &std::path::Path, nth: i64) {
        let conn = Connection::open(dir.join(crate::store::DATA_FILE)).unwrap();
        let changed = conn
            .execute(
                "UPDATE records SET value = x'FF0100' WHERE (bucket, time_ns, series_id, measure_id) =
                 (SELECT bucket, time_ns, series_id, measure_id FROM records
                  ORDER BY bucket, time_ns, series_id, measure_id LIMIT 1 OFFSET ?1)",
                [nth],
            )
            .unwrap();
        assert_eq!(changed, 1);
    }

    #[tokio::test]
    async fn an_undecodable_record_fails_the_rebuild_in_a_chunk_or_in_the_rest() {
        for nth in [5, CHUNK_ROWS as i64 + 3] {
            let dir = tempfile::tempdir().unwrap();
            {
                let e = open(dir.path()).unwrap();
                create(&e, "big", 2);
                let n = CHUNK_ROWS as i64 + 10;
                write(
                    &e,
                    "big",
                    (0..n).map(|i| record(i, 1, time_ms(i))).collect(),
                )
                .await;
            }
            corrupt(dir.path(), nth);
            match open(dir.path()) {
                Err(Error::Corrupt(m)) => assert!(m.contains("undecodable"), "{m}"),
                other => panic!("expected Corrupt, got {other:?}"),
            }
        }
    }
}
