//! Results as AWS encodes them (timestream-sql.md §7): `ColumnInfo` per column and one `Datum`
//! per value, with Timestream's scalar formats — timestamps `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`,
//! doubles as Java prints them, intervals `D HH:MM:SS.nnnnnnnnn` / `Y-M`, NULL of any type as
//! `NullValue`.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Timelike};
use datafusion::arrow::array::{downcast_dictionary_array, Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    ArrowNativeType, DataType, Date32Type, Float32Type, Float64Type, Int16Type, Int32Type,
    Int64Type, Int8Type, IntervalDayTimeType, IntervalMonthDayNanoType, IntervalUnit,
    IntervalYearMonthType, Time64NanosecondType, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use protocol::operations::query::{ColumnInfo, Datum, Row, ScalarType, TimeSeriesDataPoint, Type};

use crate::functions::timeseries;

/// The `Type` of an Arrow type.
pub fn column_type(dt: &DataType) -> Type {
    let scalar = match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => ScalarType::Varchar,
        DataType::Dictionary(_, v) => return column_type(v),
        DataType::Boolean => ScalarType::Boolean,
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::UInt8 | DataType::UInt16 => {
            ScalarType::Integer
        }
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => ScalarType::Bigint,
        DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Decimal128(_, _)
        | DataType::Decimal256(_, _) => ScalarType::Double,
        DataType::Timestamp(_, _) => ScalarType::Timestamp,
        DataType::Date32 | DataType::Date64 => ScalarType::Date,
        DataType::Time32(_) | DataType::Time64(_) => ScalarType::Time,
        DataType::Interval(IntervalUnit::YearMonth) => ScalarType::IntervalYearToMonth,
        DataType::Interval(_) | DataType::Duration(_) => ScalarType::IntervalDayToSecond,
        DataType::List(_) if timeseries::value_type(dt).is_some() => {
            let value = timeseries::value_type(dt).unwrap_or(&DataType::Null);
            return Type::TimeSeriesMeasureValueColumnInfo(Box::new(ColumnInfo {
                name: None,
                r#type: column_type(value),
            }));
        }
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            return Type::ArrayColumnInfo(Box::new(ColumnInfo {
                name: None,
                r#type: column_type(f.data_type()),
            }))
        }
        DataType::Struct(fields) => {
            return Type::RowColumnInfo(
                fields
                    .iter()
                    .map(|f| ColumnInfo {
                        // DataFusion names anonymous row fields c0, c1, …; AWS sends no Name.
                        name: (!is_anonymous_field(f.name())).then(|| f.name().clone()),
                        r#type: column_type(f.data_type()),
                    })
                    .collect(),
            );
        }
        _ => ScalarType::Unknown,
    };
    Type::ScalarType(scalar)
}

