//! `e()`, `nan()`, `infinity()` → double: Euler's number `2.718281828459045`, NaN and
//! +Infinity. DataFusion has none of them (only `pi()`).

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Constant {
    signature: Signature,
    name: &'static str,
}

impl Constant {
    fn with(name: &'static str) -> Self {
        Self {
            signature: Signature::nullary(Volatility::Immutable),
            name,
        }
    }

    pub fn e() -> Self {
        Self::with("e")
    }

    pub fn nan() -> Self {
        Self::with("nan")
    }

    pub fn infinity() -> Self {
        Self::with("infinity")
    }

    fn value(&self) -> f64 {
        match self.name {
            "e" => std::f64::consts::E,
            "nan" => f64::NAN,
            _ => f64::INFINITY,
        }
    }
}

impl ScalarUDFImpl for Constant {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(ColumnarValue::Scalar(ScalarValue::Float64(Some(
            self.value(),
        ))))
    }
}
