//! The write path: one writer thread owns writing records. Requests are prepared on their own
//! tasks, then queued (bounded channel); the writer drains what is waiting, applies all of it in
//! one SQLite transaction, commits, updates the memory tier, and only then answers each request.
//! Many small requests cost one commit (group commit) without giving up "acknowledged means
//! committed". A full queue makes writers wait, then answers ThrottlingException.
//!
//! Faults (issue 17):
//! - When the group's transaction fails, its requests are retried one by one, each in its own
//!   transaction, so that only the request that fails gets the error; the others commit and are
//!   answered normally. A request is answered `Ok` only after its own COMMIT succeeded.
//! - A panic while applying a group is caught: the transaction rolls back, the cached
//!   dictionaries are dropped (as after an error), the memory tier is rebuilt from SQLite if
//!   the panic came after a commit, the group's uncommitted requests get an internal error, and
//!   the writer keeps serving. A panic anywhere else in the loop restarts the loop on the same
//!   queue. [`crate::Engine::health`] reports both.

use std::any::Any;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Weak};
use std::time::Duration;

use protocol::operations::write_records::{RecordsIngested, RejectedRecord};
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use crate::catalog::settings_by_id;
use crate::ingest::{apply_job, Candidate, JobOutcome, MemoryOp};
use crate::shared::Core;
use crate::table_state::TableState;
use crate::{maintenance, Error, Result};

/// Requests waiting for the writer at most.
const QUEUE: usize = 1024;
/// Requests applied in one transaction at most.
const MAX_GROUP: usize = 256;
/// How long a request waits for room in the queue before ThrottlingException.
const ENQUEUE_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause before the loop restarts after a panic outside a group, so a fault that repeats
/// cannot spin a core.
const RESTART_PAUSE: Duration = Duration::from_millis(100);

pub struct Job {
    pub table_id: i64,
    pub database: String,
    pub table: String,
    pub candidates: Vec<Candidate>,
    pub reply: oneshot::Sender<Result<JobOutcome>>,
}

/// The outcome of a WriteRecords request, once committed.
#[derive(Debug)]
pub struct WriteOutcome {
    pub ingested: RecordsIngested,
    pub rejected: Vec<RejectedRecord>,
}

#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Job>,
}

impl Writer {
    pub fn spawn(core: Weak<Core>) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("tsl-writer".into())
            .spawn(move || supervise(core, rx))?;
        Ok(Self { tx })
    }

    /// False once the writer thread is gone (its end of the queue is dropped).
    pub fn is_alive(&self) -> bool {
        !self.tx.is_closed()
    }

    pub async fn submit(
        &self,
        job: Job,
        reply: oneshot::Receiver<Result<JobOutcome>>,
    ) -> Result<JobOutcome> {
        match tokio::time::timeout(ENQUEUE_TIMEOUT, self.tx.send(job)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(Error::ShuttingDown),
            Err(_) => return Err(Error::Throttled),
        }
        reply.await.map_err(|_| Error::WriterStopped)?
    }
}

/// Runs the loop, and runs it again on the same queue after a panic that escaped the per-group
/// guard; returns when the engine is gone.
fn supervise(core: Weak<Core>, mut rx: mpsc::Receiver<Job>) {
    loop {
        match catch_unwind(AssertUnwindSafe(|| run(&core, &mut rx))) {
            Ok(()) => return,
            Err(panic) => {
                let message = panic_message(panic.as_ref());
                tracing::error!(panic = %message, "the writer loop panicked; restarting it");
                let Some(core) = core.upgrade() else { return };
                core.health.writer_panicked(&message);
                core.lock_states().clear();
                drop(core);
                std::thread::sleep(RESTART_PAUSE);
            }
        }
    }
}

