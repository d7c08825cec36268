//! WriteRecords, request side (wire-protocol.md §5.4): merge `CommonAttributes` into each record,
//! apply defaults, parse values and times, and sort failures into the two kinds AWS has:
//! request-level ([`Error::InvalidWrite`], ValidationException, nothing stored) and record-level
//! (a reason for `RejectedRecords`, the other records still stored). Runs on the request's task,
//! before the writer, so parsing never holds the write lock.
//!
//! Cost: linear in the request. Count caps (dimensions, measures) are checked before anything
//! walks the lists, and name uniqueness is checked with a hash set, so an oversized record is
//! refused in microseconds whatever its length (issue 17: 100 000 `MeasureValues` cost 50 s of
//! pairwise comparisons before the 256-measure cap was reached).

use std::collections::HashSet;

use protocol::shapes::{Dimension, MeasureValue, MeasureValueType, Record, TimeUnit};

use crate::record::{Measures, Value};
use crate::Error;

/// Size limits (AWS quotas, §5.1).
pub const MAX_DIMENSION_NAME_BYTES: usize = 60;
pub const MAX_MEASURE_NAME_BYTES: usize = 256;
pub const MAX_DIMENSION_PAIR_BYTES: usize = 2048;
pub const MAX_RECORD_BYTES: usize = 2048;
pub const MAX_MEASURES_PER_MULTI: usize = 256;
pub const MAX_MULTI_VALUE_BYTES: usize = 2048;
/// Dimensions of one record, `CommonAttributes` included (the table's own cap, §5.1; the model
/// caps each `Dimensions` list at 128 too).
pub const MAX_DIMENSIONS_PER_RECORD: usize = 128;

/// A record ready for the writer: merged, typed, its static rules passed.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedRecord {
    /// Sorted by name, names unique.
    pub dimensions: Vec<(String, String)>,
    pub measure_name: String,
    pub time_ns: i64,
    pub version: i64,
    pub measures: Measures,
}

/// Per input record: prepared, or the reason it is rejected.
pub type Candidate = Result<PreparedRecord, String>;

/// Prepares every record of a request; `Err` only for request-level failures.
pub fn prepare(common: Option<&Record>, records: &[Record]) -> Result<Vec<Candidate>, Error> {
    let empty = Record::default();
    let common = common.unwrap_or(&empty);
    if common.measure_value_type == Some(MeasureValueType::Multi) && common.measure_value.is_some()
    {
        return Err(invalid(
            "CommonAttributes cannot specify MeasureValue when MeasureValueType is MULTI.",
        ));
    }
    check_dimension_count(&common.dimensions, "CommonAttributes")?;
    let common_names = unique_dimension_names(&common.dimensions, &HashSet::new())?;
    records
        .iter()
        .map(|r| prepare_one(common, &common_names, r))
        .collect()
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidWrite(message.into())
}

/// One `Dimensions` list over the cap fails the request, as the model's length rule does.
fn check_dimension_count(dims: &[Dimension], whose: &str) -> Result<(), Error> {
    if dims.len() > MAX_DIMENSIONS_PER_RECORD {
        return Err(invalid(format!(
            "{whose} has {} dimensions; at most {MAX_DIMENSIONS_PER_RECORD} are allowed.",
            dims.len()
        )));
    }
    Ok(())
}

/// The names of `dims`, refusing one repeated in `dims` or present in `common` (the first
/// repetition in input order is named, as before). Linear: one hash set.
fn unique_dimension_names<'a>(
    dims: &'a [Dimension],
    common: &HashSet<&str>,
) -> Result<HashSet<&'a str>, Error> {
    let mut seen = HashSet::with_capacity(dims.len());
    for d in dims {
        if common.contains(d.name.as_str()) || !seen.insert(d.name.as_str()) {
            return Err(invalid(format!(
                "A record must contain dimensions with unique names. The dimension name {} is repeated.",
                d.name
            )));
        }
    }
    Ok(seen)
}

