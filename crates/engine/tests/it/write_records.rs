use engine::{Error, Measures, Tier, Value};
use protocol::shapes::{
    MeasureValueType, PartitionKey, PartitionKeyEnforcementLevel, PartitionKeyType, Record, Schema,
};

use crate::support::*;

#[tokio::test]
async fn single_and_multi_measure_records_are_stored_typed() {
    let e = engine_at(None);
    create(&e, "t", TableSpec::default());
    let got = write(
        &e,
        "t",
        vec![
            double("a", "cpu", "72.5", NOW_MS),
            multi(
                "a",
                "health",
                &[
                    ("mem", "3421", MeasureValueType::Bigint),
                    ("up", "true", MeasureValueType::Boolean),
                ],
                NOW_MS,
            ),
        ],
    )
    .await
    .unwrap();
    assert_eq!(got, ingested(2, 2, 0));
    let rows = scan(&e, "t");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].measures, Measures::Single(Value::Double(72.5)));
    assert_eq!(
        rows[1].measures,
        Measures::Multi(vec![
            ("mem".into(), Value::Bigint(3421)),
            ("up".into(), Value::Boolean(true))
        ])
    );
    assert!(rows
        .iter()
        .all(|r| r.tier == Tier::Memory && r.time_ns == NOW_MS * 1_000_000));
}

#[tokio::test]
async fn partial_success_stores_the_good_records() {
    let e = engine_at(None);
    create(&e, "t", TableSpec::default());
    let rejected = rejected(
        &e,
        "t",
        vec![
            double("a", "cpu", "1", NOW_MS),
            double("b", "cpu", "abc", NOW_MS),
        ],
    )
    .await;
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0].record_index, 1);
    assert_eq!(
        rejected[0].reason,
        "The measure value abc is not a valid DOUBLE."
    );
    assert_eq!(scan(&e, "t").len(), 1);
}

#[tokio::test]
async fn request_level_failures_store_nothing() {
    let e = engine_at(None);
    create(&e, "t", TableSpec::default());
    let mut bad = double("a", "cpu", "1", NOW_MS);
    bad.time = Some("yesterday".into());
    let err = write(&e, "t", vec![double("a", "cpu", "1", NOW_MS), bad])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidWrite(m) if m == "Invalid time for record."),
        "{err:?}"
    );
    assert!(scan(&e, "t").is_empty());
}

#[tokio::test]
async fn time_window_of_the_memory_store() {
    let e = engine_at(None);
    create(
        &e,
        "t",
        TableSpec {
            memory_hours: 2,
            ..Default::default()
        },
    );
    let minute = 60_000;
    let r = rejected(
        &e,
        "t",
        vec![
            double("a", "cpu", "1", NOW_MS - 2 * HOUR_MS - 1),
            double("a", "cpu", "1", NOW_MS - 2 * HOUR_MS),
            double("a", "cpu", "1", NOW_MS + 15 * minute - 1),
            double("a", "cpu", "1", NOW_MS + 15 * minute),
        ],
    )
    .await;
    assert_eq!(r.iter().map(|x| x.record_index).collect::<Vec<_>>(), [0, 3]);
    assert_eq!(
        r[0].reason,
        "The record timestamp is outside the time range [2025-12-31T22:00:00.000Z, 2026-01-01T00:15:00.000Z) of the memory store."
    );
    assert_eq!(scan(&e, "t").len(), 2);
}

