//! What a query reads of a table: a consistent snapshot of both tiers for a time range, in the
//! memory tier's chunk layout (see [`crate::memory_tier`]: `time`, `series`, `measure`,
//! `version`, then value columns by name), with the dictionaries that give series and measure
//! ids their meaning. Memory-tier chunks are shared, not copied; magnetic records are read from
//! SQLite only when the range reaches below the memory window, so a query over recent data
//! never touches disk, and then they stream: each [`MagneticSlice`] holds a read transaction on
//! its own connection and yields chunks as it reads, never the whole range at once.
//!
//! Consistency: the slices' read transactions begin first, then the dictionaries are taken
//! (under the lock the writer holds for a whole transaction, so they cover every committed
//! record), and the memory tier with them (the writer updates it under the same lock).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int64Array, RecordBatch, UInt32Array};
use arrow_schema::Schema;
use rusqlite::params;

use crate::catalog::{settings_by_id, TableSettings};
use crate::ingest::{bucket, bucket_span};
use crate::magnetic_cache::{CachedBucket, MagneticCache};
use crate::memory_tier::{layout, EncodedRows, CHUNK_ROWS};
use crate::shared::PooledReader;
use crate::table_state::{ColumnKind, MeasureKind, TableState};
use crate::{Engine, Error, Result, Scope};

/// A table as one query resolved it, once, before planning: its name, its columns, and what
/// its snapshots need (its id and retention settings), so that every later stage of the query
/// reads this instead of the catalog, and [`Engine::snapshot_of`] reads no catalog row.
#[derive(Debug, Clone)]
pub struct TableHandle {
    pub database: String,
    pub table: String,
    /// The table's columns in first-seen order, as of resolution.
    pub columns: Vec<(String, ColumnKind)>,
    settings: TableSettings,
}

impl TableHandle {
    /// The table's memory + magnetic retention as of resolution, nanoseconds.
    pub fn retention_ns(&self) -> i64 {
        const HOUR_NS: i64 = 3_600_000_000_000;
        self.settings
            .memory_hours
            .saturating_mul(HOUR_NS)
            .saturating_add(self.settings.magnetic_days.saturating_mul(24 * HOUR_NS))
    }
}

/// A column of a snapshot's batches. Memory-tier chunks and magnetic batches share one layout
/// (see [`crate::memory_tier`]); readers name the column they want and get its place or its
/// typed array from here, never an index of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkColumn<'a> {
    /// The record's time, nanoseconds since the epoch (Int64).
    Time,
    /// The series id (UInt32): an index into [`TableSnapshot::series`].
    Series,
    /// The measure-name id (UInt32): an index into [`TableSnapshot::measures`].
    Measure,
    /// A value column (`measure_value::double`, a multi-measure attribute) by name; a batch
    /// without records of it lacks it. Its name may be `series` or `version`: it is looked up
    /// among the value columns only.
    Value(&'a str),
}

impl ChunkColumn<'_> {
    /// Where the column is in a batch of schema `schema`; `None` for a value column it lacks.
    pub fn index(self, schema: &Schema) -> Option<usize> {
        match self {
            ChunkColumn::Time => Some(layout::TIME),
            ChunkColumn::Series => Some(layout::SERIES),
            ChunkColumn::Measure => Some(layout::MEASURE),
            ChunkColumn::Value(name) => schema
                .fields()
                .iter()
                .skip(layout::FIRST_VALUE)
                .position(|f| f.name() == name)
                .map(|i| i + layout::FIRST_VALUE),
        }
    }

    /// The column in `batch`, if it has it.
    pub fn of(self, batch: &RecordBatch) -> Option<&ArrayRef> {
        self.index(batch.schema_ref()).map(|i| batch.column(i))
    }

    /// The times of a snapshot batch.
    pub fn times(batch: &RecordBatch) -> Option<&Int64Array> {
        ChunkColumn::Time.of(batch)?.as_any().downcast_ref()
    }

    /// The series ids of a snapshot batch.
    pub fn series_ids(batch: &RecordBatch) -> Option<&UInt32Array> {
        ChunkColumn::Series.of(batch)?.as_any().downcast_ref()
    }

    /// The measure-name ids of a snapshot batch.
    pub fn measure_ids(batch: &RecordBatch) -> Option<&UInt32Array> {
        ChunkColumn::Measure.of(batch)?.as_any().downcast_ref()
    }
}

