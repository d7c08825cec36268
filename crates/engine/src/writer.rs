//! The write path: one writer thread owns writing records. Requests are prepared on their own
//! tasks, then queued (bounded channel); the writer drains what is waiting, applies all of it in
//! one SQLite transaction, commits, updates the memory tier, and only then answers each request.
//! Many small requests cost one commit (group commit) without giving up "acknowledged means
//! committed". A full queue makes writers wait, then answers ThrottlingException.

use std::sync::{Arc, Weak};
use std::time::Duration;

use protocol::operations::write_records::{RecordsIngested, RejectedRecord};
use rusqlite::TransactionBehavior;
use tokio::sync::{mpsc, oneshot};

use crate::catalog::settings_by_id;
use crate::ingest::{apply_job, Candidate, JobOutcome, MemoryOp};
use crate::store::Core;
use crate::table_state::TableState;
use crate::{Error, Result};

/// Requests waiting for the writer at most.
const QUEUE: usize = 1024;
/// Requests applied in one transaction at most.
const MAX_GROUP: usize = 256;
/// How long a request waits for room in the queue before ThrottlingException.
const ENQUEUE_TIMEOUT: Duration = Duration::from_secs(10);

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
            .spawn(move || run(core, rx))?;
        Ok(Self { tx })
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
        reply.await.map_err(|_| Error::ShuttingDown)?
    }
}

fn run(core: Weak<Core>, mut rx: mpsc::Receiver<Job>) {
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
        apply_group(&core, jobs);
    }
}

/// One transaction for the whole group; replies only after COMMIT (or the failure).
fn apply_group(core: &Arc<Core>, jobs: Vec<Job>) {
    let now = core.clock.now_ns();
    let mut conn = core.lock_conn();
    let mut states = core.lock_states();
    let mut memory_ops: Vec<(i64, Vec<MemoryOp>)> = Vec::with_capacity(jobs.len());
    let result: Result<Vec<Result<JobOutcome>>> = (|| {
        // IMMEDIATE: take the write lock first, waiting (busy timeout) while the checkpointer
        // restarts the WAL; a deferred transaction would fail with "database is locked" when
        // its read snapshot went stale before its first write.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut outcomes = Vec::with_capacity(jobs.len());
        for job in &jobs {
            let Some(settings) = settings_by_id(&tx, job.table_id)? else {
                outcomes.push(Err(Error::TableNotFound {
                    database: job.database.clone(),
                    table: job.table.clone(),
                }));
                continue;
            };
            let state = TableState::cached(&mut states, &tx, job.table_id)?;
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
        Ok(outcomes)
    })();
    match result {
        Ok(outcomes) => {
            core.apply_memory_ops(memory_ops);
            drop(states);
            drop(conn);
            for (job, outcome) in jobs.into_iter().zip(outcomes) {
                let _ = job.reply.send(outcome);
            }
        }
        Err(e) => {
            // The transaction rolled back: the cached dictionaries may hold entries it added.
            states.clear();
            drop(states);
            drop(conn);
            tracing::error!(error = %e, "write transaction failed");
            for job in jobs {
                let _ = job.reply.send(Err(Error::NotCommitted(e.to_string())));
            }
        }
    }
}
