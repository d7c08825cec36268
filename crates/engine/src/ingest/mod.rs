//! WriteRecords (wire-protocol.md §5.4): [`prepare`] runs on the request's task, [`apply`] in
//! the writer's shared transaction.

mod apply;
mod prepare;

pub(crate) use apply::{apply_job, bucket, bucket_span, JobOutcome, MemoryOp};
pub use prepare::{prepare, Candidate, PreparedRecord};
