//! Batch load against the real binary (`--auth off`, S3 in a temporary directory):
//! `BATCH_LOAD_ROWS` CSV rows (default 1 000 000: 1000 hosts, instants advancing from an hour
//! ago) in `BATCH_LOAD_FILES` files (default 10), loaded by one CreateBatchLoadTask, once as single-measure DOUBLE records
//! (the records `benches/ingest.rs` sends through WriteRecords in its phase 1) and once as
//! multi-measure records of 2 DOUBLE and 2 BIGINT attributes (its phase 2); in memory and with
//! `--data-dir`. Prints seconds, rows/s, the server's CPU time and its peak memory (files are
//! streamed, so one big file should cost no more than ten small ones); asserts that every row was
//! ingested. Compare with `cargo bench -p timestream-local --bench ingest`.
//!
//! Run: `cargo bench -p timestream-local --bench batch_load`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[path = "../tests/support/aws_call.rs"]
mod aws_call;
#[path = "../tests/support/spawned.rs"]
mod spawned;

use aws_call::call;

const DB: &str = "batch_bench";
const TABLE: &str = "metrics";
const HOSTS: u64 = 1000;

/// `rows` rows in `files` files under `dir/src/data/`.
fn write_csv(dir: &std::path::Path, rows: u64, files: u64) -> u64 {
    let data = dir.join("src").join("data");
    std::fs::create_dir_all(&data).unwrap();
    let t0_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
        - 3_599_000;
    let per_file = rows.div_ceil(files);
    let mut bytes = 0;
    for f in 0..files {
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(data.join(format!("part-{f:02}.csv"))).unwrap(),
        );
        writeln!(out, "time,host,cpu,mem,rx,tx").unwrap();
        for c in f * per_file..((f + 1) * per_file).min(rows) {
            writeln!(
                out,
                "{},host-{},{}.{},{}.{},{},{}",
                t0_ms + c / HOSTS,
                c % HOSTS,
                10 + c % 90,
                c % 1000,
                20 + c % 70,
                c % 100,
                c % 100_000,
                c % 77_777
            )
            .unwrap();
        }
        out.flush().unwrap();
        bytes += out.get_ref().metadata().unwrap().len();
    }
    bytes
}

fn model(multi: bool) -> String {
    let measures = if multi {
        r#""MultiMeasureMappings":{"TargetMultiMeasureName":"stats","MultiMeasureAttributeMappings":[
            {"SourceColumn":"cpu","MeasureValueType":"DOUBLE"},{"SourceColumn":"mem","MeasureValueType":"DOUBLE"},
            {"SourceColumn":"rx","MeasureValueType":"BIGINT"},{"SourceColumn":"tx","MeasureValueType":"BIGINT"}]}"#
    } else {
        r#""MixedMeasureMappings":[{"SourceColumn":"cpu","MeasureValueType":"DOUBLE"}]"#
    };
    format!(
        r#"{{"TimeColumn":"time","TimeUnit":"MILLISECONDS","DimensionMappings":[{{"SourceColumn":"host"}}],{measures}}}"#
    )
}

fn phase(label: &str, rows: u64, files: u64, multi: bool, data_dir: bool) {
    let s3 = tempfile::tempdir().unwrap();
    let bytes = write_csv(s3.path(), rows, files);
    std::fs::create_dir(s3.path().join("reports")).unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut args = vec!["--auth", "off", "--s3-dir", s3.path().to_str().unwrap()];
    if data_dir {
        args.extend(["--data-dir", data.path().to_str().unwrap()]);
    }
    let server = spawned::Spawned::with_args(&args);
    let url = server.url.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (elapsed, progress) = runtime.block_on(async move {
        let http = reqwest::Client::new();
        call(&http, &url, "CreateDatabase", format!(r#"{{"DatabaseName":"{DB}"}}"#)).await;
        call(
            &http,
            &url,
            "CreateTable",
            format!(r#"{{"DatabaseName":"{DB}","TableName":"{TABLE}"}}"#),
        )
        .await;
        let body = format!(
            r#"{{"TargetDatabaseName":"{DB}","TargetTableName":"{TABLE}",
                "DataSourceConfiguration":{{"DataSourceS3Configuration":{{"BucketName":"src","ObjectKeyPrefix":"data/"}},"DataFormat":"CSV"}},
                "ReportConfiguration":{{"ReportS3Configuration":{{"BucketName":"reports"}}}},
                "DataModelConfiguration":{{"DataModel":{}}}}}"#,
            model(multi)
        );
        let start = Instant::now();
        let task = call(&http, &url, "CreateBatchLoadTask", body).await;
        let id = task["TaskId"].as_str().unwrap().to_owned();
        loop {
            let d = call(
                &http,
                &url,
                "DescribeBatchLoadTask",
                format!(r#"{{"TaskId":"{id}"}}"#),
            )
            .await;
            let d = &d["BatchLoadTaskDescription"];
            match d["TaskStatus"].as_str().unwrap() {
                "SUCCEEDED" => return (start.elapsed(), d["ProgressReport"].clone()),
                "FAILED" | "PROGRESS_STOPPED" => panic!("{label}: the task ended {d}"),
                _ => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    });
    assert_eq!(
        progress["RecordsIngested"].as_u64(),
        Some(rows),
        "{progress}"
    );
    let secs = elapsed.as_secs_f64();
    println!(
        "{label:<44} {rows:>9} rows {:>8.1} MB CSV in {files} files  {secs:>6.2} s  {:>9.0} rows/s  server CPU {:.2} s  peak RSS {} MiB",
        bytes as f64 / 1e6,
        rows as f64 / secs,
        server.cpu_time().as_secs_f64(),
        server.peak_rss() >> 20
    );
}

fn main() {
    let rows: u64 = std::env::var("BATCH_LOAD_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let files: u64 = std::env::var("BATCH_LOAD_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    println!(
        "batch load, {} cores, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        chrono::Utc::now().format("%Y-%m-%d")
    );
    phase(
        "single-measure DOUBLE, in memory",
        rows,
        files,
        false,
        false,
    );
    phase(
        "multi-measure 2 DOUBLE + 2 BIGINT, in memory",
        rows,
        files,
        true,
        false,
    );
    phase(
        "single-measure DOUBLE, --data-dir",
        rows,
        files,
        false,
        true,
    );
    phase(
        "multi-measure 2 DOUBLE + 2 BIGINT, --data-dir",
        rows,
        files,
        true,
        true,
    );
}
