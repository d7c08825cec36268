//! `length(x) → bigint`: the number of characters (Unicode code points) of `x`.
//! DataFusion's `length` counts the same but answers `integer` (Int32); Timestream says `bigint`.
//!
//! Example [trino]: `length('Ångström')` → `8`.

use datafusion::arrow::array::{AsArray, Int64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};
use std::sync::Arc;

use crate::functions::conversion::args::{arrays, coerce, finish, lenient, udf_struct, Param};

udf_struct!(Length);

impl Length {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[&[Param::Varchar]],
            "length(varchar(x))",
        )
    }
}

impl ScalarUDFImpl for Length {
    fn name(&self) -> &str {
        "length"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(lenient(self.check(args), args))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        self.check(args)?;
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        let out: Int64Array = a[0]
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(|v| v.chars().count() as i64))
            .collect();
        finish(Arc::new(out), scalar)
    }
}