/// One batch in chunk layout, with the rows to keep when some were replaced.
#[derive(Debug, Clone)]
pub struct SnapshotBatch {
    pub batch: RecordBatch,
    pub live: Option<Arc<Vec<bool>>>,
}

/// A measure name of a table as `SHOW MEASURES` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureSummary {
    pub name: String,
    pub kind: MeasureKind,
    /// The dimensions of the records of this measure, in the table's column order.
    pub dimensions: Vec<String>,
}

/// What gives a table's ids their meaning, as of one moment.
#[derive(Debug, Clone)]
pub struct TableDictionaries {
    /// The table's columns in first-seen order.
    pub columns: Vec<(String, ColumnKind)>,
    /// Dimension sets by series id (sorted by name).
    pub series: Arc<Vec<Vec<(String, String)>>>,
    /// Measure names by measure id, with their kind.
    pub measures: Arc<Vec<(String, MeasureKind)>>,
}

#[derive(Debug)]
pub struct TableSnapshot {
    /// The table's columns in first-seen order.
    pub columns: Vec<(String, ColumnKind)>,
    /// Dimension sets by series id (sorted by name).
    pub series: Arc<Vec<Vec<(String, String)>>>,
    /// Measure names by measure id, with their kind.
    pub measures: Arc<Vec<(String, MeasureKind)>>,
    /// The memory tier's part of the range.
    pub batches: Vec<SnapshotBatch>,
    /// Bytes of memory-tier record data the snapshot covers (for QueryStatus); the magnetic
    /// slices report theirs as they are read.
    pub bytes: usize,
    /// The magnetic tier's part of the range, split by time into independent slices.
    pub magnetic: Vec<MagneticSlice>,
}

/// A time slice of a table's magnetic tier, read in one read transaction.
pub struct MagneticSlice {
    conn: PooledReader,
    table_id: i64,
    buckets: (i64, i64),
    lower: i64,
    upper: i64,
    cache: Arc<MagneticCache>,
    /// The table's cache generation, read with the transaction opened.
    generation: u64,
    /// Whole buckets within `[cacheable.0, cacheable.1)` are read from or kept in the cache.
    cacheable: (i64, i64),
}

impl std::fmt::Debug for MagneticSlice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MagneticSlice")
            .field("table_id", &self.table_id)
            .field("buckets", &self.buckets)
            .field("lower", &self.lower)
            .field("upper", &self.upper)
            .finish_non_exhaustive()
    }
}

/// Rows between two looks at whether the reader still wants batches, when a series filter
/// keeps few of them.
const CANCEL_CHECK_ROWS: usize = 65_536;

impl MagneticSlice {
    /// Reads the slice in time order, as chunk-layout batches of at most [`CHUNK_ROWS`] rows
    /// and the record bytes each covers, bucket by bucket: a whole bucket the cache may hold
    /// comes from it, or is read in full and kept; other buckets are read for `[lower, upper)`
    /// only, skipping records of series that `keep` (indexed by series id) excludes before
    /// decoding them. Batches may hold rows outside the range or of excluded series (the scan
    /// filters them). Stops early, with `Ok`, when `emit` answers `false` or `wanted` does (the
    /// reader went away: a cancelled or finished query).
    pub fn read(
        self,
        keep: Option<&[bool]>,
        wanted: impl Fn() -> bool,
        mut emit: impl FnMut(RecordBatch, usize) -> bool,
    ) -> Result<()> {
        let mut next_bucket = self.conn.prepare_cached(
            "SELECT bucket FROM records WHERE table_id = ?1 AND bucket BETWEEN ?2 AND ?3
             ORDER BY bucket LIMIT 1",
        )?;
        let mut from = self.buckets.0;
        while from <= self.buckets.1 {
            let mut rows = next_bucket.query(params![self.table_id, from, self.buckets.1])?;
            let Some(row) = rows.next()? else { break };
            let b: i64 = row.get(0)?;
            drop(rows);
            from = b.saturating_add(1);
            let (start, end) = bucket_span(b);
            if start >= self.cacheable.0 && end <= self.cacheable.1 {
                let cached = match self.cache.get(self.table_id, b, self.generation) {
                    Some(hit) => hit,
                    None => {
                        let mut batches = Vec::new();
                        let mut bytes = 0;
                        let whole =
                            self.read_bucket(b, (start, end), None, &wanted, |batch, b| {
                                bytes += b;
                                batches.push(batch);
                                true
                            })?;
                        if !whole {
                            // Cancelled part-way: a part of a bucket must never be cached.
                            return Ok(());
                        }
                        let cached = CachedBucket {
                            batches: Arc::new(batches),
                            bytes,
                        };
                        self.cache
                            .insert(self.table_id, b, self.generation, cached.clone());
                        cached
                    }
                };
                for (i, batch) in cached.batches.iter().enumerate() {
                    // The bucket's bytes go with its first batch.
                    let bytes = if i == 0 { cached.bytes } else { 0 };
                    if !emit(batch.clone(), bytes) {
                        return Ok(());
                    }
                }
            } else {
                let range = (start.max(self.lower), end.min(self.upper));
                if !self.read_bucket(b, range, keep, &wanted, &mut emit)? {
                    return Ok(());
                }
            }
            if !wanted() {
                return Ok(());
            }
        }
        Ok(())
    }

