//! Restart figures (issue 16): how long `Engine::open` takes on a `--data-dir` store holding
//! 10 M records inside the memory window, i.e. how fast the memory tier is rebuilt from SQLite.
//! Prints figures; asserts nothing but the record count.
//!
//! Data (the shape of `scripts/bench-query`): 1 000 hosts (dimensions `region`, `az`,
//! `hostname`) × RECORDS / 1 000 instants 5 s apart, ending at 2026-01-01T00:00:00Z; the engine
//! clock is frozen 1 s after the last one and the table keeps 24 h in memory, so every record is
//! in the memory tier. SHAPE=multi (default): multi-measure records with 4 attributes (2 DOUBLE,
//! 2 BIGINT); SHAPE=single: single-measure DOUBLE records.
//!
//! The records are written in process through `Engine::write_records` (100-record requests),
//! once: the store is kept under `$CARGO_TARGET_TMPDIR/bench-restart-<shape>-<records>/` and
//! reused by later runs (delete it to write again). Then the store is opened REOPENS times
//! (default 5), each open timed from the call to `Engine::open` to its return, with the file in
//! the page cache (the first open warms it and is shown, not counted in the median).
//!
//! Run: `cargo bench -p timestream-local-engine --bench restart` (env: RECORDS, default
//! 10_000_000; SHAPE; REOPENS).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use protocol::operations::create_database::CreateDatabaseInput;
use protocol::operations::create_table::CreateTableInput;
use protocol::operations::write_records::WriteRecordsInput;
use protocol::shapes::{
    Dimension, MagneticStoreWriteProperties, MeasureValue, MeasureValueType, Record,
    RetentionProperties,
};
use timestream_local_engine::{Clock, Engine, Scope};

const HOSTS: u64 = 1000;
const STEP_MS: u64 = 5000;
/// 2026-01-01T00:00:00Z, the last instant.
const END_MS: u64 = 1_767_225_600_000;
const REQUEST_RECORDS: u64 = 100;
/// Requests in flight at once: enough for the writer's group commit to batch them.
const IN_FLIGHT: u64 = 32;
const REGIONS: [&str; 5] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-northeast-1",
];

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

fn clock() -> Clock {
    let clock = Clock::default();
    clock.freeze_at_ns(((END_MS + 1000) * 1_000_000) as i64);
    clock
}

fn dimensions(h: u64) -> Vec<Dimension> {
    let region = REGIONS[(h % REGIONS.len() as u64) as usize];
    let az = ["a", "b", "c"][(h % 3) as usize];
    [
        ("region", region.to_owned()),
        ("az", format!("{region}{az}")),
        ("hostname", format!("host-{h}")),
    ]
    .into_iter()
    .map(|(n, v)| Dimension {
        name: n.into(),
        value: v,
        dimension_value_type: None,
    })
    .collect()
}

/// Record `i` of the load: host `i % HOSTS` at step `i / HOSTS` (a fleet reporting in turn).
fn record(i: u64, steps: u64, multi: bool) -> Record {
    let (h, s) = (i % HOSTS, i / HOSTS);
    let time = END_MS - (steps - 1 - s) * STEP_MS;
    let mut r = Record {
        dimensions: dimensions(h),
        time: Some(time.to_string()),
        ..Default::default()
    };
    if multi {
        let attr = |name: &str, value: String, t: MeasureValueType| MeasureValue {
            name: name.into(),
            value,
            r#type: t,
        };
        r.measure_name = Some("metrics".into());
        r.measure_value_type = Some(MeasureValueType::Multi);
        r.measure_values = Some(vec![
            attr(
                "cpu_user",
                (((h * 7919 + s * 104_729) % 10_000) as f64 / 100.0).to_string(),
                MeasureValueType::Double,
            ),
            attr(
                "cpu_system",
                (((h * 31 + s * 17) % 5000) as f64 / 100.0).to_string(),
                MeasureValueType::Double,
            ),
            attr(
                "memory_free",
                ((h * 1_000_003 + s * 7) % 1_000_000_000).to_string(),
                MeasureValueType::Bigint,
            ),
            attr(
                "disk_io",
                ((h + s * 13) % 100_000).to_string(),
                MeasureValueType::Bigint,
            ),
        ]);
    } else {
        r.measure_name = Some("cpu_user".into());
        r.measure_value_type = Some(MeasureValueType::Double);
        r.measure_value = Some((((h * 7919 + s * 104_729) % 10_000) as f64 / 100.0).to_string());
    }
    r
}

