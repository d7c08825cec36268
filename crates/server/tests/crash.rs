//! Crash test: concurrent writers against the real binary with `--data-dir`, while the server is
//! SIGKILLed and restarted on the same directory again and again. At the end every acknowledged
//! record must be there exactly once with its value, nothing may be there twice, and every
//! request (acknowledged or not) must be applied entirely or not at all.
//!
//! Run: `cargo test -p timestream-local --test crash -- --nocapture`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde_json::Value;

const DB: &str = "crash_db";
const TABLE: &str = "crash_table";
const WRITERS: u64 = 4;
const RECORDS_PER_REQUEST: u64 = 20;
const KILLS: usize = 12;

/// The value every record of request `n` of writer `w` carries.
fn encode(writer: u64, request: u64) -> f64 {
    (writer * 1_000_000 + request) as f64
}

#[path = "support/aws_call.rs"]
mod aws_call;
#[path = "support/spawned.rs"]
mod spawned;

use aws_call::aws;

/// A running server, SIGKILLed on drop (so that a failing test leaves no server behind).
use spawned::Spawned as Running;

fn spawn(data_dir: &Path) -> Running {
    Running::with_args(&["--auth", "off", "--data-dir", &data_dir.to_string_lossy()])
}

fn kill(running: Running) {
    drop(running);
}

/// xorshift64*: deterministic pseudo-random numbers, no crate needed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

fn write_body(writer: u64, request: u64, now_ms: i64) -> String {
    let value = encode(writer, request);
    let records: Vec<String> = (0..RECORDS_PER_REQUEST)
        .map(|k| {
            let seq = request * RECORDS_PER_REQUEST + k;
            format!(
                r#"{{"Dimensions":[{{"Name":"writer","Value":"{writer}"}},{{"Name":"seq","Value":"{seq}"}}],"MeasureName":"v","MeasureValue":"{value}","MeasureValueType":"DOUBLE","Time":"{}","TimeUnit":"MILLISECONDS"}}"#,
                now_ms + k as i64
            )
        })
        .collect();
    format!(
        r#"{{"DatabaseName":"{DB}","TableName":"{TABLE}","Records":[{}]}}"#,
        records.join(",")
    )
}

#[derive(Default)]
struct WriterLog {
    /// Requests sent (whatever happened to them).
    attempted: u64,
    /// Request numbers that got HTTP 200.
    acknowledged: Vec<u64>,
    /// Non-200 HTTP answers, by status.
    refused: BTreeMap<u16, u64>,
    /// Transport failures (server killed, connection refused, ...).
    transport_errors: u64,
}

