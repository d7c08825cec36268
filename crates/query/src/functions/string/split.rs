//! `split(x1, x2) → array(varchar)`: `x1` split on the literal delimiter `x2`, keeping empty
//! fields (leading and trailing ones too); `split(x1, x2, limit) → array(varchar)` makes at most
//! `limit` elements, the last holding the unsplit rest. An empty delimiter or a `limit` below 1
//! is an error [trino]. DataFusion's `string_to_array` answers `[]` for `''` (Trino `['']`) and
//! has no limit.
//!
//! Examples [trino]: `split('a,b,', ',')` → `[a, b, ]`; `split('a,b,c', ',', 2)` → `[a, b,c]`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, ListBuilder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::functions::conversion::args::{
    any_null, arrays, coerce, finish, lenient, udf_struct, Param,
};

udf_struct!(Split);

impl Split {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[
                &[Param::Varchar, Param::Varchar],
                &[Param::Varchar, Param::Varchar, Param::Bigint],
            ],
            "split(varchar(x), varchar(y)), split(varchar(x), varchar(y), bigint)",
        )
    }
}

impl ScalarUDFImpl for Split {
    fn name(&self) -> &str {
        "split"
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
        let delimiter = a[1].as_string::<i32>();
        let limit = a.get(2).map(|l| l.as_primitive::<Int64Type>());
        let mut out = ListBuilder::new(StringBuilder::new());
        for i in 0..s.len() {
            if any_null(&a, i) {
                out.append_null();
                continue;
            }
            let limit = match limit.map(|l| l.value(i)) {
                None => usize::MAX,
                Some(l) if l < 1 => return exec_err!("Limit must be positive"),
                Some(l) => usize::try_from(l).unwrap_or(usize::MAX),
            };
            let d = delimiter.value(i);
            if d.is_empty() {
                return exec_err!("The delimiter may not be the empty string");
            }
            for part in s.value(i).splitn(limit, d) {
                out.values().append_value(part);
            }
            out.append(true);
        }
        finish(Arc::new(out.finish()), scalar)
    }
}