    /// The records of bucket `b` with `range.0 <= time < range.1`, in chunks; `false` when
    /// `emit` or `wanted` stopped it before the end.
    fn read_bucket(
        &self,
        b: i64,
        range: (i64, i64),
        keep: Option<&[bool]>,
        wanted: &impl Fn() -> bool,
        mut emit: impl FnMut(RecordBatch, usize) -> bool,
    ) -> Result<bool> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT series_id, measure_id, time_ns, version, value FROM records
             WHERE table_id = ?1 AND bucket = ?2 AND time_ns >= ?3 AND time_ns < ?4
             ORDER BY time_ns",
        )?;
        let mut rows = stmt.query(params![self.table_id, b, range.0, range.1])?;
        let build = |chunk: &EncodedRows| {
            chunk
                .build_chunk()
                .map(|c| c.batch)
                .ok_or_else(|| Error::Corrupt("undecodable record value".into()))
        };
        let mut chunk = EncodedRows::with_capacity(CHUNK_ROWS);
        let mut bytes = 0;
        let mut seen = 0usize;
        while let Some(row) = rows.next()? {
            seen += 1;
            if seen.is_multiple_of(CANCEL_CHECK_ROWS) && !wanted() {
                return Ok(false);
            }
            let series: u32 = row.get(0)?;
            if keep.is_some_and(|k| !k.get(series as usize).copied().unwrap_or(false)) {
                continue;
            }
            // Borrowed from SQLite's row: copied once, into the chunk's buffer.
            let value = row.get_ref(4)?.as_blob().map_err(rusqlite::Error::from)?;
            bytes += value.len() + 24;
            chunk.push(series, row.get(1)?, row.get(2)?, row.get(3)?, value);
            if chunk.len() == CHUNK_ROWS {
                if !emit(build(&chunk)?, bytes) {
                    return Ok(false);
                }
                chunk.clear();
                bytes = 0;
            }
        }
        Ok(chunk.len() == 0 || emit(build(&chunk)?, bytes))
    }
}

impl Engine {
    /// The dictionaries of `table_id` as the writer knows them.
    fn dictionaries(&self, table_id: i64) -> Result<TableDictionaries> {
        let mut states = self.core.lock_states();
        dictionaries(&mut states, &self.core.readers, table_id)
    }

    /// The table's columns without reading any record (for planning).
    pub fn table_columns(
        &self,
        scope: &Scope,
        database: &str,
        table: &str,
    ) -> Result<Vec<(String, ColumnKind)>> {
        let settings = self.table_settings(scope, database, table)?;
        Ok(self.dictionaries(settings.id)?.columns)
    }