fn run(core: &Weak<Core>, rx: &mut mpsc::Receiver<Job>) {
    while let Some(first) = rx.blocking_recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let Some(core) = core.upgrade() else {
            for job in jobs {
                let _ = job.reply.send(Err(Error::ShuttingDown));
            }
            return;
        };
        let outcomes = apply_group_guarded(&core, &jobs);
        for (job, outcome) in jobs.iter().zip(&outcomes) {
            if let Ok(outcome) = outcome {
                let accepted = u64::try_from(outcome.ingested.total).unwrap_or_default();
                core.activity
                    .record(&job.database, &job.table, accepted, &outcome.rejected);
            }
        }
        drop(core);
        for (job, outcome) in jobs.into_iter().zip(outcomes) {
            let _ = job.reply.send(outcome);
        }
    }
}

/// What a group has settled so far; outlives a panic in [`apply_group`].
struct Progress {
    /// Per job: its answer once final (committed, or failed and rolled back).
    outcomes: Vec<Option<Result<JobOutcome>>>,
    /// Set between a COMMIT and the end of the memory-tier update that follows it.
    memory_pending: bool,
}

/// [`apply_group`] behind `catch_unwind`: a panic answers the jobs not yet committed with an
/// internal error and leaves the engine as if the group had failed.
fn apply_group_guarded(core: &Arc<Core>, jobs: &[Job]) -> Vec<Result<JobOutcome>> {
    let mut progress = Progress {
        outcomes: jobs.iter().map(|_| None).collect(),
        memory_pending: false,
    };
    if let Err(panic) = catch_unwind(AssertUnwindSafe(|| apply_group(core, jobs, &mut progress))) {
        let message = panic_message(panic.as_ref());
        tracing::error!(panic = %message, jobs = jobs.len(), "the writer panicked applying a group; recovered");
        core.health.writer_panicked(&message);
        recover(core, progress.memory_pending);
    }
    progress
        .outcomes
        .into_iter()
        .map(|o| {
            o.unwrap_or_else(|| {
                Err(Error::NotCommitted(
                    "the writer failed unexpectedly; nothing of this request was stored".into(),
                ))
            })
        })
        .collect()
}

/// After a panic: no transaction left open, no cached dictionary that may hold rolled-back
/// entries, and a memory tier that matches SQLite.
fn recover(core: &Arc<Core>, memory_pending: bool) {
    let conn = core.lock_conn();
    rollback_if_open(&conn);
    core.lock_states().clear();
    if memory_pending {
        match maintenance::rebuild_memory_tier(&conn, core.clock.now_ns()) {
            Ok(memory) => *core.memory_write() = memory,
            Err(e) => {
                // Queries would miss committed records: better none than some.
                tracing::error!(error = %e, "cannot rebuild the memory tier after a writer panic");
                core.memory_write().clear();
            }
        }
    }
}

/// A transaction left open by a failed ROLLBACK would make every later BEGIN fail.
fn rollback_if_open(conn: &Connection) {
    if !conn.is_autocommit() {
        if let Err(e) = conn.execute_batch("ROLLBACK") {
            tracing::error!(error = %e, "cannot roll back the writer's transaction");
        }
    }
}

/// One transaction for the whole group; if it fails, one transaction per job. Each job's
/// outcome goes into `progress` once final, and only after its COMMIT if it succeeded.
fn apply_group(core: &Arc<Core>, jobs: &[Job], progress: &mut Progress) {
    let now = core.clock.now_ns();
    let mut conn = core.lock_conn();
    let mut states = core.lock_states();
    let e = match transaction(&mut conn, &mut states, jobs, now) {
        Ok((outcomes, memory_ops)) => {
            settle(core, progress, jobs, 0, outcomes, memory_ops);
            return;
        }
        Err(e) => e,
    };
    if jobs.len() == 1 {
        failed(core, progress, 0, &e);
        return;
    }
    tracing::debug!(error = %e, jobs = jobs.len(), "group transaction failed; applying its requests one by one");
    for (i, job) in jobs.iter().enumerate() {
        match transaction(&mut conn, &mut states, std::slice::from_ref(job), now) {
            Ok((outcomes, memory_ops)) => settle(core, progress, jobs, i, outcomes, memory_ops),
            Err(e) => failed(core, progress, i, &e),
        }
    }
}

