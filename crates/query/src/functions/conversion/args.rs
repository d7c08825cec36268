//! Argument typing and evaluation shared by the scalar functions of the library.
//!
//! Timestream coerces function arguments the Trino way: `integer` widens to `bigint` and either
//! to `double`, strings stay strings (no number ↔ varchar coercion), and an untyped `NULL` fits
//! any parameter. DataFusion's own signatures coerce more freely (a number passed where a string
//! is expected becomes its text), so the library's functions declare
//! `Signature::user_defined` and coerce with [`coerce`]. Dimension columns are
//! `Dictionary(UInt32, Utf8)`, string views and large strings all become `Utf8`.

use datafusion::arrow::array::{Array, ArrayAccessor, ArrayRef};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs};

use super::sql_type::sql_type_name;

/// What a parameter accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// `varchar` (Utf8).
    Varchar,
    /// `bigint` (Int64); integer types widen.
    Bigint,
    /// `double` (Float64); every numeric type widens.
    Double,
    /// A number kept at its own width: `integer` (Int32), `bigint` (Int64) or `double`
    /// (Float64) — for the functions whose result is "same as input".
    Number,
    /// `boolean`.
    Boolean,
}

fn is_string(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_string(v),
        _ => false,
    }
}

fn is_integer(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
    )
}

fn is_number(dt: &DataType) -> bool {
    is_integer(dt)
        || matches!(
            dt,
            DataType::UInt64
                | DataType::Float16
                | DataType::Float32
                | DataType::Float64
                | DataType::Decimal128(_, _)
                | DataType::Decimal256(_, _)
        )
}

/// The `Number` width of a numeric type: Int32 for the small integers, Int64 for the big ones,
/// Float64 for the rest. `None` when `dt` is no number.
pub fn number_width(dt: &DataType) -> Option<DataType> {
    match dt {
        DataType::Null => Some(DataType::Int32),
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::UInt8 | DataType::UInt16 => {
            Some(DataType::Int32)
        }
        DataType::Int64 | DataType::UInt32 => Some(DataType::Int64),
        dt if is_number(dt) => Some(DataType::Float64),
        _ => None,
    }
}

/// The common width of several numbers (`integer` < `bigint` < `double`).
pub fn common_number(types: &[DataType]) -> Option<DataType> {
    let mut widest = DataType::Int32;
    for t in types {
        let w = number_width(t)?;
        widest = match (&widest, &w) {
            (DataType::Float64, _) | (_, DataType::Float64) => DataType::Float64,
            (DataType::Int64, _) | (_, DataType::Int64) => DataType::Int64,
            _ => DataType::Int32,
        };
    }
    Some(widest)
}

/// Coerces `args` to the parameters of one of `overloads` (the first whose arity matches and
/// whose parameters all accept the arguments). The error names the function, the argument types
/// and the expected signatures the way Trino does.
pub fn coerce(
    name: &str,
    args: &[DataType],
    overloads: &[&[Param]],
    expected: &str,
) -> Result<Vec<DataType>> {
    'overload: for params in overloads {
        if params.len() != args.len() {
            continue;
        }
        let mut out = Vec::with_capacity(args.len());
        for (arg, param) in args.iter().zip(params.iter()) {
            let null = matches!(arg, DataType::Null);
            let t = match param {
                Param::Varchar if null || is_string(arg) => DataType::Utf8,
                Param::Bigint if null || is_integer(arg) => DataType::Int64,
                Param::Double if null || is_number(arg) => DataType::Float64,
                Param::Boolean if null || matches!(arg, DataType::Boolean) => DataType::Boolean,
                Param::Number => match number_width(arg) {
                    Some(t) => t,
                    None => continue 'overload,
                },
                _ => continue 'overload,
            };
            out.push(t);
        }
        return Ok(out);
    }
    unexpected(name, args, expected)
}

/// Trino's wording of a call that matches no signature.
pub fn unexpected<T>(name: &str, args: &[DataType], expected: &str) -> Result<T> {
    let got = args
        .iter()
        .map(sql_type_name)
        .collect::<Vec<_>>()
        .join(", ");
    plan_err!("Unexpected parameters ({got}) for function {name}. Expected: {expected}")
}

/// The arguments as arrays of `number_rows` rows, and whether they were all scalars (then the
/// result is a scalar too, see [`finish`]).
pub fn arrays(args: &ScalarFunctionArgs) -> Result<(Vec<ArrayRef>, bool)> {
    let scalar = args
        .args
        .iter()
        .all(|a| matches!(a, ColumnarValue::Scalar(_)));
    let rows = if scalar { 1 } else { args.number_rows };
    let arrays = args
        .args
        .iter()
        .map(|a| a.to_array(rows))
        .collect::<Result<Vec<_>>>()?;
    Ok((arrays, scalar))
}

/// The result column, or its only value when every argument was a scalar.
pub fn finish(result: ArrayRef, scalar: bool) -> Result<ColumnarValue> {
    if scalar && result.len() == 1 {
        Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
            &result, 0,
        )?))
    } else {
        Ok(ColumnarValue::Array(result))
    }
}

/// Row by row over two arguments: NULL where either is NULL, else `f` of the two values, into
/// the result column (`Int64Array`, `StringArray`, …). With [`arrays`] and [`finish`] this is the
/// whole body of a two-argument function computed one row at a time.
pub fn map_rows2<A, B, T, O>(x: A, y: B, f: impl Fn(A::Item, B::Item) -> Result<T>) -> Result<O>
where
    A: ArrayAccessor,
    B: ArrayAccessor,
    O: FromIterator<Option<T>>,
{
    (0..x.len())
        .map(|i| {
            if x.is_null(i) || y.is_null(i) {
                Ok(None)
            } else {
                f(x.value(i), y.value(i)).map(Some)
            }
        })
        .collect()
}

/// True when any of `arrays` is NULL at row `i`.
pub fn any_null(arrays: &[ArrayRef], i: usize) -> bool {
    arrays.iter().any(|a| a.is_null(i))
}

/// Declares a function struct holding a user-defined signature (its arguments are coerced by
/// the impl's `coerce_types`), with `new()` and `Default`.
macro_rules! udf_struct {
    ($(#[$doc:meta])* $name:ident) => {
        udf_struct!($(#[$doc])* $name, datafusion::logical_expr::Volatility::Immutable);
    };
    ($(#[$doc:meta])* $name:ident, $volatility:expr) => {
        $(#[$doc])*
        #[derive(Debug, PartialEq, Eq, Hash)]
        pub struct $name {
            signature: datafusion::logical_expr::Signature,
        }

        impl $name {
            pub fn new() -> Self {
                Self {
                    signature: datafusion::logical_expr::Signature::user_defined($volatility),
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }
    };
}
pub(crate) use udf_struct;

/// For `coerce_types`: the coerced types, or the arguments unchanged when they match no
/// overload. The function's `return_type` then reports the mismatch: an error raised in
/// `coerce_types` reaches the client wrapped in DataFusion's own text.
pub fn lenient(checked: Result<Vec<DataType>>, args: &[DataType]) -> Vec<DataType> {
    checked.unwrap_or_else(|_| args.to_vec())
}