    /// Every measure name of the table, by name, with the dimensions its records carry. Reads
    /// the (series, measure) pairs of every stored record: metadata statements are rare.
    pub fn measures(
        &self,
        scope: &Scope,
        database: &str,
        table: &str,
    ) -> Result<Vec<MeasureSummary>> {
        let settings = self.table_settings(scope, database, table)?;
        let pairs: Vec<(usize, usize)> = {
            let conn = self.core.readers.get()?;
            let mut stmt = conn.prepare_cached(
                "SELECT DISTINCT measure_id, series_id FROM records WHERE table_id = ?1",
            )?;
            let pairs = stmt.query_map(params![settings.id], |r| {
                Ok((r.get::<_, usize>(0)?, r.get::<_, usize>(1)?))
            })?;
            pairs.collect::<rusqlite::Result<_>>()?
        };
        // Taken after the records were read, so they name every id those use.
        let state = self.dictionaries(settings.id)?;
        let ordinal: HashMap<&str, usize> = state
            .columns
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.as_str(), i))
            .collect();
        let mut dimensions: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); state.measures.len()];
        for (measure, series) in pairs {
            let (Some(dims), Some(set)) = (state.series.get(series), dimensions.get_mut(measure))
            else {
                return Err(Error::Corrupt(format!(
                    "record of unknown series {series} or measure {measure}"
                )));
            };
            set.extend(
                dims.iter()
                    .filter_map(|(name, _)| ordinal.get(name.as_str())),
            );
        }
        let mut measures: Vec<MeasureSummary> = state
            .measures
            .iter()
            .zip(dimensions)
            .map(|((name, kind), dims)| MeasureSummary {
                name: name.clone(),
                kind: *kind,
                dimensions: dims
                    .into_iter()
                    .map(|i| state.columns[i].0.clone())
                    .collect(),
            })
            .collect();
        measures.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(measures)
    }

    /// Resolves `database.table` for a query: one catalog read and the table's dictionaries.
    /// Blocking (SQLite): async callers run it on a blocking thread. Fails with
    /// [`Error::DatabaseNotFound`] or [`Error::TableNotFound`], naming what is missing.
    pub fn resolve_table(&self, scope: &Scope, database: &str, table: &str) -> Result<TableHandle> {
        let settings = self.table_settings(scope, database, table)?;
        let columns = self.dictionaries(settings.id)?.columns;
        Ok(TableHandle {
            database: database.to_owned(),
            table: table.to_owned(),
            columns,
            settings,
        })
    }

    /// Records with `lower_ns <= time < upper_ns` (either bound optional), from both tiers; the
    /// magnetic part split into at most `slices` slices of about equal time span.
    pub fn snapshot(
        &self,
        scope: &Scope,
        database: &str,
        table: &str,
        lower_ns: Option<i64>,
        upper_ns: Option<i64>,
        slices: usize,
    ) -> Result<TableSnapshot> {
        let settings = self.table_settings(scope, database, table)?;
        self.snapshot_with(&settings, lower_ns, upper_ns, slices)
    }

    /// [`Engine::snapshot`] of a resolved table, found by its id (one primary-key read, no
    /// lookup by name): a retention change since the resolution is seen, and a table deleted
    /// since (or deleted and created again under its name) is [`Error::TableNotFound`].
    pub fn snapshot_of(
        &self,
        table: &TableHandle,
        lower_ns: Option<i64>,
        upper_ns: Option<i64>,
        slices: usize,
    ) -> Result<TableSnapshot> {
        let settings = self
            .read(|conn| settings_by_id(conn, table.settings.id))?
            .ok_or_else(|| Error::TableNotFound {
                database: table.database.clone(),
                table: table.table.clone(),
            })?;
        self.snapshot_with(&settings, lower_ns, upper_ns, slices)
    }

    fn snapshot_with(
        &self,
        settings: &TableSettings,
        lower_ns: Option<i64>,
        upper_ns: Option<i64>,
        slices: usize,
    ) -> Result<TableSnapshot> {
        let now = self.clock().now_ns();
        let memory_lower = settings.memory_lower_ns(now);
        let lower = lower_ns.unwrap_or(i64::MIN);
        let upper = upper_ns.unwrap_or(i64::MAX);
        // Everything under the lock the writer holds for a whole transaction: the read
        // transactions, the cache generation, the dictionaries and the memory tier all see the
        // same commits.
        let mut states = self.core.lock_states();
        let magnetic = if lower < memory_lower {
            let cacheable = (settings.retention_lower_ns(now), memory_lower);
            self.magnetic_slices(
                settings.id,
                (lower, upper.min(memory_lower)),
                slices,
                cacheable,
            )?
        } else {
            Vec::new()
        };
        let dictionaries = dictionaries(&mut states, &self.core.readers, settings.id)?;
        let mut batches = Vec::new();
        let mut bytes = 0;
        if upper > memory_lower {
            if let Some(mem) = self.core.memory_read().get(&settings.id) {
                for chunk in &mem.chunks {
                    if chunk.max_time < lower.max(memory_lower) || chunk.min_time >= upper {
                        continue;
                    }
                    bytes += chunk.batch.get_array_memory_size();
                    batches.push(SnapshotBatch {
                        batch: chunk.batch.clone(),
                        live: chunk.live_mask().map(Arc::new),
                    });
                }
                if let Some(batch) = mem.active_batch() {
                    bytes += batch.get_array_memory_size();
                    batches.push(SnapshotBatch { batch, live: None });
                }
            }
        }
        drop(states);
        let TableDictionaries {
            columns,
            series,
            measures,
        } = dictionaries;
        Ok(TableSnapshot {
            columns,
            series,
            measures,
            batches,
            bytes,
            magnetic,
        })
    }

    /// Read transactions over `[lower, upper)` of the magnetic tier, one per slice; the hour
    /// buckets holding records are divided evenly between them (the outer slices open-ended).
    fn magnetic_slices(
        &self,
        table_id: i64,
        (lower, upper): (i64, i64),
        slices: usize,
        cacheable: (i64, i64),
    ) -> Result<Vec<MagneticSlice>> {
        let generation = self.core.magnetic_cache.generation(table_id);
        let slice = |conn, buckets| MagneticSlice {
            conn,
            table_id,
            buckets,
            lower,
            upper,
            cache: self.core.magnetic_cache.clone(),
            generation,
            cacheable,
        };
        let (first, last) = (bucket(lower.max(i64::MIN / 2)), bucket(upper));
        let conn = self.core.readers.get()?;
        conn.execute_batch("BEGIN")?;
        let edge = |order: &str| -> Result<Option<i64>> {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT bucket FROM records WHERE table_id = ?1 AND bucket BETWEEN ?2 AND ?3
                 ORDER BY bucket {order} LIMIT 1"
            ))?;
            let mut rows = stmt.query(params![table_id, first, last])?;
            Ok(match rows.next()? {
                Some(row) => Some(row.get(0)?),
                None => None,
            })
        };
        let (Some(low), Some(high)) = (edge("ASC")?, edge("DESC")?) else {
            // Nothing in the range, as of this transaction: one (empty) slice keeps that view.
            return Ok(vec![slice(conn, (first, last))]);
        };
        let span = high - low + 1;
        let count = i64::try_from(slices.max(1)).unwrap_or(1).min(span);
        let mut out = Vec::with_capacity(count as usize);
        let mut conn = Some(conn);
        for i in 0..count {
            let from = if i == 0 {
                first
            } else {
                low + span * i / count
            };
            let to = if i == count - 1 {
                last
            } else {
                low + span * (i + 1) / count - 1
            };
            let conn = match conn.take() {
                Some(conn) => conn,
                None => {
                    let conn = self.core.readers.get()?;
                    // BEGIN defers the snapshot to the first read: take it now.
                    conn.execute_batch("BEGIN")?;
                    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
                    conn
                }
            };
            out.push(slice(conn, (from, to)));
        }
        Ok(out)
    }
}

