//! A scheduled query's `TimestreamConfiguration` bound to its result columns, and the records it
//! makes of each result row (wire-protocol.md §5.6; developer guide, "Scheduled query target
//! configuration"):
//!
//! - `TimeColumn`: a TIMESTAMP column, the record's time (nanoseconds).
//! - `DimensionMappings`: VARCHAR columns, one dimension each; a NULL leaves the dimension out.
//! - `MultiMeasureMappings`: one multi-measure record per row, named `TargetMultiMeasureName` or
//!   by the row's `MeasureNameColumn`; one attribute per mapping (named
//!   `TargetMultiMeasureAttributeName`, else the source column), NULLs left out.
//! - `MixedMeasureMappings`: per row, every mapping whose `MeasureName` equals the row's
//!   `MeasureNameColumn` value (every mapping when there is no such column) gives a record:
//!   a single measure read from `SourceColumn`, or a multi-measure record of its attributes,
//!   named `TargetMeasureName`, else `MeasureName`, else the source column.
//!
//! A row whose measures are all NULL gives no record. Binding fails with the ValidationException
//! text CreateScheduledQuery answers (our wording: AWS's is unpublished).

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit as ArrowTimeUnit, TimestampNanosecondType};
use protocol::operations::query::{Datum, ScalarType, Type};
use protocol::shapes::{
    Dimension, MeasureValue, MeasureValueType, MultiMeasureAttributeMapping, Record, TimeUnit,
    TimestreamConfiguration,
};

use crate::encode;

/// A `TimestreamConfiguration` whose columns are indexes into the result.
#[derive(Debug, Clone)]
pub struct Target {
    time: (String, usize),
    dimensions: Vec<(String, usize)>,
    measure_name_column: Option<usize>,
    measures: Measures,
}

#[derive(Debug, Clone)]
enum Measures {
    /// One multi-measure record per row; `name` None: the measure name column names it.
    Multi {
        name: Option<String>,
        attributes: Vec<Attribute>,
    },
    Mixed(Vec<Mixed>),
}

#[derive(Debug, Clone)]
struct Attribute {
    name: String,
    column: usize,
    value_type: MeasureValueType,
}

#[derive(Debug, Clone)]
struct Mixed {
    /// Applies to rows whose measure name column holds this value (all rows without one).
    when: Option<String>,
    name: String,
    kind: MixedKind,
}

#[derive(Debug, Clone)]
enum MixedKind {
    Single(Attribute),
    Multi(Vec<Attribute>),
}

