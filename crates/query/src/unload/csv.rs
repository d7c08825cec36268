//! UNLOAD's CSV files: one line per row, values in Timestream's scalar formats (the `Query`
//! answer's), NULL as an empty field, arrays, rows and timeseries as JSON [doc]. A value holding
//! the delimiter or a line break is double-quoted; `"` and the escape character are escaped with
//! `escaped_by` [doc: "escapes `"` and the escape character itself"].

use datafusion::arrow::array::{Array, RecordBatch};
use protocol::operations::query::{Datum, ScalarType, Type};
use serde_json::Value as Json;

use crate::encode;

use super::options::Options;

/// Appends the rows of `batch` (columns typed `types`) to `out`.
pub fn write_rows(out: &mut Vec<u8>, batch: &RecordBatch, types: &[Type], options: &Options) {
    let mut line = String::new();
    for row in 0..batch.num_rows() {
        line.clear();
        for (i, (column, ty)) in batch.columns().iter().zip(types).enumerate() {
            if i > 0 {
                line.push(options.field_delimiter);
            }
            if let Some(text) = text(column.as_ref(), row, ty) {
                push_field(&mut line, &text, options);
            }
        }
        line.push('\n');
        out.extend_from_slice(line.as_bytes());
    }
}

/// The header line: the column names.
pub fn write_header(out: &mut Vec<u8>, names: &[String], options: &Options) {
    let mut line = String::new();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            line.push(options.field_delimiter);
        }
        push_field(&mut line, name, options);
    }
    line.push('\n');
    out.extend_from_slice(line.as_bytes());
}

fn push_field(line: &mut String, text: &str, options: &Options) {
    let quoted = text.contains(options.field_delimiter) || text.contains(['\n', '\r']);
    if quoted {
        line.push('"');
    }
    for c in text.chars() {
        if c == '"' || c == options.escaped_by {
            line.push(options.escaped_by);
        }
        line.push(c);
    }
    if quoted {
        line.push('"');
    }
}

/// Value `row` of `array` as CSV text; `None` for NULL.
pub fn text(array: &dyn Array, row: usize, ty: &Type) -> Option<String> {
    match encode::datum(array, row) {
        Datum::NullValue(_) => None,
        Datum::ScalarValue(s) => Some(s),
        nested => Some(json(&nested, ty).to_string()),
    }
}

/// A nested value as JSON: numbers and booleans as themselves, other scalars as their text,
/// rows as objects by field name.
fn json(datum: &Datum, ty: &Type) -> Json {
    match (datum, ty) {
        (Datum::NullValue(_), _) => Json::Null,
        (Datum::ScalarValue(s), Type::ScalarType(scalar)) => match scalar {
            ScalarType::Bigint | ScalarType::Integer | ScalarType::Double => s
                .parse::<serde_json::Number>()
                .map_or_else(|_| Json::String(s.clone()), Json::Number),
            ScalarType::Boolean => Json::Bool(s == "true"),
            _ => Json::String(s.clone()),
        },
        (Datum::ScalarValue(s), _) => Json::String(s.clone()),
        (Datum::ArrayValue(values), Type::ArrayColumnInfo(element)) => Json::Array(
            values.iter().map(|v| json(v, &element.r#type)).collect(),
        ),
        (Datum::RowValue(row), Type::RowColumnInfo(fields)) => Json::Object(
            row.data
                .iter()
                .zip(fields)
                .enumerate()
                .map(|(i, (v, field))| {
                    let name = field
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("field{}", i + 1));
                    (name, json(v, &field.r#type))
                })
                .collect(),
        ),
        (Datum::TimeSeriesValue(points), Type::TimeSeriesMeasureValueColumnInfo(value)) => {
            Json::Array(
                points
                    .iter()
                    .map(|p| {
                        serde_json::json!({"time": p.time, "value": json(&p.value, &value.r#type)})
                    })
                    .collect(),
            )
        }
        // A value whose type does not describe it: its text as the Query answer has it.
        (other, _) => serde_json::to_value(other).unwrap_or(Json::Null),
    }
}