/// Records the committed outcomes of `jobs[first..]` (as many as `outcomes` holds), then
/// applies their memory-tier changes.
fn settle(
    core: &Arc<Core>,
    progress: &mut Progress,
    jobs: &[Job],
    first: usize,
    outcomes: Vec<Result<JobOutcome>>,
    memory_ops: Vec<(i64, Vec<MemoryOp>)>,
) {
    progress.memory_pending = true;
    // Still under the transaction lock: no query sees the commit without the new generation.
    for (job, outcome) in jobs[first..].iter().zip(&outcomes) {
        if outcome
            .as_ref()
            .is_ok_and(|o| o.ingested.magnetic_store > 0)
        {
            core.magnetic_cache.bump(job.table_id);
        }
    }
    for (slot, outcome) in progress.outcomes[first..].iter_mut().zip(outcomes) {
        *slot = Some(outcome);
    }
    #[cfg(test)]
    for job in &jobs[first..] {
        tests::injected_panic_for(job, "memory");
    }
    core.apply_memory_ops(memory_ops);
    progress.memory_pending = false;
    if core.health.write_committed() {
        tracing::info!("writes commit again");
    }
}

fn failed(core: &Arc<Core>, progress: &mut Progress, i: usize, e: &Error) {
    if core.health.write_failed(e) {
        tracing::warn!(error = %e, "write transaction failed");
    } else {
        tracing::debug!(error = %e, "write transaction failed");
    }
    progress.outcomes[i] = Some(Err(Error::NotCommitted(e.to_string())));
}

type Committed = (Vec<Result<JobOutcome>>, Vec<(i64, Vec<MemoryOp>)>);

/// Applies `jobs` in one IMMEDIATE transaction and commits it; the outcomes and memory-tier
/// changes once committed. On `Err` nothing was committed, and the cached dictionaries of
/// the tables the transaction added entries to are dropped (they hold ids it rolled back);
/// the others stay, so that retrying a failed group does not reload every table per job.
fn transaction(
    conn: &mut Connection,
    states: &mut HashMap<i64, TableState>,
    jobs: &[Job],
    now: i64,
) -> Result<Committed> {
    // Dictionaries only grow: the same sizes after a rollback mean nothing to undo.
    let sizes = |states: &HashMap<i64, TableState>, id: i64| {
        states
            .get(&id)
            .map(|s| (s.series.len(), s.measures.len(), s.columns.len()))
    };
    let before: Vec<_> = jobs
        .iter()
        .map(|j| (j.table_id, sizes(states, j.table_id)))
        .collect();
    let result = apply_and_commit(conn, states, jobs, now);
    if result.is_err() {
        rollback_if_open(conn);
        for (id, size) in before {
            if size.is_none() || sizes(states, id) != size {
                states.remove(&id);
            }
        }
    }
    result
}

