//! The measure mappings that turn one row into Timestream records, as a scheduled query's target
//! (`TimestreamConfiguration`) and a batch load task's `DataModel` both state them (developer
//! guide, "Scheduled query target configuration" and "Data model mappings for batch load"):
//!
//! - `MultiMeasureMappings`: one multi-measure record per row, named `TargetMultiMeasureName` or
//!   by the row's `MeasureNameColumn`; one attribute per mapping (named
//!   `TargetMultiMeasureAttributeName`, else the source column), NULLs left out.
//! - `MixedMeasureMappings`: per row, every mapping whose `MeasureName` equals the row's
//!   `MeasureNameColumn` value (every mapping when there is no such column) gives a record: a
//!   single measure read from `SourceColumn`, or a multi-measure record of its attributes, named
//!   `TargetMeasureName`, else `MeasureName`, else the source column.
//!
//! A mapping whose values are all NULL gives no record. [`Measures`] is generic over how a
//! column is known: by name until bound to a file's header, by index once bound. The time and
//! the dimensions are read by each caller, as the two shapes say them differently; the texts of
//! refused mappings are ours (AWS's are unpublished).

use std::collections::HashSet;

use crate::shapes::{MeasureValue, MeasureValueType, Record};

/// The measures a row gives, with columns of type `C`.
#[derive(Debug, Clone)]
pub enum Measures<C> {
    /// One multi-measure record per row; `name` None: the measure name column names it.
    Multi {
        name: Option<String>,
        attributes: Vec<Attribute<C>>,
    },
    Mixed(Vec<Mixed<C>>),
}

/// A measure (or multi-measure attribute) read from a column.
#[derive(Debug, Clone)]
pub struct Attribute<C> {
    pub name: String,
    pub column: C,
    pub value_type: MeasureValueType,
}

#[derive(Debug, Clone)]
pub struct Mixed<C> {
    /// Applies to rows whose measure name column holds this value (all rows without one).
    pub when: Option<String>,
    pub name: String,
    pub kind: MixedKind<C>,
}

#[derive(Debug, Clone)]
pub enum MixedKind<C> {
    Single(Attribute<C>),
    Multi(Vec<Attribute<C>>),
}

/// One `MultiMeasureAttributeMapping`, whichever shape stated it.
pub struct AttributeSpec<'a> {
    pub source_column: &'a str,
    pub target_name: Option<&'a str>,
    /// Absent: DOUBLE, WriteRecords' default.
    pub value_type: Option<MeasureValueType>,
}

/// One `MixedMeasureMapping`, whichever shape stated it.
pub struct MixedSpec<'a> {
    pub measure_name: Option<&'a str>,
    pub source_column: Option<&'a str>,
    pub target_measure_name: Option<&'a str>,
    pub value_type: MeasureValueType,
    pub attributes: Option<Vec<AttributeSpec<'a>>>,
}

/// The measure mappings of a configuration: exactly one kind was given, or `None`.
pub enum MeasureSpec<'a> {
    Multi {
        target_name: Option<&'a str>,
        attributes: Vec<AttributeSpec<'a>>,
    },
    Mixed(Vec<MixedSpec<'a>>),
}

/// The measures of one record.
pub enum RecordMeasures {
    Single(MeasureValue),
    Multi(Vec<MeasureValue>),
}

