//! Ingest load generator: WriteRecords over HTTP with SigV4, against the real binary, once with
//! `--data-dir` and once in memory, then the same single-measure load against moto_server for a
//! ratio. Prints figures; asserts nothing.
//!
//! Each phase runs `INGEST_CONNECTIONS` (default 16) concurrent connections for `INGEST_SECONDS`
//! (default 10) seconds, each request carrying 100 records with distinct identities: 1000 hosts
//! as a dimension reporting as a fleet does (every host once per instant, instants advancing
//! from an hour ago), a global counter keeping identities unique.
//! Phase 1 sends single-measure DOUBLE records, phase 2 multi-measure records (2 DOUBLE and
//! 2 BIGINT attributes).
//!
//! The generator stays cheap, since it shares 2 cores with the server: one current-thread
//! runtime, one pooled `reqwest::Client`, and request bodies built once per connection as
//! templates whose fixed-width fields (host, time, values) are patched in place per request.
//!
//! Run: `scripts/bench` (or `cargo bench -p timestream-local --bench ingest`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

const RECORDS_PER_REQUEST: usize = 100;
const HOSTS: u64 = 1000;
const DB: &str = "ingest_bench";
const TABLE: &str = "metrics";
/// Times start this far back (just under an hour), in ms.
const TIME_SPAN_MS: u64 = 3_599_000;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------------
// Processes

#[path = "../tests/support/spawned.rs"]
mod spawned;

use spawned::{cpu_time, Spawned as Proc, BIN};

fn spawn_server(extra: &[&str]) -> Proc {
    Proc::with_args(extra)
}

/// (VmHWM, VmRSS) of a process, in bytes.
fn rss(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

// ---------------------------------------------------------------------------------------------
// Signed requests

struct Signer {
    url: String,
    host: String,
}

impl Signer {
    fn new(base: &str) -> Self {
        Self {
            url: format!("{base}/"),
            host: base.trim_start_matches("http://").to_owned(),
        }
    }

    /// A SigV4-signed WriteRecords-style POST, signed as boto3 signs it.
    fn request(&self, http: &reqwest::Client, op: &str, body: Vec<u8>) -> reqwest::RequestBuilder {
        let target = format!("Timestream_20181101.{op}");
        let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
        let headers = [
            (
                "content-type".to_owned(),
                "application/x-amz-json-1.0".to_owned(),
            ),
            ("host".to_owned(), self.host.clone()),
            ("x-amz-date".to_owned(), amz_date.clone()),
            ("x-amz-target".to_owned(), target.clone()),
        ];
        let auth = protocol::sigv4::Authorization {
            access_key: "AKIDBENCH".into(),
            date: amz_date[..8].into(),
            region: "us-east-1".into(),
            service: "timestream".into(),
            signed_headers: headers.iter().map(|(k, _)| k.clone()).collect(),
            signature: String::new(),
        };
        let req = protocol::sigv4::Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body: &body,
        };
        let hash = hex::encode(Sha256::digest(&body));
        let sig = protocol::sigv4::signature(&auth, &req, &amz_date, "secret", &hash).unwrap();
        http.post(&self.url)
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", target)
            .header("x-amz-date", &amz_date)
            .header(
                "authorization",
                format!(
                    "AWS4-HMAC-SHA256 Credential=AKIDBENCH/{}/us-east-1/timestream/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={sig}",
                    &amz_date[..8]
                ),
            )
            .body(body)
    }

    async fn call(&self, http: &reqwest::Client, op: &str, body: &str) -> (u16, String) {
        match self
            .request(http, op, body.as_bytes().to_vec())
            .send()
            .await
        {
            Ok(resp) => {
                let status = resp.status().as_u16();
                (status, resp.text().await.unwrap_or_default())
            }
            Err(e) => (0, e.to_string()),
        }
    }
}

