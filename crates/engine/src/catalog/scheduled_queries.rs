//! CreateScheduledQuery, DescribeScheduledQuery, ListScheduledQueries, UpdateScheduledQuery,
//! DeleteScheduledQuery (wire-protocol.md §5.6), and what the scheduler needs of the catalog:
//! the next due invocation and the record of each run.
//!
//! A scheduled query is stored as CreateScheduledQuery took it (its input as JSON), with its
//! state and its one pending invocation (`next_ns`, NULL while disabled or when the schedule
//! never fires again). The scheduler runs the pending invocation and records the run, which
//! moves `next_ns` to the schedule's next time after it: an invocation is pending until its run
//! is recorded, so a run cut short by a crash runs again after a restart, and a clock moved by
//! hours yields every missed invocation in order.

use protocol::operations::create_scheduled_query::CreateScheduledQueryInput;
use protocol::shapes::{
    ScheduledQuery, ScheduledQueryDescription, ScheduledQueryRunSummary, ScheduledQueryState,
    TargetDestination, TimestreamDestination,
};
use protocol::timestamp::from_nanos;
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{tag_rows, DEFAULT_PAGE};
use crate::pagination::{self, page_size};
use crate::{Engine, Error, Result, Schedule, Scope};

/// Scheduled queries per account and region (AWS quota).
pub const SCHEDULED_QUERY_QUOTA: usize = 10_000;
/// A repeated ClientToken returns the first ARN within this window (AWS: 8 hours).
const IDEMPOTENCY_WINDOW_NS: i64 = 8 * 3_600 * 1_000_000_000;
/// Run summaries kept per scheduled query (besides the last failed ones).
const RUNS_KEPT: i64 = 100;
/// DescribeScheduledQuery's `RecentlyFailedRuns`: the last five.
const RECENTLY_FAILED: i64 = 5;

const SELECT: &str =
    "SELECT account, region, arn, definition, state, created_ns, next_ns, previous_ns
    FROM scheduled_queries";

/// A scheduled query as the catalog holds it.
#[derive(Debug, Clone)]
pub struct StoredScheduledQuery {
    pub scope: Scope,
    pub arn: String,
    pub definition: CreateScheduledQueryInput,
    pub state: ScheduledQueryState,
    pub created_ns: i64,
    /// The pending invocation; None while disabled or when the schedule never fires again.
    pub next_ns: Option<i64>,
    /// The last automatic invocation that ran.
    pub previous_ns: Option<i64>,
}

impl StoredScheduledQuery {
    fn schedule(&self) -> Result<Schedule> {
        parse_schedule(&self.definition.schedule_configuration.schedule_expression)
    }
}

/// An invocation whose time has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueInvocation {
    pub scope: Scope,
    pub arn: String,
    pub invocation_ns: i64,
}

/// What recording a run changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedRun {
    /// The pending invocation after this run.
    pub next_ns: Option<i64>,
    /// Whether the run disabled the query (a non-recoverable failure).
    pub disabled: bool,
}

