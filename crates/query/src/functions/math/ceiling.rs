//! `ceiling(x)` / `ceil(x)` and `floor(x)` → same as input: round up (down) to an integral value.
//! Integers are returned unchanged and keep their type; DataFusion's `ceil`/`floor` return
//! `double` for integer input and it has no `ceiling`. NaN and ±Infinity are unchanged.
//!
//! Examples [trino]: `ceiling(-0.5)` → `-0.0`; `floor(-0.5)` → `-1.0`; `ceil(7)` → `7`.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::map_number;
use crate::functions::conversion::args::{arrays, coerce, finish, lenient, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Rounding {
    signature: Signature,
    up: bool,
    aliases: Vec<String>,
}

impl Rounding {
    /// `ceiling`, alias `ceil`.
    pub fn ceiling() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            up: true,
            aliases: vec!["ceil".to_owned()],
        }
    }

    /// `floor`.
    pub fn floor() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            up: false,
            aliases: Vec::new(),
        }
    }

    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        let expected = format!("{}(integer | bigint | double)", self.name());
        coerce(self.name(), args, &[&[Param::Number]], &expected)
    }
}

impl ScalarUDFImpl for Rounding {
    fn name(&self) -> &str {
        if self.up {
            "ceiling"
        } else {
            "floor"
        }
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(lenient(self.check(args), args))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        Ok(self.check(args)?.remove(0))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        let round = if self.up { f64::ceil } else { f64::floor };
        finish(map_number(&a[0], Ok, Ok, round)?, scalar)
    }
}
