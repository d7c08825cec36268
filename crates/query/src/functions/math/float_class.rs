//! `is_finite(x)`, `is_infinite(x)`, `is_nan(x)` → boolean, over `double` (integers widen).
//! `is_finite` is false for ±Infinity and NaN; `is_infinite` is true only for ±Infinity;
//! `is_nan` only for NaN. DataFusion only has `isnan`.

use datafusion::arrow::array::{AsArray, BooleanArray};
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

use crate::functions::conversion::args::{arrays, coerce, finish, lenient, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct FloatClass {
    signature: Signature,
    name: &'static str,
}

impl FloatClass {
    fn with(name: &'static str) -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            name,
        }
    }

    pub fn is_finite() -> Self {
        Self::with("is_finite")
    }

    pub fn is_infinite() -> Self {
        Self::with("is_infinite")
    }

    pub fn is_nan() -> Self {
        Self::with("is_nan")
    }

    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        let expected = format!("{}(double)", self.name);
        coerce(self.name, args, &[&[Param::Double]], &expected)
    }
}

impl ScalarUDFImpl for FloatClass {
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
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        let test: fn(f64) -> bool = match self.name {
            "is_finite" => f64::is_finite,
            "is_infinite" => f64::is_infinite,
            _ => f64::is_nan,
        };
        let out: BooleanArray = a[0]
            .as_primitive::<Float64Type>()
            .iter()
            .map(|v| v.map(test))
            .collect();
        finish(Arc::new(out), scalar)
    }
}
