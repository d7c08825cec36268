//! `regexp_split(string, pattern) → array(varchar)`: `string` split around every match of
//! `pattern`; leading and trailing empty strings are kept [trino]. DataFusion has no equivalent.
//!
//! Documented example: `regexp_split('example', 'x')` → `[ e,ample ]`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, ListBuilder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use super::{ranges, Patterns};
use crate::functions::conversion::args::{
    any_null, arrays, coerce, finish, lenient, udf_struct, Param,
};

udf_struct!(RegexpSplit);

impl RegexpSplit {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[&[Param::Varchar, Param::Varchar]],
            "regexp_split(varchar(x), JoniRegExp)",
        )
    }
}

impl ScalarUDFImpl for RegexpSplit {
    fn name(&self) -> &str {
        "regexp_split"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(lenient(self.check(args), args))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        self.check(args)?;
        Ok(DataType::List(Arc::new(Field::new_list_field(
            DataType::Utf8,
            true,
        ))))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        let s = a[0].as_string::<i32>();
        let p = a[1].as_string::<i32>();
        let mut patterns = Patterns::default();
        let mut out = ListBuilder::new(StringBuilder::new());
        for i in 0..s.len() {
            if any_null(&a, i) {
                out.append_null();
                continue;
            }
            let re = patterns.get(p.value(i))?;
            let value = s.value(i);
            let mut last = 0;
            for (start, end) in ranges(re, value)? {
                out.values().append_value(&value[last..start]);
                last = end;
            }
            out.values().append_value(&value[last..]);
            out.append(true);
        }
        finish(Arc::new(out.finish()), scalar)
    }
}
