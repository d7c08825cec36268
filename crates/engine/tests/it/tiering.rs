use engine::Tier;
use protocol::operations::update_table::UpdateTableInput;
use protocol::shapes::RetentionProperties;

use crate::support::*;

#[tokio::test]
async fn records_age_from_memory_to_magnetic_then_expire() {
    let e = engine_at(None);
    create(
        &e,
        "t",
        TableSpec {
            memory_hours: 1,
            magnetic_days: 1,
            ..Default::default()
        },
    );
    write(&e, "t", vec![double("a", "cpu", "1", NOW_MS)])
        .await
        .unwrap();
    assert_eq!(e.memory_tier_usage().0, 1);
    e.clock().advance_ns(2 * HOUR_MS * 1_000_000);
    let report = e.run_maintenance().unwrap();
    assert_eq!(report.evicted_from_memory, 1);
    assert_eq!(e.memory_tier_usage().0, 0);
    assert_eq!(scan(&e, "t")[0].tier, Tier::Magnetic);
    e.clock().advance_ns(24 * HOUR_MS * 1_000_000);
    assert_eq!(e.run_maintenance().unwrap().expired, 1);
    assert!(scan(&e, "t").is_empty());
}

#[tokio::test]
async fn lengthened_memory_retention_fills_in_over_time() {
    let e = engine_at(None);
    create(
        &e,
        "t",
        TableSpec {
            memory_hours: 2,
            ..Default::default()
        },
    );
    let update = |hours| UpdateTableInput {
        database_name: "db".into(),
        table_name: "t".into(),
        retention_properties: Some(RetentionProperties {
            memory_store_retention_period_in_hours: hours,
            magnetic_store_retention_period_in_days: 365,
        }),
        magnetic_store_write_properties: None,
        schema: None,
    };
    e.update_table(&scope(), update(24)).unwrap();
    // 3 h old: inside the new 24 h window, but older than the 2 h window at the time of change.
    let r = rejected(&e, "t", vec![double("a", "cpu", "1", NOW_MS - 3 * HOUR_MS)]).await;
    assert!(
        r[0].reason.contains("[2025-12-31T22:00:00.000Z"),
        "{}",
        r[0].reason
    );
    // Two hours later the window reaches back to the change time minus 2 h, i.e. NOW - 2 h.
    e.clock().advance_ns(2 * HOUR_MS * 1_000_000);
    write(&e, "t", vec![double("a", "cpu", "1", NOW_MS - HOUR_MS)])
        .await
        .unwrap();
    // Shortening narrows at once.
    e.update_table(&scope(), update(1)).unwrap();
    let r = rejected(&e, "t", vec![double("b", "cpu", "1", NOW_MS)]).await;
    assert!(r[0].reason.contains("of the memory store"));
}

