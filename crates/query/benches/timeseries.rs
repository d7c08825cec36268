//! Figures for the time-series functions (issue 14's target: 1 000 series × 10 000 points in
//! well under a second): `create_time_series` over 10 M generated points grouped into 1 000
//! series, then `interpolate_linear` of each series over a 10 000-point grid, through the query
//! service in process (the data comes from `UNNEST(sequence(…))`, no storage involved). Prints
//! figures; asserts nothing.
//!
//! Run: `cargo bench -p timestream-local-query --bench timeseries` (SERIES / POINTS override the
//! sizes).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use engine::{Clock, Engine, Scope};
use protocol::operations::query::QueryInput;
use timestream_local_query::QueryService;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let series = env("SERIES", 1_000);
    let points = env("POINTS", 10_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let engine = Arc::new(Engine::open(None, Clock::default()).unwrap());
        let service = QueryService::new(engine);
        let scope = Scope::new("123456789012", "us-east-1");
        let last = points - 1;
        let source = format!(
            "SELECT s, t, CAST(s AS DOUBLE) + second(t) AS v \
             FROM UNNEST(sequence(1, {series})) AS a(s) \
             CROSS JOIN UNNEST(sequence(TIMESTAMP '2026-01-01 00:00:00', \
                 TIMESTAMP '2026-01-01 00:00:00' + INTERVAL '{last}' SECOND, 1s)) AS b(t)"
        );
        let cases = [
            (
                "generate the points",
                format!("SELECT count(*), sum(v) FROM ({source})"),
            ),
            (
                "create_time_series",
                format!(
                    "SELECT sum(cardinality(ts)) FROM (SELECT s, create_time_series(t, v) AS ts \
                     FROM ({source}) GROUP BY s)"
                ),
            ),
            (
                "create_time_series + interpolate_linear",
                format!(
                    "SELECT sum(cardinality(ts)) FROM (SELECT s, \
                     interpolate_linear(create_time_series(t, v), sequence(min(t), max(t), 1s)) AS ts \
                     FROM ({source}) GROUP BY s)"
                ),
            ),
        ];
        println!(
            "{series} series × {points} points = {} points",
            series * points
        );
        for (name, sql) in cases {
            let mut best = f64::MAX;
            for _ in 0..3 {
                let started = Instant::now();
                let out = service
                    .query(
                        &scope,
                        QueryInput {
                            query_string: sql.clone(),
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(out.rows.len(), 1);
                if best == f64::MAX {
                    println!("  -> {:?}", out.rows[0]);
                }
                best = best.min(started.elapsed().as_secs_f64());
            }
            println!("{name:<45} {:>8.3} s (best of 3)", best);
        }
    });
}