/// Writes the load into a new store in `dir`.
fn load(dir: &Path, records: u64, multi: bool) {
    let started = Instant::now();
    let steps = records / HOSTS;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let engine = Arc::new(Engine::open(Some(dir), clock()).unwrap());
    engine
        .create_database(
            &scope(),
            CreateDatabaseInput {
                database_name: "devops".into(),
                kms_key_id: None,
                tags: vec![],
            },
        )
        .unwrap();
    engine
        .create_table(
            &scope(),
            CreateTableInput {
                database_name: "devops".into(),
                table_name: "metrics".into(),
                retention_properties: Some(RetentionProperties {
                    memory_store_retention_period_in_hours: 24,
                    magnetic_store_retention_period_in_days: 365,
                }),
                tags: vec![],
                magnetic_store_write_properties: Some(MagneticStoreWriteProperties {
                    enable_magnetic_store_writes: false,
                    magnetic_store_rejected_data_location: None,
                }),
                schema: None,
            },
        )
        .unwrap();
    let requests = records.div_ceil(REQUEST_RECORDS);
    runtime.block_on(async {
        let mut tasks = Vec::new();
        for lane in 0..IN_FLIGHT {
            let engine = engine.clone();
            tasks.push(tokio::spawn(async move {
                let mut n = lane;
                while n < requests {
                    let first = n * REQUEST_RECORDS;
                    let last = (first + REQUEST_RECORDS).min(records);
                    let input = WriteRecordsInput {
                        database_name: "devops".into(),
                        table_name: "metrics".into(),
                        common_attributes: None,
                        records: (first..last).map(|i| record(i, steps, multi)).collect(),
                    };
                    engine.write_records(&scope(), input).await.unwrap();
                    n += IN_FLIGHT;
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
    engine.checkpoint().unwrap();
    drop(engine);
    let took = started.elapsed();
    println!(
        "wrote {records} records in {:.1} s ({:.0} records/s)",
        took.as_secs_f64(),
        records as f64 / took.as_secs_f64()
    );
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time (user + system, all threads) this process has used so far.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: u64 = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<u64>().ok())
        .sum();
    // USER_HZ is 100 on every Linux this runs on.
    Duration::from_millis(ticks * 10)
}

fn main() {
    let records = env_or("RECORDS", 10_000_000) / HOSTS * HOSTS;
    let reopens = env_or("REOPENS", 5).max(1);
    let shape = std::env::var("SHAPE").unwrap_or_else(|_| "multi".into());
    let multi = match shape.as_str() {
        "multi" => true,
        "single" => false,
        other => panic!("SHAPE is multi or single, not {other}"),
    };
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-restart-{shape}-{records}"));
    let done = dir.join("loaded");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        load(&dir, records, multi);
        std::fs::write(&done, b"").unwrap();
    }
    let file_mib = std::fs::metadata(dir.join("timestream-local.sqlite3"))
        .map_or(0.0, |m| m.len() as f64 / (1024.0 * 1024.0));
    println!(
        "store: {} ({file_mib:.0} MiB), {records} {shape}-measure records, all in the memory window",
        dir.display()
    );
    let mut times = Vec::new();
    for run in 0..=reopens {
        let rss_before = rss_mib();
        let cpu_before = cpu_time();
        let started = Instant::now();
        let engine = Engine::open(Some(&dir), clock()).unwrap();
        let took = started.elapsed();
        let cpu = cpu_time() - cpu_before;
        let (in_memory, bytes) = engine.memory_tier_usage();
        assert_eq!(
            in_memory as u64, records,
            "every record is rebuilt into RAM"
        );
        println!(
            "open {run}{}: {:.2} s (CPU {:.2} s), {:.0} records/s, memory tier {:.0} MiB ({:.1} B/record), RSS +{:.0} MiB",
            if run == 0 { " (warms the page cache)" } else { "" },
            took.as_secs_f64(),
            cpu.as_secs_f64(),
            records as f64 / took.as_secs_f64(),
            bytes as f64 / (1024.0 * 1024.0),
            bytes as f64 / records as f64,
            rss_mib() - rss_before,
        );
        drop(engine);
        if run > 0 {
            times.push(took);
        }
    }
    times.sort();
    let median: Duration = times[times.len() / 2];
    println!(
        "restart with {records} records: median {:.2} s over {} opens ({:.0} records/s), min {:.2} s, max {:.2} s",
        median.as_secs_f64(),
        times.len(),
        records as f64 / median.as_secs_f64(),
        times[0].as_secs_f64(),
        times[times.len() - 1].as_secs_f64(),
    );
}
