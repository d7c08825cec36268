//! `codepoint(x) → integer`: the Unicode code point of the only character of `x`; a string of
//! any other length is an error ("Input string must be a single character string").
//! DataFusion's nearest, `ascii`, takes the first character and checks no length.
//!
//! Example [trino]: `codepoint('A')` → `65`.

use datafusion::arrow::array::{Array, AsArray, Int32Builder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};
use std::sync::Arc;

use crate::functions::conversion::args::{arrays, coerce, finish, lenient, udf_struct, Param};

udf_struct!(Codepoint);

impl Codepoint {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[&[Param::Varchar]],
            "codepoint(varchar(1))",
        )
    }
}

impl ScalarUDFImpl for Codepoint {
    fn name(&self) -> &str {
        "codepoint"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(lenient(self.check(args), args))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        self.check(args)?;
        Ok(DataType::Int32)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        let s = a[0].as_string::<i32>();
        let mut out = Int32Builder::with_capacity(s.len());
        for v in s.iter() {
            match v {
                None => out.append_null(),
                Some(v) => {
                    let mut chars = v.chars();
                    match (chars.next(), chars.next()) {
                        (Some(c), None) => out.append_value(c as i32),
                        _ => return exec_err!("Input string must be a single character string"),
                    }
                }
            }
        }
        finish(Arc::new(out.finish()), scalar)
    }
}
