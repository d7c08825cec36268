//! CreateBatchLoadTask, DescribeBatchLoadTask, ListBatchLoadTasks, ResumeBatchLoadTask
//! (wire-protocol.md §5.9), and what the server's batch-load runner needs of the catalog: the
//! tasks to run, their resume position, their progress counters and their row errors.
//!
//! A task is stored as CreateBatchLoadTask took it (its input as JSON, without the ClientToken),
//! with its status (developer guide, "Using batch load error reports": CREATED → IN_PROGRESS →
//! SUCCEEDED | FAILED | PROGRESS_STOPPED; PENDING_RESUME after ResumeBatchLoadTask), the
//! `ProgressReport` counters, and its position: the key of the file being read and how many of
//! its data rows are done. The runner commits records first, then the position with the counters
//! and the rows' errors in one catalog transaction ([`Engine::record_batch_load_progress`]), so
//! after a crash a task restarts at the last recorded position: at most the one batch that was
//! committed but not recorded is written again, and writing the same record again (same
//! dimensions, measure, time, value and version) is an accepted no-op under WriteRecords' rules.

use protocol::operations::create_batch_load_task::CreateBatchLoadTaskInput;
use protocol::shapes::batch_load::{
    BatchLoadProgressReport, BatchLoadStatus, BatchLoadTask, BatchLoadTaskDescription,
};
use protocol::timestamp::from_nanos;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::tables::load_table;
use crate::pagination::{self, page_size};
use crate::{Engine, Error, Result, Scope};

/// Active tasks (CREATED, IN_PROGRESS, PENDING_RESUME) per table (AWS quota, §5.1).
pub const ACTIVE_TASKS_PER_TABLE: usize = 5;
/// Active tasks per account and region (AWS quota, §5.1).
pub const ACTIVE_TASKS_PER_ACCOUNT: usize = 10;
/// How long a task stopped part-way can be resumed, from the time it stopped. AWS publishes no
/// figure; 15 days is our choice (README, "Batch load").
pub const RESUMABLE_FOR_NS: i64 = 15 * 24 * 3_600 * 1_000_000_000;
/// A repeated ClientToken with the same request returns the first task within this window
/// (as CreateScheduledQuery's: 8 hours).
const IDEMPOTENCY_WINDOW_NS: i64 = 8 * 3_600 * 1_000_000_000;
/// ListBatchLoadTasks' page when MaxResults is absent (the model's maximum).
const DEFAULT_PAGE: usize = 100;

const SELECT: &str = "SELECT account, region, task_id, definition, status, error_message,
        records_processed, records_ingested, parse_failures, record_ingestion_failures,
        file_failures, bytes_metered, file_key, file_row, created_ns, updated_ns, resumable_until_ns
    FROM batch_load_tasks";

/// A batch load task as the catalog holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBatchLoadTask {
    pub scope: Scope,
    pub task_id: String,
    /// The request that created it (ClientToken removed).
    pub definition: CreateBatchLoadTaskInput,
    pub status: BatchLoadStatus,
    pub error_message: Option<String>,
    pub progress: BatchLoadProgressReport,
    /// The resume position: the file being read (None before the first) and its data rows done.
    pub position: BatchLoadPosition,
    pub created_ns: i64,
    pub updated_ns: i64,
    pub resumable_until_ns: Option<i64>,
}

/// Where a task is: files are read in key order; every file before `file_key` is done, and
/// `rows` data rows of `file_key` are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchLoadPosition {
    pub file_key: Option<String>,
    pub rows: i64,
}

/// One bad row (or file, `line` 0) for the error report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLoadRowError {
    /// The object key; empty for an error of the whole task.
    pub file: String,
    /// 1-based line of the CSV file (the header is line 1); 0 for the whole file.
    pub line: i64,
    pub reason: String,
}