/// The dictionaries of `table_id` from the writer's cache, loaded on first use through a read
/// connection outside any transaction: while the caller holds the lock the writer keeps for a
/// whole transaction, that connection sees exactly what the writer would load.
fn dictionaries(
    states: &mut HashMap<i64, TableState>,
    readers: &Arc<crate::shared::ReadPool>,
    table_id: i64,
) -> Result<TableDictionaries> {
    let state = match states.entry(table_id) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(TableState::load(&*readers.get()?, table_id)?)
        }
    };
    Ok(TableDictionaries {
        columns: state.columns.clone(),
        series: state.series.clone(),
        measures: state.measures.clone(),
    })
}

#[cfg(test)]
mod tests {
    use crate::catalog::test_support::{create_database, create_table, engine, scope};
    use crate::Error;

    #[test]
    fn a_table_resolves_once_and_missing_parts_are_named() {
        let e = engine();
        create_database(&e, "d");
        create_table(&e, "d", "t");
        assert!(matches!(
            e.resolve_table(&scope(), "nope", "t"),
            Err(Error::DatabaseNotFound(_))
        ));
        assert!(matches!(
            e.resolve_table(&scope(), "d", "nope"),
            Err(Error::TableNotFound { .. })
        ));
        let t = e.resolve_table(&scope(), "d", "t").unwrap();
        assert_eq!((t.database.as_str(), t.table.as_str()), ("d", "t"));
        // AWS's defaults: 6 hours in memory, 73000 days on magnetic storage.
        let hour = 3_600_000_000_000_i64;
        assert_eq!(t.retention_ns(), 6 * hour + 73_000 * 24 * hour);
        assert!(e.snapshot_of(&t, None, None, 1).unwrap().batches.is_empty());
        // Found by id: a table deleted since its resolution is gone for the scan too.
        e.delete_table(&scope(), "d", "t").unwrap();
        assert!(matches!(
            e.snapshot_of(&t, None, None, 1),
            Err(Error::TableNotFound { .. })
        ));
    }
}
