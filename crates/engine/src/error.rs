//! What can go wrong in the engine, and the one place it becomes an AWS error.

use protocol::{AwsError, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("The database {0} does not exist.")]
    DatabaseNotFound(String),
    #[error("The table {table} does not exist.")]
    TableNotFound { database: String, table: String },
    #[error("The database {0} already exists.")]
    DatabaseExists(String),
    #[error("The table {table} already exists.")]
    TableExists { database: String, table: String },
    #[error("Cannot delete database {0} because it still has tables. Delete the tables first.")]
    DatabaseNotEmpty(String),
    #[error("The account has reached its quota of {limit} databases in this region.")]
    DatabaseQuota { limit: usize },
    #[error("The account has reached its quota of {limit} tables in this region.")]
    TableQuota { limit: usize },
    #[error("You have specified too many partition keys to be used in your composite partition key. Only 1 partition keys can be specified.")]
    TooManyPartitionKeys,
    #[error("{0}")]
    InvalidSchema(String),
    #[error("The resource {0} does not exist.")]
    ResourceNotFound(String),
    #[error("The resource {arn} would have {count} tags; at most {limit} tags are allowed per resource.")]
    TagQuota {
        arn: String,
        count: usize,
        limit: usize,
    },
    #[error("The scheduled query {0} does not exist.")]
    ScheduledQueryNotFound(String),
    #[error("A scheduled query with the name {0} already exists.")]
    ScheduledQueryExists(String),
    #[error("The account has reached its quota of {limit} scheduled queries in this region.")]
    ScheduledQueryQuota { limit: usize },
    /// A definition the service refuses at creation (schedule expression, target, query).
    #[error("{0}")]
    InvalidScheduledQuery(String),
    #[error("The batch load task {0} does not exist.")]
    BatchLoadTaskNotFound(String),
    #[error("The table {table} in database {database} has reached its quota of {limit} active batch load tasks.")]
    BatchLoadTableQuota {
        database: String,
        table: String,
        limit: usize,
    },
    #[error(
        "The account has reached its quota of {limit} active batch load tasks in this region."
    )]
    BatchLoadAccountQuota { limit: usize },
    /// ResumeBatchLoadTask on a task that is not PROGRESS_STOPPED, or is past ResumableUntil.
    #[error("{0}")]
    BatchLoadNotResumable(String),
    /// A CreateBatchLoadTask request the service refuses (data model, CSV options).
    #[error("{0}")]
    InvalidBatchLoadTask(String),
    #[error("The NextToken is invalid or expired.")]
    InvalidNextToken,
    #[error("{0}")]
    InvalidAccountSettings(String),
    /// A request-level WriteRecords failure (§5.4): nothing of the request is stored.
    #[error("{0}")]
    InvalidWrite(String),
    /// Record-level WriteRecords failures; the other records of the request were stored.
    #[error("One or more records have been rejected. See RejectedRecords for details.")]
    RejectedRecords(Vec<protocol::operations::write_records::RejectedRecord>),
    #[error("The write queue is full. Slow down and retry.")]
    Throttled,
    #[error("The server is shutting down.")]
    ShuttingDown,
    #[error("The write could not be committed: {0}")]
    NotCommitted(String),
    /// The writer thread went away before answering: the write may or may not be stored.
    #[error("The writer stopped before answering; the write may not have been stored.")]
    WriterStopped,
    /// The store cannot be opened for writing (`--data-dir` read-only, missing, not a store).
    #[error("{0}")]
    StoreUnavailable(String),
    /// A read handed to the blocking pool did not answer (it panicked, or the runtime is
    /// shutting down).
    #[error("a storage read did not finish: {0}")]
    ReadAborted(String),
    #[error("storage failure: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("stored state is unreadable: {0}")]
    Corrupt(String),
}

impl Error {
    /// The AWS error for this failure. Exhaustive on purpose: a new variant must choose its
    /// AWS error here, or the build fails.
    pub fn to_aws(&self) -> AwsError {
        let code = match self {
            Self::DatabaseNotFound(_)
            | Self::TableNotFound { .. }
            | Self::ResourceNotFound(_)
            | Self::BatchLoadTaskNotFound(_) => ErrorCode::ResourceNotFoundException,
            Self::ScheduledQueryNotFound(arn) => {
                return AwsError::new(ErrorCode::ResourceNotFoundException, self.to_string())
                    .with_member("ScheduledQueryArn", serde_json::Value::String(arn.clone()));
            }
            Self::DatabaseExists(_) | Self::TableExists { .. } | Self::ScheduledQueryExists(_) => {
                ErrorCode::ConflictException
            }
            Self::DatabaseNotEmpty(_)
            | Self::TooManyPartitionKeys
            | Self::InvalidSchema(_)
            | Self::InvalidNextToken
            | Self::InvalidAccountSettings(_)
            | Self::InvalidScheduledQuery(_)
            | Self::BatchLoadNotResumable(_)
            | Self::InvalidBatchLoadTask(_)
            | Self::InvalidWrite(_) => ErrorCode::ValidationException,
            Self::RejectedRecords(records) => {
                return AwsError::new(ErrorCode::RejectedRecordsException, self.to_string())
                    .with_member(
                        "RejectedRecords",
                        serde_json::to_value(records).unwrap_or_default(),
                    );
            }
            Self::Throttled => ErrorCode::ThrottlingException,
            Self::DatabaseQuota { .. }
            | Self::TableQuota { .. }
            | Self::TagQuota { .. }
            | Self::ScheduledQueryQuota { .. }
            | Self::BatchLoadTableQuota { .. }
            | Self::BatchLoadAccountQuota { .. } => ErrorCode::ServiceQuotaExceededException,
            Self::Storage(_)
            | Self::ReadAborted(_)
            | Self::Corrupt(_)
            | Self::NotCommitted(_)
            | Self::WriterStopped
            | Self::StoreUnavailable(_)
            | Self::ShuttingDown => {
                tracing::error!(error = %self, "engine failure");
                return AwsError::internal(
                    "The service encountered an internal error. Try your request again.",
                );
            }
        };
        AwsError::new(code, self.to_string())
    }
}

impl From<Error> for AwsError {
    fn from(e: Error) -> Self {
        e.to_aws()
    }
}
