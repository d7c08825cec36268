//! Shared helpers: spawn timestream-local, build clients, record requests.
//! Contract: compat-tests/README.md ("The server contract the suites rely on").
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const REGION: &str = "us-east-1";
pub const ACCOUNT_ID: &str = "123456789012";
pub const ACCESS_KEY_ID: &str = "AKIDEXAMPLE";
pub const SECRET_ACCESS_KEY: &str = "secret";
pub const DESCRIBE_ENDPOINTS: &str = "Timestream_20181101.DescribeEndpoints";

/// `$TIMESTREAM_LOCAL_BIN`, default `<repo>/target/debug/timestream-local`.
pub fn server_bin() -> PathBuf {
    match std::env::var_os("TIMESTREAM_LOCAL_BIN") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/timestream-local"),
    }
}

/// A running server; killed (and reaped) on drop, also when a test panics.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT` as parsed from `listening on (http://[^ ]+)`.
    pub url: String,
    pub port: u16,
    pub first_line: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    /// `timestream-local --port 0 <extra>`; waits for the first stdout line.
    pub fn start_with(extra: &[&str]) -> Server {
        let bin = server_bin();
        assert!(
            bin.exists(),
            "timestream-local binary not found at {} (build it, or set TIMESTREAM_LOCAL_BIN)",
            bin.display()
        );
        let mut cmd = Command::new(&bin);
        // Strict auth with the suite's key configured: every call's SigV4 signature, with the
        // Rust SDK's own signed-header set, is HMAC-verified by the server.
        let key = format!("{ACCESS_KEY_ID}:{SECRET_ACCESS_KEY}");
        cmd.arg("--port").arg("0").args(["--auth", "strict", "--credentials", &key]).args(extra);
        // Our defaults, not whatever the calling shell configured.
        for (k, _) in std::env::vars_os() {
            if let Some(k) = k.to_str() {
                if k.starts_with("TIMESTREAM_LOCAL_") && k != "TIMESTREAM_LOCAL_BIN" {
                    cmd.env_remove(k);
                }
            }
        }
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));

        let stderr = Arc::new(Mutex::new(String::new()));
        {
            let mut pipe = child.stderr.take().expect("stderr piped");
            let sink = Arc::clone(&stderr);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let mut s = sink.lock().unwrap();
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                    if s.len() > 64 * 1024 {
                        let cut = s.len() - 64 * 1024;
                        let cut = (cut..s.len()).find(|i| s.is_char_boundary(*i)).unwrap_or(0);
                        s.drain(..cut);
                    }
                }
            });
        }
        let (tx, rx) = mpsc::channel::<String>();
        {
            let pipe = child.stdout.take().expect("stdout piped");
            std::thread::spawn(move || {
                // Keep draining after the first line so the server never blocks on a full pipe.
                let mut first = Some(tx);
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    if let Some(tx) = first.take() {
                        let _ = tx.send(line);
                    }
                }
            });
        }
        let first_line = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(line) => line,
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "no first stdout line from {} ({e}); stderr:\n{}",
                    bin.display(),
                    stderr.lock().unwrap()
                );
            }
        };
        let url = match parse_listening_url(&first_line) {
            Some(u) => u,
            None => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("first stdout line does not match `listening on (http://[^ ]+)`: {first_line:?}");
            }
        };
        let port = url
            .rsplit(':')
            .next()
            .and_then(|p| p.trim_end_matches('/').parse::<u16>().ok())
            .unwrap_or_else(|| panic!("no port in {url}"));
        Server { child, url, port, first_line, stderr }
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Equivalent of the regex `listening on (http://[^ ]+)`.
pub fn parse_listening_url(line: &str) -> Option<String> {
    let rest = &line[line.find("listening on http://")? + "listening on ".len()..];
    let url: String = rest.chars().take_while(|c| *c != ' ').collect();
    (url.len() > "http://".len()).then_some(url)
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Unique valid resource name (3..256 chars of `[a-zA-Z0-9_.-]`).
pub fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis();
    format!("{prefix}_{}_{t}_{n}", std::process::id())
}

/// A fresh private directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> TempDir {
        let dir = std::env::temp_dir().join(unique_name(prefix));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One request as it left the client: `X-Amz-Target` and full URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    pub target: String,
    pub uri: String,
}

/// Shared log of requests, filled by the interceptors below.
#[derive(Debug, Clone, Default)]
pub struct RequestLog(pub Arc<Mutex<Vec<Sent>>>);

impl RequestLog {
    pub fn sent(&self) -> Vec<Sent> {
        self.0.lock().unwrap().clone()
    }
    pub fn targets(&self) -> Vec<String> {
        self.sent().into_iter().map(|s| s.target).collect()
    }
    fn push(&self, req: &aws_sdk_timestreamwrite::config::http::HttpRequest) {
        let target = req.headers().get("x-amz-target").unwrap_or("").to_owned();
        self.0.lock().unwrap().push(Sent { target, uri: req.uri().to_owned() });
    }
}

/// Records every request just before it is sent (after endpoint resolution and signing).
#[derive(Debug, Clone)]
pub struct Recorder(pub RequestLog);

impl aws_sdk_timestreamwrite::config::Intercept for Recorder {
    fn name(&self) -> &'static str {
        "timestream-local-compat-recorder"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_timestreamwrite::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &aws_sdk_timestreamwrite::config::RuntimeComponents,
        _cfg: &mut aws_sdk_timestreamwrite::config::ConfigBag,
    ) -> Result<(), aws_sdk_timestreamwrite::error::BoxError> {
        self.0.push(context.request());
        Ok(())
    }
}

pub fn credentials() -> aws_sdk_timestreamwrite::config::Credentials {
    aws_sdk_timestreamwrite::config::Credentials::new(ACCESS_KEY_ID, SECRET_ACCESS_KEY, None, None, "compat-static")
}

/// Write client with an explicit `endpoint_url` (no discovery), plus a request log.
pub fn write_client(url: &str) -> (aws_sdk_timestreamwrite::Client, RequestLog) {
    use aws_sdk_timestreamwrite::config::{BehaviorVersion, Builder, Region};
    let log = RequestLog::default();
    let conf = Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(credentials())
        .endpoint_url(url)
        .interceptor(Recorder(log.clone()))
        .build();
    (aws_sdk_timestreamwrite::Client::from_conf(conf), log)
}

/// Query client with an explicit `endpoint_url` (no discovery), plus a request log.
pub fn query_client(url: &str) -> (aws_sdk_timestreamquery::Client, RequestLog) {
    use aws_sdk_timestreamquery::config::{BehaviorVersion, Builder, Region};
    let log = RequestLog::default();
    let conf = Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(credentials())
        .endpoint_url(url)
        .interceptor(Recorder(log.clone()))
        .build();
    (aws_sdk_timestreamquery::Client::from_conf(conf), log)
}

/// HTTP status of a failed call (None when no response was received).
pub fn http_status<E>(
    err: &aws_sdk_timestreamwrite::error::SdkError<E, aws_sdk_timestreamwrite::config::http::HttpResponse>,
) -> Option<u16> {
    err.raw_response().map(|r| r.status().as_u16())
}
