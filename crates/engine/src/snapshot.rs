//! What a query reads of a table: a consistent snapshot of both tiers for a time range, in the
//! memory tier's chunk layout (see [`crate::memory_tier`]: `time`, `series`, `measure`,
//! `version`, then value columns by name), with the dictionaries that give series and measure
//! ids their meaning. Memory-tier chunks are shared, not copied; magnetic records are read from
//! SQLite only when the range reaches below the memory window, so a query over recent data
//! never touches disk.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use arrow_array::RecordBatch;
use rusqlite::params;

use crate::ingest::bucket;
use crate::memory_tier::{build_chunk, MemRow};
use crate::record::Measures;
use crate::table_state::{ColumnKind, MeasureKind, TableState};
use crate::{Engine, Error, Result, Scope};

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

#[derive(Debug, Clone)]
pub struct TableSnapshot {
    /// The table's columns in first-seen order.
    pub columns: Vec<(String, ColumnKind)>,
    /// Dimension sets by series id (sorted by name).
    pub series: Arc<Vec<Vec<(String, String)>>>,
    /// Measure names by measure id, with their kind.
    pub measures: Arc<Vec<(String, MeasureKind)>>,
    pub batches: Vec<SnapshotBatch>,
    /// Bytes of record data the snapshot covers (for QueryStatus).
    pub bytes: usize,
}

impl Engine {
    /// The table's columns without reading any record (for planning).
    pub fn table_columns(
        &self,
        scope: &Scope,
        database: &str,
        table: &str,
    ) -> Result<Vec<(String, ColumnKind)>> {
        let settings = self.table_settings(scope, database, table)?;
        let conn = self.core.lock_conn();
        let mut states = self.core.lock_states();
        let state = TableState::cached(&mut states, &conn, settings.id)?;
        Ok(state.columns.clone())
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
        let conn = self.core.lock_conn();
        let mut states = self.core.lock_states();
        let state = TableState::cached(&mut states, &conn, settings.id)?;
        let ordinal: HashMap<&str, usize> = state
            .columns
            .iter()
            .enumerate()
            .map(|(i, (name, _))| (name.as_str(), i))
            .collect();
        let mut dimensions: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); state.measures.len()];
        let mut stmt = conn.prepare_cached(
            "SELECT DISTINCT measure_id, series_id FROM records WHERE table_id = ?1",
        )?;
        let pairs = stmt.query_map(params![settings.id], |r| {
            Ok((r.get::<_, usize>(0)?, r.get::<_, usize>(1)?))
        })?;
        for pair in pairs {
            let (measure, series) = pair?;
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

    /// Records with `lower_ns <= time < upper_ns` (either bound optional), from both tiers.
    pub fn snapshot(
        &self,
        scope: &Scope,
        database: &str,
        table: &str,
        lower_ns: Option<i64>,
        upper_ns: Option<i64>,
    ) -> Result<TableSnapshot> {
        let settings = self.table_settings(scope, database, table)?;
        let memory_lower = settings.memory_lower_ns(self.clock().now_ns());
        let lower = lower_ns.unwrap_or(i64::MIN);
        let upper = upper_ns.unwrap_or(i64::MAX);
        let conn = self.core.lock_conn();
        let mut states = self.core.lock_states();
        let state = TableState::cached(&mut states, &conn, settings.id)?;
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
        if lower < memory_lower {
            let top = upper.min(memory_lower);
            let mut stmt = conn.prepare_cached(
                "SELECT series_id, measure_id, time_ns, version, value FROM records
                 WHERE table_id = ?1 AND bucket BETWEEN ?2 AND ?3 AND time_ns >= ?4 AND time_ns < ?5",
            )?;
            let rows = stmt.query_map(
                params![
                    settings.id,
                    bucket(lower.max(i64::MIN / 2)),
                    bucket(top),
                    lower,
                    top
                ],
                |r| {
                    Ok((
                        r.get::<_, u32>(0)?,
                        r.get::<_, u32>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Vec<u8>>(4)?,
                    ))
                },
            )?;
            let mut magnetic = Vec::new();
            for row in rows {
                let (series, measure, time_ns, version, value) = row?;
                bytes += value.len() + 24;
                let measures = Measures::decode(&value)
                    .ok_or_else(|| Error::Corrupt("undecodable record value".into()))?;
                magnetic.push(MemRow {
                    series,
                    measure,
                    time_ns,
                    version,
                    measures,
                });
                if magnetic.len() == crate::memory_tier::CHUNK_ROWS {
                    batches.push(SnapshotBatch {
                        batch: build_chunk(&magnetic).batch,
                        live: None,
                    });
                    magnetic.clear();
                }
            }
            if !magnetic.is_empty() {
                batches.push(SnapshotBatch {
                    batch: build_chunk(&magnetic).batch,
                    live: None,
                });
            }
        }
        Ok(TableSnapshot {
            columns: state.columns.clone(),
            series: state.series.clone(),
            measures: state.measures.clone(),
            batches,
            bytes,
        })
    }
}
