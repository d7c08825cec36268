//! The `timestream-local` server: the HTTP listener, SigV4, routing by `X-Amz-Target` to one
//! handler per AWS operation, and the admin API. Thin by design: it turns HTTP into typed calls
//! on the engine and back (DESIGN.md, "Requests, end to end").

mod admin;
mod auth;
mod batch_load;
mod config;
mod console;
mod dispatch;
mod handlers;
mod http;
mod request_id;
mod response;
mod scheduler;
mod server;
mod state;
mod stats;
mod tls;

pub use config::{AuthMode, Config};
pub use server::{Server, ShutdownHandle};

/// Path prefix of the admin API; no `X-Amz-Target` reaches it.
pub const ADMIN_PREFIX: &str = "/_timestream_local/";
