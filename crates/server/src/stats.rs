//! Server-side latency per operation (decode, auth, validation, engine, encode; not the network),
//! over the last [`WINDOW`] calls of each, for the admin API and the benchmarks.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use serde::Serialize;

const WINDOW: usize = 4096;

#[derive(Default)]
pub struct Stats {
    ops: Mutex<HashMap<&'static str, Ring>>,
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
    pub fn record(&self, operation: &'static str, elapsed: Duration) {
        let us = u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX);
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
            s.record("ListDatabases", Duration::from_micros(us));
        }
        let snap = s.snapshot();
        let l = &snap["ListDatabases"];
        assert_eq!((l.count, l.p50_us, l.p99_us, l.max_us), (100, 51, 99, 100));
    }
}
