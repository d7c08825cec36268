//! `sqrt(x) → double`: the square root; a negative `x` gives NaN, not an error [trino]
//! (DataFusion 55 raises "cannot take square root of a negative number"). [`DoubleFunction`]
//! serves every `double → double` function of the library (`truncate` too).
//!
//! Examples [trino]: `sqrt(4)` → `2.0`; `sqrt(-1)` → `NaN`.

use std::hash::{Hash, Hasher};

use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::map_double;
use crate::functions::conversion::args::{arrays, coerce, finish, lenient, Param};

/// A function of one `double` (integers widen) computed by `f`.
#[derive(Debug)]
pub struct DoubleFunction {
    name: &'static str,
    expected: &'static str,
    f: fn(f64) -> f64,
    signature: Signature,
}

impl DoubleFunction {
    pub fn with(name: &'static str, expected: &'static str, f: fn(f64) -> f64) -> Self {
        Self {
            name,
            expected,
            f,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }

    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(self.name, args, &[&[Param::Double]], self.expected)
    }
}

/// `sqrt`.
pub fn sqrt() -> DoubleFunction {
    DoubleFunction::with("sqrt", "sqrt(double)", f64::sqrt)
}

// One function per name: the name identifies it (function pointers do not compare reliably).
impl PartialEq for DoubleFunction {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for DoubleFunction {}

impl Hash for DoubleFunction {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl ScalarUDFImpl for DoubleFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(lenient(self.check(args), args))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        self.check(args)?;
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        finish(map_double::<Float64Type, _>(&a[0], self.f), scalar)
    }
}
