//! Timestream SQL for timestream-local: the dialect layer over DataFusion, the function library,
//! result encoding and pagination (DESIGN.md, "Query").
//!
//! Not built yet: `Query`, `PrepareQuery` and `CancelQuery` answer `UnsupportedOperationException`
//! (HTTP 501) from the server until this crate lands them.
