//! A scheduled query's `TimestreamConfiguration` bound to its result columns, and the records it
//! makes of each result row (wire-protocol.md §5.6; developer guide, "Scheduled query target
//! configuration"):
//!
//! - `TimeColumn`: a TIMESTAMP column, the record's time (nanoseconds).
//! - `DimensionMappings`: VARCHAR columns, one dimension each; a NULL leaves the dimension out.
//! - the measures: [`protocol::measure_mappings`], the rules batch load shares.
//!
//! A row whose measures are all NULL gives no record. Binding fails with the ValidationException
//! text CreateScheduledQuery answers (our wording: AWS's is unpublished).

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, TimeUnit as ArrowTimeUnit, TimestampNanosecondType};
use protocol::measure_mappings::{Attribute, AttributeSpec, MeasureSpec, Measures, MixedSpec};
use protocol::operations::query::{Datum, ScalarType, Type};
use protocol::shapes::{
    Dimension, MeasureValueType, MultiMeasureAttributeMapping, Record, TimeUnit,
    TimestreamConfiguration,
};

use crate::encode;

/// A `TimestreamConfiguration` whose columns are indexes into the result.
#[derive(Debug, Clone)]
pub struct Target {
    time: (String, usize),
    dimensions: Vec<(String, usize)>,
    measure_name_column: Option<usize>,
    measures: Measures<usize>,
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
        let spec = match (
            &config.multi_measure_mappings,
            &config.mixed_measure_mappings,
        ) {
            (Some(multi), None) => Some(MeasureSpec::Multi {
                target_name: multi.target_multi_measure_name.as_deref(),
                attributes: attribute_specs(&multi.multi_measure_attribute_mappings),
            }),
            (None, Some(mixed)) => Some(MeasureSpec::Mixed(
                mixed
                    .iter()
                    .map(|m| MixedSpec {
                        measure_name: m.measure_name.as_deref(),
                        source_column: m.source_column.as_deref(),
                        target_measure_name: m.target_measure_name.as_deref(),
                        value_type: m.measure_value_type,
                        attributes: m
                            .multi_measure_attribute_mappings
                            .as_deref()
                            .map(attribute_specs),
                    })
                    .collect(),
            )),
            _ => None,
        };
        let measures = Measures::new(
            "TimestreamConfiguration",
            spec,
            measure_name_column.is_some(),
            |source, value_type| {
                let (i, t) = column("source column", source)?;
                if writable_as(t, value_type) {
                    Ok(i)
                } else {
                    Err(format!(
                        "The source column '{source}' of type {} cannot be written as a {} measure.",
                        scalar_name(t),
                        value_type.as_str()
                    ))
                }
            },
        )?;
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
        let value = |a: &Attribute<usize>| -> Result<Option<String>, String> {
            let Some(column) = columns.get(a.column) else {
                return Ok(None);
            };
            Ok(if a.value_type == MeasureValueType::Timestamp {
                // WriteRecords takes TIMESTAMP measures in milliseconds.
                timestamp_ns(column.as_ref(), row).map(|ns| ns.div_euclid(1_000_000).to_string())
            } else {
                text(column.as_ref(), row)
            })
        };
        Ok(self
            .measures
            .records(measure_name.as_deref(), value)?
            .into_iter()
            .map(|(name, measures)| Record {
                dimensions: dimensions.clone(),
                measure_name: Some(name),
                time: Some(time.to_string()),
                time_unit: Some(TimeUnit::Nanoseconds),
                version: Some(version),
                ..measures.into_record()
            })
            .collect())
    }
}

fn attribute_specs(mappings: &[MultiMeasureAttributeMapping]) -> Vec<AttributeSpec<'_>> {
    mappings
        .iter()
        .map(|m| AttributeSpec {
            source_column: &m.source_column,
            target_name: m.target_multi_measure_attribute_name.as_deref(),
            value_type: Some(m.measure_value_type),
        })
        .collect()
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
