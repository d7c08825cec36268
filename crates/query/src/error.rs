//! Query failures, and the one place they become AWS errors: analysis errors (syntax, unknown
//! names, types) are `ValidationException` with Timestream's `line L:C: ` prefix; failures while
//! running are `QueryExecutionException`.

mod from_datafusion;
mod library_text;

use datafusion::error::DataFusionError;
use protocol::{AwsError, ErrorCode};

use crate::dialect::Rewritten;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A syntax or semantic error, its message already in AWS's form.
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    Execution(String),
    #[error("Invalid pagination token")]
    InvalidToken,
    #[error("Unable to poll results for a cancelled query")]
    PollCancelled,
    #[error("Query {0} was cancelled.")]
    CancelledWhileRunning(String),
    #[error("Query {0} is not running and has no results to page: it cannot be cancelled.")]
    UnknownQuery(String),
    #[error("{0}")]
    ClientToken(String),
    #[error("The query timed out after {0} seconds.")]
    Timeout(u64),
    #[error(transparent)]
    Engine(#[from] engine::Error),
}

impl Error {
    pub fn to_aws(&self) -> AwsError {
        match self {
            Self::Validation(m) => AwsError::validation(m.clone()),
            Self::InvalidToken | Self::UnknownQuery(_) | Self::ClientToken(_) => {
                AwsError::validation(self.to_string())
            }
            Self::PollCancelled => AwsError::new(ErrorCode::ConflictException, self.to_string()),
            Self::CancelledWhileRunning(_) => {
                AwsError::new(ErrorCode::QueryExecutionException, self.to_string())
            }
            Self::Execution(m) => AwsError::new(ErrorCode::QueryExecutionException, m.clone()),
            Self::Timeout(_) => AwsError::new(ErrorCode::QueryExecutionException, self.to_string()),
            Self::Engine(e) => e.to_aws(),
        }
    }

    /// Classifies a DataFusion error of the query `original` (rewritten as `rewritten`): see
    /// [`from_datafusion`].
    pub fn from_datafusion(e: DataFusionError, original: &str, rewritten: &Rewritten) -> Self {
        from_datafusion::classify(&e, original, rewritten)
    }
}

impl From<Error> for AwsError {
    fn from(e: Error) -> Self {
        e.to_aws()
    }
}
