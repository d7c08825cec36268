//! `hamming_distance(x1, x2) → bigint`: the number of positions (code points) at which the two
//! strings differ; strings of different lengths are an error.
//!
//! Example [trino]: `hamming_distance('abcde', 'abxde')` → `1`.

use std::sync::Arc;

use datafusion::arrow::array::{AsArray, Int64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::functions::conversion::args::{
    arrays, coerce, finish, lenient, map_rows2, udf_struct, Param,
};

udf_struct!(HammingDistance);

fn distance(x: &str, y: &str) -> Result<i64> {
    let (mut l, mut r) = (x.chars(), y.chars());
    let mut distance = 0;
    loop {
        match (l.next(), r.next()) {
            (None, None) => return Ok(distance),
            (Some(p), Some(q)) => distance += i64::from(p != q),
            _ => {
                return exec_err!(
                    "The input strings to hamming_distance function must have the same length"
                )
            }
        }
    }
}

impl HammingDistance {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[&[Param::Varchar, Param::Varchar]],
            "hamming_distance(varchar(x), varchar(y))",
        )
    }
}

impl ScalarUDFImpl for HammingDistance {
    fn name(&self) -> &str {
        "hamming_distance"
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
        let out: Int64Array =
            map_rows2(a[0].as_string::<i32>(), a[1].as_string::<i32>(), distance)?;
        finish(Arc::new(out), scalar)
    }
}