/// 30 000 magnetic records over 10 hours, as the query reads them: in slices, each its own read
/// transaction, together every record once; records committed after the snapshot are not in it;
/// the bucket cache gives the same answer and forgets what a magnetic write changes; a reader
/// that stops early stops the slice; a series filter keeps every row of its series.
#[tokio::test]
async fn the_magnetic_tier_streams_in_slices_from_one_snapshot() {
    let e = engine_at(None);
    create(
        &e,
        "t",
        TableSpec {
            memory_hours: 1,
            magnetic_writes: true,
            ..Default::default()
        },
    );
    let start = NOW_MS - 12 * HOUR_MS;
    for batch in 0..300 {
        let records = (0..100)
            .map(|i| {
                let n = batch * 100 + i;
                double(&format!("h{}", n % 7), "cpu", "1", start + n * 1200)
            })
            .collect();
        write(&e, "t", records).await.unwrap();
    }
    let snapshot = e.snapshot(&scope(), "db", "t", None, None, 3).unwrap();
    assert!(snapshot.batches.is_empty(), "nothing in the memory tier");
    assert_eq!(snapshot.magnetic.len(), 3);
    // Committed after the snapshot: invisible to it.
    write(&e, "t", vec![double("late", "cpu", "1", start + 1)])
        .await
        .unwrap();
    let mut times: Vec<i64> = Vec::new();
    let mut bytes = 0;
    for slice in snapshot.magnetic {
        slice
            .read(
                None,
                || true,
                |batch, b| {
                    bytes += b;
                    times.extend(engine::ChunkColumn::times(&batch).unwrap().values().iter());
                    true
                },
            )
            .unwrap();
    }
    assert!(bytes > 0);
    times.sort_unstable();
    times.dedup();
    assert_eq!(times.len(), 30_000, "every record once, not the late one");
    // New snapshots see the late record: the first reads SQLite and fills the cache, the
    // second reads the cache; a magnetic write makes the next one read SQLite again.
    assert_eq!(snapshot_count(&e).await, 30_001);
    assert_eq!(snapshot_count(&e).await, 30_001);
    write(&e, "t", vec![double("later", "cpu", "1", start + 2)])
        .await
        .unwrap();
    assert_eq!(snapshot_count(&e).await, 30_002);
    // A series filter: the rows of h3 are all there (batches may carry other series too).
    let snapshot = e.snapshot(&scope(), "db", "t", None, None, 2).unwrap();
    let h3 = snapshot
        .series
        .iter()
        .position(|dims| dims == &vec![("host".to_owned(), "h3".to_owned())])
        .unwrap();
    let mut keep = vec![false; snapshot.series.len()];
    keep[h3] = true;
    let mut h3_rows = 0;
    for slice in snapshot.magnetic {
        slice
            .read(
                Some(&keep),
                || true,
                |batch, _| {
                    h3_rows += engine::ChunkColumn::series_ids(&batch)
                        .unwrap()
                        .values()
                        .iter()
                        .filter(|&&s| s as usize == h3)
                        .count();
                    true
                },
            )
            .unwrap();
    }
    assert_eq!(h3_rows, (0..30_000).filter(|n| n % 7 == 3).count());
}

/// Every record of `db.t` through a new snapshot; a reader that answers `false` stops early.
async fn snapshot_count(e: &engine::Engine) -> usize {
    let snapshot = e.snapshot(&scope(), "db", "t", None, None, 2).unwrap();
    let mut rows = 0;
    for slice in snapshot.magnetic {
        let mut calls = 0;
        slice
            .read(
                None,
                || true,
                |batch, _| {
                    rows += batch.num_rows();
                    calls += 1;
                    true
                },
            )
            .unwrap();
        assert!(calls >= 1);
    }
    let early = e.snapshot(&scope(), "db", "t", None, None, 1).unwrap();
    let mut calls = 0;
    for slice in early.magnetic {
        slice
            .read(
                None,
                || true,
                |_, _| {
                    calls += 1;
                    false
                },
            )
            .unwrap();
    }
    assert_eq!(calls, 1, "the reader stopped after the first batch");
    rows
}

/// A read cancelled part-way through a bucket leaves nothing of it in the cache: the next read
/// sees the whole bucket.
#[tokio::test]
async fn a_cancelled_read_caches_no_part_of_a_bucket() {
    let e = engine_at(None);
    create(
        &e,
        "t",
        TableSpec {
            memory_hours: 1,
            magnetic_writes: true,
            ..Default::default()
        },
    );
    // 70 000 records in one hour bucket: more than a read goes between two looks at `wanted`.
    let start = NOW_MS - 12 * HOUR_MS;
    for batch in 0..700 {
        let records = (0..100)
            .map(|i| {
                let n = batch * 100 + i;
                double(&format!("h{}", n % 10), "cpu", "1", start + n * 50)
            })
            .collect();
        write(&e, "t", records).await.unwrap();
    }
    let read_all = |wanted: bool| {
        let snapshot = e.snapshot(&scope(), "db", "t", None, None, 1).unwrap();
        let mut rows = 0;
        for slice in snapshot.magnetic {
            slice
                .read(
                    None,
                    || wanted,
                    |batch, _| {
                        rows += batch.num_rows();
                        true
                    },
                )
                .unwrap();
        }
        rows
    };
    assert_eq!(read_all(false), 0, "cancelled before anything was sent");
    assert_eq!(read_all(true), 70_000);
    assert_eq!(read_all(true), 70_000, "from the cache");
}
