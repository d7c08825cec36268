//! Engine-level tests of ingestion, tiering and durability, through the engine's own API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

extern crate timestream_local_engine as engine;

mod batch_load_tasks;
mod durability;
mod limits;
mod scheduled_queries;
mod storage_faults;
mod support;
mod tiering;
mod write_records;
