//! Server-side latency per operation (decode, auth, validation, engine, encode; not the network),
//! over the last [`WINDOW`] calls of each, for the admin API and the benchmarks; and the last
//! [`LOG`] AWS requests one by one (operation, answer, latency), for the console's request log.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use protocol::AwsError;
use serde::Serialize;

const WINDOW: usize = 4096;
/// Requests kept in the request log.
const LOG: usize = 500;

#[derive(Default)]
pub struct Stats {
    ops: Mutex<HashMap<&'static str, Ring>>,
    log: Mutex<RequestLog>,
}

#[derive(Default)]
struct RequestLog {
    /// Oldest first.
    entries: VecDeque<RequestEntry>,
    next_seq: u64,
}

/// Who sent a request: a client of the AWS API, or the console (through the admin API).
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Api,
    Console,
}

/// One answered AWS request, as the request log keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestEntry {
    /// Increases by one per request: a reader asks for what came after the last it saw.
    pub seq: u64,
    /// Wall-clock time the answer left, Unix milliseconds.
    pub at_ms: i64,
    pub operation: &'static str,
    pub source: Source,
    pub status: u16,
    /// The error's `__type` name when the request failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub latency_us: u32,
}

#[derive(Default)]
struct Ring {
    micros: Vec<u32>,
    next: usize,
    count: u64,
}

#[derive(Debug, Serialize)]
pub struct OperationStats {
    pub count: u64,
    pub p50_us: u32,
    pub p99_us: u32,
    pub max_us: u32,
}

impl Stats {
    /// One answered AWS request: its latency into the operation's window, itself into the log.
    pub fn record(
        &self,
        operation: &'static str,
        source: Source,
        elapsed: Duration,
        error: Option<&AwsError>,
    ) {
        let us = u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX);
        self.record_latency(operation, us);
        let at_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        let seq = log.next_seq;
        log.next_seq += 1;
        if log.entries.len() == LOG {
            log.entries.pop_front();
        }
        log.entries.push_back(RequestEntry {
            seq,
            at_ms,
            operation,
            source,
            status: error.map_or(200, AwsError::status),
            error: error.map(|e| e.code.name()),
            message: error.map(|e| e.message.clone()),
            latency_us: us,
        });
    }

    /// The `seq` the next logged request will get (a reader that saw a larger one is reading
    /// a server that restarted).
    pub fn next_seq(&self) -> u64 {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).next_seq
    }

    /// The logged requests after `seq` (all kept when `None`), oldest first.
    pub fn requests_after(&self, seq: Option<u64>) -> Vec<RequestEntry> {
        let log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        log.entries
            .iter()
            .filter(|e| seq.is_none_or(|s| e.seq > s))
            .cloned()
            .collect()
    }

    fn record_latency(&self, operation: &'static str, us: u32) {
        let mut ops = self.ops.lock().unwrap_or_else(|p| p.into_inner());
        let ring = ops.entry(operation).or_default();
        if ring.micros.len() < WINDOW {
            ring.micros.push(us);
        } else {
            ring.micros[ring.next] = us;
        }
        ring.next = (ring.next + 1) % WINDOW;
        ring.count += 1;
    }

    pub fn snapshot(&self) -> BTreeMap<&'static str, OperationStats> {
        let ops = self.ops.lock().unwrap_or_else(|p| p.into_inner());
        ops.iter()
            .map(|(name, ring)| {
                let mut sorted = ring.micros.clone();
                sorted.sort_unstable();
                let at = |q: f64| {
                    sorted
                        .get(((sorted.len() as f64 - 1.0) * q).round() as usize)
                        .copied()
                        .unwrap_or(0)
                };
                (
                    *name,
                    OperationStats {
                        count: ring.count,
                        p50_us: at(0.5),
                        p99_us: at(0.99),
                        max_us: at(1.0),
                    },
                )
            })
            .collect()
    }

    /// Clears the latency figures; the request log stays (its readers track `seq`).
    pub fn clear(&self) {
        self.ops.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_over_the_window() {
        let s = Stats::default();
        for us in 1..=100 {
            s.record(
                "ListDatabases",
                Source::Api,
                Duration::from_micros(us),
                None,
            );
        }
        let snap = s.snapshot();
        let l = &snap["ListDatabases"];
        assert_eq!((l.count, l.p50_us, l.p99_us, l.max_us), (100, 51, 99, 100));
    }

    #[test]
    fn the_log_keeps_the_last_requests_in_order() {
        let s = Stats::default();
        let refused = AwsError::new(protocol::ErrorCode::ValidationException, "bad");
        for i in 0..LOG + 3 {
            let error = (i % 2 == 0).then_some(&refused);
            s.record("Query", Source::Console, Duration::from_micros(5), error);
        }
        let all = s.requests_after(None);
        assert_eq!(all.len(), LOG);
        assert_eq!(all[0].seq, 3);
        let last = s.requests_after(Some(LOG as u64 + 1));
        assert_eq!(last.len(), 1);
        assert_eq!(last[0].error, Some("ValidationException"));
        assert_eq!(
            (last[0].status, last[0].message.as_deref()),
            (400, Some("bad"))
        );
    }
}