impl Engine {
    /// Stores a new task, CREATED, and returns its id. The target table must exist; the active
    /// tasks of the table and of the account must be under their quotas. The same ClientToken
    /// with the same request within 8 hours returns the first task's id. The caller has checked
    /// the data model.
    pub fn create_batch_load_task(
        &self,
        scope: &Scope,
        input: CreateBatchLoadTaskInput,
    ) -> Result<String> {
        let now = self.clock().now_ns();
        let token = input.client_token.clone();
        let definition = CreateBatchLoadTaskInput {
            client_token: None,
            ..input
        };
        let encoded = serde_json::to_string(&definition)
            .map_err(|e| Error::Corrupt(format!("cannot encode a batch load task: {e}")))?;
        let (database, table) = (
            &definition.target_database_name,
            &definition.target_table_name,
        );
        self.write(|tx| {
            if let Some(token) = &token {
                let earlier: Option<(String, String)> = tx
                    .query_row(
                        "SELECT task_id, definition FROM batch_load_tasks
                         WHERE account = ?1 AND region = ?2 AND client_token = ?3 AND created_ns > ?4",
                        params![scope.account, scope.region, token, now - IDEMPOTENCY_WINDOW_NS],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if let Some((task_id, stored)) = earlier {
                    if stored == encoded {
                        return Ok(task_id);
                    }
                }
            }
            load_table(tx, scope, database, table)?;
            let active = active_statuses();
            let per_table: usize = tx.query_row(
                &format!(
                    "SELECT COUNT(*) FROM batch_load_tasks WHERE account = ?1 AND region = ?2
                     AND database = ?3 AND table_name = ?4 AND status IN ({active})"
                ),
                params![scope.account, scope.region, database, table],
                |r| r.get(0),
            )?;
            if per_table >= ACTIVE_TASKS_PER_TABLE {
                return Err(Error::BatchLoadTableQuota {
                    database: database.clone(),
                    table: table.clone(),
                    limit: ACTIVE_TASKS_PER_TABLE,
                });
            }
            let per_account: usize = tx.query_row(
                &format!(
                    "SELECT COUNT(*) FROM batch_load_tasks WHERE account = ?1 AND region = ?2
                     AND status IN ({active})"
                ),
                params![scope.account, scope.region],
                |r| r.get(0),
            )?;
            if per_account >= ACTIVE_TASKS_PER_ACCOUNT {
                return Err(Error::BatchLoadAccountQuota {
                    limit: ACTIVE_TASKS_PER_ACCOUNT,
                });
            }
            let task_id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
            tx.execute(
                "INSERT INTO batch_load_tasks
                    (account, region, task_id, definition, database, table_name, status,
                     created_ns, updated_ns, client_token)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'CREATED', ?7, ?7, ?8)",
                params![
                    scope.account,
                    scope.region,
                    task_id,
                    encoded,
                    database,
                    table,
                    now,
                    token
                ],
            )?;
            Ok(task_id)
        })
    }

    pub fn describe_batch_load_task(
        &self,
        scope: &Scope,
        task_id: &str,
    ) -> Result<BatchLoadTaskDescription> {
        let t = self.read(|conn| load(conn, Some(scope), task_id))?;
        let d = t.definition;
        Ok(BatchLoadTaskDescription {
            task_id: t.task_id,
            error_message: t.error_message,
            data_source_configuration: d.data_source_configuration,
            progress_report: t.progress,
            report_configuration: d.report_configuration,
            data_model_configuration: d.data_model_configuration,
            target_database_name: d.target_database_name,
            target_table_name: d.target_table_name,
            task_status: t.status,
            record_version: d.record_version,
            creation_time: from_nanos(t.created_ns),
            last_updated_time: from_nanos(t.updated_ns),
            resumable_until: t.resumable_until_ns.map(from_nanos),
        })
    }

