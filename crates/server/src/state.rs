//! What every request can reach: the engine, the auth configuration, the server's identity.

use std::collections::HashMap;
use std::sync::Arc;

use engine::{Engine, Scope};

use crate::config::{AuthMode, Credential};
use crate::scheduler::Scheduler;
use crate::stats::Stats;

pub struct AppState {
    pub engine: Arc<Engine>,
    pub auth: AuthMode,
    pub credentials: HashMap<String, Credential>,
    pub account_id: String,
    pub default_region: String,
    pub stats: Stats,
    pub query: query::QueryService,
    pub scheduler: Scheduler,
}

/// One AWS request after authentication: who is asking, where, and how they reached us.
pub struct RequestContext {
    pub state: Arc<AppState>,
    pub scope: Scope,
    /// The `Host` header as the client sent it (`localhost:4577`).
    pub host: String,
    pub user_agent: String,
    /// Whether the request arrived over TLS.
    pub tls: bool,
}

impl RequestContext {
    pub fn engine(&self) -> &Engine {
        &self.state.engine
    }
}
