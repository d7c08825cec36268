//! The query crate over a real engine (in memory, clock frozen): the walkthrough's queries and
//! the dialect, results compared in AWS's encoding; queries of several scopes at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

extern crate timestream_local_query as query;

mod read_only;
mod scheduled_query;
mod scopes;
mod unload;
mod walkthrough;