fn is_anonymous_field(name: &str) -> bool {
    name.strip_prefix('c')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

pub fn column_info(name: &str, dt: &DataType) -> ColumnInfo {
    ColumnInfo {
        name: Some(name.to_owned()),
        r#type: column_type(dt),
    }
}

/// Encodes row `i` of `columns`.
pub fn row(columns: &[ArrayRef], i: usize) -> Row {
    Row {
        data: columns.iter().map(|c| datum(c.as_ref(), i)).collect(),
    }
}

fn scalar(s: String) -> Datum {
    Datum::ScalarValue(s)
}

pub fn datum(array: &dyn Array, i: usize) -> Datum {
    if array.is_null(i) {
        return Datum::NullValue(true);
    }
    match array.data_type() {
        DataType::Utf8 => scalar(array.as_string::<i32>().value(i).to_owned()),
        DataType::LargeUtf8 => scalar(array.as_string::<i64>().value(i).to_owned()),
        DataType::Utf8View => scalar(array.as_string_view().value(i).to_owned()),
        // The value its key points at (a per-value cast to Utf8 cost more than the rest).
        DataType::Dictionary(_, _) => downcast_dictionary_array!(
            array => datum(array.values().as_ref(), array.keys().value(i).as_usize()),
            _ => Datum::NullValue(true)
        ),
        DataType::Boolean => scalar(array.as_boolean().value(i).to_string()),
        DataType::Int8 => scalar(array.as_primitive::<Int8Type>().value(i).to_string()),
        DataType::Int16 => scalar(array.as_primitive::<Int16Type>().value(i).to_string()),
        DataType::Int32 => scalar(array.as_primitive::<Int32Type>().value(i).to_string()),
        DataType::Int64 => scalar(array.as_primitive::<Int64Type>().value(i).to_string()),
        DataType::UInt8 => scalar(array.as_primitive::<UInt8Type>().value(i).to_string()),
        DataType::UInt16 => scalar(array.as_primitive::<UInt16Type>().value(i).to_string()),
        DataType::UInt32 => scalar(array.as_primitive::<UInt32Type>().value(i).to_string()),
        DataType::UInt64 => scalar(array.as_primitive::<UInt64Type>().value(i).to_string()),
        DataType::Float32 => scalar(format_double(f64::from(
            array.as_primitive::<Float32Type>().value(i),
        ))),
        DataType::Float64 => scalar(format_double(array.as_primitive::<Float64Type>().value(i))),
        DataType::Timestamp(unit, _) => {
            let ns = match unit {
                TimeUnit::Second => array
                    .as_primitive::<TimestampSecondType>()
                    .value(i)
                    .checked_mul(1_000_000_000),
                TimeUnit::Millisecond => array
                    .as_primitive::<TimestampMillisecondType>()
                    .value(i)
                    .checked_mul(1_000_000),
                TimeUnit::Microsecond => array
                    .as_primitive::<TimestampMicrosecondType>()
                    .value(i)
                    .checked_mul(1_000),
                TimeUnit::Nanosecond => {
                    Some(array.as_primitive::<TimestampNanosecondType>().value(i))
                }
            };
            ns.map_or(Datum::NullValue(true), |ns| scalar(format_timestamp(ns)))
        }
        DataType::Date32 => {
            let days = array.as_primitive::<Date32Type>().value(i);
            let date = NaiveDate::from_ymd_opt(1970, 1, 1)
                .and_then(|d| d.checked_add_signed(chrono::TimeDelta::days(i64::from(days))));
            date.map_or(Datum::NullValue(true), |d| {
                scalar(d.format("%Y-%m-%d").to_string())
            })
        }
        DataType::Time64(TimeUnit::Nanosecond) => {
            let ns = array.as_primitive::<Time64NanosecondType>().value(i);
            let t = NaiveTime::from_num_seconds_from_midnight_opt(
                (ns / 1_000_000_000) as u32,
                (ns % 1_000_000_000) as u32,
            );
            t.map_or(Datum::NullValue(true), |t| {
                scalar(t.format("%H:%M:%S%.9f").to_string())
            })
        }
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let v = array.as_primitive::<IntervalMonthDayNanoType>().value(i);
            if v.months != 0 && v.days == 0 && v.nanoseconds == 0 {
                scalar(format!("{}-{}", v.months / 12, v.months % 12))
            } else {
                scalar(format_day_to_second(
                    i64::from(v.days) * 86_400_000_000_000 + v.nanoseconds,
                ))
            }
        }
        DataType::Interval(IntervalUnit::DayTime) => {
            let v = array.as_primitive::<IntervalDayTimeType>().value(i);
            scalar(format_day_to_second(
                i64::from(v.days) * 86_400_000_000_000 + i64::from(v.milliseconds) * 1_000_000,
            ))
        }
        DataType::Interval(IntervalUnit::YearMonth) => {
            let m = array.as_primitive::<IntervalYearMonthType>().value(i);
            scalar(format!("{}-{}", m / 12, m % 12))
        }
        DataType::List(_) if timeseries::value_type(array.data_type()).is_some() => {
            let series = array.as_list::<i32>().value(i);
            let points = series.as_struct();
            let (times, values) = (points.column(0), points.column(1));
            Datum::TimeSeriesValue(
                (0..points.len())
                    .map(|j| TimeSeriesDataPoint {
                        time: match datum(times.as_ref(), j) {
                            Datum::ScalarValue(t) => t,
                            _ => String::new(),
                        },
                        value: datum(values.as_ref(), j),
                    })
                    .collect(),
            )
        }
        DataType::List(_) => {
            let list = array.as_list::<i32>().value(i);
            Datum::ArrayValue((0..list.len()).map(|j| datum(list.as_ref(), j)).collect())
        }
        DataType::Struct(_) => {
            let s = array.as_struct();
            Datum::RowValue(Row {
                data: s.columns().iter().map(|c| datum(c.as_ref(), i)).collect(),
            })
        }
        _ => match cast(&array.slice(i, 1), &DataType::Utf8) {
            Ok(s) => datum(s.as_ref(), 0),
            Err(_) => Datum::NullValue(true),
        },
    }
}

