//! Mathematical functions (timestream-functions.md §4). "Same as input" results keep the
//! argument's width: `integer` stays `integer`, `bigint` stays `bigint`, `double` stays `double`.
//!
//! DataFusion's own `abs`, `cbrt`, `degrees`, `exp`, `ln`, `log2`, `log10`, `pi`, `pow`,
//! `power`, `radians`, `round` and the trigonometric functions have the Timestream semantics and
//! are used unchanged (pinned in functions_math.slt).

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::ScalarUDF;

mod base;
mod ceiling;
mod constant;
mod float_class;
mod log;
mod modulus;
mod random;
mod sign;
mod sqrt;
mod truncate;
mod width_bucket;

pub use base::{FromBase, ToBase};
pub use ceiling::Rounding;
pub use constant::Constant;
pub use float_class::FloatClass;
pub use log::Log;
pub use modulus::Mod;
pub use random::Random;
pub use sign::Sign;
pub use sqrt::{sqrt, DoubleFunction};
pub use truncate::truncate;
pub use width_bucket::WidthBucket;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(FromBase::new())),
        Arc::new(ScalarUDF::from(ToBase::new())),
        Arc::new(ScalarUDF::from(Rounding::ceiling())),
        Arc::new(ScalarUDF::from(Rounding::floor())),
        Arc::new(ScalarUDF::from(Constant::e())),
        Arc::new(ScalarUDF::from(Constant::nan())),
        Arc::new(ScalarUDF::from(Constant::infinity())),
        Arc::new(ScalarUDF::from(FloatClass::is_finite())),
        Arc::new(ScalarUDF::from(FloatClass::is_infinite())),
        Arc::new(ScalarUDF::from(FloatClass::is_nan())),
        Arc::new(ScalarUDF::from(Log::new())),
        Arc::new(ScalarUDF::from(Mod::new())),
        Arc::new(ScalarUDF::from(Random::new())),
        Arc::new(ScalarUDF::from(Sign::new())),
        Arc::new(ScalarUDF::from(sqrt())),
        Arc::new(ScalarUDF::from(truncate())),
        Arc::new(ScalarUDF::from(WidthBucket::new())),
    ]
}

/// Applies a "same as input" unary function to an `integer`, `bigint` or `double` column.
fn map_number(
    a: &ArrayRef,
    int32: impl Fn(i32) -> Result<i32>,
    int64: impl Fn(i64) -> Result<i64>,
    double: impl Fn(f64) -> f64,
) -> Result<ArrayRef> {
    Ok(match a.data_type() {
        DataType::Int32 => Arc::new(
            a.as_primitive::<Int32Type>()
                .iter()
                .map(|v| v.map(&int32).transpose())
                .collect::<Result<PrimitiveArray<Int32Type>>>()?,
        ),
        DataType::Int64 => Arc::new(
            a.as_primitive::<Int64Type>()
                .iter()
                .map(|v| v.map(&int64).transpose())
                .collect::<Result<PrimitiveArray<Int64Type>>>()?,
        ),
        DataType::Float64 => Arc::new(
            a.as_primitive::<Float64Type>()
                .unary::<_, Float64Type>(double),
        ),
        other => return exec_err!("unexpected argument type {other}"),
    })
}

/// Applies a `double` → `T` function to a `double` column.
fn map_double<T, F>(a: &ArrayRef, f: F) -> ArrayRef
where
    T: datafusion::arrow::datatypes::ArrowPrimitiveType,
    F: Fn(f64) -> T::Native,
    PrimitiveArray<T>: Array + 'static,
{
    Arc::new(a.as_primitive::<Float64Type>().unary::<_, T>(f))
}
