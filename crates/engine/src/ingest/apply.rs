//! WriteRecords, writer side: the rules that depend on stored state, applied record by record
//! inside the writer's transaction, so that records later in a batch see the ones before them.
//! Order per record: ingestion window, schema rules, identity/version rules, then the record is
//! stored and what it adds to the table's schema is registered.

use chrono::{DateTime, SecondsFormat, Utc};
use protocol::operations::write_records::{RecordsIngested, RejectedRecord};
use rusqlite::{params, OptionalExtension, Transaction};

use super::{Candidate, PreparedRecord};
use crate::catalog::TableSettings;
use crate::memory_tier::MemRow;
use crate::table_state::TableState;
use crate::Result;

/// How far ahead of the engine clock a record may be (§5.4).
pub const FUTURE_WINDOW_NS: i64 = 15 * 60 * 1_000_000_000;
const BUCKET_NS: i64 = 3_600_000_000_000;

pub fn bucket(time_ns: i64) -> i64 {
    time_ns.div_euclid(BUCKET_NS)
}

/// `[start, end)` of bucket `b`, in nanoseconds (saturating at the ends of time).
pub fn bucket_span(b: i64) -> (i64, i64) {
    let start = b.saturating_mul(BUCKET_NS);
    (start, start.saturating_add(BUCKET_NS))
}

/// What a job did, reported to its request once the transaction has committed.
#[derive(Debug, Default)]
pub struct JobOutcome {
    pub ingested: RecordsIngested,
    pub rejected: Vec<RejectedRecord>,
}

/// A change to the memory tier, applied only after COMMIT.
#[derive(Debug)]
pub enum MemoryOp {
    Insert(MemRow),
    Upsert(MemRow),
}

fn iso_ms(ns: i64) -> String {
    DateTime::<Utc>::from_timestamp_nanos(ns).to_rfc3339_opts(SecondsFormat::Millis, true)
}

enum Decision {
    /// No record with this identity exists.
    StoreNew,
    /// Replaces the stored record (higher version).
    Replace,
    /// An identical record is there already (or a higher version of the same value): accepted, nothing changes.
    Unchanged,
    Reject(String, Option<i64>),
}

/// Applies one request's records in `tx`; pushes memory-tier changes to `memory`.
pub fn apply_job(
    tx: &Transaction<'_>,
    settings: &TableSettings,
    state: &mut TableState,
    candidates: &[Candidate],
    now: i64,
    memory: &mut Vec<MemoryOp>,
) -> Result<JobOutcome> {
    let mut out = JobOutcome::default();
    let memory_lower = settings.memory_lower_ns(now);
    let upper = now.saturating_add(FUTURE_WINDOW_NS);
    for (index, candidate) in candidates.iter().enumerate() {
        let reject = |out: &mut JobOutcome, reason: String, existing: Option<i64>| {
            out.rejected.push(RejectedRecord {
                record_index: index as i32,
                reason,
                existing_version: existing,
            });
        };
        let record = match candidate {
            Ok(r) => r,
            Err(reason) => {
                reject(&mut out, reason.clone(), None);
                continue;
            }
        };
        let t = record.time_ns;
        let in_memory = t >= memory_lower && t < upper;
        if !in_memory {
            let magnetic_lower = settings.retention_lower_ns(now);
            if !settings.magnetic_writes || t >= upper {
                let window = if settings.magnetic_writes {
                    format!(
                        "[{}, {}) of the data ingestion window",
                        iso_ms(magnetic_lower),
                        iso_ms(upper)
                    )
                } else {
                    format!(
                        "[{}, {}) of the memory store",
                        iso_ms(memory_lower),
                        iso_ms(upper)
                    )
                };
                reject(
                    &mut out,
                    format!("The record timestamp is outside the time range {window}."),
                    None,
                );
                continue;
            }
            if t < magnetic_lower {
                reject(
                    &mut out,
                    format!(
                        "The record timestamp is outside the time range [{}, {}) of the data ingestion window.",
                        iso_ms(magnetic_lower),
                        iso_ms(upper)
                    ),
                    None,
                );
                continue;
            }
        }
        if let Err(reason) = state.check(record, settings.required_dimension.as_deref()) {
            reject(&mut out, reason, None);
            continue;
        }
        let encoded = record.measures.encode();
        // Most records are new: try the insert first, and look at the stored record only when
        // the identity exists already.
        let (series, measure) = state.register(tx, settings.id, record)?;
        let inserted = tx
            .prepare_cached(
                "INSERT INTO records (table_id, bucket, series_id, measure_id, time_ns, version, value)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
            )?
            .execute(params![settings.id, bucket(t), series, measure, t, record.version, encoded])?;
        let decision = if inserted == 1 {
            Decision::StoreNew
        } else {
            decide(tx, settings.id, series, measure, record, &encoded)?
        };
        match decision {
            Decision::Reject(reason, existing) if in_memory => {
                reject(&mut out, reason, existing);
                continue;
            }
            Decision::Reject(reason, _) => {
                // AWS reports magnetic-store version conflicts asynchronously to the table's S3
                // rejected-data location, not in RejectedRecords (§5.4).
                tracing::warn!(table_id = settings.id, %reason, "magnetic-store record rejected asynchronously");
            }
            Decision::Unchanged => {}
            Decision::Replace => {
                tx.prepare_cached(
                    "UPDATE records SET version = ?6, value = ?7
                     WHERE table_id = ?1 AND bucket = ?2 AND series_id = ?3 AND measure_id = ?4 AND time_ns = ?5",
                )?
                .execute(params![settings.id, bucket(t), series, measure, t, record.version, encoded])?;
                if in_memory {
                    let row = MemRow {
                        series,
                        measure,
                        time_ns: t,
                        version: record.version,
                        measures: record.measures.clone(),
                    };
                    memory.push(MemoryOp::Upsert(row));
                }
            }
            Decision::StoreNew => {
                if in_memory {
                    let row = MemRow {
                        series,
                        measure,
                        time_ns: t,
                        version: record.version,
                        measures: record.measures.clone(),
                    };
                    memory.push(MemoryOp::Insert(row));
                }
            }
        }
        out.ingested.total += 1;
        if in_memory {
            out.ingested.memory_store += 1;
        } else {
            out.ingested.magnetic_store += 1;
        }
    }
    Ok(out)
}

/// AWS's identity rules (§5.4) against the stored record with the same identity, if any.
fn decide(
    tx: &Transaction<'_>,
    table_id: i64,
    series: u32,
    measure: u32,
    r: &PreparedRecord,
    encoded: &[u8],
) -> Result<Decision> {
    let existing: Option<(i64, Vec<u8>)> = tx
        .prepare_cached(
            "SELECT version, value FROM records
             WHERE table_id = ?1 AND bucket = ?2 AND series_id = ?3 AND measure_id = ?4 AND time_ns = ?5",
        )?
        .query_row(params![table_id, bucket(r.time_ns), series, measure, r.time_ns], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    let Some((version, value)) = existing else {
        return Ok(Decision::StoreNew);
    };
    Ok(if value == encoded {
        if r.version > version {
            Decision::Replace
        } else {
            Decision::Unchanged
        }
    } else if r.version > version {
        Decision::Replace
    } else if r.version == version {
        Decision::Reject(
            "A record already exists with the same time, dimensions, measure name, and record version. A higher record version must be specified in order to update the measure value. Specifying record version is supported by the latest SDKs.".into(),
            Some(version),
        )
    } else {
        Decision::Reject(
            format!(
                "The record version {} is lower than the existing version {version}. A higher version is required to update the measure value.",
                r.version
            ),
            Some(version),
        )
    })
}
