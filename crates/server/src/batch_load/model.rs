//! A batch load task's `DataModel` checked ([`Plan::new`]), bound to the header of one CSV file
//! ([`Plan::bind`]), and the records it makes of each row ([`Bound::records`]); developer guide,
//! "Data model mappings for batch load":
//!
//! - `TimeColumn` (default `time`): an integer in `TimeUnit` (default MILLISECONDS).
//! - `DimensionMappings`: `SourceColumn` → dimension `DestinationColumn` (default: the source
//!   column's name); a NULL leaves the dimension out.
//! - the measures: [`protocol::measure_mappings`], the rules a scheduled query's target shares.
//!
//! A value that is not of its declared type, or a missing or non-integer time, is a parse failure of the row;
//! what WriteRecords refuses afterwards is an ingestion failure.

use std::collections::HashSet;

use protocol::measure_mappings::{Attribute, AttributeSpec, MeasureSpec, Measures, MixedSpec};
use protocol::shapes::batch_load::{DataModel, MultiMeasureAttributeMapping};
use protocol::shapes::{Dimension, MeasureValueType, Record, TimeUnit};

/// The time column when the data model names none.
const DEFAULT_TIME_COLUMN: &str = "time";

/// A checked data model, by column name.
#[derive(Debug, Clone)]
pub struct Plan {
    time_column: String,
    time_unit: TimeUnit,
    dimensions: Vec<(String, String)>,
    measure_name_column: Option<String>,
    measures: Measures<String>,
}

impl Plan {
    /// Checks a data model; `Err` is the ValidationException text (our wording: AWS's is
    /// unpublished).
    pub fn new(model: &DataModel) -> Result<Self, String> {
        let mut destinations = HashSet::new();
        let dimensions = model
            .dimension_mappings
            .iter()
            .map(|d| {
                let source = d
                    .source_column
                    .clone()
                    .ok_or("Each DimensionMapping needs a SourceColumn.")?;
                let destination = d.destination_column.clone().unwrap_or(source.clone());
                if !destinations.insert(destination.clone()) {
                    return Err(format!(
                        "The dimension {destination} is mapped more than once in DimensionMappings."
                    ));
                }
                Ok((source, destination))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let measure_name_column = model.measure_name_column.clone();
        let spec = match (&model.multi_measure_mappings, &model.mixed_measure_mappings) {
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
            "A DataModel",
            spec,
            measure_name_column.is_some(),
            |source, _| Ok(source.to_owned()),
        )?;
        Ok(Self {
            time_column: model
                .time_column
                .clone()
                .unwrap_or_else(|| DEFAULT_TIME_COLUMN.to_owned()),
            time_unit: model.time_unit.unwrap_or(TimeUnit::Milliseconds),
            dimensions,
            measure_name_column,
            measures,
        })
    }

    /// The plan on the columns of a file; `Err` names a column the header lacks (a file
    /// failure).
    pub fn bind(&self, header: &[String]) -> Result<Bound, String> {
        let column = |name: &str| {
            header.iter().position(|h| h == name).ok_or_else(|| {
                format!("The column {name} of the data model is not in the header of the file.")
            })
        };
        let measures = self.measures.try_map(|c| column(c))?;
        Ok(Bound {
            time: (self.time_column.clone(), column(&self.time_column)?),
            time_unit: self.time_unit,
            dimensions: self
                .dimensions
                .iter()
                .map(|(source, destination)| Ok((destination.clone(), column(source)?)))
                .collect::<Result<_, String>>()?,
            measure_name_column: self
                .measure_name_column
                .as_deref()
                .map(column)
                .transpose()?,
            measures,
        })
    }
}

fn attribute_specs(mappings: &[MultiMeasureAttributeMapping]) -> Vec<AttributeSpec<'_>> {
    mappings
        .iter()
        .map(|m| AttributeSpec {
            source_column: &m.source_column,
            target_name: m.target_multi_measure_attribute_name.as_deref(),
            value_type: m.measure_value_type,
        })
        .collect()
}

/// A plan bound to the columns of one file.
#[derive(Debug, Clone)]
pub struct Bound {
    time: (String, usize),
    time_unit: TimeUnit,
    dimensions: Vec<(String, usize)>,
    measure_name_column: Option<usize>,
    measures: Measures<usize>,
}

impl Bound {
    /// Appends the records of one row (its fields, NULL as None) to `out`, each with
    /// `version`; returns how many. `Err` is the row's parse failure; nothing is appended then.
    pub fn records(
        &self,
        fields: &[Option<&str>],
        version: Option<i64>,
        out: &mut Vec<Record>,
    ) -> Result<usize, String> {
        let value = |i: usize| fields.get(i).copied().flatten();
        let (time_name, time_column) = &self.time;
        let time = value(*time_column)
            .ok_or_else(|| format!("The value of the TimeColumn {time_name} is NULL."))?;
        if time
            .parse::<i64>()
            .ok()
            .and_then(|t| t.checked_mul(self.time_unit.nanos()))
            .is_none()
        {
            return Err(format!(
                "The value {time} of the TimeColumn {time_name} is not a valid time in {}.",
                time_unit_name(self.time_unit)
            ));
        }
        let dimensions: Vec<Dimension> = self
            .dimensions
            .iter()
            .filter_map(|(name, i)| {
                value(*i).map(|v| Dimension {
                    name: name.clone(),
                    value: v.to_owned(),
                    dimension_value_type: None,
                })
            })
            .collect();
        let measure_name = match self.measure_name_column {
            Some(i) => Some(value(i).ok_or("The value of the MeasureNameColumn is NULL.")?),
            None => None,
        };
        let value = |a: &Attribute<usize>| -> Result<Option<String>, String> {
            let Some(v) = value(a.column) else {
                return Ok(None);
            };
            check_value(a.value_type, v)?;
            Ok(Some(v.to_owned()))
        };
        let made = self.measures.records(measure_name, value)?;
        let count = made.len();
        out.extend(made.into_iter().map(|(name, measures)| Record {
            dimensions: dimensions.clone(),
            measure_name: Some(name),
            time: Some(time.to_owned()),
            time_unit: Some(self.time_unit),
            version,
            ..measures.into_record()
        }));
        Ok(count)
    }
}

fn time_unit_name(unit: TimeUnit) -> &'static str {
    match unit {
        TimeUnit::Milliseconds => "MILLISECONDS",
        TimeUnit::Seconds => "SECONDS",
        TimeUnit::Microseconds => "MICROSECONDS",
        TimeUnit::Nanoseconds => "NANOSECONDS",
    }
}