async fn writer(
    id: u64,
    url: Arc<RwLock<Option<String>>>,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<WriterLog>>,
) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let Some(base) = url.read().unwrap().clone() else {
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        // A retry after a failure is a new request with new identities: n always moves on.
        let request = n;
        n += 1;
        let body = write_body(id, request, chrono::Utc::now().timestamp_millis());
        log.lock().unwrap().attempted = n;
        let result = http
            .post(format!("{base}/"))
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", "Timestream_20181101.WriteRecords")
            .body(body)
            .send()
            .await;
        let reply = match result {
            Ok(resp) => {
                let status = resp.status().as_u16();
                resp.text().await.map(|t| (status, t))
            }
            Err(e) => Err(e),
        };
        match reply {
            Ok((200, text)) => {
                let v: Value = serde_json::from_str(&text).expect("WriteRecords answer is JSON");
                assert_eq!(
                    v["RecordsIngested"]["Total"].as_u64(),
                    Some(RECORDS_PER_REQUEST),
                    "writer {id} request {request}: {text}"
                );
                log.lock().unwrap().acknowledged.push(request);
            }
            Ok((status, _)) => {
                *log.lock().unwrap().refused.entry(status).or_default() += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Err(_) => {
                log.lock().unwrap().transport_errors += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    }
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let t0 = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    let mut server = spawn(dir.path());
    rt.block_on(async {
        let http = reqwest::Client::new();
        let (status, text) = aws(
            &http,
            &server.url,
            "CreateDatabase",
            format!(r#"{{"DatabaseName":"{DB}"}}"#),
        )
        .await;
        assert_eq!(status, 200, "{text}");
        let (status, text) = aws(
            &http,
            &server.url,
            "CreateTable",
            format!(
                r#"{{"DatabaseName":"{DB}","TableName":"{TABLE}","RetentionProperties":{{"MemoryStoreRetentionPeriodInHours":24,"MagneticStoreRetentionPeriodInDays":7}}}}"#
            ),
        )
        .await;
        assert_eq!(status, 200, "{text}");
    });

    let url = Arc::new(RwLock::new(Some(server.url.clone())));
    let stop = Arc::new(AtomicBool::new(false));
    let logs: Vec<Arc<Mutex<WriterLog>>> = (0..WRITERS)
        .map(|_| Arc::new(Mutex::new(WriterLog::default())))
        .collect();
    let tasks: Vec<_> = (0..WRITERS)
        .map(|id| {
            rt.spawn(writer(
                id,
                url.clone(),
                stop.clone(),
                logs[id as usize].clone(),
            ))
        })
        .collect();

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut restart_times = Vec::new();
    for i in 0..KILLS {
        let wait = rng.between(300, 800);
        std::thread::sleep(Duration::from_millis(wait));
        let acked: usize = logs
            .iter()
            .map(|l| l.lock().unwrap().acknowledged.len())
            .sum();
        kill(server);
        *url.write().unwrap() = None;
        let t = Instant::now();
        server = spawn(dir.path());
        restart_times.push(t.elapsed());
        *url.write().unwrap() = Some(server.url.clone());
        println!(
            "kill {:>2} after {wait} ms ({acked} requests acknowledged so far); restarted in {:.0} ms at {}",
            i + 1,
            t.elapsed().as_secs_f64() * 1e3,
            server.url
        );
    }
    // Let the writers run a little against the last instance too, then stop them.
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    rt.block_on(async {
        for task in tasks {
            task.await.expect("writer task");
        }
    });
    kill(server);

    // Final restart: read everything back.
    let server = spawn(dir.path());
    let records: Value = rt.block_on(async {
        reqwest::get(format!(
            "{}/_timestream_local/records?database={DB}&table={TABLE}",
            server.url
        ))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
    });
    kill(server);

    // (writer, seq) -> how many times present, with the values seen.
    let mut present: HashMap<(u64, u64), Vec<f64>> = HashMap::new();
    let mut problems: Vec<String> = Vec::new();
    for r in records["records"].as_array().expect("records array") {
        let dims: HashMap<&str, &str> = r["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d[0].as_str().unwrap(), d[1].as_str().unwrap()))
            .collect();
        let (Some(w), Some(s)) = (dims.get("writer"), dims.get("seq")) else {
            problems.push(format!("record without writer/seq dimensions: {r}"));
            continue;
        };
        let key = (w.parse::<u64>().unwrap(), s.parse::<u64>().unwrap());
        let value = r["measures"]["DOUBLE"].as_f64().unwrap_or(f64::NAN);
        present.entry(key).or_default().push(value);
    }

    let mut acked_total = 0usize;
    let mut unacked_applied = 0usize;
    let mut unacked_absent = 0usize;
    let mut attempted_total = 0u64;
    for (id, log) in logs.iter().enumerate() {
        let id = id as u64;
        let log = log.lock().unwrap();
        attempted_total += log.attempted;
        let acked: std::collections::HashSet<u64> = log.acknowledged.iter().copied().collect();
        acked_total += acked.len();
        println!(
            "writer {id}: {} requests sent, {} acknowledged, {} transport errors, refused {:?}",
            log.attempted,
            acked.len(),
            log.transport_errors,
            log.refused
        );
        for request in 0..log.attempted {
            let seqs = request * RECORDS_PER_REQUEST..(request + 1) * RECORDS_PER_REQUEST;
            let found: Vec<u64> = seqs
                .clone()
                .filter(|s| present.contains_key(&(id, *s)))
                .collect();
            let is_acked = acked.contains(&request);
            if is_acked && found.len() != RECORDS_PER_REQUEST as usize {
                problems.push(format!(
                    "LOST: writer {id} request {request} was acknowledged but only {} of its {RECORDS_PER_REQUEST} records are present (seqs {:?})",
                    found.len(),
                    found
                ));
            } else if !found.is_empty() && found.len() != RECORDS_PER_REQUEST as usize {
                problems.push(format!(
                    "PARTIAL: writer {id} request {request} (not acknowledged) has {} of its {RECORDS_PER_REQUEST} records (seqs {:?})",
                    found.len(),
                    found
                ));
            } else if !is_acked {
                if found.is_empty() {
                    unacked_absent += 1;
                } else {
                    unacked_applied += 1;
                }
            }
            for s in seqs {
                if let Some(values) = present.get(&(id, s)) {
                    if values.len() != 1 {
                        problems.push(format!(
                            "DUPLICATE: writer {id} seq {s} (request {request}) is present {} times: {values:?}",
                            values.len()
                        ));
                    }
                    if values.iter().any(|v| *v != encode(id, request)) {
                        problems.push(format!(
                            "WRONG VALUE: writer {id} seq {s} (request {request}) has {values:?}, expected {}",
                            encode(id, request)
                        ));
                    }
                }
            }
        }
        // Records nobody sent.
        for &(w, s) in present.keys() {
            if w == id && s / RECORDS_PER_REQUEST >= log.attempted {
                problems.push(format!(
                    "PHANTOM: writer {w} seq {s} is present but was never sent"
                ));
            }
        }
    }
    for &(w, s) in present.keys() {
        if w >= WRITERS {
            problems.push(format!("PHANTOM: unknown writer {w} (seq {s})"));
        }
    }

    let total_records: usize = present.values().map(Vec::len).sum();
    println!(
        "{KILLS} kills; restart p50 {:.0} ms, max {:.0} ms; {attempted_total} requests sent, {acked_total} acknowledged, \
         {unacked_applied} unacknowledged but applied, {unacked_absent} unacknowledged and absent; \
         {total_records} records stored; {:.1} s in all",
        {
            restart_times.sort();
            restart_times[restart_times.len() / 2].as_secs_f64() * 1e3
        },
        restart_times.last().unwrap().as_secs_f64() * 1e3,
        t0.elapsed().as_secs_f64()
    );
    assert!(acked_total > 0, "no request was ever acknowledged");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems
            .iter()
            .take(50)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
