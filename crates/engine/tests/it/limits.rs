//! Per-record caps are checked before any work that grows faster than the input (issue 17):
//! an oversized record is refused in milliseconds, however many measures or dimensions it has.

use std::time::{Duration, Instant};

use engine::Error;
use protocol::operations::write_records::WriteRecordsInput;
use protocol::shapes::{Dimension, MeasureValue, MeasureValueType, Record};

use crate::support::*;

fn wide_multi(n: usize) -> Record {
    Record {
        dimensions: vec![dim("host", "a")],
        measure_name: Some("wide".into()),
        measure_value_type: Some(MeasureValueType::Multi),
        measure_values: Some(
            (0..n)
                .map(|i| MeasureValue {
                    name: format!("m{i}"),
                    value: i.to_string(),
                    r#type: MeasureValueType::Bigint,
                })
                .collect(),
        ),
        time: Some(NOW_MS.to_string()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_record_with_100_000_measures_is_refused_in_milliseconds() {
    let e = engine_at(None);
    create(&e, "t", TableSpec::default());
    let record = wide_multi(100_000);
    let t = Instant::now();
    let r = rejected(&e, "t", vec![record, double("a", "cpu", "1", NOW_MS)]).await;
    let took = t.elapsed();
    println!("100 000-measure record refused in {took:?}");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].record_index, 0);
    assert!(r[0].reason.contains("at most 256"), "{}", r[0].reason);
    assert!(took < Duration::from_millis(500), "took {took:?}");
    assert_eq!(scan(&e, "t").len(), 1, "the other record is stored");
}

fn dims(prefix: &str, n: usize) -> Vec<Dimension> {
    (0..n).map(|i| dim(&format!("{prefix}{i}"), "v")).collect()
}

#[tokio::test]
async fn a_record_with_100_000_dimensions_fails_the_request_in_milliseconds() {
    let e = engine_at(None);
    create(&e, "t", TableSpec::default());
    let mut record = double("a", "cpu", "1", NOW_MS);
    record.dimensions = dims("d", 100_000);
    let t = Instant::now();
    let err = write(&e, "t", vec![record]).await.unwrap_err();
    let took = t.elapsed();
    println!("100 000-dimension record refused in {took:?}");
    assert!(
        matches!(&err, Error::InvalidWrite(m) if m == "A record has 100000 dimensions; at most 128 are allowed."),
        "{err:?}"
    );
    assert!(took < Duration::from_millis(500), "took {took:?}");

    let t = Instant::now();
    let err = e
        .write_records(
            &scope(),
            WriteRecordsInput {
                common_attributes: Some(Record {
                    dimensions: dims("c", 100_000),
                    ..Default::default()
                }),
                ..input("t", vec![double("a", "cpu", "1", NOW_MS)])
            },
        )
        .await
        .unwrap_err();
    let took = t.elapsed();
    assert!(
        matches!(&err, Error::InvalidWrite(m) if m == "CommonAttributes has 100000 dimensions; at most 128 are allowed."),
        "{err:?}"
    );
    assert!(took < Duration::from_millis(500), "took {took:?}");
    assert!(scan(&e, "t").is_empty());
}

#[tokio::test]
async fn dimension_caps_count_common_attributes_with_each_record() {
    let e = engine_at(None);
    create(&e, "t", TableSpec::default());
    // 100 common + 100 own: each list is within the model's cap, the record is not.
    let mut wide = double("a", "cpu", "1", NOW_MS);
    wide.dimensions = dims("r", 100);
    let mut narrow = double("b", "cpu", "1", NOW_MS);
    narrow.dimensions = vec![];
    let mut common = Record {
        dimensions: dims("c", 100),
        ..Default::default()
    };
    let request = |common: &Record, records: Vec<Record>| WriteRecordsInput {
        common_attributes: Some(common.clone()),
        ..input("t", records)
    };
    let Err(Error::RejectedRecords(r)) = e
        .write_records(&scope(), request(&common, vec![wide.clone(), narrow]))
        .await
    else {
        panic!("expected RejectedRecords")
    };
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].record_index, 0);
    assert_eq!(
        r[0].reason,
        "The record has 200 dimensions with CommonAttributes; at most 128 are allowed."
    );
    assert_eq!(scan(&e, "t").len(), 1);

    // A name repeated between CommonAttributes and a record is still found, now by hashing.
    common.dimensions.push(dim("r99", "x"));
    let err = e
        .write_records(&scope(), request(&common, vec![wide]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidWrite(m) if m.ends_with("The dimension name r99 is repeated.")),
        "{err:?}"
    );
}

#[tokio::test]
async fn repeated_measure_names_are_found_by_hashing() {
    let e = engine_at(None);
    create(&e, "t", TableSpec::default());
    let mut record = wide_multi(256);
    if let Some(values) = record.measure_values.as_mut() {
        values[255].name = "m3".into();
    }
    let err = write(&e, "t", vec![record]).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidWrite(m) if m.ends_with("The measure name m3 is repeated.")),
        "{err:?}"
    );
    // 256 measures is the cap, not over it (the record's total size is another rule).
    let r = rejected(&e, "t", vec![wide_multi(256)]).await;
    assert!(
        r[0].reason.contains("exceeds the maximum record size"),
        "{}",
        r[0].reason
    );
}