/// `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`, UTC.
pub fn format_timestamp(ns: i64) -> String {
    // Fields written directly: chrono's `format` interprets its pattern on every call.
    let t = DateTime::from_timestamp_nanos(ns);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:09}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond()
    )
}

/// `D HH:MM:SS.nnnnnnnnn`, days unpadded.
fn format_day_to_second(total_ns: i64) -> String {
    let sign = if total_ns < 0 { "-" } else { "" };
    let ns = total_ns.unsigned_abs();
    let (days, rest) = (ns / 86_400_000_000_000, ns % 86_400_000_000_000);
    let (h, rest) = (rest / 3_600_000_000_000, rest % 3_600_000_000_000);
    let (m, rest) = (rest / 60_000_000_000, rest % 60_000_000_000);
    let (s, frac) = (rest / 1_000_000_000, rest % 1_000_000_000);
    format!("{sign}{days} {h:02}:{m:02}:{s:02}.{frac:09}")
}

/// A double as Java's `Double.toString` prints it: shortest round-trip digits, plain with a
/// `.0` in [1e-3, 1e7), else `d.dddE±n`; `NaN`, `Infinity`, `-Infinity`.
pub fn format_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    let abs = d.abs();
    let plain = d == 0.0 || (1e-3..1e7).contains(&abs);
    let shortest = if plain {
        format!("{d}")
    } else {
        format!("{d:e}")
    };
    let (mantissa, exponent) = shortest.split_once('e').unwrap_or((&shortest, "0"));
    let (mantissa, exponent) = match even_tie(abs, mantissa, exponent, plain) {
        Some((digits, exponent)) => {
            let sign = if d < 0.0 { "-" } else { "" };
            (
                format!("{sign}{}", place_point(&digits, exponent, plain)),
                exponent,
            )
        }
        None => (mantissa.to_owned(), exponent.parse().unwrap_or(0)),
    };
    let mantissa = if mantissa.contains('.') {
        mantissa
    } else {
        format!("{mantissa}.0")
    };
    if plain {
        mantissa
    } else {
        format!("{mantissa}E{exponent}")
    }
}

/// `digits` with the decimal point: where `exponent` puts it (plain), or after the first.
fn place_point(digits: &str, exponent: i32, plain: bool) -> String {
    if !plain {
        let (first, rest) = digits.split_at(1);
        return if rest.is_empty() {
            first.to_owned()
        } else {
            format!("{first}.{rest}")
        };
    }
    let point = exponent + 1;
    if point <= 0 {
        return format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize));
    }
    let point = point as usize;
    if digits.len() > point {
        format!("{}.{}", &digits[..point], &digits[point..])
    } else {
        format!("{digits:0<point$}")
    }
}

/// Where Rust's shortest digits (`mantissa`, plain or with `exponent`) are one of two
/// candidates equally near the exact value, the other: Java picks the one whose last digit is
/// even (the `Double.toString` specification since JDK 19), Rust the upper one;
/// 1074720991.12890625 is `1.0747209911289062E9` in Java and Trino. The significant digits
/// and the exponent of the first; `None` when Rust's are Java's (nearly always).
fn even_tie(abs: f64, mantissa: &str, exponent: &str, plain: bool) -> Option<(String, i32)> {
    // The printed candidate is odd, and only 16 digits or more can sit halfway between two
    // (a double carries 15.95 decimal digits).
    if !mantissa
        .bytes()
        .last()
        .is_some_and(|b| b.is_ascii_digit() && (b - b'0') % 2 == 1)
    {
        return None;
    }
    let all: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = all.trim_start_matches('0');
    if !(15..=17).contains(&digits.len()) {
        return None;
    }
    let exponent: i32 = if plain {
        let int = mantissa
            .trim_start_matches('-')
            .split('.')
            .next()
            .unwrap_or("0");
        if int != "0" {
            int.len() as i32 - 1
        } else {
            -((all.len() - digits.len()) as i32)
        }
    } else {
        exponent.parse().ok()?
    };
    let printed: u64 = digits.parse().ok()?;
    // abs = (printed × 10 ∓ 5) × 10^(exponent − n) exactly: a tie with printed ∓ 1.
    let scale = exponent - digits.len() as i32;
    let even = if is_exactly(abs, u128::from(printed) * 10 - 5, scale) {
        printed - 1
    } else if is_exactly(abs, u128::from(printed) * 10 + 5, scale) {
        printed + 1
    } else {
        return None;
    };
    let even = even.to_string();
    if even.len() > digits.len() {
        // 99…9 + 1: one digit, one place up.
        return Some(("1".to_owned(), exponent + 1));
    }
    Some((even.trim_end_matches('0').to_owned(), exponent))
}

