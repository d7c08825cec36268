//! Timestream's (Trino's) spelling of the SQL type of an Arrow type, as `typeof` prints it and as
//! the "Unexpected parameters" errors of the function library name argument types.

use datafusion::arrow::datatypes::{DataType, IntervalUnit};

/// `integer`, `bigint`, `double`, `varchar`, `array(bigint)`, `row(a bigint, double)`, …
pub fn sql_type_name(dt: &DataType) -> String {
    match dt {
        DataType::Null => "unknown".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int8 => "tinyint".into(),
        DataType::Int16 => "smallint".into(),
        DataType::Int32 | DataType::UInt8 | DataType::UInt16 => "integer".into(),
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => "bigint".into(),
        DataType::Float16 | DataType::Float32 => "real".into(),
        DataType::Float64 => "double".into(),
        DataType::Decimal128(p, s) | DataType::Decimal256(p, s) => format!("decimal({p},{s})"),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "varchar".into(),
        DataType::Dictionary(_, v) => sql_type_name(v),
        DataType::Timestamp(_, _) => "timestamp".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Time32(_) | DataType::Time64(_) => "time".into(),
        DataType::Interval(IntervalUnit::YearMonth) => "interval year to month".into(),
        DataType::Interval(_) | DataType::Duration(_) => "interval day to second".into(),
        DataType::List(_) if crate::functions::timeseries::value_type(dt).is_some() => {
            let value = crate::functions::timeseries::value_type(dt)
                .map_or_else(String::new, sql_type_name);
            format!("timeseries({value})")
        }
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            format!("array({})", sql_type_name(f.data_type()))
        }
        DataType::Struct(fields) => {
            let fields = fields
                .iter()
                .map(|f| {
                    let anonymous = f
                        .name()
                        .strip_prefix('c')
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
                    if anonymous {
                        sql_type_name(f.data_type())
                    } else {
                        format!("{} {}", f.name(), sql_type_name(f.data_type()))
                    }
                })
                .collect::<Vec<_>>();
            format!("row({})", fields.join(", "))
        }
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => "varbinary".into(),
        other => other.to_string().to_lowercase(),
    }
}