fn prepare_one(
    common: &Record,
    common_names: &HashSet<&str>,
    record: &Record,
) -> Result<Candidate, Error> {
    check_dimension_count(&record.dimensions, "A record")?;
    unique_dimension_names(&record.dimensions, common_names)?;
    let measure_name = record
        .measure_name
        .as_ref()
        .or(common.measure_name.as_ref())
        .ok_or_else(|| invalid("Measure name is required. Specify MeasureName in the record or in CommonAttributes."))?;
    let value_type = record
        .measure_value_type
        .or(common.measure_value_type)
        .unwrap_or(MeasureValueType::Double);
    let time_unit = record
        .time_unit
        .or(common.time_unit)
        .unwrap_or(TimeUnit::Milliseconds);
    let time = record
        .time
        .as_ref()
        .or(common.time.as_ref())
        .ok_or_else(|| invalid("Invalid time for record."))?;
    let time_ns = time
        .parse::<i64>()
        .ok()
        .and_then(|t| t.checked_mul(time_unit.nanos()))
        .ok_or_else(|| invalid("Invalid time for record."))?;
    let version = record.version.or(common.version).unwrap_or(1);
    if version < 1 {
        return Err(invalid(format!(
            "Invalid record version {version}. The record version must be a positive number."
        )));
    }
    let measure_value = record
        .measure_value
        .as_ref()
        .or(common.measure_value.as_ref());
    let measure_values = record
        .measure_values
        .as_ref()
        .or(common.measure_values.as_ref());

    let mut dimensions: Vec<(String, String)> = common
        .dimensions
        .iter()
        .chain(&record.dimensions)
        .map(|d| (d.name.clone(), d.value.clone()))
        .collect();
    dimensions.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    let measures = match value_type {
        MeasureValueType::Multi => {
            if measure_value.is_some() {
                return Err(invalid("MeasureValue cannot be specified when MeasureValueType is MULTI. Use MeasureValues."));
            }
            let values = measure_values.filter(|v| !v.is_empty()).ok_or_else(|| {
                invalid("MeasureValues must be specified when MeasureValueType is MULTI.")
            })?;
            match multi_measures(values)? {
                Ok(m) => m,
                Err(reason) => return Ok(Err(reason)),
            }
        }
        scalar => {
            if measure_values.is_some_and(|v| !v.is_empty()) {
                return Err(invalid(
                    "MeasureValues can only be specified when MeasureValueType is MULTI.",
                ));
            }
            let text = measure_value.ok_or_else(|| {
                invalid(format!(
                    "MeasureValue must be specified when MeasureValueType is {}.",
                    scalar.as_str()
                ))
            })?;
            match parse_value(scalar, text) {
                Ok(v) => Measures::Single(v),
                Err(reason) => return Ok(Err(reason)),
            }
        }
    };
    let prepared = PreparedRecord {
        dimensions,
        measure_name: measure_name.clone(),
        time_ns,
        version,
        measures,
    };
    Ok(check_static_rules(&prepared).map(|()| prepared))
}

/// The attributes of a multi-measure record. The count cap comes first, so that an oversized
/// record costs nothing more; then, in input order, the type, uniqueness (hash set) and value
/// of each measure.
fn multi_measures(values: &[MeasureValue]) -> Result<Result<Measures, String>, Error> {
    if values.len() > MAX_MEASURES_PER_MULTI {
        return Ok(Err(format!(
            "The multi-measure record has {} measures; at most {MAX_MEASURES_PER_MULTI} are allowed.",
            values.len()
        )));
    }
    let mut attrs = Vec::with_capacity(values.len());
    let mut names = HashSet::with_capacity(values.len());
    for mv in values {
        if mv.r#type == MeasureValueType::Multi {
            return Err(invalid(format!(
                "The measure value {} cannot be of type MULTI.",
                mv.name
            )));
        }
        if !names.insert(mv.name.as_str()) {
            return Err(invalid(format!(
                "A multi-measure record must contain measures with unique names. The measure name {} is repeated.",
                mv.name
            )));
        }
        match parse_value(mv.r#type, &mv.value) {
            Ok(v) => attrs.push((mv.name.clone(), v)),
            Err(reason) => return Ok(Err(reason)),
        }
    }
    attrs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(Ok(Measures::Multi(attrs)))
}