async fn create_table(http: &reqwest::Client, signer: &Signer) -> Result<(), String> {
    let (status, text) = signer
        .call(
            http,
            "CreateDatabase",
            &format!(r#"{{"DatabaseName":"{DB}"}}"#),
        )
        .await;
    if status != 200 {
        return Err(format!("CreateDatabase: HTTP {status}: {text}"));
    }
    let (status, text) = signer
        .call(
            http,
            "CreateTable",
            &format!(
                r#"{{"DatabaseName":"{DB}","TableName":"{TABLE}","RetentionProperties":{{"MemoryStoreRetentionPeriodInHours":24,"MagneticStoreRetentionPeriodInDays":365}}}}"#
            ),
        )
        .await;
    if status != 200 {
        return Err(format!("CreateTable: HTTP {status}: {text}"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Request bodies: a template per connection, fixed-width fields patched in place

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Shape {
    Single,
    Multi,
}

impl Shape {
    fn label(self) -> &'static str {
        match self {
            Shape::Single => "single-measure DOUBLE",
            Shape::Multi => "multi-measure (2 DOUBLE + 2 BIGINT)",
        }
    }
}

/// Where the variable digits of one record sit in the template.
struct Slots {
    host: usize,
    az: usize,
    time: usize,
    /// "dd.ddd" DOUBLE values.
    doubles: Vec<usize>,
    /// 7-digit BIGINT values.
    bigints: Vec<usize>,
}

struct Template {
    body: Vec<u8>,
    slots: Vec<Slots>,
}

fn mark(body: &mut String, placeholder: &str) -> usize {
    let at = body.len();
    body.push_str(placeholder);
    at
}

impl Template {
    fn new(shape: Shape) -> Self {
        let mut b = String::with_capacity(RECORDS_PER_REQUEST * 400);
        b.push_str(&format!(
            r#"{{"DatabaseName":"{DB}","TableName":"{TABLE}","Records":["#
        ));
        let mut slots = Vec::with_capacity(RECORDS_PER_REQUEST);
        for i in 0..RECORDS_PER_REQUEST {
            if i > 0 {
                b.push(',');
            }
            b.push_str(r#"{"Dimensions":[{"Name":"host","Value":"host-"#);
            let host = mark(&mut b, "0000");
            b.push_str(r#""},{"Name":"az","Value":"us-east-1"#);
            let az = mark(&mut b, "a");
            b.push_str(r#""}],"#);
            let mut doubles = Vec::new();
            let mut bigints = Vec::new();
            match shape {
                Shape::Single => {
                    b.push_str(r#""MeasureName":"cpu_usage","MeasureValue":""#);
                    doubles.push(mark(&mut b, "00.000"));
                    b.push_str(r#"","MeasureValueType":"DOUBLE","#);
                }
                Shape::Multi => {
                    b.push_str(r#""MeasureName":"host_stats","MeasureValueType":"MULTI","MeasureValues":["#);
                    b.push_str(r#"{"Name":"cpu","Value":""#);
                    doubles.push(mark(&mut b, "00.000"));
                    b.push_str(r#"","Type":"DOUBLE"},{"Name":"memory","Value":""#);
                    doubles.push(mark(&mut b, "00.000"));
                    b.push_str(r#"","Type":"DOUBLE"},{"Name":"requests","Value":""#);
                    bigints.push(mark(&mut b, "0000000"));
                    b.push_str(r#"","Type":"BIGINT"},{"Name":"errors","Value":""#);
                    bigints.push(mark(&mut b, "0000000"));
                    b.push_str(r#"","Type":"BIGINT"}],"#);
                }
            }
            b.push_str(r#""Time":""#);
            let time = mark(&mut b, "0000000000000");
            b.push_str(r#"","TimeUnit":"MILLISECONDS"}"#);
            slots.push(Slots {
                host,
                az,
                time,
                doubles,
                bigints,
            });
        }
        b.push_str("]}");
        Self {
            body: b.into_bytes(),
            slots,
        }
    }

    /// The body of request number `request` (records `request*100 ..`), times before `t0_ms`.
    fn fill(&mut self, request: u64, t0_ms: u64) -> &[u8] {
        for (i, s) in self.slots.iter().enumerate() {
            let c = request * RECORDS_PER_REQUEST as u64 + i as u64;
            let host = c % HOSTS;
            // As a fleet reports: every host once per instant, instants 1 ms apart from an hour
            // ago onwards (unique (host, time) for c < HOSTS × TIME_SPAN_MS).
            let back = TIME_SPAN_MS - (c / HOSTS) % TIME_SPAN_MS;
            digits(&mut self.body[s.host..s.host + 4], host);
            self.body[s.az] = b'a' + (host % 3) as u8;
            digits(&mut self.body[s.time..s.time + 13], t0_ms - back);
            let mut x = c.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
            for &d in &s.doubles {
                let v = 10_000 + x % 90_000; // 10.000 ..= 99.999
                x /= 90_000;
                digits(&mut self.body[d..d + 2], v / 1000);
                digits(&mut self.body[d + 3..d + 6], v % 1000);
            }
            for &g in &s.bigints {
                let v = 1_000_000 + x % 9_000_000;
                x = x / 9_000_000 + c;
                digits(&mut self.body[g..g + 7], v);
            }
        }
        &self.body
    }
}

/// Writes `v` as exactly `out.len()` decimal digits (zero-padded).
fn digits(out: &mut [u8], mut v: u64) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

// ---------------------------------------------------------------------------------------------
// A phase

struct PhaseResult {
    records: u64,
    requests: u64,
    errors: u64,
    first_error: Option<String>,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    max: Duration,
    server_cpu: Duration,
    generator_cpu: Duration,
}

impl PhaseResult {
    fn records_per_s(&self) -> f64 {
        self.records as f64 / self.elapsed.as_secs_f64()
    }

    fn requests_per_s(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

/// Runs `connections` request loops for `duration`; request numbers come from `counter`.
#[allow(clippy::too_many_arguments)]
async fn run_phase(
    http: &reqwest::Client,
    signer: &Rc<Signer>,
    server_pid: u32,
    shape: Shape,
    connections: usize,
    duration: Duration,
    counter: &Rc<Cell<u64>>,
) -> PhaseResult {
    let server_pid = server_pid.to_string();
    let cpu0 = (cpu_time(&server_pid), cpu_time("self"));
    let t0_ms = chrono::Utc::now().timestamp_millis() as u64;
    let start = Instant::now();
    let deadline = start + duration;
    let loops = (0..connections).map(|_| {
        let counter = counter.clone();
        let http = http.clone();
        let signer = signer.clone();
        async move {
            let mut template = Template::new(shape);
            let mut latencies: Vec<Duration> = Vec::with_capacity(4096);
            let (mut ok, mut errors) = (0u64, 0u64);
            let mut first_error = None;
            while Instant::now() < deadline {
                let n = counter.get();
                counter.set(n + 1);
                let body = template.fill(n, t0_ms).to_vec();
                let req = signer.request(&http, "WriteRecords", body);
                let sent = Instant::now();
                let outcome = match req.send().await {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        match resp.bytes().await {
                            Ok(_) if status == 200 => Ok(()),
                            Ok(b) => Err(format!(
                                "HTTP {status}: {}",
                                String::from_utf8_lossy(&b[..b.len().min(300)])
                            )),
                            Err(e) => Err(e.to_string()),
                        }
                    }
                    Err(e) => Err(e.to_string()),
                };
                latencies.push(sent.elapsed());
                match outcome {
                    Ok(()) => ok += 1,
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
            }
            (ok, errors, first_error, latencies)
        }
    });
    let results = futures_join_all(loops.collect()).await;
    let elapsed = start.elapsed();
    let server_cpu = cpu_time(&server_pid).saturating_sub(cpu0.0);
    let generator_cpu = cpu_time("self").saturating_sub(cpu0.1);
    let mut latencies = Vec::new();
    let (mut ok, mut errors, mut first_error) = (0, 0, None);
    for (o, e, f, l) in results {
        ok += o;
        errors += e;
        if first_error.is_none() {
            first_error = f;
        }
        latencies.extend(l);
    }
    latencies.sort();
    PhaseResult {
        records: ok * RECORDS_PER_REQUEST as u64,
        requests: ok,
        errors,
        first_error,
        elapsed,
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
        max: percentile(&latencies, 1.0),
        server_cpu,
        generator_cpu,
    }
}

/// Joins futures on the current thread without a futures crate: each runs as a local task.
async fn futures_join_all<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + 'static,
    F::Output: 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::task::spawn_local).collect();
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await.expect("connection loop"));
    }
    out
}

fn print_phase(store: &str, shape: Shape, r: &PhaseResult) {
    println!(
        "  {:<36} {:>10.0} records/s {:>8.0} req/s   p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  errors {}",
        shape.label(),
        r.records_per_s(),
        r.requests_per_s(),
        r.p50.as_secs_f64() * 1e3,
        r.p99.as_secs_f64() * 1e3,
        r.max.as_secs_f64() * 1e3,
        r.errors
    );
    let secs = r.elapsed.as_secs_f64();
    println!(
        "    CPU: server {:.1} s ({:.0}% of one core), generator {:.1} s ({:.0}%); {:.0} records per server CPU-second",
        r.server_cpu.as_secs_f64(),
        r.server_cpu.as_secs_f64() / secs * 100.0,
        r.generator_cpu.as_secs_f64(),
        r.generator_cpu.as_secs_f64() / secs * 100.0,
        r.records as f64 / r.server_cpu.as_secs_f64().max(1e-3)
    );
    if let Some(e) = &r.first_error {
        println!("    first error ({store}): {e}");
    }
}

fn http_client(connections: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// timestream-local

struct StoreFigures {
    single: PhaseResult,
}

async fn bench_store(
    store: &str,
    extra: &[&str],
    connections: usize,
    duration: Duration,
) -> Option<StoreFigures> {
    let server = spawn_server(extra);
    let http = http_client(connections);
    let signer = Rc::new(Signer::new(&server.url));
    if let Err(e) = create_table(&http, &signer).await {
        println!("\n{store}: cannot create the table: {e}");
        drop(server);
        return None;
    }
    println!(
        "\n{store}: {connections} connections × {} s per phase, {RECORDS_PER_REQUEST} records per request, SigV4-signed",
        duration.as_secs_f64()
    );
    let counter = Rc::new(Cell::new(0u64));
    let mut single = None;
    let mut prev = (0u64, 0u64);
    let mut acked = 0u64;
    for shape in [Shape::Single, Shape::Multi] {
        let r = run_phase(
            &http,
            &signer,
            server.pid(),
            shape,
            connections,
            duration,
            &counter,
        )
        .await;
        print_phase(store, shape, &r);
        let state: serde_json::Value = match http
            .get(format!("{}/_timestream_local/state", server.url))
            .send()
            .await
        {
            Ok(resp) => resp.json().await.unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        };
        let records = state["memory_tier"]["records"].as_u64().unwrap_or(0);
        let bytes = state["memory_tier"]["bytes"].as_u64().unwrap_or(0);
        let (hwm, now) = rss(server.pid());
        let per_phase = if records > prev.0 {
            (bytes.saturating_sub(prev.1)) as f64 / (records - prev.0) as f64
        } else {
            0.0
        };
        println!(
            "    memory tier: {records} records, {:.1} MiB, {:.1} bytes/record overall, {per_phase:.1} bytes/record for this phase's records; server RSS peak {:.1} MiB, now {:.1} MiB",
            mib(bytes),
            if records > 0 { bytes as f64 / records as f64 } else { 0.0 },
            mib(hwm),
            mib(now),
        );
        acked += r.records;
        if records != acked {
            println!(
                "    WARNING: the memory tier holds {records} records but {acked} were acknowledged"
            );
        }
        prev = (records, bytes);
        if shape == Shape::Single {
            single = Some(r);
        }
    }
    drop(server);
    single.map(|single| StoreFigures { single })
}

// ---------------------------------------------------------------------------------------------
// moto

fn target_dir() -> PathBuf {
    // CARGO_BIN_EXE points at <target>/<profile>/timestream-local.
    Path::new(BIN)
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// The moto_server executable, installing moto into `<target>/bench-venv` when missing.
fn moto_server() -> Result<PathBuf, String> {
    let venv = target_dir().join("bench-venv");
    let exe = venv.join("bin").join("moto_server");
    if exe.exists() {
        return Ok(exe);
    }
    println!("\ninstalling moto[server] into {} ...", venv.display());
    let run = |cmd: &mut Command| -> Result<(), String> {
        let out = cmd
            .stdout(Stdio::null())
            .output()
            .map_err(|e| format!("{cmd:?}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            let err = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = err.lines().rev().take(5).collect();
            Err(format!(
                "{cmd:?} failed ({}): {}",
                out.status,
                tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
            ))
        }
    };
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin").join("pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "moto[server]",
    ]))?;
    if exe.exists() {
        Ok(exe)
    } else {
        Err(format!("{} missing after pip install", exe.display()))
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

async fn bench_moto(
    connections: usize,
    duration: Duration,
    ours: &[(&str, f64)],
) -> Result<(), String> {
    let exe = moto_server()?;
    let port = free_port();
    let child = Command::new(&exe)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let moto = Proc {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            drop(moto);
            return Err("moto_server did not start listening within 30 s".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let http = http_client(connections);
    let signer = Rc::new(Signer::new(&moto.url));
    if let Err(e) = create_table(&http, &signer).await {
        drop(moto);
        return Err(format!("moto: {e}"));
    }
    println!(
        "\nmoto_server ({}): {connections} connections × {} s, same single-measure load",
        exe.display(),
        duration.as_secs_f64()
    );
    let counter = Rc::new(Cell::new(0u64));
    let r = run_phase(
        &http,
        &signer,
        moto.pid(),
        Shape::Single,
        connections,
        duration,
        &counter,
    )
    .await;
    print_phase("moto", Shape::Single, &r);
    let (hwm, now) = rss(moto.pid());
    println!(
        "    moto RSS peak {:.1} MiB, now {:.1} MiB",
        mib(hwm),
        mib(now)
    );
    drop(moto);
    let theirs = r.records_per_s();
    for (store, rate) in ours {
        if theirs > 0.0 {
            println!(
                "  ratio, single-measure records/s, timestream-local {store} / moto: {:.1}×",
                rate / theirs
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------

fn main() {
    let connections = env_or("INGEST_CONNECTIONS", 16).max(1) as usize;
    let duration = Duration::from_secs(env_or("INGEST_SECONDS", 10).max(1));
    println!(
        "timestream-local ingest benchmark — {} — {} cores",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!(
        "targets: ≥150000 records/s with --data-dir, p99 < 20 ms, ≤100 bytes of RAM per memory-tier record"
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async {
        let dir = tempfile::tempdir().expect("temp dir");
        let dir_arg = dir.path().to_string_lossy().into_owned();
        let mut ours = Vec::new();
        for (store, extra) in [
            ("--data-dir store", vec!["--data-dir", dir_arg.as_str()]),
            ("in-memory store", vec![]),
        ] {
            if let Some(f) = bench_store(store, &extra, connections, duration).await {
                ours.push((store, f.single.records_per_s()));
            }
        }
        if let Err(e) = bench_moto(connections, duration, &ours).await {
            println!("\nmoto comparison skipped: {e}");
        }
    });
}