#[tokio::test]
async fn magnetic_writes_go_to_the_magnetic_tier_within_retention() {
    let e = engine_at(None);
    create(
        &e,
        "t",
        TableSpec {
            memory_hours: 12,
            magnetic_days: 5,
            magnetic_writes: true,
            ..Default::default()
        },
    );
    let day = 24 * HOUR_MS;
    let ok = write(
        &e,
        "t",
        vec![
            double("a", "cpu", "1", NOW_MS - 5 * day),
            double("a", "cpu", "2", NOW_MS),
        ],
    )
    .await
    .unwrap();
    assert_eq!(ok, ingested(2, 1, 1));
    let r = rejected(&e, "t", vec![double("a", "cpu", "1", NOW_MS - 6 * day)]).await;
    assert_eq!(
        r[0].reason,
        "The record timestamp is outside the time range [2025-12-26T12:00:00.000Z, 2026-01-01T00:15:00.000Z) of the data ingestion window."
    );
    let tiers: Vec<_> = scan(&e, "t").iter().map(|r| r.tier).collect();
    assert_eq!(tiers, [Tier::Magnetic, Tier::Memory]);
}

#[tokio::test]
async fn versions_and_upserts() {
    let e = engine_at(None);
    create(&e, "t", TableSpec::default());
    let v = |value: &str, version: Option<i64>| Record {
        version,
        ..double("a", "cpu", value, NOW_MS)
    };
    assert_eq!(
        write(&e, "t", vec![v("1", None)]).await.unwrap(),
        ingested(1, 1, 0)
    );
    // Identical rewrite: accepted, nothing changes.
    assert_eq!(
        write(&e, "t", vec![v("1", None)]).await.unwrap(),
        ingested(1, 1, 0)
    );
    let r = rejected(&e, "t", vec![v("2", None)]).await;
    assert!(r[0].reason.starts_with(
        "A record already exists with the same time, dimensions, measure name, and record version."
    ));
    assert_eq!(r[0].existing_version, Some(1));
    write(&e, "t", vec![v("2", Some(5))]).await.unwrap();
    let rows = scan(&e, "t");
    assert_eq!(
        (rows.len(), rows[0].version, &rows[0].measures),
        (1, 5, &Measures::Single(Value::Double(2.0)))
    );
    let r = rejected(&e, "t", vec![v("3", Some(2))]).await;
    assert_eq!(r[0].reason, "The record version 2 is lower than the existing version 5. A higher version is required to update the measure value.");
    assert_eq!(r[0].existing_version, Some(5));
    // Same value, higher version: only the version moves.
    write(&e, "t", vec![v("2", Some(9))]).await.unwrap();
    assert_eq!(scan(&e, "t")[0].version, 9);
}

#[tokio::test]
async fn identity_is_the_dimension_set_not_its_order() {
    let e = engine_at(None);
    create(&e, "t", TableSpec::default());
    let mut a = double("a", "cpu", "1", NOW_MS);
    a.dimensions.push(dim("region", "r1"));
    let mut b = a.clone();
    b.dimensions.reverse();
    b.measure_value = Some("2".into());
    let r = rejected(&e, "t", vec![a, b]).await;
    assert_eq!(
        r[0].record_index, 1,
        "a later record of the same request sees the earlier one"
    );
}

#[tokio::test]
async fn multi_measure_comparison_is_over_the_whole_set() {
    let e = engine_at(None);
    create(&e, "t", TableSpec::default());
    let rec = |mem: &str| {
        multi(
            "a",
            "m",
            &[
                ("x", "1", MeasureValueType::Double),
                ("mem", mem, MeasureValueType::Bigint),
            ],
            NOW_MS,
        )
    };
    write(&e, "t", vec![rec("1")]).await.unwrap();
    write(&e, "t", vec![rec("1")]).await.unwrap();
    assert_eq!(
        rejected(&e, "t", vec![rec("2")]).await[0].existing_version,
        Some(1)
    );
}

