//! The listener: accepts connections (at most `--max-connections` at once), serves HTTP/1.1 on
//! each (TLS too when enabled, told apart by the first byte), and on shutdown stops accepting,
//! lets in-flight requests finish for the drain period, and checkpoints SQLite.
//!
//! Each connection is in one of three phases, each with its own limit (`Limits`):
//! waiting for a request head (a new connection, or a kept-alive one since a request's first
//! byte: the header timeout, 10 s), handling a request (no limit here; its body must arrive
//! within the body timeout, 30 s, see `http.rs`), and idle between requests (the idle timeout,
//! 60 s). A connection past its phase's limit is closed. hyper's own `header_read_timeout`
//! is not used: hyper 1 starts it as soon as a connection waits for a request, so an idle
//! keep-alive connection would be held to the header timeout too.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use engine::{Clock, Engine};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

use crate::admin::AdminAccess;
use crate::batch_load::BatchLoader;
use crate::config::{Config, Limits};
use crate::http::Front;
use crate::scheduler::error_reports::ErrorReports;
use crate::scheduler::notifications::Notifier;
use crate::scheduler::sns::SnsPublisher;
use crate::scheduler::Scheduler;
use crate::state::AppState;
use crate::{http, tls};

/// First byte of a TLS handshake record.
const TLS_HANDSHAKE: u8 = 0x16;
/// Pause after `accept` itself failed (out of file descriptors: EMFILE, ENFILE), which would
/// otherwise fail again at once, in a busy loop.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// The final checkpoint may take this long at least, even when the drain used up its period.
const MIN_CHECKPOINT_WAIT: Duration = Duration::from_millis(500);

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
    front: Arc<Front>,
    limits: Limits,
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
        let s3 = config.s3();
        let state = Arc::new(AppState {
            query: query::QueryService::with_limits(engine.clone(), config.query_limits())
                .with_s3(s3.clone()),
            engine,
            auth: config.auth,
            credentials,
            account_id: config.account_id.clone(),
            default_region: config.region.clone(),
            stats: Default::default(),
            scheduler: Scheduler::new(Notifier::new(sns), ErrorReports::new(s3.clone())),
            s3,
            batch_load: Default::default(),
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
        let admin = AdminAccess::new(config.admin_token(), addr);
        let admin_mode = match &admin {
            AdminAccess::Open => "open (loopback listener)",
            AdminAccess::Token(_) => "token required",
            AdminAccess::Disabled { .. } => {
                "disabled: not a loopback listener and no --admin-token (health stays open)"
            }
        };
        let limits = config.limits();
        let (shutdown_tx, _) = watch::channel(false);
        Scheduler::start(&state, shutdown_tx.subscribe());
        BatchLoader::start(&state, shutdown_tx.subscribe());
        tracing::info!(%addr, data_dir = ?config.data_dir, s3 = %state.s3.describe(), auth = ?config.auth, tls = config.tls, admin = admin_mode, max_connections = limits.max_connections, "ready");
        Ok(Self {
            listener,
            state,
            front: Arc::new(Front { limits, admin }),
            limits,
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

    /// Serves until shut down, then drains in-flight requests for the drain period and
    /// checkpoints SQLite; returns within the drain period plus [`MIN_CHECKPOINT_WAIT`] even
    /// when a request is stuck (it is left running: the caller ends the process or runtime).
    pub async fn run_until_shutdown(self) -> Result<(), std::io::Error> {
        let graceful = GracefulShutdown::new();
        let slots = Arc::new(Semaphore::new(self.limits.max_connections));
        let mut shutdown = self.shutdown_tx.subscribe();
        let stopped = shutdown.wait_for(|stopped| *stopped);
        tokio::pin!(stopped);
        // Failed accepts in a row; warned about once per burst.
        let mut failures: u64 = 0;
        loop {
            // Past the cap, connections wait in the listen backlog until one closes.
            let permit = tokio::select! {
                permit = slots.clone().acquire_owned() => match permit {
                    Ok(permit) => permit,
                    Err(_) => break,
                },
                _ = &mut stopped => break,
            };
            let accepted = tokio::select! {
                accepted = self.listener.accept() => accepted,
                _ = &mut stopped => break,
            };
            match accepted {
                Ok((stream, _)) => {
                    if failures > 0 {
                        tracing::info!(failures, "accepting connections again");
                        failures = 0;
                    }
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(serve_connection(
                        stream,
                        self.state.clone(),
                        self.front.clone(),
                        self.tls.clone(),
                        graceful.watcher(),
                        permit,
                    ));
                }
                Err(e) => match accept_backoff(&e) {
                    None => {
                        tracing::debug!(error = %e, "a connection failed before it was accepted")
                    }
                    Some(pause) => {
                        if failures == 0 {
                            tracing::warn!(error = %e, "cannot accept connections; retrying every {pause:?} (out of file descriptors? raise `ulimit -n` or lower --max-connections)");
                        }
                        failures += 1;
                        tokio::select! {
                            () = tokio::time::sleep(pause) => {}
                            _ = &mut stopped => break,
                        }
                    }
                },
            }
        }
        drop(self.listener);
        let deadline = Instant::now().checked_add(self.limits.drain_timeout);
        let drained = async {
            match deadline {
                Some(deadline) => tokio::time::timeout_at(deadline, graceful.shutdown())
                    .await
                    .is_ok(),
                None => {
                    graceful.shutdown().await;
                    true
                }
            }
        };
        if !drained.await {
            tracing::warn!(
                "in-flight requests did not finish within {:?}; stopping without them",
                self.limits.drain_timeout
            );
        }
        final_checkpoint(&self.state, deadline).await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Checkpoints the WAL on a blocking thread, waiting until `deadline` but at least
/// [`MIN_CHECKPOINT_WAIT`]: a request stuck past the drain period may hold the store.
async fn final_checkpoint(state: &AppState, deadline: Option<Instant>) {
    let engine = state.engine.clone();
    let checkpoint = tokio::task::spawn_blocking(move || engine.checkpoint());
    let earliest = Instant::now() + MIN_CHECKPOINT_WAIT;
    let wait_until = deadline.map_or(earliest, |d| d.max(earliest));
    match tokio::time::timeout_at(wait_until, checkpoint).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => tracing::warn!(error = %e, "final checkpoint failed"),
        Ok(Err(e)) => tracing::warn!(error = %e, "final checkpoint failed"),
        Err(_) => tracing::warn!(
            "final checkpoint did not finish in time; the WAL is replayed at the next start"
        ),
    }
}

/// How long to pause after a failed `accept`: not at all when one incoming connection failed
/// before it was taken (reset, aborted), [`ACCEPT_BACKOFF`] when accepting itself fails
/// (EMFILE, ENFILE, ENOBUFS, ENOMEM) and would fail again at once.
fn accept_backoff(e: &io::Error) -> Option<Duration> {
    match e.kind() {
        io::ErrorKind::ConnectionAborted
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionRefused
        | io::ErrorKind::Interrupted
        | io::ErrorKind::WouldBlock => None,
        _ => Some(ACCEPT_BACKOFF),
    }
}

/// Where a connection stands, for its timeouts (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for (the rest of) a request head: since the connection opened, or since the
    /// first byte of a request on a kept-alive connection.
    Head(Instant),
    /// A request is being handled.
    Busy,
    /// Between requests, since the last response was produced.
    Idle(Instant),
}

impl Phase {
    /// When the connection is closed if nothing changes; `None`: never.
    fn deadline(self, limits: &Limits) -> Option<Instant> {
        match self {
            Self::Head(since) => since.checked_add(limits.header_timeout),
            Self::Busy => None,
            Self::Idle(since) => since.checked_add(limits.idle_timeout),
        }
    }
}

/// The connection's byte stream, moving it from [`Phase::Idle`] to [`Phase::Head`] when a
/// byte of the next request arrives.
struct Tracked<S> {
    inner: S,
    phase: Arc<watch::Sender<Phase>>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.phase.send_if_modified(|phase| match *phase {
                Phase::Idle(_) => {
                    *phase = Phase::Head(Instant::now());
                    true
                }
                Phase::Head(_) | Phase::Busy => false,
            });
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A connection after the first-byte test: plain or TLS.
enum Transport {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

/// With `--tls`, waits for the first byte and runs the handshake when it starts one.
async fn open(stream: TcpStream, tls: Option<TlsAcceptor>) -> io::Result<Transport> {
    if let Some(acceptor) = tls {
        let mut first = [0u8; 1];
        if matches!(stream.peek(&mut first).await, Ok(1)) && first[0] == TLS_HANDSHAKE {
            return Ok(Transport::Tls(Box::new(acceptor.accept(stream).await?)));
        }
    }
    Ok(Transport::Plain(stream))
}

/// Serves one connection; `_slot` is its place under `--max-connections`, freed on return.
async fn serve_connection(
    stream: TcpStream,
    state: Arc<AppState>,
    front: Arc<Front>,
    tls: Option<TlsAcceptor>,
    watcher: Watcher,
    _slot: OwnedSemaphorePermit,
) {
    let opened = Instant::now();
    // The TLS handshake counts toward the first request head's time.
    match tokio::time::timeout(front.limits.header_timeout, open(stream, tls)).await {
        Ok(Ok(Transport::Plain(stream))) => {
            serve_http(stream, state, front, false, watcher, opened).await
        }
        Ok(Ok(Transport::Tls(stream))) => {
            serve_http(*stream, state, front, true, watcher, opened).await
        }
        Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake failed"),
        Err(_) => tracing::debug!("no request within the header timeout; connection closed"),
    }
}

async fn serve_http<S>(
    stream: S,
    state: Arc<AppState>,
    front: Arc<Front>,
    over_tls: bool,
    watcher: Watcher,
    opened: Instant,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let limits = front.limits;
    let (phase_tx, mut phase) = watch::channel(Phase::Head(opened));
    let phase_tx = Arc::new(phase_tx);
    let io = TokioIo::new(Tracked {
        inner: stream,
        phase: phase_tx.clone(),
    });
    let service = service_fn(move |req| {
        phase_tx.send_replace(Phase::Busy);
        let handled = http::handle(state.clone(), front.clone(), req, over_tls);
        let phase_tx = phase_tx.clone();
        async move {
            let response = handled.await;
            phase_tx.send_replace(Phase::Idle(Instant::now()));
            response
        }
    });
    let conn = watcher.watch(
        http1::Builder::new()
            .keep_alive(true)
            .serve_connection(io, service),
    );
    tokio::pin!(conn);
    loop {
        let current = *phase.borrow_and_update();
        let expired = async {
            match current.deadline(&limits) {
                Some(deadline) => tokio::time::sleep_until(deadline).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            served = conn.as_mut() => {
                if let Err(e) = served {
                    tracing::debug!(error = %e, "connection closed with error");
                }
                return;
            }
            changed = phase.changed() => {
                if changed.is_err() {
                    // Unreachable while the connection holds the sender; serve it out.
                    let _ = conn.as_mut().await;
                    return;
                }
            }
            () = expired => {
                let which = match current {
                    Phase::Idle(_) => "idle",
                    Phase::Head(_) | Phase::Busy => "header",
                };
                tracing::debug!("{which} timeout; connection closed");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_backs_off_only_when_accepting_itself_fails() {
        let emfile = io::Error::from_raw_os_error(24);
        assert_eq!(accept_backoff(&emfile), Some(ACCEPT_BACKOFF));
        let enfile = io::Error::from_raw_os_error(23);
        assert_eq!(accept_backoff(&enfile), Some(ACCEPT_BACKOFF));
        let reset = io::Error::from(io::ErrorKind::ConnectionAborted);
        assert_eq!(accept_backoff(&reset), None);
    }

    #[test]
    fn each_phase_has_its_deadline() {
        let limits = Config::for_tests().limits();
        let t = Instant::now();
        assert_eq!(
            Phase::Head(t).deadline(&limits),
            Some(t + limits.header_timeout)
        );
        assert_eq!(
            Phase::Idle(t).deadline(&limits),
            Some(t + limits.idle_timeout)
        );
        assert_eq!(Phase::Busy.deadline(&limits), None);
    }
}
