//! What every request can reach: the engine, the auth configuration, the server's identity;
//! and the one way async code calls the engine ([`AppState::engine_call`],
//! [`RequestContext::engine_call`]): on tokio's blocking pool, never on an async worker.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use engine::{Engine, Scope};
use protocol::AwsError;

use crate::batch_load::BatchLoader;
use crate::config::{AuthMode, Credential};
use crate::scheduler::Scheduler;
use crate::stats::Stats;

pub struct AppState {
    pub engine: Arc<Engine>,
    pub auth: AuthMode,
    pub credentials: HashMap<String, Credential>,
    pub account_id: String,
    pub default_region: String,
    pub stats: Stats,
    pub query: query::QueryService,
    pub scheduler: Scheduler,
    /// The runner of batch load tasks.
    pub batch_load: BatchLoader,
    /// Where `s3://` URLs lead: UNLOAD, batch load, error reports.
    pub s3: s3::S3,
}

/// One AWS request after authentication: who is asking, where, and how they reached us.
pub struct RequestContext {
    pub state: Arc<AppState>,
    pub scope: Scope,
    /// The `Host` header as the client sent it (`localhost:4577`).
    pub host: String,
    pub user_agent: String,
    /// Whether the request arrived over TLS.
    pub tls: bool,
}

/// AWS's text for an InternalServerException, as the engine's own internal failures answer.
const INTERNAL_ERROR: &str = "The service encountered an internal error. Try your request again.";

/// How an engine call on the blocking pool fails: the engine's error, or the call never
/// answered (it panicked, or the runtime is shutting down).
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error(transparent)]
    Engine(#[from] engine::Error),
    #[error("an engine call did not complete: {0}")]
    Aborted(String),
}

impl From<CallError> for AwsError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Engine(e) => e.to_aws(),
            CallError::Aborted(reason) => {
                tracing::error!(reason, "an engine call did not complete");
                AwsError::internal(INTERNAL_ERROR)
            }
        }
    }
}

impl AppState {
    /// Runs `f` (synchronous engine work: SQLite reads on the read pool, writes behind the
    /// writer's connection lock) on tokio's blocking pool, so it never stalls an async worker.
    pub async fn engine_call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Engine) -> engine::Result<T> + Send + 'static,
    ) -> Result<T, CallError> {
        let engine = Arc::clone(&self.engine);
        match tokio::task::spawn_blocking(move || f(&engine)).await {
            Ok(result) => Ok(result?),
            Err(e) if e.is_panic() => Err(CallError::Aborted(format!(
                "it panicked: {}",
                panic_message(e.into_panic().as_ref())
            ))),
            Err(e) => Err(CallError::Aborted(e.to_string())),
        }
    }
}

impl RequestContext {
    /// [`AppState::engine_call`] in the caller's scope, failing as the operation answers: the
    /// engine's error as its AWS error, a call that never answered as an
    /// InternalServerException.
    pub async fn engine_call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Engine, &Scope) -> engine::Result<T> + Send + 'static,
    ) -> Result<T, AwsError> {
        let scope = self.scope.clone();
        Ok(self
            .state
            .engine_call(move |engine| f(engine, &scope))
            .await?)
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use protocol::{AwsError, ErrorCode};

    use super::{AppState, RequestContext};
    use crate::config::AuthMode;
    use crate::scheduler::error_reports::ErrorReports;
    use crate::scheduler::notifications::Notifier;
    use crate::scheduler::Scheduler;

    fn context() -> RequestContext {
        let engine = Arc::new(
            engine::Engine::open(None, engine::Clock::default()).expect("an in-memory engine"),
        );
        let state = AppState {
            query: query::QueryService::new(engine.clone()),
            engine,
            auth: AuthMode::Off,
            credentials: Default::default(),
            account_id: "123456789012".into(),
            default_region: "us-east-1".into(),
            stats: Default::default(),
            scheduler: Scheduler::new(
                Notifier::new(None),
                ErrorReports::new(s3::S3::directory(std::env::temp_dir())),
            ),
            s3: s3::S3::directory(std::env::temp_dir()),
            batch_load: Default::default(),
        };
        RequestContext {
            state: Arc::new(state),
            scope: engine::Scope::new("123456789012", "us-east-1"),
            host: "localhost".into(),
            user_agent: String::new(),
            tls: false,
        }
    }

    // A current-thread runtime, as the in-process tests use: the blocking pool serves it too.
    #[tokio::test(flavor = "current_thread")]
    async fn engine_calls_answer_as_the_engine_does_and_a_panic_is_a_500() {
        let ctx = context();
        let scope = ctx.scope.clone();
        let missing = ctx
            .engine_call(|engine, scope| engine.describe_database(scope, "nope"))
            .await;
        let expected = ctx.state.engine.describe_database(&scope, "nope");
        assert_eq!(
            missing.err(),
            expected.err().map(AwsError::from),
            "the engine's error, mapped as before"
        );

        let panicked = ctx
            .engine_call(|_, _| -> engine::Result<()> { panic!("boom") })
            .await;
        let e = panicked.expect_err("a panic is an error");
        assert_eq!(e.code, ErrorCode::InternalServerException);
        assert_eq!(e.status(), 500);
        assert!(!e.message.contains("boom"), "the panic stays in the log");

        let settings = ctx
            .engine_call(|engine, scope| engine.describe_account_settings(scope))
            .await;
        assert!(settings.is_ok(), "the server keeps serving after a panic");
    }
}
