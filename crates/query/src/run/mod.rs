//! Running a query: the Query and CancelQuery operations on [`QueryService`] (a new run, the
//! repeated first page of a `ClientToken`, or the next page of an earlier run), and the stages
//! a run goes through, one module each: the session on the engine clock ([`session`]),
//! parsing, table checks and planning ([`plan`]), execution on the query threads under the
//! limits ([`execute`]), AWS's output names ([`naming`]), insights ([`insights`]); PrepareQuery
//! describes a planned query without running it ([`prepare`]).

use std::sync::atomic::AtomicI64;
use std::sync::{Arc, Mutex};

use datafusion::execution::context::SessionState;
use datafusion::logical_expr::ScalarUDF;
use engine::{Engine, Scope};
use protocol::operations::cancel_query::{CancelQueryInput, CancelQueryOutput};
use protocol::operations::query::{QueryInput, QueryInsightsMode, QueryOutput, QueryStatus};
use s3::S3;

use crate::cursor::Cursor;
use crate::limits::{QueryLimits, QueryRuntime};
use crate::registry::{Cancellation, Registry, RunningQuery};
use crate::{functions, unload, Error};

mod execute;
mod insights;
mod naming;
mod plan;
mod prepare;
mod session;

use execute::new_cursor;
pub(crate) use plan::STATEMENT_TOO_LARGE;
use session::session_template;

pub struct QueryService {
    pub(crate) engine: Arc<Engine>,
    functions: Vec<Arc<ScalarUDF>>,
    /// Every query's session before its catalog: see [`session_template`].
    template: SessionState,
    registry: Mutex<Registry>,
    /// The last record version a scheduled query run wrote (scheduled_query.rs).
    pub(crate) scheduled_version: AtomicI64,
    pub(crate) limits: QueryLimits,
    runtime: QueryRuntime,
    /// Where UNLOAD writes.
    pub(crate) s3: S3,
}

impl QueryService {
    pub fn new(engine: Arc<Engine>) -> Self {
        Self::with_limits(engine, QueryLimits::default())
    }

    pub fn with_limits(engine: Arc<Engine>, limits: QueryLimits) -> Self {
        let functions = functions::scalar_functions();
        Self {
            engine,
            template: session_template(
                &functions,
                &functions::aggregate_functions(),
                &functions::window_functions(),
                limits.memory_bytes,
            ),
            functions,
            registry: Mutex::new(Registry::new(&limits)),
            scheduled_version: AtomicI64::new(0),
            runtime: QueryRuntime::new(limits.threads),
            limits,
            s3: S3::directory(
                std::env::temp_dir().join(format!("timestream-local-s3-{}", std::process::id())),
            ),
        }
    }

    /// The S3 UNLOAD writes to (by default a temporary directory).
    pub fn with_s3(mut self, s3: S3) -> Self {
        self.s3 = s3;
        self
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The Query operation: a new run, the repeated first page of a `ClientToken`, or the next
    /// page of an earlier run.
    pub async fn query(&self, scope: &Scope, input: QueryInput) -> Result<QueryOutput, Error> {
        let max_rows = input.max_rows.and_then(|n| usize::try_from(n).ok());
        let mut cursor = match &input.next_token {
            Some(token) => self
                .registry()
                .take_cursor(token, scope, &input.query_string)?,
            None => {
                if let Some(client_token) = &input.client_token {
                    if let Some(output) = self.registry().replay(client_token, scope, &input)? {
                        return Ok(output);
                    }
                }
                let query_id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
                let insights = input
                    .query_insights
                    .as_ref()
                    .is_some_and(|q| q.mode == QueryInsightsMode::EnabledWithRateControl);
                let cancelled = self.registry().start(&query_id, scope, &input);
                let timeout = self.limits.timeout;
                let run = tokio::time::timeout(
                    timeout,
                    self.run(scope, &input.query_string, &query_id, insights),
                );
                let outcome = tokio::select! {
                    ran = run => ran.unwrap_or(Err(Error::Timeout(timeout.as_secs()))),
                    () = cancelled.notified() => Err(Error::CancelledWhileRunning(query_id.clone())),
                };
                self.registry().finish(&query_id);
                outcome?
            }
        };
        let (rows, more) = cursor.page(max_rows);
        let token = more.then(|| uuid::Uuid::new_v4().simple().to_string());
        let output = cursor.output(rows, token.clone());
        let mut registry = self.registry();
        if let Some(token) = token {
            registry.insert_cursor(token, cursor);
        }
        if let (None, Some(client_token)) = (&input.next_token, &input.client_token) {
            registry.remember(client_token.clone(), scope, &input, &output);
        }
        Ok(output)
    }

    /// The CancelQuery operation, for a running query or one with pages left.
    pub fn cancel(
        &self,
        scope: &Scope,
        input: CancelQueryInput,
    ) -> Result<CancelQueryOutput, Error> {
        Ok(match self.registry().cancel(&input.query_id, scope)? {
            Cancellation::Cancelled => CancelQueryOutput::default(),
            Cancellation::AlreadyCancelled => CancelQueryOutput {
                cancellation_message: Some(format!(
                    "Query {} has already been cancelled.",
                    input.query_id
                )),
            },
        })
    }

    /// The queries running now (the admin API's `GET queries`).
    pub fn running(&self) -> Vec<RunningQuery> {
        self.registry().running()
    }

    async fn run(
        &self,
        scope: &Scope,
        query: &str,
        query_id: &str,
        insights: bool,
    ) -> Result<Cursor, Error> {
        let executed = self.execute(scope, query, None).await?;
        let status = QueryStatus {
            progress_percentage: 100.0,
            cumulative_bytes_scanned: executed.bytes_scanned(),
            cumulative_bytes_metered: executed.bytes_metered(),
        };
        let mut cursor = match &executed.unload {
            None => new_cursor(
                scope,
                query,
                query_id,
                &executed.schema,
                Some(executed.names),
                executed.batches,
            ),
            Some(options) => {
                let data_types: Vec<_> = executed
                    .schema
                    .fields()
                    .iter()
                    .map(|f| f.data_type().clone())
                    .collect();
                let unloaded = unload::write(
                    &self.s3,
                    options,
                    query_id,
                    &executed.names,
                    &data_types,
                    executed.batches,
                )
                .await?;
                let batch = unloaded.batch()?;
                new_cursor(scope, query, query_id, &batch.schema(), None, vec![batch])
            }
        };
        cursor.status = status;
        cursor.insights = insights
            .then(|| self.insights(scope, &executed.scans, &cursor.batches, executed.start_ns));
        Ok(cursor)
    }
}
