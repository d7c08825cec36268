//! The state of timestream-local: the catalog (databases, tables, tags, account settings) on
//! SQLite, namespaced per (account, region), and the engine [`Clock`] every time rule reads.
//!
//! Data flow: the server validates a request against the model, then calls one [`Engine`]
//! method with the operation's typed input and a [`Scope`]; the method runs one SQLite
//! transaction and returns the operation's wire shapes, or an [`Error`] that maps to exactly one
//! AWS error ([`Error::to_aws`]). The engine knows nothing of HTTP.

mod activity;
mod catalog;
mod clock;
mod error;
mod health;
mod ingest;
mod magnetic_cache;
mod maintenance;
mod memory_tier;
mod pagination;
mod record;
mod records;
mod schedule;
mod scope;
mod shared;
mod snapshot;
mod store;
mod table_state;
mod writer;

pub use activity::{IngestActivityView, Rejection, SecondCounts};
pub use catalog::{
    BatchLoadPosition, BatchLoadRowError, DueInvocation, RecordedRun, StateSummary,
    StoredBatchLoadTask, StoredScheduledQuery, ACTIVE_TASKS_PER_ACCOUNT, ACTIVE_TASKS_PER_TABLE,
    RESUMABLE_FOR_NS,
};
pub use clock::{Clock, ClockChange, ClockRangeError};
pub use error::Error;
pub use health::{Health, HealthStatus};
pub use ingest::PreparedRecord;
pub use maintenance::MaintenanceReport;
pub use record::{Measures, StoredRecord, Tier, Value};
pub use records::{RecordView, TableUsage};
pub use schedule::{Schedule, ScheduleError};
pub use scope::Scope;
pub use snapshot::{
    ChunkColumn, MagneticSlice, MeasureSummary, SnapshotBatch, TableDictionaries, TableHandle,
    TableSnapshot,
};
pub use store::Engine;
pub use table_state::{measure_value_column, ColumnKind, MeasureKind};
pub use writer::WriteOutcome;

pub type Result<T, E = Error> = std::result::Result<T, E>;
