//! `sqrt(x) → double`: the square root; a negative `x` gives NaN, not an error [trino]
//! (DataFusion 55 raises "cannot take square root of a negative number").
//!
//! Examples [trino]: `sqrt(4)` → `2.0`; `sqrt(-1)` → `NaN`.

use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use super::map_double;
use crate::functions::conversion::args::{arrays, coerce, finish, lenient, udf_struct, Param};

udf_struct!(Sqrt);

impl Sqrt {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(self.name(), args, &[&[Param::Double]], "sqrt(double)")
    }
}

impl ScalarUDFImpl for Sqrt {
    fn name(&self) -> &str {
        "sqrt"
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
        finish(map_double::<Float64Type, _>(&a[0], f64::sqrt), scalar)
    }
}
