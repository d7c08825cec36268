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