/// Whether `text` reads as a value of `value_type`, as WriteRecords parses it.
fn check_value(value_type: MeasureValueType, text: &str) -> Result<(), String> {
    let ok = match value_type {
        MeasureValueType::Double => text.trim().parse::<f64>().is_ok_and(f64::is_finite),
        MeasureValueType::Bigint | MeasureValueType::Timestamp => {
            text.trim().parse::<i64>().is_ok()
        }
        MeasureValueType::Boolean => {
            matches!(text.trim().to_ascii_lowercase().as_str(), "true" | "false")
        }
        MeasureValueType::Varchar => true,
        MeasureValueType::Multi => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "The value {text} is not a valid {}.",
            value_type.as_str()
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use protocol::shapes::batch_load::{
        DimensionMapping, MixedMeasureMapping, MultiMeasureMappings,
    };

    fn attr(source: &str, t: MeasureValueType) -> MultiMeasureAttributeMapping {
        MultiMeasureAttributeMapping {
            source_column: source.into(),
            target_multi_measure_attribute_name: None,
            measure_value_type: Some(t),
        }
    }

    fn model() -> DataModel {
        DataModel {
            time_column: Some("ts".into()),
            time_unit: Some(TimeUnit::Seconds),
            dimension_mappings: vec![DimensionMapping {
                source_column: Some("host".into()),
                destination_column: Some("hostname".into()),
            }],
            multi_measure_mappings: Some(MultiMeasureMappings {
                target_multi_measure_name: Some("m".into()),
                multi_measure_attribute_mappings: vec![
                    attr("cpu", MeasureValueType::Double),
                    attr("n", MeasureValueType::Bigint),
                ],
            }),
            mixed_measure_mappings: None,
            measure_name_column: None,
        }
    }

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn multi_measure_rows_become_one_record_each() {
        let bound = Plan::new(&model())
            .unwrap()
            .bind(&header(&["n", "ts", "cpu", "host"]))
            .unwrap();
        let mut out = Vec::new();
        let n = bound
            .records(
                &[Some("3"), Some("100"), Some("1.5"), Some("a")],
                Some(2),
                &mut out,
            )
            .unwrap();
        assert_eq!(n, 1);
        let r = &out[0];
        assert_eq!(r.measure_name.as_deref(), Some("m"));
        assert_eq!(r.time.as_deref(), Some("100"));
        assert_eq!(r.time_unit, Some(TimeUnit::Seconds));
        assert_eq!(r.version, Some(2));
        assert_eq!(r.dimensions[0].name, "hostname");
        assert_eq!(r.measure_values.as_ref().unwrap().len(), 2);
        // A NULL attribute is left out; a bad value or time is a parse failure.
        out.clear();
        bound
            .records(&[None, Some("100"), Some("1.5"), None], None, &mut out)
            .unwrap();
        assert_eq!(out[0].measure_values.as_ref().unwrap().len(), 1);
        assert!(out[0].dimensions.is_empty());
        let e = bound
            .records(&[Some("x"), Some("100"), Some("1.5"), None], None, &mut out)
            .unwrap_err();
        assert_eq!(e, "The value x is not a valid BIGINT.");
        let e = bound
            .records(&[None, Some("soon"), Some("1.5"), None], None, &mut out)
            .unwrap_err();
        assert!(e.contains("not a valid time in SECONDS"), "{e}");
        assert_eq!(out.len(), 1, "nothing appended for a failed row");
        let e = Plan::new(&model())
            .unwrap()
            .bind(&header(&["ts", "cpu", "host"]))
            .unwrap_err();
        assert!(e.contains("The column n "), "{e}");
    }

    #[test]
    fn mixed_mappings_follow_the_measure_name_column() {
        let mut m = model();
        m.multi_measure_mappings = None;
        m.measure_name_column = Some("kind".into());
        m.mixed_measure_mappings = Some(vec![
            MixedMeasureMapping {
                measure_name: Some("cpu".into()),
                source_column: Some("cpu".into()),
                target_measure_name: None,
                measure_value_type: MeasureValueType::Double,
                multi_measure_attribute_mappings: None,
            },
            MixedMeasureMapping {
                measure_name: Some("both".into()),
                source_column: None,
                target_measure_name: Some("pair".into()),
                measure_value_type: MeasureValueType::Multi,
                multi_measure_attribute_mappings: Some(vec![
                    attr("cpu", MeasureValueType::Double),
                    attr("n", MeasureValueType::Bigint),
                ]),
            },
        ]);
        let bound = Plan::new(&m)
            .unwrap()
            .bind(&header(&["ts", "host", "kind", "cpu", "n"]))
            .unwrap();
        let mut out = Vec::new();
        let row = |kind| [Some("1"), Some("h"), Some(kind), Some("2.5"), Some("7")];
        assert_eq!(bound.records(&row("cpu"), None, &mut out).unwrap(), 1);
        assert_eq!(out[0].measure_value.as_deref(), Some("2.5"));
        assert_eq!(out[0].measure_value_type, Some(MeasureValueType::Double));
        assert_eq!(bound.records(&row("both"), None, &mut out).unwrap(), 1);
        assert_eq!(out[1].measure_name.as_deref(), Some("pair"));
        assert_eq!(bound.records(&row("other"), None, &mut out).unwrap(), 0);

        let mut bad = m.clone();
        bad.mixed_measure_mappings.as_mut().unwrap()[0].measure_name = None;
        assert!(Plan::new(&bad).unwrap_err().contains("needs a MeasureName"));
        let mut neither = m;
        neither.mixed_measure_mappings = None;
        assert!(Plan::new(&neither).unwrap_err().contains("exactly one"));
    }
}