    /// One page of the scope's tasks, newest first, of one status if given.
    pub fn list_batch_load_tasks(
        &self,
        scope: &Scope,
        status: Option<BatchLoadStatus>,
        max_results: Option<i32>,
        next_token: Option<&str>,
    ) -> Result<(Vec<BatchLoadTask>, Option<String>)> {
        let after = next_token
            .map(|t| {
                let key = pagination::decode(t)?;
                let (created, id) = key.split_once('/').ok_or(Error::InvalidNextToken)?;
                let created: i64 = created.parse().map_err(|_| Error::InvalidNextToken)?;
                Ok::<_, Error>((created, id.to_owned()))
            })
            .transpose()?;
        let limit = page_size(max_results, DEFAULT_PAGE);
        let (after_ns, after_id) = after.unwrap_or((i64::MAX, String::new()));
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "{SELECT} WHERE account = ?1 AND region = ?2 AND (?3 IS NULL OR status = ?3)
                 AND (created_ns < ?4 OR (created_ns = ?4 AND task_id < ?5) OR ?5 = '')
                 ORDER BY created_ns DESC, task_id DESC LIMIT ?6"
            ))?;
            let mut tasks = stmt
                .query_map(
                    params![
                        scope.account,
                        scope.region,
                        status.map(BatchLoadStatus::as_str),
                        after_ns,
                        after_id,
                        limit as i64 + 1
                    ],
                    to_stored,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let next = (tasks.len() > limit).then(|| {
                tasks.truncate(limit);
                tasks
                    .last()
                    .map(|t| pagination::encode(&format!("{}/{}", t.created_ns, t.task_id)))
            });
            let items = tasks
                .into_iter()
                .map(|t| BatchLoadTask {
                    task_id: t.task_id,
                    task_status: t.status,
                    database_name: t.definition.target_database_name,
                    table_name: t.definition.target_table_name,
                    creation_time: from_nanos(t.created_ns),
                    last_updated_time: from_nanos(t.updated_ns),
                    resumable_until: t.resumable_until_ns.map(from_nanos),
                })
                .collect();
            Ok((items, next.flatten()))
        })
    }

    /// Moves a PROGRESS_STOPPED task to PENDING_RESUME, for the runner to take up again where
    /// it stopped. Any other status, or a task past its ResumableUntil, is a ValidationException.
    pub fn resume_batch_load_task(&self, scope: &Scope, task_id: &str) -> Result<()> {
        let now = self.clock().now_ns();
        self.write(|tx| {
            let t = load(tx, Some(scope), task_id)?;
            if t.status != BatchLoadStatus::ProgressStopped {
                return Err(Error::BatchLoadNotResumable(format!(
                    "The batch load task {task_id} cannot be resumed: its status is {}. Only a task \
                     in status PROGRESS_STOPPED can be resumed.",
                    t.status.as_str()
                )));
            }
            if t.resumable_until_ns.is_some_and(|until| now > until) {
                return Err(Error::BatchLoadNotResumable(format!(
                    "The batch load task {task_id} cannot be resumed: it was resumable until {}.",
                    iso(t.resumable_until_ns.unwrap_or_default())
                )));
            }
            tx.execute(
                "UPDATE batch_load_tasks SET status = 'PENDING_RESUME', updated_ns = ?2,
                    error_message = NULL WHERE task_id = ?1",
                params![task_id, now],
            )?;
            Ok(())
        })
    }

    /// The tasks the runner should be running, over every scope, oldest first: CREATED,
    /// PENDING_RESUME, and IN_PROGRESS (after a restart).
    pub fn runnable_batch_load_tasks(&self) -> Result<Vec<StoredBatchLoadTask>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "{SELECT} WHERE status IN ('CREATED', 'PENDING_RESUME', 'IN_PROGRESS')
                 ORDER BY created_ns, task_id"
            ))?;
            let tasks = stmt
                .query_map([], to_stored)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(tasks)
        })
    }

    /// A task by id, whatever its scope (the runner and the admin API).
    pub fn batch_load_task(&self, task_id: &str) -> Result<StoredBatchLoadTask> {
        self.read(|conn| load(conn, None, task_id))
    }

    /// Marks a runnable task IN_PROGRESS and returns it; None when it is no longer runnable.
    pub fn start_batch_load_task(&self, task_id: &str) -> Result<Option<StoredBatchLoadTask>> {
        let now = self.clock().now_ns();
        self.write(|tx| {
            let t = load(tx, None, task_id)?;
            if !t.status.is_active() {
                return Ok(None);
            }
            tx.execute(
                "UPDATE batch_load_tasks SET status = 'IN_PROGRESS', updated_ns = ?2,
                    resumable_until_ns = NULL WHERE task_id = ?1",
                params![task_id, now],
            )?;
            Ok(Some(StoredBatchLoadTask {
                status: BatchLoadStatus::InProgress,
                updated_ns: now,
                resumable_until_ns: None,
                ..t
            }))
        })
    }

    /// Records what one batch of an IN_PROGRESS task did: its new position, the counters to add
    /// and the rows that failed, in one transaction. Returns false, recording nothing, when the
    /// task is no longer IN_PROGRESS (it was stopped): the runner then stops.
    pub fn record_batch_load_progress(
        &self,
        task_id: &str,
        position: &BatchLoadPosition,
        delta: &BatchLoadProgressReport,
        errors: &[BatchLoadRowError],
    ) -> Result<bool> {
        let now = self.clock().now_ns();
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE batch_load_tasks SET
                    records_processed = records_processed + ?2,
                    records_ingested = records_ingested + ?3,
                    parse_failures = parse_failures + ?4,
                    record_ingestion_failures = record_ingestion_failures + ?5,
                    file_failures = file_failures + ?6,
                    bytes_metered = bytes_metered + ?7,
                    file_key = ?8, file_row = ?9, updated_ns = ?10
                 WHERE task_id = ?1 AND status = 'IN_PROGRESS'",
                params![
                    task_id,
                    delta.records_processed,
                    delta.records_ingested,
                    delta.parse_failures,
                    delta.record_ingestion_failures,
                    delta.file_failures,
                    delta.bytes_metered,
                    position.file_key,
                    position.rows,
                    now
                ],
            )?;
            if changed == 0 {
                return Ok(false);
            }
            let mut seq: i64 = tx.query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM batch_load_task_errors WHERE task_id = ?1",
                params![task_id],
                |r| r.get(0),
            )?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO batch_load_task_errors (task_id, seq, file, line, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for e in errors {
                seq += 1;
                insert.execute(params![task_id, seq, e.file, e.line, e.reason])?;
            }
            Ok(true)
        })
    }

    /// Every error recorded for a task, in the order recorded.
    pub fn batch_load_task_errors(&self, task_id: &str) -> Result<Vec<BatchLoadRowError>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT file, line, reason FROM batch_load_task_errors WHERE task_id = ?1
                 ORDER BY seq",
            )?;
            let errors = stmt
                .query_map(params![task_id], |r| {
                    Ok(BatchLoadRowError {
                        file: r.get(0)?,
                        line: r.get(1)?,
                        reason: r.get(2)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(errors)
        })
    }

    /// Ends a task's run: SUCCEEDED or FAILED (finished), or PROGRESS_STOPPED (resumable for
    /// [`RESUMABLE_FOR_NS`] from now). Only a task that is still IN_PROGRESS changes; returns
    /// whether it did.
    pub fn finish_batch_load_task(
        &self,
        task_id: &str,
        status: BatchLoadStatus,
        error_message: Option<&str>,
    ) -> Result<bool> {
        let now = self.clock().now_ns();
        let resumable =
            (status == BatchLoadStatus::ProgressStopped).then_some(now + RESUMABLE_FOR_NS);
        self.write(|tx| {
            let changed = tx.execute(
                "UPDATE batch_load_tasks SET status = ?2, error_message = ?3, updated_ns = ?4,
                    resumable_until_ns = ?5
                 WHERE task_id = ?1 AND status = 'IN_PROGRESS'",
                params![task_id, status.as_str(), error_message, now, resumable],
            )?;
            Ok(changed > 0)
        })
    }

    /// Stops an active task where it is (PROGRESS_STOPPED, resumable): the admin API's way to
    /// reproduce what AWS does to a task it cannot continue. Returns whether it was active.
    pub fn stop_batch_load_task(&self, task_id: &str, reason: &str) -> Result<bool> {
        let now = self.clock().now_ns();
        self.write(|tx| {
            let t = load(tx, None, task_id)?;
            if !t.status.is_active() {
                return Ok(false);
            }
            tx.execute(
                "UPDATE batch_load_tasks SET status = 'PROGRESS_STOPPED', error_message = ?2,
                    updated_ns = ?3, resumable_until_ns = ?4 WHERE task_id = ?1",
                params![task_id, reason, now, now + RESUMABLE_FOR_NS],
            )?;
            Ok(true)
        })
    }
}

