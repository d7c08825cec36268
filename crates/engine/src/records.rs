//! WriteRecords, and the engine's own read API over both tiers (until the query engine lands,
//! tests and the admin API read records back through it).

use protocol::operations::write_records::WriteRecordsInput;
use rusqlite::params;
use serde::Serialize;
use tokio::sync::oneshot;

use crate::ingest::prepare;
use crate::record::{Measures, StoredRecord, Tier, Value};
use crate::table_state::TableState;
use crate::writer::{Job, WriteOutcome};
use crate::{Engine, Error, Result, Scope};

impl Engine {
    /// Applies one WriteRecords request. Returns only after its records are committed; the
    /// memory tier is updated after commit, never before. Request-level failures store nothing
    /// ([`Error::InvalidWrite`]); record-level ones are reported by index
    /// ([`Error::RejectedRecords`]) while the other records are stored.
    pub async fn write_records(
        &self,
        scope: &Scope,
        input: WriteRecordsInput,
    ) -> Result<WriteOutcome> {
        let outcome = self.write_records_partially(scope, input).await?;
        if !outcome.rejected.is_empty() {
            return Err(Error::RejectedRecords(outcome.rejected));
        }
        Ok(outcome)
    }

    /// WriteRecords for callers that need both halves of a partly rejected request (scheduled
    /// queries report what they ingested and what was rejected): record-level rejections are
    /// in the outcome, not an error.
    pub async fn write_records_partially(
        &self,
        scope: &Scope,
        input: WriteRecordsInput,
    ) -> Result<WriteOutcome> {
        let settings = self
            .table_settings_blocking(scope, &input.database_name, &input.table_name)
            .await?;
        let candidates = prepare(input.common_attributes.as_ref(), &input.records)?;
        let (reply, rx) = oneshot::channel();
        let job = Job {
            table_id: settings.id,
            database: input.database_name,
            table: input.table_name,
            candidates,
            reply,
        };
        let outcome = self.writer.submit(job, rx).await?;
        Ok(WriteOutcome {
            ingested: outcome.ingested,
            rejected: outcome.rejected,
        })
    }

    /// Every record of a table, from both tiers, ordered by time, then dimensions, then measure.
    pub fn scan(&self, scope: &Scope, database: &str, table: &str) -> Result<Vec<StoredRecord>> {
        let settings = self.table_settings(scope, database, table)?;
        let lower = settings.memory_lower_ns(self.clock().now_ns());
        let conn = self.core.lock_conn();
        let mut states = self.core.lock_states();
        let state = TableState::cached(&mut states, &conn, settings.id)?;
        let resolve = |series: u32, measure: u32| {
            (
                state
                    .series
                    .get(series as usize)
                    .cloned()
                    .unwrap_or_default(),
                state
                    .measures
                    .get(measure as usize)
                    .map(|m| m.0.clone())
                    .unwrap_or_default(),
            )
        };
        let mut out = Vec::new();
        if let Some(mem) = self.core.memory_read().get(&settings.id) {
            for row in mem.rows(state).into_iter().filter(|r| r.time_ns >= lower) {
                let (dimensions, measure_name) = resolve(row.series, row.measure);
                out.push(StoredRecord {
                    dimensions,
                    measure_name,
                    time_ns: row.time_ns,
                    version: row.version,
                    measures: row.measures,
                    tier: Tier::Memory,
                });
            }
        }
        let mut stmt = conn.prepare_cached(
            "SELECT series_id, measure_id, time_ns, version, value FROM records
             WHERE table_id = ?1 AND bucket <= ?2 AND time_ns < ?3",
        )?;
        let rows = stmt.query_map(
            params![settings.id, crate::ingest::bucket(lower), lower],
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
        for row in rows {
            let (series, measure, time_ns, version, value) = row?;
            let measures = Measures::decode(&value)
                .ok_or_else(|| Error::Corrupt("undecodable record value".into()))?;
            let (dimensions, measure_name) = resolve(series, measure);
            out.push(StoredRecord {
                dimensions,
                measure_name,
                time_ns,
                version,
                measures,
                tier: Tier::Magnetic,
            });
        }
        out.sort_by(|a, b| {
            (a.time_ns, &a.dimensions, &a.measure_name).cmp(&(
                b.time_ns,
                &b.dimensions,
                &b.measure_name,
            ))
        });
        Ok(out)
    }

    /// Records held in RAM and the bytes they take, over all tables.
    pub fn memory_tier_usage(&self) -> (usize, usize) {
        let memory = self.core.memory_read();
        memory
            .values()
            .fold((0, 0), |(n, b), t| (n + t.len(), b + t.memory_bytes()))
    }

    /// How many of a table's records each tier holds now, by the engine clock: the memory
    /// tier holds those within its retention window, the magnetic tier the older ones.
    pub fn table_usage(&self, scope: &Scope, database: &str, table: &str) -> Result<TableUsage> {
        let settings = self.table_settings(scope, database, table)?;
        let lower = settings.memory_lower_ns(self.clock().now_ns());
        self.read(|conn| {
            let (memory_records, magnetic_records) = conn.query_row(
                "SELECT COALESCE(SUM(time_ns >= ?2), 0), COALESCE(SUM(time_ns < ?2), 0)
                 FROM records WHERE table_id = ?1",
                params![settings.id, lower],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
            )?;
            Ok(TableUsage {
                memory_records,
                magnetic_records,
            })
        })
    }
}

/// A table's record count per tier ([`Engine::table_usage`]).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct TableUsage {
    pub memory_records: i64,
    pub magnetic_records: i64,
}

/// A record as the admin API shows it.
#[derive(Debug, Serialize)]
pub struct RecordView {
    pub dimensions: Vec<(String, String)>,
    pub measure_name: String,
    pub time_ns: i64,
    pub version: i64,
    pub measures: serde_json::Value,
    pub tier: &'static str,
}

impl From<StoredRecord> for RecordView {
    fn from(r: StoredRecord) -> Self {
        let value = |v: &Value| match v {
            Value::Double(d) => serde_json::json!({"DOUBLE": d}),
            Value::Bigint(i) => serde_json::json!({"BIGINT": i}),
            Value::Varchar(s) => serde_json::json!({"VARCHAR": s}),
            Value::Boolean(b) => serde_json::json!({"BOOLEAN": b}),
            Value::Timestamp(t) => serde_json::json!({"TIMESTAMP": t}),
        };
        let measures = match &r.measures {
            Measures::Single(v) => value(v),
            Measures::Multi(attrs) => serde_json::Value::Object(
                attrs.iter().map(|(n, v)| (n.clone(), value(v))).collect(),
            ),
        };
        Self {
            dimensions: r.dimensions,
            measure_name: r.measure_name,
            time_ns: r.time_ns,
            version: r.version,
            measures,
            tier: match r.tier {
                Tier::Memory => "memory",
                Tier::Magnetic => "magnetic",
            },
        }
    }
}