impl RecordMeasures {
    /// A record holding these measures (its other members left to the caller).
    pub fn into_record(self) -> Record {
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

impl<C> Measures<C> {
    /// Checks the mappings of `configuration` (`"TimestreamConfiguration"`, `"A DataModel"`:
    /// the texts name it); `column` finds a source column, with the type its values are written
    /// as; `Err` is the ValidationException text.
    pub fn new(
        configuration: &str,
        spec: Option<MeasureSpec<'_>>,
        has_measure_name_column: bool,
        mut column: impl FnMut(&str, MeasureValueType) -> Result<C, String>,
    ) -> Result<Self, String> {
        match spec {
            Some(MeasureSpec::Multi {
                target_name,
                attributes: specs,
            }) => {
                if target_name.is_none() && !has_measure_name_column {
                    return Err("MultiMeasureMappings needs a TargetMultiMeasureName when no \
                                MeasureNameColumn is given."
                        .into());
                }
                Ok(Self::Multi {
                    name: target_name
                        .filter(|_| !has_measure_name_column)
                        .map(str::to_owned),
                    attributes: attributes(&specs, &mut column)?,
                })
            }
            Some(MeasureSpec::Mixed(mappings)) => mappings
                .iter()
                .map(|m| {
                    if has_measure_name_column && m.measure_name.is_none() {
                        return Err("Each MixedMeasureMapping needs a MeasureName when a \
                                    MeasureNameColumn is given."
                            .to_owned());
                    }
                    let name = m
                        .target_measure_name
                        .or(m.measure_name)
                        .or(m.source_column)
                        .map(str::to_owned);
                    let kind = if m.value_type == MeasureValueType::Multi {
                        match m.attributes.as_deref() {
                            Some(specs) if !specs.is_empty() => {
                                MixedKind::Multi(attributes(specs, &mut column)?)
                            }
                            _ => {
                                return Err("A MixedMeasureMapping of type MULTI needs \
                                            MultiMeasureAttributeMappings."
                                    .into())
                            }
                        }
                    } else {
                        let source = m.source_column.ok_or_else(|| {
                            format!(
                                "A MixedMeasureMapping of type {} needs a SourceColumn.",
                                m.value_type.as_str()
                            )
                        })?;
                        MixedKind::Single(Attribute {
                            name: name.clone().unwrap_or_else(|| source.to_owned()),
                            column: column(source, m.value_type)?,
                            value_type: m.value_type,
                        })
                    };
                    let name = name.ok_or_else(|| {
                        "A MixedMeasureMapping of type MULTI needs a TargetMeasureName or a \
                         MeasureName."
                            .to_owned()
                    })?;
                    Ok(Mixed {
                        when: m
                            .measure_name
                            .filter(|_| has_measure_name_column)
                            .map(str::to_owned),
                        name,
                        kind,
                    })
                })
                .collect::<Result<Vec<_>, String>>()
                .map(Self::Mixed),
            None => Err(format!(
                "{configuration} needs exactly one of MultiMeasureMappings and MixedMeasureMappings."
            )),
        }
    }

    /// The same mappings with every column mapped by `f` (a name bound to its index).
    pub fn try_map<D, E>(&self, mut f: impl FnMut(&C) -> Result<D, E>) -> Result<Measures<D>, E> {
        let mut attribute = |a: &Attribute<C>| -> Result<Attribute<D>, E> {
            Ok(Attribute {
                name: a.name.clone(),
                column: f(&a.column)?,
                value_type: a.value_type,
            })
        };
        Ok(match self {
            Self::Multi { name, attributes } => Measures::Multi {
                name: name.clone(),
                attributes: attributes
                    .iter()
                    .map(&mut attribute)
                    .collect::<Result<_, E>>()?,
            },
            Self::Mixed(mixed) => Measures::Mixed(
                mixed
                    .iter()
                    .map(|m| {
                        Ok(Mixed {
                            when: m.when.clone(),
                            name: m.name.clone(),
                            kind: match &m.kind {
                                MixedKind::Single(a) => MixedKind::Single(attribute(a)?),
                                MixedKind::Multi(attrs) => MixedKind::Multi(
                                    attrs.iter().map(&mut attribute).collect::<Result<_, E>>()?,
                                ),
                            },
                        })
                    })
                    .collect::<Result<_, E>>()?,
            ),
        })
    }

    /// The measures of one row, each record's name with its measures, in mapping order.
    /// `measure_name` is the row's measure name column value; `value` reads an attribute's
    /// value as WriteRecords takes it (`None` for NULL, `Err` for a value the row cannot give).
    pub fn records(
        &self,
        measure_name: Option<&str>,
        value: impl Fn(&Attribute<C>) -> Result<Option<String>, String>,
    ) -> Result<Vec<(String, RecordMeasures)>, String> {
        let measure = |a: &Attribute<C>| -> Result<Option<MeasureValue>, String> {
            Ok(value(a)?.map(|v| MeasureValue {
                name: a.name.clone(),
                value: v,
                r#type: a.value_type,
            }))
        };
        let multi = |attributes: &[Attribute<C>]| -> Result<Vec<MeasureValue>, String> {
            let mut values = Vec::with_capacity(attributes.len());
            for a in attributes {
                values.extend(measure(a)?);
            }
            Ok(values)
        };
        let mut records = Vec::new();
        match self {
            Self::Multi { name, attributes } => {
                let values = multi(attributes)?;
                let name = name.as_deref().or(measure_name);
                if let (false, Some(name)) = (values.is_empty(), name) {
                    records.push((name.to_owned(), RecordMeasures::Multi(values)));
                }
            }
            Self::Mixed(mappings) => {
                for m in mappings {
                    if m.when.is_some() && m.when.as_deref() != measure_name {
                        continue;
                    }
                    match &m.kind {
                        MixedKind::Single(a) => {
                            if let Some(v) = measure(a)? {
                                records.push((m.name.clone(), RecordMeasures::Single(v)));
                            }
                        }
                        MixedKind::Multi(attributes) => {
                            let values = multi(attributes)?;
                            if !values.is_empty() {
                                records.push((m.name.clone(), RecordMeasures::Multi(values)));
                            }
                        }
                    }
                }
            }
        }
        Ok(records)
    }
}

/// The attributes of `specs`, each column found by `column`.
fn attributes<C>(
    specs: &[AttributeSpec<'_>],
    column: &mut impl FnMut(&str, MeasureValueType) -> Result<C, String>,
) -> Result<Vec<Attribute<C>>, String> {
    let mut names = HashSet::new();
    specs
        .iter()
        .map(|a| {
            let name = a.target_name.unwrap_or(a.source_column).to_owned();
            if !names.insert(name.clone()) {
                return Err(format!(
                    "The multi-measure attribute {name} is mapped more than once."
                ));
            }
            let value_type = a.value_type.unwrap_or(MeasureValueType::Double);
            if value_type == MeasureValueType::Multi {
                return Err(format!(
                    "The multi-measure attribute {name} cannot be of type MULTI."
                ));
            }
            Ok(Attribute {
                column: column(a.source_column, value_type)?,
                name,
                value_type,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn attr(source: &str, value_type: Option<MeasureValueType>) -> AttributeSpec<'_> {
        AttributeSpec {
            source_column: source,
            target_name: None,
            value_type,
        }
    }

    fn by_name(source: &str, _: MeasureValueType) -> Result<String, String> {
        Ok(source.to_owned())
    }

    #[test]
    fn multi_measure_records_leave_nulls_out_and_take_the_row_name() {
        let spec = MeasureSpec::Multi {
            target_name: Some("ignored"),
            attributes: vec![attr("cpu", None), attr("n", Some(MeasureValueType::Bigint))],
        };
        let m = Measures::new("X", Some(spec), true, by_name).unwrap();
        let value = |a: &Attribute<String>| Ok((a.column == "cpu").then(|| "1.5".to_owned()));
        let records = m.records(Some("row-name"), value).unwrap();
        let [(name, RecordMeasures::Multi(values))] = &records[..] else {
            panic!("one multi-measure record");
        };
        assert_eq!(name, "row-name", "the measure name column wins");
        assert_eq!(values.len(), 1);
        assert_eq!(
            values[0].r#type,
            MeasureValueType::Double,
            "DOUBLE by default"
        );
        assert!(
            m.records(None, |_| Ok(None)).unwrap().is_empty(),
            "all NULL: no record"
        );
    }

    #[test]
    fn refused_mappings() {
        let twice = MeasureSpec::Multi {
            target_name: Some("m"),
            attributes: vec![attr("a", None), attr("a", None)],
        };
        let e = Measures::new("X", Some(twice), false, by_name).unwrap_err();
        assert_eq!(e, "The multi-measure attribute a is mapped more than once.");
        let multi = MeasureSpec::Multi {
            target_name: Some("m"),
            attributes: vec![attr("a", Some(MeasureValueType::Multi))],
        };
        let e = Measures::new("X", Some(multi), false, by_name).unwrap_err();
        assert_eq!(e, "The multi-measure attribute a cannot be of type MULTI.");
        let unnamed = MeasureSpec::Multi {
            target_name: None,
            attributes: vec![attr("a", None)],
        };
        assert!(Measures::new("X", Some(unnamed), false, by_name)
            .unwrap_err()
            .contains("needs a TargetMultiMeasureName"));
        let e = Measures::<String>::new("A DataModel", None, false, by_name).unwrap_err();
        assert_eq!(
            e,
            "A DataModel needs exactly one of MultiMeasureMappings and MixedMeasureMappings."
        );
        let refused = MeasureSpec::Multi {
            target_name: Some("m"),
            attributes: vec![attr("a", None)],
        };
        let e = Measures::<String>::new("X", Some(refused), false, |s, _| Err(format!("no {s}")))
            .unwrap_err();
        assert_eq!(e, "no a", "the caller's column check is the error");
    }
}
