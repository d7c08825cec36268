//! Casts whose Trino semantics differ from Arrow's, as calls of one function.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::array::{BooleanArray, Float64Array, Int64Array, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::datatypes::{Float64Type, TimeUnit, TimestampNanosecondType};
use datafusion::common::exec_err;
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::{
    Cast, ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

use super::type_classes::{is_float, is_integer, is_text};

/// A CAST whose Trino semantics differ from Arrow's (docs/functions/conversion.md), as a call of
/// [`TimestreamCast`] (`Ok`), or the operand back when Arrow's cast is Trino's (`Err`):
/// - double → integer rounds half away from zero (Arrow truncates);
/// - double → varchar is Java's `Double.toString` (`1.0E7`);
/// - timestamp → varchar is `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`;
/// - integer → timestamp is not a cast Trino has (Arrow reads seconds): an error;
/// - varchar → integer/bigint takes only the digits (Arrow trims spaces): `' 12 '` is an error,
///   worded as Trino's (`Cannot cast 'abc' to BIGINT`);
/// - varchar → boolean takes `true`, `false`, `t`, `f`, `1`, `0` in any case and nothing else
///   (Arrow also takes `yes`, `on`, …): `Cannot cast 'yes' to BOOLEAN` (Trino's
///   `VarcharOperators.castToBoolean`).
pub(super) fn timestream_cast(
    expr: Expr,
    from: &DataType,
    to: &DataType,
    cast: &Arc<ScalarUDF>,
) -> Result<std::result::Result<Expr, Expr>> {
    let timestamp = matches!(from, DataType::Timestamp(TimeUnit::Nanosecond, None));
    if is_integer(from) && matches!(to, DataType::Timestamp(_, _)) {
        return plan_err!(
            "Cannot cast {} to timestamp",
            if *from == DataType::Int32 {
                "integer"
            } else {
                "bigint"
            }
        );
    }
    let text = is_text(from) || matches!(from, DataType::Dictionary(_, v) if is_text(v));
    // Text parsed by Trino's rules: the call is the cast.
    let integer_of_text =
        text && matches!(to, DataType::Int64 | DataType::Int32 | DataType::Boolean);
    if !(is_float(from) && (is_integer(to) || is_text(to))
        || timestamp && is_text(to)
        || integer_of_text)
    {
        return Ok(Err(expr));
    }
    let target = if integer_of_text {
        ScalarValue::try_from(to)?
    } else if is_integer(to) {
        ScalarValue::Float64(None)
    } else {
        ScalarValue::Utf8(None)
    };
    let to = if integer_of_text { &DataType::Utf8 } else { to };
    let call = Expr::ScalarFunction(ScalarFunction::new_udf(
        cast.clone(),
        vec![expr, Expr::Literal(target, None)],
    ));
    Ok(Ok(if matches!(to, DataType::Utf8) {
        call
    } else {
        Expr::Cast(Cast::new(Box::new(call), to.clone()))
    }))
}

/// `__timestream_cast(x, NULL::double)`: a double rounded half away from zero (still a double;
/// Arrow's cast then range-checks it into the integer type). `__timestream_cast(x,
/// NULL::varchar)`: a double or timestamp as Timestream's text. `__timestream_cast(text,
/// NULL::bigint)` (or integer): the text's number, an error if it is not one (NULL with a third
/// argument, for TRY_CAST); `__timestream_cast(text, NULL::boolean)` likewise the text's truth
/// value. Named as its operand, as DataFusion names a CAST.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct TimestreamCast {
    signature: Signature,
}

impl Default for TimestreamCast {
    fn default() -> Self {
        Self {
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for TimestreamCast {
    fn name(&self) -> &str {
        "__timestream_cast"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[1].clone())
    }

    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        Ok(args[0].schema_name().to_string())
    }

    fn display_name(&self, args: &[Expr]) -> Result<String> {
        Ok(format!("CAST({})", args[0]))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = matches!(args.args[0], ColumnarValue::Scalar(_));
        let value = args.args[0].to_array(args.number_rows)?;
        let result: ArrayRef = match (value.data_type(), args.args[1].data_type()) {
            (DataType::Float64 | DataType::Float32, DataType::Float64) => {
                let value = datafusion::arrow::compute::cast(&value, &DataType::Float64)?;
                let rounded: Float64Array = value
                    .as_primitive::<Float64Type>()
                    .unary(|d: f64| d.round());
                Arc::new(rounded)
            }
            (DataType::Float64 | DataType::Float32, _) => {
                let value = datafusion::arrow::compute::cast(&value, &DataType::Float64)?;
                let text: StringArray = value
                    .as_primitive::<Float64Type>()
                    .iter()
                    .map(|d| d.map(crate::encode::format_double))
                    .collect();
                Arc::new(text)
            }
            (DataType::Timestamp(TimeUnit::Nanosecond, None), _) => {
                let text: StringArray = value
                    .as_primitive::<TimestampNanosecondType>()
                    .iter()
                    .map(|t| t.map(crate::encode::format_timestamp))
                    .collect();
                Arc::new(text)
            }
            (_, DataType::Int64 | DataType::Int32) => {
                let wide = args.args[1].data_type() == DataType::Int64;
                let lenient = args.args.len() > 2;
                let value = datafusion::arrow::compute::cast(&value, &DataType::Utf8)?;
                let parse = |t: &str| -> Result<Option<i64>> {
                    let parsed = if wide {
                        t.parse::<i64>().ok()
                    } else {
                        t.parse::<i32>().ok().map(i64::from)
                    };
                    match parsed {
                        Some(v) => Ok(Some(v)),
                        None if lenient => Ok(None),
                        None => exec_err!(
                            "Cannot cast '{t}' to {}",
                            if wide { "BIGINT" } else { "INTEGER" }
                        ),
                    }
                };
                let numbers = value
                    .as_string::<i32>()
                    .iter()
                    .map(|t| t.map(parse).transpose().map(Option::flatten))
                    .collect::<Result<Int64Array>>()?;
                datafusion::arrow::compute::cast(&numbers, &args.args[1].data_type())?
            }
            (_, DataType::Boolean) => {
                let lenient = args.args.len() > 2;
                let value = datafusion::arrow::compute::cast(&value, &DataType::Utf8)?;
                let truths = value
                    .as_string::<i32>()
                    .iter()
                    .map(|t| match t.map(trino_boolean) {
                        Some(None) if !lenient => {
                            exec_err!("Cannot cast '{}' to BOOLEAN", t.unwrap_or_default())
                        }
                        other => Ok(other.flatten()),
                    })
                    .collect::<Result<BooleanArray>>()?;
                Arc::new(truths)
            }
            (other, _) => return exec_err!("__timestream_cast of {other}"),
        };
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &result, 0,
            )?))
        } else {
            Ok(ColumnarValue::Array(result))
        }
    }
}

/// The truth value of `text` as Trino casts it: `true`/`t`/`1`, `false`/`f`/`0`, any case, no
/// spaces.
fn trino_boolean(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "t" | "1" => Some(true),
        "false" | "f" | "0" => Some(false),
        _ => None,
    }
}
