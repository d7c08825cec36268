//! The read path beside ingestion, against the real binary (memory mode, `--auth off`):
//!
//! 1. the same aggregate (`count(*)`, `avg(measure_value::double)`) over two tables holding the
//!    same `READ_PATH_RECORDS` records (default 580 000), one all in the magnetic tier (two days
//!    old, written through magnetic-store writes), one all in the memory tier: median latency
//!    of each, and their ratio; and the first magnetic read (decoding from SQLite into the
//!    bucket cache);
//! 2. ingestion (`READ_PATH_CONNECTIONS` connections, default 8, of 100-record WriteRecords
//!    into a third table) for `READ_PATH_SECONDS` (default 10) alone, beside one client looping
//!    the aggregate over the memory table, and beside one looping it over the magnetic table:
//!    records/s and request latency p50/p99 of each, and how many queries ran.
//!
//! Prints figures; asserts only that every call succeeded.
//! Run: `cargo bench -p timestream-local --bench read_path` (also in `scripts/bench`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const DB: &str = "read_path";
const RECORDS_PER_REQUEST: u64 = 100;
const HOSTS: u64 = 1000;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[path = "../tests/support/aws_call.rs"]
mod aws_call;
#[path = "../tests/support/spawned.rs"]
mod spawned;

use spawned::Spawned;

fn spawn_server() -> Spawned {
    // READ_PATH_BIN runs another build (an older commit's, for a before/after comparison).
    let bin = std::env::var("READ_PATH_BIN").unwrap_or_else(|_| spawned::BIN.to_owned());
    Spawned::start(spawned::command(&bin, &["--auth", "off"])).expect("the server starts")
}

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    url: String,
}

impl Client {
    async fn call(&self, op: &str, body: String) -> serde_json::Value {
        aws_call::call(&self.http, &self.url, op, body).await
    }

    async fn create_table(&self, table: &str, memory_hours: u64) {
        self.call(
            "CreateTable",
            format!(
                r#"{{"DatabaseName":"{DB}","TableName":"{table}","RetentionProperties":{{"MemoryStoreRetentionPeriodInHours":{memory_hours},"MagneticStoreRetentionPeriodInDays":365}},"MagneticStoreWriteProperties":{{"EnableMagneticStoreWrites":true}}}}"#
            ),
        )
        .await;
    }

    /// Request `n` of 100 single-measure DOUBLE records into `table`, 1000 hosts per instant,
    /// instants 1 ms apart from `t0_ms`.
    async fn write(&self, table: &str, n: u64, t0_ms: u64) {
        let records: Vec<String> = (0..RECORDS_PER_REQUEST)
            .map(|i| {
                let c = n * RECORDS_PER_REQUEST + i;
                format!(
                    r#"{{"Dimensions":[{{"Name":"host","Value":"host-{}"}}],"MeasureValue":"{}.{}","Time":"{}"}}"#,
                    c % HOSTS,
                    10 + c % 90,
                    c % 1000,
                    t0_ms + c / HOSTS
                )
            })
            .collect();
        self.call(
            "WriteRecords",
            format!(
                r#"{{"DatabaseName":"{DB}","TableName":"{table}","CommonAttributes":{{"MeasureName":"cpu","MeasureValueType":"DOUBLE","TimeUnit":"MILLISECONDS"}},"Records":[{}]}}"#,
                records.join(",")
            ),
        )
        .await;
    }