impl Engine {
    /// Stores a new scheduled query, ENABLED, its first invocation pending; returns its ARN.
    /// The caller has checked what needs the query engine (the query, the target mapping).
    /// The same `ClientToken` with the same definition within 8 hours returns the first ARN.
    pub fn create_scheduled_query(
        &self,
        scope: &Scope,
        input: CreateScheduledQueryInput,
    ) -> Result<String> {
        let schedule = parse_schedule(&input.schedule_configuration.schedule_expression)?;
        let now = self.clock().now_ns();
        let definition = serde_json::to_string(&input)
            .map_err(|e| Error::Corrupt(format!("cannot encode a scheduled query: {e}")))?;
        self.write(|tx| {
            if let Some(token) = &input.client_token {
                let earlier: Option<(String, String)> = tx
                    .query_row(
                        "SELECT arn, definition FROM scheduled_queries
                         WHERE account = ?1 AND region = ?2 AND client_token = ?3 AND created_ns > ?4",
                        params![scope.account, scope.region, token, now - IDEMPOTENCY_WINDOW_NS],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if let Some((arn, stored)) = earlier {
                    if stored == definition {
                        return Ok(arn);
                    }
                }
            }
            let exists = tx
                .query_row(
                    "SELECT 1 FROM scheduled_queries WHERE account = ?1 AND region = ?2 AND name = ?3",
                    params![scope.account, scope.region, input.name],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if exists {
                return Err(Error::ScheduledQueryExists(input.name.clone()));
            }
            let count: usize = tx.query_row(
                "SELECT COUNT(*) FROM scheduled_queries WHERE account = ?1 AND region = ?2",
                params![scope.account, scope.region],
                |r| r.get(0),
            )?;
            if count >= SCHEDULED_QUERY_QUOTA {
                return Err(Error::ScheduledQueryQuota {
                    limit: SCHEDULED_QUERY_QUOTA,
                });
            }
            // AWS's ARNs end in the name and a 12-character id (`…/name-9376096f7309`).
            let id = uuid_suffix();
            let arn = format!(
                "arn:aws:timestream:{}:{}:scheduled-query/{}-{id}",
                scope.region, scope.account, input.name
            );
            tx.execute(
                "INSERT INTO scheduled_queries
                    (account, region, name, arn, definition, state, created_ns, next_ns, previous_ns, client_token)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'ENABLED', ?6, ?7, NULL, ?8)",
                params![
                    scope.account,
                    scope.region,
                    input.name,
                    arn,
                    definition,
                    now,
                    schedule.next_after(now, now),
                    input.client_token
                ],
            )?;
            tag_rows::tag(tx, &arn, &input.tags)?;
            Ok(arn)
        })
    }

    pub fn describe_scheduled_query(
        &self,
        scope: &Scope,
        arn: &str,
    ) -> Result<ScheduledQueryDescription> {
        self.read(|conn| {
            let stored = load(conn, scope, arn)?;
            let last_run = runs(conn, arn, false, 1)?.into_iter().next();
            let recently_failed_runs = runs(conn, arn, true, RECENTLY_FAILED)?;
            let d = stored.definition;
            Ok(ScheduledQueryDescription {
                arn: stored.arn,
                name: d.name,
                query_string: d.query_string,
                creation_time: from_nanos(stored.created_ns),
                state: stored.state,
                previous_invocation_time: stored.previous_ns.map(from_nanos),
                next_invocation_time: stored.next_ns.map(from_nanos),
                schedule_configuration: d.schedule_configuration,
                notification_configuration: d.notification_configuration,
                target_configuration: d.target_configuration,
                scheduled_query_execution_role_arn: d.scheduled_query_execution_role_arn,
                kms_key_id: d.kms_key_id,
                error_report_configuration: d.error_report_configuration,
                last_run_summary: last_run,
                recently_failed_runs,
            })
        })
    }

    /// One page of the scope's scheduled queries in name order.
    pub fn list_scheduled_queries(
        &self,
        scope: &Scope,
        max_results: Option<i32>,
        next_token: Option<&str>,
    ) -> Result<(Vec<ScheduledQuery>, Option<String>)> {
        let after = next_token.map(pagination::decode).transpose()?;
        let limit = page_size(max_results, DEFAULT_PAGE);
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "{SELECT} WHERE account = ?1 AND region = ?2 AND name > ?3 ORDER BY name LIMIT ?4"
            ))?;
            let mut stored = stmt
                .query_map(
                    params![
                        scope.account,
                        scope.region,
                        after.unwrap_or_default(),
                        limit as i64 + 1
                    ],
                    to_stored,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let next = (stored.len() > limit).then(|| {
                stored.truncate(limit);
                stored
                    .last()
                    .map(|q| pagination::encode(&q.definition.name))
            });
            let items = stored
                .into_iter()
                .map(|q| {
                    let last_run_status = runs(conn, &q.arn, false, 1)?
                        .into_iter()
                        .next()
                        .and_then(|r| r.run_status);
                    let target = q
                        .definition
                        .target_configuration
                        .map(|t| TargetDestination {
                            timestream_destination: TimestreamDestination {
                                database_name: t.timestream_configuration.database_name,
                                table_name: t.timestream_configuration.table_name,
                            },
                        });
                    Ok(ScheduledQuery {
                        arn: q.arn,
                        name: q.definition.name,
                        creation_time: from_nanos(q.created_ns),
                        state: q.state,
                        previous_invocation_time: q.previous_ns.map(from_nanos),
                        next_invocation_time: q.next_ns.map(from_nanos),
                        error_report_configuration: q.definition.error_report_configuration,
                        target_destination: target,
                        last_run_status,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok((items, next.flatten()))
        })
    }

    /// Enables or disables a scheduled query; returns whether its state changed. Enabling
    /// schedules the first invocation after now: invocations missed while disabled never run.
    pub fn update_scheduled_query(
        &self,
        scope: &Scope,
        arn: &str,
        state: ScheduledQueryState,
    ) -> Result<bool> {
        let now = self.clock().now_ns();
        self.write(|tx| {
            let stored = load(tx, scope, arn)?;
            if stored.state == state {
                return Ok(false);
            }
            let next = match state {
                ScheduledQueryState::Enabled => {
                    stored.schedule()?.next_after(stored.created_ns, now)
                }
                ScheduledQueryState::Disabled => None,
            };
            tx.execute(
                "UPDATE scheduled_queries SET state = ?2, next_ns = ?3 WHERE arn = ?1",
                params![arn, state.as_str(), next],
            )?;
            Ok(true)
        })
    }

    /// Deletes a scheduled query with its runs and tags.
    pub fn delete_scheduled_query(&self, scope: &Scope, arn: &str) -> Result<()> {
        self.write(|tx| {
            load(tx, scope, arn)?;
            tx.execute("DELETE FROM scheduled_queries WHERE arn = ?1", params![arn])?;
            tx.execute(
                "DELETE FROM scheduled_query_runs WHERE arn = ?1",
                params![arn],
            )?;
            tag_rows::drop_all(tx, arn)?;
            Ok(())
        })
    }

    /// A scheduled query of `scope` by ARN, as stored.
    pub fn scheduled_query(&self, scope: &Scope, arn: &str) -> Result<StoredScheduledQuery> {
        self.read(|conn| load(conn, scope, arn))
    }

    /// Every scheduled query of every scope with its recent runs, newest first (admin API).
    pub fn all_scheduled_queries(
        &self,
    ) -> Result<Vec<(StoredScheduledQuery, Vec<ScheduledQueryRunSummary>)>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY account, region, name"))?;
            let stored = stmt
                .query_map([], to_stored)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            stored
                .into_iter()
                .map(|q| {
                    let history = runs(conn, &q.arn, false, RUNS_KEPT)?;
                    Ok((q, history))
                })
                .collect()
        })
    }

    /// The earliest pending invocation at or before `now_ns`, over every scope.
    pub fn next_due_invocation(&self, now_ns: i64) -> Result<Option<DueInvocation>> {
        self.read(|conn| {
            Ok(conn
                .query_row(
                    "SELECT account, region, arn, next_ns FROM scheduled_queries
                     WHERE next_ns IS NOT NULL AND next_ns <= ?1 ORDER BY next_ns, arn LIMIT 1",
                    params![now_ns],
                    |r| {
                        Ok(DueInvocation {
                            scope: Scope::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                            arn: r.get(2)?,
                            invocation_ns: r.get(3)?,
                        })
                    },
                )
                .optional()?)
        })
    }

    /// The earliest pending invocation of any scheduled query, for the scheduler's sleep.
    pub fn earliest_pending_invocation(&self) -> Result<Option<i64>> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT MIN(next_ns) FROM scheduled_queries WHERE next_ns IS NOT NULL",
                [],
                |r| r.get(0),
            )?)
        })
    }

    /// Records a run. An automatic run (`automatic_invocation`) that was the pending invocation
    /// moves the pending one to the schedule's next time; `disable` (a non-recoverable failure)
    /// disables the query, as AWS does.
    pub fn record_scheduled_query_run(
        &self,
        scope: &Scope,
        arn: &str,
        summary: &ScheduledQueryRunSummary,
        automatic_invocation: Option<i64>,
        disable: bool,
    ) -> Result<RecordedRun> {
        let encoded = serde_json::to_string(summary)
            .map_err(|e| Error::Corrupt(format!("cannot encode a run summary: {e}")))?;
        let failed = summary.run_status.is_some_and(|s| s.is_failure());
        self.write(|tx| {
            let stored = load(tx, scope, arn)?;
            let seq: i64 = tx.query_row(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM scheduled_query_runs WHERE arn = ?1",
                params![arn],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT INTO scheduled_query_runs (arn, seq, failed, summary) VALUES (?1, ?2, ?3, ?4)",
                params![arn, seq, failed, encoded],
            )?;
            tx.execute(
                "DELETE FROM scheduled_query_runs WHERE arn = ?1 AND seq <= ?2 AND seq NOT IN
                    (SELECT seq FROM scheduled_query_runs WHERE arn = ?1 AND failed
                     ORDER BY seq DESC LIMIT ?3)",
                params![arn, seq - RUNS_KEPT, RECENTLY_FAILED],
            )?;
            let mut next = stored.next_ns;
            let mut previous = stored.previous_ns;
            if let Some(t) = automatic_invocation {
                previous = Some(previous.map_or(t, |p| p.max(t)));
                if next == Some(t) {
                    next = stored.schedule()?.next_after(stored.created_ns, t);
                }
            }
            let disabled = disable && stored.state == ScheduledQueryState::Enabled;
            let state = if disabled {
                next = None;
                ScheduledQueryState::Disabled
            } else {
                stored.state
            };
            tx.execute(
                "UPDATE scheduled_queries SET next_ns = ?2, previous_ns = ?3, state = ?4 WHERE arn = ?1",
                params![arn, next, previous, state.as_str()],
            )?;
            Ok(RecordedRun {
                next_ns: next,
                disabled,
            })
        })
    }

    /// Moves a query's pending invocation past `now_ns`, skipping what was missed (the
    /// scheduler's bound on catching up after a long jump of the clock).
    pub fn skip_missed_invocations(
        &self,
        scope: &Scope,
        arn: &str,
        now_ns: i64,
    ) -> Result<Option<i64>> {
        self.write(|tx| {
            let stored = load(tx, scope, arn)?;
            if stored.next_ns.is_none() {
                return Ok(None);
            }
            let next = stored.schedule()?.next_after(stored.created_ns, now_ns);
            tx.execute(
                "UPDATE scheduled_queries SET next_ns = ?2 WHERE arn = ?1",
                params![arn, next],
            )?;
            Ok(next)
        })
    }
}

