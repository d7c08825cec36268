//! `replace(x1, x2) → varchar` removes every occurrence of `x2` from `x1`;
//! `replace(x1, x2, x3) → varchar` replaces every occurrence (left to right, non-overlapping) by
//! `x3`. An empty `x2` inserts `x3` before every character and at the end [trino]; DataFusion
//! returns the input unchanged there, and has no two-argument form.
//!
//! Examples: `replace('banana', 'a')` → `bnn`; `replace('abc', '', '-')` → `-a-b-c-` [trino].

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::functions::conversion::args::{
    any_null, arrays, coerce, finish, lenient, udf_struct, Param,
};

udf_struct!(Replace);

fn replace(s: &str, search: &str, with: &str) -> String {
    if !search.is_empty() {
        return s.replace(search, with);
    }
    let mut out = String::with_capacity(s.len() + with.len() * (s.len() + 1));
    for c in s.chars() {
        out.push_str(with);
        out.push(c);
    }
    out.push_str(with);
    out
}

impl Replace {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[
                &[Param::Varchar, Param::Varchar],
                &[Param::Varchar, Param::Varchar, Param::Varchar],
            ],
            "replace(varchar(x), varchar(y)), replace(varchar(x), varchar(y), varchar(z))",
        )
    }
}

impl ScalarUDFImpl for Replace {
    fn name(&self) -> &str {
        "replace"
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
        let search = a[1].as_string::<i32>();
        let with = a.get(2).map(|w| w.as_string::<i32>());
        let mut out = StringBuilder::with_capacity(s.len(), 0);
        for i in 0..s.len() {
            if any_null(&a, i) {
                out.append_null();
            } else {
                let with = with.map_or("", |w| w.value(i));
                out.append_value(replace(s.value(i), search.value(i), with));
            }
        }
        finish(Arc::new(out.finish()), scalar)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces() {
        assert_eq!(super::replace("banana", "a", ""), "bnn");
        assert_eq!(super::replace("abc", "", "-"), "-a-b-c-");
        assert_eq!(super::replace("aaa", "aa", "b"), "ba");
    }
}