/// Parses a measure value as its declared type.
pub(crate) fn parse_value(value_type: MeasureValueType, text: &str) -> Result<Value, String> {
    let bad = || {
        format!(
            "The measure value {text} is not a valid {}.",
            value_type.as_str()
        )
    };
    match value_type {
        MeasureValueType::Double => {
            let d: f64 = text.trim().parse().map_err(|_| bad())?;
            if d.is_finite() {
                Ok(Value::Double(d))
            } else {
                Err(bad())
            }
        }
        MeasureValueType::Bigint => text.trim().parse().map(Value::Bigint).map_err(|_| bad()),
        MeasureValueType::Boolean => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Boolean(true)),
            "false" => Ok(Value::Boolean(false)),
            _ => Err(bad()),
        },
        MeasureValueType::Varchar => Ok(Value::Varchar(text.to_owned())),
        // TIMESTAMP measure values are milliseconds since the epoch, as AWS documents.
        MeasureValueType::Timestamp => text
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|ms| ms.checked_mul(1_000_000))
            .map(Value::Timestamp)
            .ok_or_else(bad),
        MeasureValueType::Multi => Err(bad()),
    }
}

/// Names AWS reserves for its own columns (§5.1).
fn reserved(name: &str) -> bool {
    matches!(
        name,
        "time" | "measure_value" | "measure_name" | "ts_non_existent_col"
    ) || name.starts_with("ts_")
        || name.starts_with("measure_name")
}

/// Record-level rules that need no stored state. Linear in the record: at most
/// 2 × [`MAX_DIMENSIONS_PER_RECORD`] dimensions and [`MAX_MEASURES_PER_MULTI`] measures get here.
fn check_static_rules(r: &PreparedRecord) -> Result<(), String> {
    if r.dimensions.len() > MAX_DIMENSIONS_PER_RECORD {
        return Err(format!(
            "The record has {} dimensions with CommonAttributes; at most {MAX_DIMENSIONS_PER_RECORD} are allowed.",
            r.dimensions.len()
        ));
    }
    let mut size = r.measure_name.len() + 8;
    for (name, value) in &r.dimensions {
        if name.len() > MAX_DIMENSION_NAME_BYTES {
            return Err(format!("The dimension name {name} exceeds the maximum length of {MAX_DIMENSION_NAME_BYTES} bytes."));
        }
        if name.len() + value.len() > MAX_DIMENSION_PAIR_BYTES {
            return Err(format!(
                "The dimension {name} exceeds the maximum size of {MAX_DIMENSION_PAIR_BYTES} bytes for a dimension name and value."
            ));
        }
        if reserved(name) {
            return Err(format!(
                "The dimension name {name} is reserved and cannot be used."
            ));
        }
        size += name.len() + value.len();
    }
    if r.measure_name.len() > MAX_MEASURE_NAME_BYTES {
        return Err(format!(
            "The measure name {} exceeds the maximum length of {MAX_MEASURE_NAME_BYTES} bytes.",
            r.measure_name
        ));
    }
    if reserved(&r.measure_name) {
        return Err(format!(
            "The measure name {} is reserved and cannot be used.",
            r.measure_name
        ));
    }
    match &r.measures {
        Measures::Single(v) => size += value_size(v),
        Measures::Multi(attrs) => {
            let mut values = 0;
            for (name, v) in attrs {
                if reserved(name) {
                    return Err(format!(
                        "The measure name {name} is reserved and cannot be used."
                    ));
                }
                if name.len() > MAX_MEASURE_NAME_BYTES {
                    return Err(format!("The measure name {name} exceeds the maximum length of {MAX_MEASURE_NAME_BYTES} bytes."));
                }
                // `dimensions` is sorted by name.
                if r.dimensions
                    .binary_search_by(|(d, _)| d.as_str().cmp(name))
                    .is_ok()
                {
                    return Err(format!("The name {name} is used both as a dimension and as a measure in the record."));
                }
                values += value_size(v);
                size += name.len() + value_size(v);
            }
            if values > MAX_MULTI_VALUE_BYTES {
                return Err(format!(
                    "The measure values of the multi-measure record total {values} bytes; at most {MAX_MULTI_VALUE_BYTES} are allowed."
                ));
            }
        }
    }
    if size > MAX_RECORD_BYTES {
        return Err(format!("The record size {size} bytes exceeds the maximum record size of {MAX_RECORD_BYTES} bytes."));
    }
    Ok(())
}

