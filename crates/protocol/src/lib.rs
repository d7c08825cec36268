//! The wire contract of Amazon Timestream for LiveAnalytics (`timestream-write` and
//! `timestream-query`, API 2018-11-01) as timestream-local speaks it.
//!
//! Data flow: the server hands this crate the raw body of a `POST /` and the operation named by
//! `X-Amz-Target`; [`validate`] checks it against the service model in `api-models/` and words
//! failures as AWS's Coral framework does; the typed input of the operation (one module per
//! operation in [`operations`]) is decoded from it; the handler's output is encoded back, or its
//! [`AwsError`] becomes `__type` + `Message` with the status code of the error shape.
//! [`sigv4`] verifies request signatures. This crate knows nothing of HTTP servers or storage.

pub mod error;
pub mod measure_mappings;
pub mod model;
pub mod operations;
pub mod shapes;
pub mod sigv4;
pub mod timestamp;
pub mod validate;

pub use error::{AwsError, ErrorCode};
pub use model::Service;