fn active_statuses() -> String {
    protocol::shapes::batch_load::BatchLoadStatus::ALL
        .into_iter()
        .filter(|s| s.is_active())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn iso(ns: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(ns)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

fn load(conn: &Connection, scope: Option<&Scope>, task_id: &str) -> Result<StoredBatchLoadTask> {
    conn.query_row(
        &format!("{SELECT} WHERE task_id = ?1"),
        params![task_id],
        to_stored,
    )
    .optional()?
    .filter(|t| scope.is_none_or(|s| t.scope == *s))
    .ok_or_else(|| Error::BatchLoadTaskNotFound(task_id.to_owned()))
}

fn to_stored(r: &Row<'_>) -> rusqlite::Result<StoredBatchLoadTask> {
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("stored batch load task {what}: {e}").into(),
        )
    };
    let definition: String = r.get(3)?;
    let status: String = r.get(4)?;
    Ok(StoredBatchLoadTask {
        scope: Scope::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?),
        task_id: r.get(2)?,
        definition: serde_json::from_str(&definition).map_err(|e| corrupt("definition", &e))?,
        status: BatchLoadStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        error_message: r.get(5)?,
        progress: BatchLoadProgressReport {
            records_processed: r.get(6)?,
            records_ingested: r.get(7)?,
            parse_failures: r.get(8)?,
            record_ingestion_failures: r.get(9)?,
            file_failures: r.get(10)?,
            bytes_metered: r.get(11)?,
        },
        position: BatchLoadPosition {
            file_key: r.get(12)?,
            rows: r.get(13)?,
        },
        created_ns: r.get(14)?,
        updated_ns: r.get(15)?,
        resumable_until_ns: r.get(16)?,
    })
}