/// Whether `abs` is exactly `value` × 10^`k`: `value` × 5^k × 2^k must be a double.
fn is_exactly(abs: f64, value: u128, k: i32) -> bool {
    let below_2_53 = |v: u128| v < (1u128 << 53);
    if k >= 0 {
        match 5u128
            .checked_pow(k.unsigned_abs())
            .and_then(|p| value.checked_mul(p))
        {
            Some(u) if below_2_53(u) => abs == u as f64 * 2f64.powi(k),
            _ => false,
        }
    } else {
        match 5u128.checked_pow(k.unsigned_abs()) {
            Some(p) if value.is_multiple_of(p) && below_2_53(value / p) => {
                abs == (value / p) as f64 / 2f64.powi(-k)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_as_java_does() {
        assert_eq!(format_double(35.5), "35.5");
        assert_eq!(format_double(40.0), "40.0");
        assert_eq!(format_double(1e20), "1.0E20");
        assert_eq!(format_double(1.5e-5), "1.5E-5");
        assert_eq!(format_double(1.6554878837710001e9), "1.6554878837710001E9");
        assert_eq!(format_double(-0.0), "-0.0");
        assert_eq!(format_double(f64::NAN), "NaN");
        assert_eq!(format_double(0.13194831754663383), "0.13194831754663383");
        assert_eq!(format_double(1234567.0), "1234567.0");
        assert_eq!(format_double(0.001), "0.001");
        assert_eq!(format_double(0.00099), "9.9E-4");
        assert_eq!(format_double(-12.25), "-12.25");
        assert_eq!(format_double(1e7), "1.0E7");
    }

    #[test]
    fn ties_between_two_shortest_candidates_go_to_the_even_digit_as_in_java() {
        // 32782.9375² = 1074720991.12890625 exactly: ...062 and ...063 are equally near.
        assert_eq!(format_double(32782.9375f64.powi(2)), "1.0747209911289062E9");
        assert_eq!(
            format_double(-(32782.9375f64.powi(2))),
            "-1.0747209911289062E9"
        );
        // Not ties: the nearer candidate, odd or not.
        assert_eq!(format_double(1074720991.1289065), "1.0747209911289065E9");
        assert_eq!(format_double(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(format_double(0.3), "0.3");
        assert_eq!(format_double(2.5), "2.5");
        assert_eq!(format_double(9007199254740993.0), "9.007199254740992E15");
    }

    #[test]
    fn dictionaries_and_timestamps_of_every_unit() {
        use datafusion::arrow::array::{
            DictionaryArray, StringArray, TimestampMillisecondArray, TimestampSecondArray,
        };
        use datafusion::arrow::datatypes::{Int8Type, UInt32Type};
        let text = |d: Datum| match d {
            Datum::ScalarValue(s) => s,
            other => format!("{other:?}"),
        };
        let hosts: DictionaryArray<UInt32Type> = vec![Some("b"), None, Some("a"), Some("b")]
            .into_iter()
            .collect();
        let seen: Vec<String> = (0..4).map(|i| text(datum(&hosts, i))).collect();
        assert_eq!(seen, ["b", "NullValue(true)", "a", "b"]);
        let small = DictionaryArray::<Int8Type>::try_new(
            vec![1i8, 0].into(),
            std::sync::Arc::new(StringArray::from(vec!["x", "y"])),
        )
        .unwrap();
        assert_eq!(text(datum(&small, 0)), "y");
        let seconds = TimestampSecondArray::from(vec![1_620_282_938, i64::MAX]);
        assert_eq!(text(datum(&seconds, 0)), "2021-05-06 06:35:38.000000000");
        assert_eq!(
            text(datum(&seconds, 1)),
            "NullValue(true)",
            "beyond nanoseconds"
        );
        let millis = TimestampMillisecondArray::from(vec![-1]);
        assert_eq!(text(datum(&millis, 0)), "1969-12-31 23:59:59.999000000");
    }

    #[test]
    fn timestamps_and_intervals() {
        assert_eq!(
            format_timestamp(1_620_282_938_000_000_000),
            "2021-05-06 06:35:38.000000000"
        );
        assert_eq!(
            format_day_to_second(45 * 3_600_000_000_000),
            "1 21:00:00.000000000"
        );
    }
}