#[tokio::test]
async fn schema_rules() {
    let e = engine_at(None);
    create(&e, "t", TableSpec::default());
    write(&e, "t", vec![double("a", "cpu", "1", NOW_MS)])
        .await
        .unwrap();
    let mut as_bigint = double("a", "cpu", "2", NOW_MS + 1);
    as_bigint.measure_value_type = Some(MeasureValueType::Bigint);
    let attr_named_like_dim = multi("a", "m", &[("host", "1", MeasureValueType::Double)], NOW_MS);
    let mut dim_named_like_attr = double("b", "d", "1", NOW_MS);
    write(
        &e,
        "t",
        vec![multi(
            "a",
            "m2",
            &[("load", "1", MeasureValueType::Double)],
            NOW_MS,
        )],
    )
    .await
    .unwrap();
    dim_named_like_attr.dimensions.push(dim("load", "x"));
    let r = rejected(
        &e,
        "t",
        vec![as_bigint, attr_named_like_dim, dim_named_like_attr],
    )
    .await;
    assert_eq!(r.len(), 3, "{r:?}");
    assert!(
        r[0].reason.contains("DOUBLE") && r[0].reason.contains("BIGINT"),
        "{}",
        r[0].reason
    );
    assert!(r[1].reason.contains("host"));
    assert!(r[2].reason.contains("load"));
}

#[tokio::test]
async fn reserved_names_and_sizes() {
    let e = engine_at(None);
    create(&e, "t", TableSpec::default());
    let mut reserved = double("a", "cpu", "1", NOW_MS);
    reserved.dimensions = vec![dim("ts_host", "x")];
    let mut long_name = double("a", "cpu", "1", NOW_MS);
    long_name.dimensions = vec![dim(&"h".repeat(61), "x")];
    let mut big = double("a", "cpu", "1", NOW_MS);
    big.dimensions = vec![dim("a", &"x".repeat(1500)), dim("b", &"y".repeat(600))];
    let r = rejected(
        &e,
        "t",
        vec![
            reserved,
            long_name,
            big,
            double("a", "measure_value", "1", NOW_MS),
        ],
    )
    .await;
    assert_eq!(r.len(), 4, "{r:?}");
}

#[tokio::test]
async fn required_partition_key_dimension() {
    let e = engine_at(None);
    let schema = Schema {
        composite_partition_key: Some(vec![PartitionKey {
            r#type: PartitionKeyType::Dimension,
            name: Some("region".into()),
            enforcement_in_record: Some(PartitionKeyEnforcementLevel::Required),
        }]),
    };
    create(
        &e,
        "t",
        TableSpec {
            schema: Some(schema),
            ..Default::default()
        },
    );
    let mut with = double("a", "cpu", "1", NOW_MS);
    with.dimensions.push(dim("region", "r"));
    let r = rejected(&e, "t", vec![double("a", "cpu", "1", NOW_MS), with]).await;
    assert_eq!(r.len(), 1);
    assert!(r[0].reason.contains("region"));
}

#[tokio::test]
async fn unknown_table_and_deleted_table() {
    let e = engine_at(None);
    create(&e, "t", TableSpec::default());
    let err = e
        .write_records(
            &scope(),
            input("nope", vec![double("a", "cpu", "1", NOW_MS)]),
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "The table nope does not exist.");
    write(&e, "t", vec![double("a", "cpu", "1", NOW_MS)])
        .await
        .unwrap();
    e.delete_table(&scope(), "db", "t").unwrap();
    create(&e, "t", TableSpec::default());
    assert!(scan(&e, "t").is_empty(), "a re-created table starts empty");
}

#[tokio::test]
async fn concurrent_writers_are_group_committed_without_loss() {
    let e = std::sync::Arc::new(engine_at(None));
    create(&e, "t", TableSpec::default());
    let mut tasks = Vec::new();
    for w in 0..8 {
        let e = e.clone();
        tasks.push(tokio::spawn(async move {
            for req in 0..25 {
                let records = (0..100)
                    .map(|i| {
                        double(
                            &format!("w{w}"),
                            "cpu",
                            &format!("{req}.{i}"),
                            NOW_MS - (req * 100 + i),
                        )
                    })
                    .collect();
                assert_eq!(write(&e, "t", records).await.unwrap().total, 100);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(scan(&e, "t").len(), 8 * 25 * 100);
}