impl Target {
    /// Binds `config` to result columns named `names` of types `types`.
    pub fn bind(
        config: &TimestreamConfiguration,
        names: &[String],
        types: &[DataType],
    ) -> Result<Self, String> {
        let column = |what: &str, name: &str| -> Result<(usize, ScalarType), String> {
            let i = names.iter().position(|n| n == name).ok_or_else(|| {
                format!("The {what} '{name}' is not a column of the query result.")
            })?;
            let scalar = match types.get(i).map(encode::column_type) {
                Some(Type::ScalarType(s)) => s,
                _ => ScalarType::Unknown,
            };
            Ok((i, scalar))
        };
        let typed = |what: &str, name: &str, want: ScalarType| -> Result<usize, String> {
            let (i, t) = column(what, name)?;
            if t == want {
                Ok(i)
            } else {
                Err(format!(
                    "The {what} '{name}' must be of type {}, not {}.",
                    scalar_name(want),
                    scalar_name(t)
                ))
            }
        };
        let attribute = |source: &str, target: Option<&str>, value_type: MeasureValueType| {
            let (i, t) = column("source column", source)?;
            if !writable_as(t, value_type) {
                return Err(format!(
                    "The source column '{source}' of type {} cannot be written as a {} measure.",
                    scalar_name(t),
                    value_type.as_str()
                ));
            }
            Ok(Attribute {
                name: target.unwrap_or(source).to_owned(),
                column: i,
                value_type,
            })
        };
        let attributes = |mappings: &[MultiMeasureAttributeMapping]| {
            mappings
                .iter()
                .map(|m| {
                    attribute(
                        &m.source_column,
                        m.target_multi_measure_attribute_name.as_deref(),
                        m.measure_value_type,
                    )
                })
                .collect::<Result<Vec<_>, String>>()
        };

        let time = typed("TimeColumn", &config.time_column, ScalarType::Timestamp)?;
        let dimensions = config
            .dimension_mappings
            .iter()
            .map(|d| {
                Ok((
                    d.name.clone(),
                    typed("dimension", &d.name, ScalarType::Varchar)?,
                ))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let measure_name_column = config
            .measure_name_column
            .as_deref()
            .map(|c| typed("MeasureNameColumn", c, ScalarType::Varchar))
            .transpose()?;
        let measures = match (
            &config.multi_measure_mappings,
            &config.mixed_measure_mappings,
        ) {
            (Some(multi), None) => {
                if multi.target_multi_measure_name.is_none() && measure_name_column.is_none() {
                    return Err(
                        "MultiMeasureMappings needs a TargetMultiMeasureName when no \
                                MeasureNameColumn is given."
                            .into(),
                    );
                }
                Measures::Multi {
                    name: if measure_name_column.is_some() {
                        None
                    } else {
                        multi.target_multi_measure_name.clone()
                    },
                    attributes: attributes(&multi.multi_measure_attribute_mappings)?,
                }
            }
            (None, Some(mixed)) => Measures::Mixed(
                mixed
                    .iter()
                    .map(|m| {
                        if measure_name_column.is_some() && m.measure_name.is_none() {
                            return Err("Each MixedMeasureMapping needs a MeasureName when a \
                                        MeasureNameColumn is given."
                                .to_owned());
                        }
                        let name = m
                            .target_measure_name
                            .as_ref()
                            .or(m.measure_name.as_ref())
                            .or(m.source_column.as_ref())
                            .cloned();
                        let kind = if m.measure_value_type == MeasureValueType::Multi {
                            let mappings = m.multi_measure_attribute_mappings.as_deref();
                            match mappings {
                                Some(mappings) if !mappings.is_empty() => {
                                    MixedKind::Multi(attributes(mappings)?)
                                }
                                _ => {
                                    return Err("A MixedMeasureMapping of type MULTI needs \
                                                MultiMeasureAttributeMappings."
                                        .into())
                                }
                            }
                        } else {
                            let source = m.source_column.as_deref().ok_or_else(|| {
                                format!(
                                    "A MixedMeasureMapping of type {} needs a SourceColumn.",
                                    m.measure_value_type.as_str()
                                )
                            })?;
                            MixedKind::Single(attribute(
                                source,
                                name.as_deref(),
                                m.measure_value_type,
                            )?)
                        };
                        let name = name.ok_or_else(|| {
                            "A MixedMeasureMapping of type MULTI needs a TargetMeasureName or a \
                             MeasureName."
                                .to_owned()
                        })?;
                        Ok(Mixed {
                            when: measure_name_column.and(m.measure_name.clone()),
                            name,
                            kind,
                        })
                    })
                    .collect::<Result<Vec<_>, String>>()?,
            ),
            _ => {
                return Err(
                    "TimestreamConfiguration needs exactly one of MultiMeasureMappings \
                            and MixedMeasureMappings."
                        .into(),
                )
            }
        };
        Ok(Self {
            time: (config.time_column.clone(), time),
            dimensions,
            measure_name_column,
            measures,
        })
    }

    /// The records of row `row` of `columns`, each with `version`; `Err` names what makes the
    /// row unusable (the report's data parsing error).
    pub fn records(
        &self,
        columns: &[ArrayRef],
        row: usize,
        version: i64,
    ) -> Result<Vec<Record>, String> {
        let value = |i: usize| columns.get(i).and_then(|c| text(c.as_ref(), row));
        let (time_name, time_column) = &self.time;
        let time = columns
            .get(*time_column)
            .and_then(|c| timestamp_ns(c.as_ref(), row))
            .ok_or_else(|| format!("The value of the TimeColumn '{time_name}' is NULL."))?;
        let dimensions: Vec<Dimension> = self
            .dimensions
            .iter()
            .filter_map(|(name, i)| {
                value(*i).map(|v| Dimension {
                    name: name.clone(),
                    value: v,
                    dimension_value_type: None,
                })
            })
            .collect();
        let measure_name = match self.measure_name_column {
            Some(i) => Some(value(i).ok_or("The value of the MeasureNameColumn is NULL.")?),
            None => None,
        };
        let attribute = |a: &Attribute| -> Option<MeasureValue> {
            let column = columns.get(a.column)?;
            let v = if a.value_type == MeasureValueType::Timestamp {
                // WriteRecords takes TIMESTAMP measures in milliseconds.
                timestamp_ns(column.as_ref(), row)?
                    .div_euclid(1_000_000)
                    .to_string()
            } else {
                text(column.as_ref(), row)?
            };
            Some(MeasureValue {
                name: a.name.clone(),
                value: v,
                r#type: a.value_type,
            })
        };
        let record = |name: String, measures: RecordMeasures| Record {
            dimensions: dimensions.clone(),
            measure_name: Some(name),
            time: Some(time.to_string()),
            time_unit: Some(TimeUnit::Nanoseconds),
            version: Some(version),
            ..measures.into_record()
        };
        let mut records = Vec::new();
        match &self.measures {
            Measures::Multi { name, attributes } => {
                let values: Vec<MeasureValue> = attributes.iter().filter_map(attribute).collect();
                let name = name.clone().or_else(|| measure_name.clone());
                if let (false, Some(name)) = (values.is_empty(), name) {
                    records.push(record(name, RecordMeasures::Multi(values)));
                }
            }
            Measures::Mixed(mappings) => {
                for m in mappings {
                    if m.when.is_some() && m.when != measure_name {
                        continue;
                    }
                    match &m.kind {
                        MixedKind::Single(a) => {
                            if let Some(v) = attribute(a) {
                                records.push(record(m.name.clone(), RecordMeasures::Single(v)));
                            }
                        }
                        MixedKind::Multi(attributes) => {
                            let values: Vec<MeasureValue> =
                                attributes.iter().filter_map(attribute).collect();
                            if !values.is_empty() {
                                records.push(record(m.name.clone(), RecordMeasures::Multi(values)));
                            }
                        }
                    }
                }
            }
        }
        Ok(records)
    }
}

/// The measures of one record.
enum RecordMeasures {
    Single(MeasureValue),
    Multi(Vec<MeasureValue>),
}

impl RecordMeasures {
    fn into_record(self) -> Record {
        match self {
            Self::Single(v) => Record {
                measure_value: Some(v.value),
                measure_value_type: Some(v.r#type),
                ..Record::default()
            },
            Self::Multi(values) => Record {
                measure_value_type: Some(MeasureValueType::Multi),
                measure_values: Some(values),
                ..Record::default()
            },
        }
    }
}

/// Whether a result column of type `t` can be written as a measure of type `v`.
fn writable_as(t: ScalarType, v: MeasureValueType) -> bool {
    use ScalarType as S;
    match v {
        MeasureValueType::Double => matches!(t, S::Double | S::Bigint | S::Integer),
        MeasureValueType::Bigint => matches!(t, S::Bigint | S::Integer),
        MeasureValueType::Varchar => t == S::Varchar,
        MeasureValueType::Boolean => t == S::Boolean,
        MeasureValueType::Timestamp => t == S::Timestamp,
        MeasureValueType::Multi => false,
    }
}

fn scalar_name(t: ScalarType) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| "UNKNOWN".to_owned())
}

/// A value as the result encodes it (`ScalarValue`); None for NULL.
fn text(array: &dyn Array, row: usize) -> Option<String> {
    match encode::datum(array, row) {
        Datum::ScalarValue(s) => Some(s),
        _ => None,
    }
}

fn timestamp_ns(array: &dyn Array, row: usize) -> Option<i64> {
    if array.is_null(row) {
        return None;
    }
    let ns = cast(
        &array.slice(row, 1),
        &DataType::Timestamp(ArrowTimeUnit::Nanosecond, None),
    )
    .ok()?;
    Some(ns.as_primitive::<TimestampNanosecondType>().value(0))
}
