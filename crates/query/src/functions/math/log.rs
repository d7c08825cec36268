//! `log(b, x) → double`: the base-`b` logarithm of `x`, computed as Trino does
//! (`ln(x) / ln(b)`). Not in the guide but in Trino/Presto. DataFusion's one-argument `log(x)`
//! (base 10) has no Timestream equivalent and is refused.
//!
//! Example [trino]: `log(2, 8)` → `3.0`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Float64Array};
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::functions::conversion::args::{arrays, coerce, finish, lenient, udf_struct, Param};

udf_struct!(Log);

impl Log {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[&[Param::Double, Param::Double]],
            "log(double, double)",
        )
    }
}

impl ScalarUDFImpl for Log {
    fn name(&self) -> &str {
        "log"
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
        let (b, x) = (
            a[0].as_primitive::<Float64Type>(),
            a[1].as_primitive::<Float64Type>(),
        );
        let out: Float64Array = (0..b.len())
            .map(|i| (b.is_valid(i) && x.is_valid(i)).then(|| x.value(i).ln() / b.value(i).ln()))
            .collect();
        finish(Arc::new(out), scalar)
    }
}
