//! UNLOAD against the real binary (memory mode, `--auth off`, S3 in a temporary directory):
//! `UNLOAD_RECORDS` records (default 1 000 000: 1000 hosts, one DOUBLE measure) written through
//! WriteRecords, then the whole table unloaded as Parquet (GZIP and uncompressed) and as CSV
//! (GZIP): seconds, rows/s and bytes written of each, beside a `count(*)` over the same table.
//!
//! Prints figures; asserts only that every call succeeded and every row was written.
//! Run: `cargo bench -p timestream-local --bench unload` (also in `scripts/bench`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

#[path = "../tests/support/aws_call.rs"]
mod aws_call;
#[path = "../tests/support/spawned.rs"]
mod spawned;

use aws_call::call;

const DB: &str = "unload";
const TABLE: &str = "cpu";
const PER_REQUEST: u64 = 100;
const HOSTS: u64 = 1000;

fn write_body(n: u64, t0_ms: u64) -> String {
    let records: Vec<String> = (0..PER_REQUEST)
        .map(|i| {
            let c = n * PER_REQUEST + i;
            format!(
                r#"{{"Dimensions":[{{"Name":"host","Value":"host-{}"}}],"MeasureValue":"{}.{}","Time":"{}"}}"#,
                c % HOSTS,
                10 + c % 90,
                c % 1000,
                t0_ms + c / HOSTS
            )
        })
        .collect();
    format!(
        r#"{{"DatabaseName":"{DB}","TableName":"{TABLE}","CommonAttributes":{{"MeasureName":"cpu","MeasureValueType":"DOUBLE","TimeUnit":"MILLISECONDS"}},"Records":[{}]}}"#,
        records.join(",")
    )
}

fn main() {
    let records: u64 = std::env::var("UNLOAD_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let s3 = tempfile::tempdir().unwrap();
    std::fs::create_dir(s3.path().join("bench")).unwrap();
    let server = spawned::Spawned::start(spawned::command(
        spawned::BIN,
        &["--auth", "off", "--s3-dir", s3.path().to_str().unwrap()],
    ))
    .expect("the server starts");
    let url = server.url.clone();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async move {
        let http = reqwest::Client::new();
        call(&http, &url, "CreateDatabase", format!(r#"{{"DatabaseName":"{DB}"}}"#)).await;
        call(
            &http,
            &url,
            "CreateTable",
            format!(r#"{{"DatabaseName":"{DB}","TableName":"{TABLE}"}}"#),
        )
        .await;
        let t0_ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
            - records / HOSTS
            - 60_000;
        let started = Instant::now();
        let next = Arc::new(AtomicU64::new(0));
        let requests = records.div_ceil(PER_REQUEST);
        let writers: Vec<_> = (0..8)
            .map(|_| {
                let (http, url, next) = (http.clone(), url.clone(), next.clone());
                tokio::spawn(async move {
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if n >= requests {
                            break;
                        }
                        call(&http, &url, "WriteRecords", write_body(n, t0_ms)).await;
                    }
                })
            })
            .collect();
        for w in writers {
            w.await.unwrap();
        }
        println!(
            "unload: {records} records written in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let query = |sql: String| {
            let (http, url) = (http.clone(), url.clone());
            async move {
                let body = serde_json::json!({ "QueryString": sql }).to_string();
                let started = Instant::now();
                let out = call(&http, &url, "Query", body).await;
                (started.elapsed(), out)
            }
        };
        let (took, out) = query(format!("SELECT count(*) FROM {DB}.{TABLE}")).await;
        assert_eq!(
            out["Rows"][0]["Data"][0]["ScalarValue"],
            records.to_string()
        );
        println!("unload: SELECT count(*) {:.3} s", took.as_secs_f64());
        for (name, with) in [
            ("parquet-gzip", "format = 'PARQUET', compression = 'GZIP'"),
            ("parquet-none", "format = 'PARQUET', compression = 'NONE'"),
            ("csv-gzip", "format = 'CSV', compression = 'GZIP'"),
        ] {
            let sql = format!(
                "UNLOAD (SELECT host, measure_value::double AS cpu, time FROM {DB}.{TABLE}) TO 's3://bench/{name}/' WITH ({with})"
            );
            let (took, out) = query(sql).await;
            let rows: u64 = out["Rows"][0]["Data"][0]["ScalarValue"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(rows, records);
            let manifest = out["Rows"][0]["Data"][2]["ScalarValue"].as_str().unwrap();
            let manifest: serde_json::Value = serde_json::from_slice(
                &std::fs::read(s3.path().join(manifest.trim_start_matches("s3://"))).unwrap(),
            )
            .unwrap();
            let bytes = manifest["query_metadata"]["total_content_length_in_bytes"]
                .as_u64()
                .unwrap();
            println!(
                "unload: {name}: {rows} rows in {:.2} s ({:.0} rows/s), {:.1} MB in {} file(s)",
                took.as_secs_f64(),
                rows as f64 / took.as_secs_f64(),
                bytes as f64 / 1e6,
                manifest["result_files"].as_array().unwrap().len()
            );
        }
    });
    drop(server);
}
