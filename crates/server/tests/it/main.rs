//! In-process tests of the server over a real socket on port 0: one binary, modules per topic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod admin_access;
mod lifecycle;
mod network;
mod protocol_errors;
mod sigv4;
mod support;