/// Whether `arn` names a scheduled query of `scope` (tagging).
pub(super) fn scheduled_query_exists(conn: &Connection, scope: &Scope, arn: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM scheduled_queries WHERE account = ?1 AND region = ?2 AND arn = ?3",
            params![scope.account, scope.region, arn],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

fn parse_schedule(expression: &str) -> Result<Schedule> {
    Schedule::parse(expression).map_err(|e| Error::InvalidScheduledQuery(e.to_string()))
}

fn load(conn: &Connection, scope: &Scope, arn: &str) -> Result<StoredScheduledQuery> {
    conn.query_row(
        &format!("{SELECT} WHERE account = ?1 AND region = ?2 AND arn = ?3"),
        params![scope.account, scope.region, arn],
        to_stored,
    )
    .optional()?
    .ok_or_else(|| Error::ScheduledQueryNotFound(arn.to_owned()))
}

fn to_stored(r: &Row<'_>) -> rusqlite::Result<StoredScheduledQuery> {
    let corrupt = |what: &str, e: &dyn std::fmt::Display| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("stored scheduled query {what}: {e}").into(),
        )
    };
    let definition: String = r.get(3)?;
    let state: String = r.get(4)?;
    Ok(StoredScheduledQuery {
        scope: Scope::new(r.get::<_, String>(0)?, r.get::<_, String>(1)?),
        arn: r.get(2)?,
        definition: serde_json::from_str(&definition).map_err(|e| corrupt("definition", &e))?,
        state: serde_json::from_value(serde_json::Value::String(state))
            .map_err(|e| corrupt("state", &e))?,
        created_ns: r.get(5)?,
        next_ns: r.get(6)?,
        previous_ns: r.get(7)?,
    })
}

/// The newest `limit` runs of `arn` (failed ones only, if asked), newest first.
fn runs(
    conn: &Connection,
    arn: &str,
    failed_only: bool,
    limit: i64,
) -> Result<Vec<ScheduledQueryRunSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT summary FROM scheduled_query_runs WHERE arn = ?1 AND (failed OR NOT ?2)
         ORDER BY seq DESC LIMIT ?3",
    )?;
    let rows = stmt
        .query_map(params![arn, failed_only, limit], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.iter()
        .map(|s| {
            serde_json::from_str(s)
                .map_err(|e| Error::Corrupt(format!("stored run summary is unreadable: {e}")))
        })
        .collect()
}

fn uuid_suffix() -> String {
    let mut id = uuid::Uuid::new_v4().simple().to_string();
    id.truncate(12);
    id
}
