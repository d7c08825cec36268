//! End-to-end figures for the catalog: start-to-ready time of the real binary, and the latency of
//! every catalog call over HTTP with SigV4 (client round trip, and the server-side time the
//! server reports at `/_timestream_local/stats`). Prints figures; asserts nothing.
//!
//! Run: `scripts/bench` (or `cargo bench -p timestream-local --bench catalog`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_timestream-local");
const STARTS: usize = 20;
const ROUNDS: usize = 400;

fn spawn(extra: &[&str]) -> (Child, String, Duration) {
    let t0 = Instant::now();
    let mut child = Command::new(BIN)
        .args(["--port", "0", "--log-level", "warn"])
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready = t0.elapsed();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_owned();
    (child, url, ready)
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * q).round() as usize]
}

struct Client {
    http: reqwest::Client,
    url: String,
    host: String,
}

impl Client {
    async fn call(&self, op: &str, body: String) -> (u16, Duration) {
        let target = format!("Timestream_20181101.{op}");
        let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
        let headers = vec![
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
            body: body.as_bytes(),
        };
        let hash = hex::encode(Sha256::digest(body.as_bytes()));
        let sig = protocol::sigv4::signature(&auth, &req, &amz_date, "secret", &hash).unwrap();
        let t0 = Instant::now();
        let resp = self
            .http
            .post(&self.url)
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", target)
            .header("x-amz-date", &amz_date)
            .header("authorization", format!(
                "AWS4-HMAC-SHA256 Credential=AKIDBENCH/{}/us-east-1/timestream/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature={sig}",
                &amz_date[..8]))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        resp.bytes().await.unwrap();
        (status, t0.elapsed())
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!(
        "timestream-local catalog benchmark — {} — {} cores",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );

    let mut ready = Vec::new();
    for _ in 0..STARTS {
        let (mut child, _, t) = spawn(&[]);
        ready.push(t);
        child.kill().unwrap();
        child.wait().unwrap();
    }
    ready.sort();
    println!("start to ready (banner printed, port bound, store open), {STARTS} starts: median {:.1} ms, max {:.1} ms",
        percentile(&ready, 0.5).as_secs_f64() * 1e3, percentile(&ready, 1.0).as_secs_f64() * 1e3);

    let dir = std::env::temp_dir().join(format!("tsl-bench-{}", std::process::id()));
    let dir_arg = dir.to_string_lossy().into_owned();
    for (store, extra) in [
        ("in-memory store", vec![]),
        ("--data-dir store", vec!["--data-dir", dir_arg.as_str()]),
    ] {
        catalog_calls(store, &extra).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

async fn catalog_calls(store: &str, extra: &[&str]) {
    let (mut child, url, _) = spawn(extra);
    let client = Client {
        http: reqwest::Client::new(),
        host: url.trim_start_matches("http://").to_owned(),
        url: format!("{url}/"),
    };
    let ops = [
        "CreateDatabase",
        "DescribeDatabase",
        "ListDatabases",
        "UpdateDatabase",
        "CreateTable",
        "DescribeTable",
        "ListTables",
        "UpdateTable",
        "TagResource",
        "ListTagsForResource",
        "DeleteTable",
        "DeleteDatabase",
    ];
    let mut rtt: Vec<Vec<Duration>> = vec![Vec::new(); ops.len()];
    for i in 0..ROUNDS {
        let db = format!("bench_db_{i}");
        let arn = format!("arn:aws:timestream:us-east-1:123456789012:database/{db}");
        let bodies = [
            format!(r#"{{"DatabaseName":"{db}"}}"#),
            format!(r#"{{"DatabaseName":"{db}"}}"#),
            r#"{"MaxResults":20}"#.to_owned(),
            format!(r#"{{"DatabaseName":"{db}","KmsKeyId":"alias/bench"}}"#),
            format!(
                r#"{{"DatabaseName":"{db}","TableName":"cpu","RetentionProperties":{{"MemoryStoreRetentionPeriodInHours":24,"MagneticStoreRetentionPeriodInDays":365}}}}"#
            ),
            format!(r#"{{"DatabaseName":"{db}","TableName":"cpu"}}"#),
            format!(r#"{{"DatabaseName":"{db}"}}"#),
            format!(
                r#"{{"DatabaseName":"{db}","TableName":"cpu","MagneticStoreWriteProperties":{{"EnableMagneticStoreWrites":true}}}}"#
            ),
            format!(r#"{{"ResourceARN":"{arn}","Tags":[{{"Key":"team","Value":"bench"}}]}}"#),
            format!(r#"{{"ResourceARN":"{arn}"}}"#),
            format!(r#"{{"DatabaseName":"{db}","TableName":"cpu"}}"#),
            format!(r#"{{"DatabaseName":"{db}"}}"#),
        ];
        for (k, body) in bodies.into_iter().enumerate() {
            let (status, t) = client.call(ops[k], body).await;
            assert_eq!(status, 200, "{} failed", ops[k]);
            rtt[k].push(t);
        }
    }
    let stats: serde_json::Value = reqwest::get(format!("{url}/_timestream_local/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    println!("\ncatalog calls, {ROUNDS} each, one keep-alive connection, SigV4-signed, {store}:");
    println!(
        "{:<22} {:>12} {:>12} {:>14} {:>14}",
        "operation", "rtt p50 µs", "rtt p99 µs", "server p50 µs", "server p99 µs"
    );
    for (k, op) in ops.iter().enumerate() {
        rtt[k].sort();
        println!(
            "{:<22} {:>12} {:>12} {:>14} {:>14}",
            op,
            percentile(&rtt[k], 0.5).as_micros(),
            percentile(&rtt[k], 0.99).as_micros(),
            stats[op]["p50_us"].as_u64().unwrap_or(0),
            stats[op]["p99_us"].as_u64().unwrap_or(0)
        );
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
