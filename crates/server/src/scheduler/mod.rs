//! The scheduler of scheduled queries (DESIGN.md, "Scheduled queries"): one task that wakes at
//! the next pending invocation on the engine clock, runs every invocation that is due (the
//! earliest first, so a clock moved by hours runs each missed invocation in order with its own
//! `@scheduled_runtime`), records each run and sends its notification. ExecuteScheduledQuery
//! runs one invocation through the same [`Scheduler::run`].
//!
//! A run that fails does not stop the others; a run whose recording fails (storage) ends the
//! pass, to be retried at the next one. The task holds the server state weakly and stops with
//! the server.

pub mod error_reports;
pub mod notifications;
pub mod sns;

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use engine::Scope;
use protocol::shapes::{
    ErrorReportLocation, ScheduledQueryRunStatus, ScheduledQueryRunSummary, ScheduledQueryState,
};
use protocol::timestamp::from_nanos;
use tokio::sync::{mpsc, oneshot, watch};

use crate::state::{AppState, CallError};
use error_reports::ErrorReports;
use notifications::Notifier;

/// The scheduler looks at the clock at least this often (the engine clock can be moved).
const TICK: Duration = Duration::from_secs(1);
/// Missed invocations of one query run in one pass at most; older ones are skipped (a clock
/// moved by a year must not queue half a million runs of a `rate(1 minute)` query).
const MAX_CATCH_UP: usize = 1_000;

enum Command {
    /// Look again at the pending invocations (one was created, enabled or deleted).
    Wake,
    /// Run everything due now, then answer.
    CatchUp(oneshot::Sender<()>),
}

/// What the rest of the server holds of the scheduler.
pub struct Scheduler {
    commands: mpsc::UnboundedSender<Command>,
    receiver: std::sync::Mutex<Option<mpsc::UnboundedReceiver<Command>>>,
    pub notifier: Notifier,
    pub reports: ErrorReports,
}

impl Scheduler {
    pub fn new(notifier: Notifier, reports: ErrorReports) -> Self {
        let (commands, receiver) = mpsc::unbounded_channel();
        Self {
            commands,
            receiver: std::sync::Mutex::new(Some(receiver)),
            notifier,
            reports,
        }
    }

    /// Starts the scheduler task for `state` (whose scheduler this is); it stops when
    /// `shutdown` turns true or the state is dropped.
    pub fn start(state: &Arc<AppState>, shutdown: watch::Receiver<bool>) {
        let receiver = state
            .scheduler
            .receiver
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(receiver) = receiver {
            tokio::spawn(run_loop(Arc::downgrade(state), receiver, shutdown));
        }
    }

    /// The pending invocations changed.
    pub fn wake(&self) {
        let _ = self.commands.send(Command::Wake);
    }

    /// Runs every invocation due at the engine clock's current time; returns when they ran.
    pub async fn catch_up(&self) {
        let (done, wait) = oneshot::channel();
        if self.commands.send(Command::CatchUp(done)).is_ok() {
            let _ = wait.await;
        }
    }

