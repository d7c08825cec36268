//! The listener: accepts connections, serves HTTP/1.1 on each (TLS too when enabled, told apart
//! by the first byte), and on shutdown stops accepting, lets in-flight requests finish, and
//! closes SQLite cleanly.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use engine::{Clock, Engine};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::config::Config;
use crate::scheduler::error_reports::ErrorReports;
use crate::scheduler::notifications::Notifier;
use crate::scheduler::sns::SnsPublisher;
use crate::scheduler::Scheduler;
use crate::state::AppState;
use crate::{http, tls};

/// How long shutdown waits for in-flight requests.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// First byte of a TLS handshake record.
const TLS_HANDSHAKE: u8 = 0x16;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("cannot open the store: {0}")]
    Engine(#[from] engine::Error),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("cannot write the CA certificate to {path}: {source}")]
    CaFile {
        path: String,
        source: std::io::Error,
    },
}

pub struct Server {
    listener: TcpListener,
    state: Arc<AppState>,
    tls: Option<TlsAcceptor>,
    addr: SocketAddr,
    shutdown_tx: watch::Sender<bool>,
}

/// Stops a running [`Server`] from anywhere (signal handler, test).
#[derive(Clone)]
pub struct ShutdownHandle(watch::Sender<bool>);

impl ShutdownHandle {
    /// Takes effect whenever it is called, also before the server runs: the flag is stored even
    /// while nothing watches it yet.
    pub fn shutdown(&self) {
        self.0.send_replace(true);
    }
}

impl Server {
    /// Opens the store and binds the port; the server is ready once this returns.
    pub async fn start(config: Config) -> Result<Self, StartError> {
        let credentials = config.credential_map().map_err(StartError::Config)?;
        let engine = Engine::open(config.data_dir.as_deref(), Clock::default())?;
        let engine = Arc::new(engine);
        let sns = config
            .sns_endpoint_url
            .as_deref()
            .map(SnsPublisher::new)
            .transpose()
            .map_err(|e| StartError::Config(e.to_string()))?;
        let s3_dir = config
            .s3_dir
            .clone()
            .unwrap_or_else(|| match &config.data_dir {
                Some(dir) => dir.join("s3"),
                None => {
                    std::env::temp_dir().join(format!("timestream-local-s3-{}", std::process::id()))
                }
            });
        let state = Arc::new(AppState {
            query: query::QueryService::new(engine.clone()),
            engine,
            auth: config.auth,
            credentials,
            account_id: config.account_id.clone(),
            default_region: config.region.clone(),
            stats: Default::default(),
            scheduler: Scheduler::new(Notifier::new(sns), ErrorReports::new(s3_dir)),
        });
        let tls = match config.tls {
            true => {
                let local = tls::generate()?;
                if let Some(path) = &config.tls_ca_file {
                    std::fs::write(path, &local.ca_pem).map_err(|source| StartError::CaFile {
                        path: path.display().to_string(),
                        source,
                    })?;
                }
                Some(local.acceptor)
            }
            false => None,
        };
        let bind = format!("{}:{}", config.host, config.port);
        let listener = TcpListener::bind(&bind)
            .await
            .map_err(|source| StartError::Bind {
                addr: bind.clone(),
                source,
            })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr: bind, source })?;
        let (shutdown_tx, _) = watch::channel(false);
        Scheduler::start(&state, shutdown_tx.subscribe());
        tracing::info!(%addr, data_dir = ?config.data_dir, s3_dir = %state.scheduler.reports.dir().display(), auth = ?config.auth, tls = config.tls, "ready");
        Ok(Self {
            listener,
            state,
            tls,
            addr,
            shutdown_tx,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The one line printed at start-up.
    pub fn banner(&self) -> String {
        let tls = if self.tls.is_some() {
            " (TLS on the same port)"
        } else {
            ""
        };
        format!("timestream-local listening on http://{}{tls}", self.addr)
    }

    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle(self.shutdown_tx.clone())
    }

    /// Serves until shut down, then drains in-flight requests and checkpoints SQLite.
    pub async fn run_until_shutdown(self) -> Result<(), std::io::Error> {
        let graceful = GracefulShutdown::new();
        let mut shutdown = self.shutdown_tx.subscribe();
        let stopped = shutdown.wait_for(|stopped| *stopped);
        tokio::pin!(stopped);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let (stream, _) = match accepted {
                        Ok(conn) => conn,
                        Err(e) => {
                            tracing::warn!(error = %e, "accept failed");
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(serve_connection(stream, self.state.clone(), self.tls.clone(), graceful.watcher()));
                }
                _ = &mut stopped => break,
            }
        }
        drop(self.listener);
        if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("in-flight requests did not finish within {DRAIN_TIMEOUT:?}");
        }
        if let Err(e) = self.state.engine.checkpoint() {
            tracing::warn!(error = %e, "final checkpoint failed");
        }
        tracing::info!("stopped");
        Ok(())
    }
}

async fn serve_connection(
    stream: TcpStream,
    state: Arc<AppState>,
    tls: Option<TlsAcceptor>,
    watcher: Watcher,
) {
    if let Some(acceptor) = tls {
        let mut first = [0u8; 1];
        if matches!(stream.peek(&mut first).await, Ok(1)) && first[0] == TLS_HANDSHAKE {
            match acceptor.accept(stream).await {
                Ok(tls_stream) => serve_http(TokioIo::new(tls_stream), state, true, watcher).await,
                Err(e) => tracing::debug!(error = %e, "TLS handshake failed"),
            }
            return;
        }
    }
    serve_http(TokioIo::new(stream), state, false, watcher).await;
}

async fn serve_http<I>(io: I, state: Arc<AppState>, over_tls: bool, watcher: Watcher)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = service_fn(move |req| http::handle(state.clone(), req, over_tls));
    let conn = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    if let Err(e) = watcher.watch(conn).await {
        tracing::debug!(error = %e, "connection closed with error");
    }
}
