//! Timestream SQL for timestream-local (DESIGN.md, "Query"): the dialect layer rewrites the
//! query text ([`dialect`]), DataFusion plans and runs it over one [`provider::TimestreamTable`]
//! per table (both tiers, time-range pruning), with Timestream's functions registered from
//! [`functions`]; results are encoded as AWS encodes them ([`encode`]) and paged behind opaque
//! `NextToken`s that keep the remaining rows ([`cursor`]).
//!
//! Data flow: `Query {QueryString, NextToken?, MaxRows?}` → new run or cursor → page of
//! `ColumnInfo` + `Rows` (≤ MaxRows rows, ≤ 1 MB) → `NextToken` while rows remain.

pub mod cursor;
pub mod dialect;
pub mod encode;
mod error;
pub mod functions;
mod limits;
pub mod metadata;
pub mod parse;
pub mod provider;
mod read_only;
mod registry;
mod run;
mod scan;
pub mod scheduled_query;
mod subqueries;
mod type_check;
mod typing;
mod unload;
mod unnest;
mod yielding;

pub use error::Error;
pub use limits::{QueryLimits, THREAD_STACK_BYTES};
pub use registry::RunningQuery;
pub use run::QueryService;