    /// Runs one invocation of `arn` "as if" at `invocation_ns`, records it and notifies.
    /// `manual`: ExecuteScheduledQuery (the pending invocation stays pending).
    pub async fn run(
        state: &AppState,
        scope: &Scope,
        arn: &str,
        invocation_ns: i64,
        manual: bool,
        insights: bool,
    ) -> Result<ScheduledQueryRunSummary, CallError> {
        let stored = {
            let (scope, arn) = (scope.clone(), arn.to_owned());
            state
                .engine_call(move |engine| engine.scheduled_query(&scope, &arn))
                .await?
        };
        let definition = &stored.definition;
        let trigger_ns = state.engine.clock().now_ns();
        let run = state
            .query
            .run_scheduled_query(scope, definition, invocation_ns, insights)
            .await;
        let scheduler = &state.scheduler;
        let mut failure = run.failure;
        let error_report_location = if run.errors.is_empty() || run.non_recoverable {
            None
        } else {
            match scheduler
                .reports
                .write(
                    &definition.error_report_configuration.s3_configuration,
                    arn,
                    invocation_ns,
                    manual,
                    trigger_ns,
                    run.errors,
                )
                .await
            {
                Ok(location) => Some(ErrorReportLocation {
                    s3_report_location: Some(location),
                }),
                Err(e) => {
                    tracing::warn!(arn, error = %e, "cannot write the error report");
                    failure = failure
                        .map(|f| format!("{f} (the error report could not be written: {e})"));
                    None
                }
            }
        };
        let summary = ScheduledQueryRunSummary {
            invocation_time: Some(from_nanos(invocation_ns)),
            trigger_time: Some(from_nanos(trigger_ns)),
            run_status: Some(ScheduledQueryRunStatus::new(manual, failure.is_none())),
            execution_stats: Some(run.stats),
            query_insights_response: run.insights,
            error_report_location,
            failure_reason: failure,
        };
        let (recorded, summary) = {
            let (scope, arn) = (scope.clone(), arn.to_owned());
            let non_recoverable = run.non_recoverable;
            state
                .engine_call(move |engine| {
                    let recorded = engine.record_scheduled_query_run(
                        &scope,
                        &arn,
                        &summary,
                        (!manual).then_some(invocation_ns),
                        non_recoverable,
                    )?;
                    Ok((recorded, summary))
                })
                .await?
        };
        let topic = &definition
            .notification_configuration
            .sns_configuration
            .topic_arn;
        scheduler
            .notifier
            .ran(arn, topic, &summary, recorded.next_ns);
        if recorded.disabled {
            scheduler
                .notifier
                .state_changed(arn, topic, ScheduledQueryState::Disabled);
        }
        Ok(summary)
    }
}

async fn run_loop(
    state: Weak<AppState>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut waiting: Vec<oneshot::Sender<()>> = Vec::new();
    loop {
        let Some(app) = state.upgrade() else { return };
        run_due(&app).await;
        for done in waiting.drain(..) {
            let _ = done.send(());
        }
        let pending = app
            .engine_call(|engine| engine.earliest_pending_invocation())
            .await;
        let sleep = match pending {
            Ok(Some(next)) => {
                let wait = next.saturating_sub(app.engine.clock().now_ns()).max(0);
                Duration::from_nanos(wait.unsigned_abs()).min(TICK)
            }
            Ok(None) => TICK,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the pending scheduled-query invocations");
                TICK
            }
        };
        drop(app);
        tokio::select! {
            command = commands.recv() => match command {
                None => return,
                Some(command) => {
                    let mut next = Some(command);
                    while let Some(command) = next {
                        if let Command::CatchUp(done) = command {
                            waiting.push(done);
                        }
                        next = commands.try_recv().ok();
                    }
                }
            },
            () = tokio::time::sleep(sleep) => {}
            _ = shutdown.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// Runs every invocation due at the time the pass starts, the earliest first.
async fn run_due(state: &AppState) {
    let now = state.engine.clock().now_ns();
    let mut runs: HashMap<String, usize> = HashMap::new();
    loop {
        let due = match state
            .engine_call(move |engine| engine.next_due_invocation(now))
            .await
        {
            Ok(Some(due)) => due,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the due scheduled-query invocations");
                return;
            }
        };
        let count = runs.entry(due.arn.clone()).or_default();
        *count += 1;
        if *count > MAX_CATCH_UP {
            tracing::warn!(
                arn = due.arn,
                "more than {MAX_CATCH_UP} missed invocations: skipping the rest up to now"
            );
            let skip = {
                let (scope, arn) = (due.scope.clone(), due.arn.clone());
                state
                    .engine_call(move |engine| engine.skip_missed_invocations(&scope, &arn, now))
                    .await
            };
            if let Err(e) = skip {
                tracing::warn!(arn = due.arn, error = %e, "cannot skip missed invocations");
                return;
            }
            continue;
        }
        match Scheduler::run(state, &due.scope, &due.arn, due.invocation_ns, false, false).await {
            Ok(summary) => {
                tracing::debug!(arn = due.arn, status = ?summary.run_status, "scheduled query ran")
            }
            // Deleted while it ran: nothing is pending any more.
            Err(CallError::Engine(engine::Error::ScheduledQueryNotFound(_))) => {}
            Err(e) => {
                tracing::warn!(arn = due.arn, error = %e, "cannot record a scheduled query run");
                return;
            }
        }
    }
}
