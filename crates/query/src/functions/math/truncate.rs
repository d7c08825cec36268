//! `truncate(x) → double`: `x` with its fractional digits dropped (toward zero). DataFusion calls
//! it `trunc`. Trino's `truncate(x, d)` is not in the guide and not provided.
//!
//! Examples [trino]: `truncate(-1.7)` → `-1.0`; `truncate(2.9)` → `2.0`.

use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use super::map_double;
use crate::functions::conversion::args::{arrays, coerce, finish, lenient, udf_struct, Param};

udf_struct!(Truncate);

impl Truncate {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(self.name(), args, &[&[Param::Double]], "truncate(double)")
    }
}

impl ScalarUDFImpl for Truncate {
    fn name(&self) -> &str {
        "truncate"
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
        finish(map_double::<Float64Type, _>(&a[0], f64::trunc), scalar)
    }
}
