use std::time::Duration;

use clap::Parser;
use timestream_local::{Config, Server};
use tracing_subscriber::EnvFilter;

/// Stack of every runtime thread: as deep as the query threads' (planning runs here).
const THREAD_STACK_BYTES: usize = query::THREAD_STACK_BYTES;
/// After the server stopped, how long runtime threads still busy (a query past the drain
/// period) may take to yield before the process exits without them.
const RUNTIME_SHUTDOWN: Duration = Duration::from_millis(250);
/// A signal is followed by an exit (code 0) at the latest this long after the drain period,
/// even if the runtime cannot get there (every worker thread busy in a query, timers late).
const EXIT_GRACE: Duration = Duration::from_millis(1500);

fn main() -> std::process::ExitCode {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(THREAD_STACK_BYTES)
        .build();
    match runtime {
        Ok(runtime) => {
            let code = runtime.block_on(serve());
            // Dropping the runtime would wait for every task to reach a yield point, a long
            // query included: leave them behind instead.
            runtime.shutdown_timeout(RUNTIME_SHUTDOWN);
            code
        }
        Err(e) => {
            eprintln!("timestream-local: cannot start the async runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve() -> std::process::ExitCode {
    let config = Config::parse();
    if config.health_check {
        return health_check(&config);
    }
    let filter = EnvFilter::try_new(&config.log_level).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let signalled = match shutdown_signal() {
        Ok(signalled) => signalled,
        Err(e) => {
            eprintln!("timestream-local: cannot install the signal handlers: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let exit_after = config.limits().drain_timeout.saturating_add(EXIT_GRACE);
    let server = match Server::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("timestream-local: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("{}", server.banner());
    let shutdown = server.shutdown_handle();
    tokio::spawn(async move {
        signalled.await;
        shutdown.shutdown();
        exit_watchdog(exit_after);
    });
    match server.run_until_shutdown().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("timestream-local: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Exits the process (code 0) `after` from now unless it has ended by then: the last resort
/// behind the drain period, on a thread of its own so a busy runtime cannot delay it.
fn exit_watchdog(after: Duration) {
    let spawned = std::thread::Builder::new()
        .name("exit-watchdog".to_owned())
        .spawn(move || {
            std::thread::sleep(after);
            tracing::warn!("shutdown did not complete within {after:?}; exiting");
            std::process::exit(0);
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "cannot start the exit watchdog");
    }
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C). The handlers are installed here, before the banner
/// is printed: a supervisor may signal as soon as it reads the banner, and a signal that came
/// before them would take its inherited disposition instead — the default kills the process
/// without the final checkpoint, an inherited SIG_IGN leaves it running.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// A plain HTTP/1.1 GET of the admin health endpoint, with std only.
fn health_check(config: &Config) -> std::process::ExitCode {
    use std::io::{Read, Write};
    let host = match config.host.as_str() {
        "0.0.0.0" | "::" | "[::]" => "127.0.0.1",
        h => h,
    };
    let probe = || -> std::io::Result<bool> {
        let mut stream = std::net::TcpStream::connect((host, config.port))?;
        stream.set_read_timeout(Some(std::time::Duration::from_secs(3)))?;
        write!(
            stream,
            "GET {}health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
            timestream_local::ADMIN_PREFIX
        )?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply)?;
        Ok(reply.starts_with("HTTP/1.1 200"))
    };
    match probe() {
        Ok(true) => std::process::ExitCode::SUCCESS,
        _ => std::process::ExitCode::FAILURE,
    }
}