    async fn aggregate(&self, table: &str) -> Duration {
        let started = Instant::now();
        let out = self
            .call(
                "Query",
                format!(
                    r#"{{"QueryString":"SELECT count(*), avg(measure_value::double) FROM {DB}.{table}"}}"#
                ),
            )
            .await;
        let elapsed = started.elapsed();
        assert!(
            out["Rows"][0]["Data"][0]["ScalarValue"].is_string(),
            "{out}"
        );
        elapsed
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// Writes `records` into `table` over `connections` connections.
async fn load(client: &Client, table: &str, records: u64, t0_ms: u64, connections: u64) {
    let requests = records.div_ceil(RECORDS_PER_REQUEST);
    let next = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (client, next, table) = (client.clone(), next.clone(), table.to_owned());
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= requests {
                        break;
                    }
                    client.write(&table, n, t0_ms).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

struct Phase {
    records_per_s: f64,
    p50: Duration,
    p99: Duration,
    queries: u64,
}

/// Ingestion for `seconds`, with a client looping the aggregate over `query_table` if given.
async fn phase(
    client: &Client,
    query_table: Option<&str>,
    seconds: u64,
    connections: u64,
    counter: &Arc<AtomicU64>,
) -> Phase {
    let stop = Arc::new(AtomicBool::new(false));
    let t0_ms = now_ms() - 3_000_000;
    let writers: Vec<_> = (0..connections)
        .map(|_| {
            let (client, stop, counter) = (client.clone(), stop.clone(), counter.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let started = Instant::now();
                    client.write("ingest", n, t0_ms).await;
                    latencies.push(started.elapsed());
                }
                latencies
            })
        })
        .collect();
    let querier = query_table.map(|table| {
        let (client, stop, table) = (client.clone(), stop.clone(), table.to_owned());
        tokio::spawn(async move {
            let mut queries = 0;
            while !stop.load(Ordering::Relaxed) {
                client.aggregate(&table).await;
                queries += 1;
            }
            queries
        })
    });
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for w in writers {
        latencies.extend(w.await.unwrap());
    }
    let elapsed = started.elapsed();
    let queries = match querier {
        Some(q) => q.await.unwrap(),
        None => 0,
    };
    latencies.sort();
    Phase {
        records_per_s: (latencies.len() as u64 * RECORDS_PER_REQUEST) as f64
            / elapsed.as_secs_f64(),
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
        queries,
    }
}

fn main() {
    let records = env_or("READ_PATH_RECORDS", 580_000);
    let seconds = env_or("READ_PATH_SECONDS", 10);
    let connections = env_or("READ_PATH_CONNECTIONS", 8);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = spawn_server();
    runtime.block_on(async {
        let client = Client {
            http: reqwest::Client::new(),
            url: server.url.clone(),
        };
        client
            .call("CreateDatabase", format!(r#"{{"DatabaseName":"{DB}"}}"#))
            .await;
        client.create_table("magnetic", 1).await;
        client.create_table("memory", 24).await;
        client.create_table("ingest", 24).await;
        let span_ms = records.div_ceil(HOSTS);
        let started = Instant::now();
        load(&client, "magnetic", records, now_ms() - 2 * 86_400_000, connections).await;
        load(&client, "memory", records, now_ms() - 3_000_000 - span_ms, connections).await;
        println!(
            "loaded {records} records into each of `magnetic` (two days old) and `memory` in {:.1} s",
            started.elapsed().as_secs_f64()
        );

        // The first read decodes the magnetic buckets from SQLite; later ones find them cached.
        let cold = client.aggregate("magnetic").await;
        let mut magnetic = Vec::new();
        let mut memory = Vec::new();
        for _ in 0..9 {
            magnetic.push(client.aggregate("magnetic").await);
            memory.push(client.aggregate("memory").await);
        }
        let (magnetic, memory) = (median(magnetic), median(memory));
        println!("aggregate over {records} records (median of 9):");
        println!("  memory tier    {:>8.1} ms", memory.as_secs_f64() * 1e3);
        println!(
            "  magnetic tier  {:>8.1} ms  ({:.1}x the memory tier)",
            magnetic.as_secs_f64() * 1e3,
            magnetic.as_secs_f64() / memory.as_secs_f64()
        );
        println!(
            "  magnetic tier, first read (from SQLite) {:.1} ms",
            cold.as_secs_f64() * 1e3
        );

        let counter = Arc::new(AtomicU64::new(0));
        println!("ingestion, {connections} connections of 100-record requests, {seconds} s each:");
        let mut rates = Vec::new();
        for (label, table) in [
            ("alone", None),
            ("beside a memory-tier query loop", Some("memory")),
            ("beside a magnetic-tier query loop", Some("magnetic")),
        ] {
            let p = phase(&client, table, seconds, connections, &counter).await;
            println!(
                "  {label:<34} {:>8.0} records/s  p50 {:>6.1} ms  p99 {:>6.1} ms  ({} queries)",
                p.records_per_s,
                p.p50.as_secs_f64() * 1e3,
                p.p99.as_secs_f64() * 1e3,
                p.queries
            );
            rates.push(p.records_per_s);
        }
        println!(
            "  beside magnetic / beside memory: {:.0} %",
            100.0 * rates[2] / rates[1]
        );
    });
}
