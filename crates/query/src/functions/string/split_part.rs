//! `split_part(x1, x2, pos bigint) → varchar`: field number `pos` (from 1) of `x1` split on
//! `x2`; **NULL** when there are fewer fields; `pos` below 1 is an error ("Index must be greater
//! than zero"). With an empty delimiter the whole string is field 1 [trino]. DataFusion answers
//! `''` out of range and counts negative positions from the end.
//!
//! Example [trino]: `split_part('a.b.c', '.', 2)` → `b`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::functions::conversion::args::{
    any_null, arrays, coerce, finish, lenient, udf_struct, Param,
};

udf_struct!(SplitPart);

fn split_part<'a>(s: &'a str, d: &str, pos: i64) -> Result<Option<&'a str>> {
    if pos < 1 {
        return exec_err!("Index must be greater than zero");
    }
    let index = usize::try_from(pos - 1).unwrap_or(usize::MAX);
    if d.is_empty() {
        return Ok((index == 0).then_some(s));
    }
    Ok(s.split(d).nth(index))
}

impl SplitPart {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[&[Param::Varchar, Param::Varchar, Param::Bigint]],
            "split_part(varchar(x), varchar(y), bigint)",
        )
    }
}

impl ScalarUDFImpl for SplitPart {
    fn name(&self) -> &str {
        "split_part"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(lenient(self.check(args), args))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        self.check(args)?;
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        let s = a[0].as_string::<i32>();
        let d = a[1].as_string::<i32>();
        let pos = a[2].as_primitive::<Int64Type>();
        let mut out = StringBuilder::with_capacity(s.len(), 0);
        for i in 0..s.len() {
            if any_null(&a, i) {
                out.append_null();
            } else {
                out.append_option(split_part(s.value(i), d.value(i), pos.value(i))?);
            }
        }
        finish(Arc::new(out.finish()), scalar)
    }
}