fn apply_and_commit(
    conn: &mut Connection,
    states: &mut HashMap<i64, TableState>,
    jobs: &[Job],
    now: i64,
) -> Result<Committed> {
    // IMMEDIATE: take the write lock first, waiting (busy timeout) while the checkpointer
    // restarts the WAL; a deferred transaction would fail with "database is locked" when its
    // read snapshot went stale before its first write.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    let mut memory_ops = Vec::with_capacity(jobs.len());
    for job in jobs {
        #[cfg(test)]
        tests::injected_panic_for(job, "apply");
        let Some(settings) = settings_by_id(&tx, job.table_id)? else {
            outcomes.push(Err(Error::TableNotFound {
                database: job.database.clone(),
                table: job.table.clone(),
            }));
            continue;
        };
        let state = TableState::cached(states, &tx, job.table_id)?;
        let mut ops = Vec::new();
        outcomes.push(Ok(apply_job(
            &tx,
            &settings,
            state,
            &job.candidates,
            now,
            &mut ops,
        )?));
        memory_ops.push((job.table_id, ops));
    }
    tx.commit()?;
    Ok((outcomes, memory_ops))
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

#[cfg(test)]
mod tests {
    use protocol::operations::write_records::WriteRecordsInput;
    use protocol::shapes::{MeasureValueType, Record};

    use super::*;
    use crate::catalog::test_support::{create_database, create_table, scope};
    use crate::health::HealthStatus;
    use crate::{Clock, Engine};

    /// Failpoints: a job for a table named `panic_<stage>` panics at that stage.
    pub(super) fn injected_panic_for(job: &Job, stage: &str) {
        if job.table == format!("panic_{stage}") {
            panic!("injected panic at {stage}");
        }
    }

    const NOW_MS: i64 = 1_767_225_600_000;

    fn engine(tables: &[&str]) -> Engine {
        let clock = Clock::default();
        clock.freeze_at_ns(NOW_MS * 1_000_000);
        let e = Engine::open(None, clock).unwrap();
        create_database(&e, "db");
        for t in tables {
            create_table(&e, "db", t);
        }
        e
    }

    fn records(host: &str, n: usize, time_ms: i64) -> Vec<Record> {
        (0..n)
            .map(|k| Record {
                dimensions: vec![protocol::shapes::Dimension {
                    name: "host".into(),
                    value: format!("{host}-{k}"),
                    dimension_value_type: None,
                }],
                measure_name: Some("cpu".into()),
                measure_value: Some("1.5".into()),
                measure_value_type: Some(MeasureValueType::Double),
                time: Some(time_ms.to_string()),
                ..Default::default()
            })
            .collect()
    }

    fn input(table: &str, records: Vec<Record>) -> WriteRecordsInput {
        WriteRecordsInput {
            database_name: "db".into(),
            table_name: table.into(),
            common_attributes: None,
            records,
        }
    }

    /// A job as the engine would queue it (its reply is not used: outcomes are returned).
    fn job(e: &Engine, table: &str, records: Vec<Record>) -> Job {
        let settings = e.table_settings(&scope(), "db", table).unwrap();
        Job {
            table_id: settings.id,
            database: "db".into(),
            table: table.into(),
            candidates: crate::ingest::prepare(None, &records).unwrap(),
            reply: oneshot::channel().0,
        }
    }

    fn count(e: &Engine, table: &str) -> usize {
        e.scan(&scope(), "db", table).unwrap().len()
    }

    #[test]
    fn a_failing_job_fails_alone_and_the_rest_of_its_group_commits() {
        let e = engine(&["t"]);
        let poisoned = NOW_MS - 1000;
        // An SQLite error for one job only: a trigger on the writer's own connection.
        e.core
            .lock_conn()
            .execute_batch(&format!(
                "CREATE TEMP TRIGGER injected BEFORE INSERT ON main.records
                 WHEN NEW.time_ns = {} BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
                poisoned * 1_000_000
            ))
            .unwrap();
        let jobs = vec![
            job(&e, "t", records("a", 3, NOW_MS)),
            job(&e, "t", records("b", 2, poisoned)),
            job(&e, "t", records("c", 4, NOW_MS)),
        ];
        let outcomes = apply_group_guarded(&e.core, &jobs);
        assert_eq!(outcomes[0].as_ref().unwrap().ingested.total, 3);
        let err = outcomes[1].as_ref().unwrap_err();
        assert!(
            matches!(err, Error::NotCommitted(m) if m.contains("injected failure")),
            "{err:?}"
        );
        assert_eq!(
            err.to_aws().code,
            protocol::ErrorCode::InternalServerException
        );
        assert_eq!(outcomes[2].as_ref().unwrap().ingested.total, 4);
        // Committed means stored, in SQLite and in the memory tier; the failed job left nothing.
        let rows = e.scan(&scope(), "db", "t").unwrap();
        assert_eq!(rows.len(), 7);
        assert!(rows.iter().all(|r| r.time_ns == NOW_MS * 1_000_000));
        assert_eq!(e.memory_tier_usage().0, 7);
        let h = e.health();
        assert_eq!(h.status, HealthStatus::Ok, "a later commit ends it: {h:?}");
        // The series the failed job registered were rolled back with it: writing them again
        // gives them fresh ids, and every record still shows its own dimensions.
        let outcomes = apply_group_guarded(&e.core, &[job(&e, "t", records("b", 2, NOW_MS))]);
        assert_eq!(outcomes[0].as_ref().unwrap().ingested.total, 2);
        let mut hosts: Vec<String> = e
            .scan(&scope(), "db", "t")
            .unwrap()
            .into_iter()
            .map(|r| r.dimensions[0].1.clone())
            .collect();
        hosts.sort();
        assert_eq!(
            hosts,
            ["a-0", "a-1", "a-2", "b-0", "b-1", "c-0", "c-1", "c-2", "c-3"]
        );
    }

    #[test]
    fn a_panic_inside_the_transaction_rolls_the_group_back_and_the_writer_goes_on() {
        let e = engine(&["t", "panic_apply"]);
        let jobs = vec![
            job(&e, "t", records("a", 3, NOW_MS)),
            job(&e, "panic_apply", records("b", 2, NOW_MS)),
        ];
        let outcomes = apply_group_guarded(&e.core, &jobs);
        for o in &outcomes {
            assert!(
                matches!(o, Err(Error::NotCommitted(m)) if m.contains("nothing of this request was stored")),
                "{o:?}"
            );
        }
        assert_eq!(count(&e, "t"), 0, "rolled back");
        assert!(e.core.lock_conn().is_autocommit());
        let h = e.health();
        assert_eq!(h.status, HealthStatus::Degraded);
        assert_eq!(
            h.reasons,
            ["writer restarted after 1 panic(s); last: injected panic at apply"]
        );
        // The same series again: the dictionaries were dropped with the rolled-back ids.
        let outcomes = apply_group_guarded(&e.core, &[job(&e, "t", records("a", 3, NOW_MS))]);
        assert_eq!(outcomes[0].as_ref().unwrap().ingested.total, 3);
        assert_eq!(count(&e, "t"), 3);
    }

    #[test]
    fn a_panic_after_commit_answers_the_commit_and_rebuilds_the_memory_tier() {
        let e = engine(&["t", "panic_memory"]);
        let jobs = vec![
            job(&e, "t", records("a", 7, NOW_MS)),
            job(&e, "panic_memory", records("b", 2, NOW_MS)),
        ];
        let outcomes = apply_group_guarded(&e.core, &jobs);
        // Committed before the panic: acknowledged, and visible to queries.
        assert_eq!(outcomes[0].as_ref().unwrap().ingested.total, 7);
        assert_eq!(outcomes[1].as_ref().unwrap().ingested.total, 2);
        assert_eq!(e.memory_tier_usage().0, 9);
        assert_eq!(count(&e, "t") + count(&e, "panic_memory"), 9);
        assert_eq!(e.health().status, HealthStatus::Degraded);
    }

    #[tokio::test]
    async fn the_writer_thread_survives_a_panic() {
        let e = engine(&["t", "panic_apply"]);
        let err = e
            .write_records(&scope(), input("panic_apply", records("a", 1, NOW_MS)))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::NotCommitted(_)), "{err:?}");
        assert_eq!(
            err.to_aws().code,
            protocol::ErrorCode::InternalServerException
        );
        for i in 0..3 {
            let out = e
                .write_records(&scope(), input("t", records(&i.to_string(), 2, NOW_MS)))
                .await
                .unwrap();
            assert_eq!(out.ingested.total, 2);
        }
        assert!(e.writer.is_alive());
        let h = e.health();
        assert_eq!(h.status, HealthStatus::Degraded);
        assert_eq!(h.reasons.len(), 1, "{h:?}");
    }
}
