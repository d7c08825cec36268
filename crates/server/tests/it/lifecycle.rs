use std::time::Duration;

use timestream_local::{Config, Server};

/// A shutdown requested before the server starts serving (a signal that arrives right after
/// the banner) still stops it: the request is stored, not lost because nothing watched yet.
#[tokio::test]
async fn shutdown_requested_before_serving_stops_the_server() {
    let config = <Config as clap::Parser>::parse_from(["timestream-local", "--port", "0"]);
    let server = Server::start(config).await.unwrap();
    server.shutdown_handle().shutdown();
    let stopped = tokio::time::timeout(Duration::from_secs(5), server.run_until_shutdown()).await;
    assert!(
        matches!(stopped, Ok(Ok(()))),
        "server did not stop: {stopped:?}"
    );
}
