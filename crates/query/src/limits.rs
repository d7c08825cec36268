//! What bounds queries: their own threads (the HTTP runtime keeps answering health, catalog
//! and write calls while a heavy query runs), their time (a timed-out or cancelled query is
//! dropped, and its streams and SQLite readers stop), their memory (one DataFusion pool for all
//! running queries), and what they leave behind (result cursors and ClientToken answers).

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::Error;

/// Stack of every thread that plans or runs queries. Query text nests expressions as deep as
/// its 256 KiB allow (`1+1+…+1` is a tree 100 000 levels deep); DataFusion and sqlparser grow
/// their stacks where they recurse (`recursive_protection`), but dropping, walking and
/// evaluating such trees elsewhere recurses too. Reserved address space, touched only by such
/// queries.
pub const THREAD_STACK_BYTES: usize = 64 << 20;

/// The limits of a [`crate::QueryService`].
#[derive(Debug, Clone)]
pub struct QueryLimits {
    /// AWS cuts a synchronous Query call off after 60 s.
    pub timeout: Duration,
    /// The memory all running queries may hold together (DataFusion's memory pool); a sort,
    /// join or aggregate beyond it spills to disk or fails.
    pub memory_bytes: usize,
    /// Result cursors kept behind `NextToken`s, by count and by bytes; the oldest go first.
    pub max_cursors: usize,
    pub max_cursor_bytes: usize,
    /// First answers kept for `ClientToken` replays.
    pub max_client_tokens: usize,
    /// Threads executing queries.
    pub threads: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(60),
            memory_bytes: 1 << 30,
            max_cursors: 1000,
            max_cursor_bytes: 512 << 20,
            max_client_tokens: 10_000,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// The threads queries execute on, apart from the server's.
pub(crate) struct QueryRuntime(Option<tokio::runtime::Runtime>);

impl QueryRuntime {
    pub fn new(threads: usize) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads.max(1))
            .thread_name("tsl-query")
            .thread_stack_size(THREAD_STACK_BYTES)
            .enable_time()
            .build();
        match runtime {
            Ok(runtime) => Self(Some(runtime)),
            Err(e) => {
                tracing::error!(error = %e, "cannot start the query threads; queries run on the server's");
                Self(None)
            }
        }
    }

    /// Runs `work` on the query threads. Dropping the returned future (a timeout, a
    /// cancellation, a client gone) aborts the work at its next await point.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl Future<Output = T> + Send + 'static,
    ) -> Result<T, Error> {
        let handle = match &self.0 {
            Some(runtime) => runtime.spawn(work),
            None => tokio::spawn(work),
        };
        let mut task = AbortOnDrop(handle);
        (&mut task.0).await.map_err(|e| {
            tracing::error!(error = %e, "a query's execution failed unexpectedly");
            Error::Execution("Timestream was unable to run the query.".into())
        })
    }
}

impl Drop for QueryRuntime {
    fn drop(&mut self) {
        // Dropping a runtime inside another blocks; its threads end on their own.
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

struct AbortOnDrop<T>(JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}