fn value_size(v: &Value) -> usize {
    match v {
        Value::Varchar(s) => s.len(),
        Value::Boolean(_) => 1,
        _ => 8,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dim(n: &str, v: &str) -> Dimension {
        Dimension {
            name: n.into(),
            value: v.into(),
            dimension_value_type: None,
        }
    }

    fn record(name: &str, value: &str) -> Record {
        Record {
            measure_name: Some(name.into()),
            measure_value: Some(value.into()),
            time: Some("1700000000000".into()),
            ..Default::default()
        }
    }

    #[test]
    fn common_attributes_merge_and_defaults_apply() {
        let common = Record {
            dimensions: vec![dim("region", "us-east-1")],
            measure_value_type: Some(MeasureValueType::Bigint),
            time_unit: Some(TimeUnit::Seconds),
            time: Some("1700000000".into()),
            ..Default::default()
        };
        let mut r = record("mem", "3421");
        r.time = None;
        r.dimensions = vec![dim("host", "a")];
        let out = prepare(Some(&common), &[r]).unwrap();
        let p = out[0].as_ref().unwrap();
        assert_eq!(
            p.dimensions,
            [
                ("host".into(), "a".into()),
                ("region".into(), "us-east-1".into())
            ]
        );
        assert_eq!(p.time_ns, 1_700_000_000_000_000_000);
        assert_eq!(p.measures, Measures::Single(Value::Bigint(3421)));
        assert_eq!(p.version, 1);
    }

    #[test]
    fn request_level_failures() {
        let common = Record {
            dimensions: vec![dim("host", "a")],
            ..Default::default()
        };
        let mut r = record("cpu", "1");
        r.dimensions = vec![dim("host", "b")];
        assert!(matches!(
            prepare(Some(&common), &[r]),
            Err(Error::InvalidWrite(_))
        ));
        let mut bad_time = record("cpu", "1");
        bad_time.time = Some("soon".into());
        let Err(Error::InvalidWrite(m)) = prepare(None, &[bad_time]) else {
            panic!()
        };
        assert_eq!(m, "Invalid time for record.");
        let mut v0 = record("cpu", "1");
        v0.version = Some(0);
        assert!(prepare(None, &[v0]).is_err());
        let mut multi_with_value = record("cpu", "1");
        multi_with_value.measure_value_type = Some(MeasureValueType::Multi);
        assert!(prepare(None, &[multi_with_value]).is_err());
    }

    #[test]
    fn record_level_failures_are_reasons() {
        let out = prepare(
            None,
            &[
                record("cpu", "abc"),
                record("cpu", "1.5"),
                record("time", "1"),
            ],
        )
        .unwrap();
        assert_eq!(
            out[0].as_ref().unwrap_err(),
            "The measure value abc is not a valid DOUBLE."
        );
        assert!(out[1].is_ok());
        assert!(out[2].as_ref().unwrap_err().contains("reserved"));
        let mut long = record("cpu", "1");
        long.dimensions = vec![dim(&"d".repeat(61), "v")];
        assert!(prepare(None, &[long]).unwrap()[0].is_err());
    }

    #[test]
    fn multi_measure_attributes_are_sorted_and_typed() {
        let r = Record {
            measure_name: Some("health".into()),
            measure_value_type: Some(MeasureValueType::Multi),
            time: Some("1".into()),
            measure_values: Some(vec![
                MeasureValue {
                    name: "mem".into(),
                    value: "3421".into(),
                    r#type: MeasureValueType::Bigint,
                },
                MeasureValue {
                    name: "cpu".into(),
                    value: "72.5".into(),
                    r#type: MeasureValueType::Double,
                },
            ]),
            ..Default::default()
        };
        let p = prepare(None, &[r]).unwrap().remove(0).unwrap();
        assert_eq!(
            p.measures,
            Measures::Multi(vec![
                ("cpu".into(), Value::Double(72.5)),
                ("mem".into(), Value::Bigint(3421))
            ])
        );
    }
}
