//! `regexp_like(string, pattern) → boolean`: whether `pattern` occurs anywhere in `string`
//! (*find* semantics, not a full match like `LIKE`: anchor with `^…$`); NULL when either is
//! NULL. The pattern is Java's syntax, look-around and back-references included
//! (functions/regex). DataFusion's `regexp_like` runs the `regex` crate, which refuses those, and
//! takes a third (flags) argument Trino does not have.
//!
//! Documented example: `regexp_like('example', 'ex')` → `true`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, BooleanArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use super::{is_match, Patterns};
use crate::functions::conversion::args::{
    any_null, arrays, coerce, finish, lenient, udf_struct, Param,
};

udf_struct!(RegexpLike);

impl RegexpLike {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[&[Param::Varchar, Param::Varchar]],
            "regexp_like(varchar(x), JoniRegExp)",
        )
    }
}

impl ScalarUDFImpl for RegexpLike {
    fn name(&self) -> &str {
        "regexp_like"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(lenient(self.check(args), args))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        self.check(args)?;
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let mut patterns = Patterns::default();
        // A column against one pattern (the usual `WHERE regexp_like(dim, '…')`): compiled
        // once, no per-row lookup.
        if let (ColumnarValue::Array(strings), ColumnarValue::Scalar(ScalarValue::Utf8(p))) =
            (&args.args[0], &args.args[1])
        {
            let Some(p) = p else {
                return Ok(ColumnarValue::Scalar(ScalarValue::Boolean(None)));
            };
            let re = patterns.get(p)?;
            let out = strings
                .as_string::<i32>()
                .iter()
                .map(|s| s.map(|s| is_match(re, s)).transpose())
                .collect::<Result<BooleanArray>>()?;
            return Ok(ColumnarValue::Array(Arc::new(out)));
        }
        let (a, scalar) = arrays(&args)?;
        let s = a[0].as_string::<i32>();
        let p = a[1].as_string::<i32>();
        let out = (0..s.len())
            .map(|i| {
                if any_null(&a, i) {
                    return Ok(None);
                }
                is_match(patterns.get(p.value(i))?, s.value(i)).map(Some)
            })
            .collect::<Result<BooleanArray>>()?;
        finish(Arc::new(out), scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::StringArray;
    use datafusion::arrow::datatypes::Field;

    fn like(strings: Vec<Option<&str>>, pattern: &str) -> Vec<Option<bool>> {
        let rows = strings.len();
        let args = ScalarFunctionArgs {
            args: vec![
                ColumnarValue::Array(Arc::new(StringArray::from(strings))),
                ColumnarValue::Scalar(ScalarValue::Utf8(Some(pattern.into()))),
            ],
            arg_fields: vec![
                Arc::new(Field::new("s", DataType::Utf8, true)),
                Arc::new(Field::new("p", DataType::Utf8, true)),
            ],
            number_rows: rows,
            return_field: Arc::new(Field::new("r", DataType::Boolean, true)),
            config_options: Arc::default(),
        };
        let ColumnarValue::Array(out) = RegexpLike::new().invoke_with_args(args).unwrap() else {
            panic!("an array")
        };
        out.as_boolean().iter().collect()
    }

    #[test]
    fn a_column_against_one_pattern() {
        assert_eq!(
            like(vec![Some("foobar"), Some("foobaz"), None], "foo(?=bar)"),
            vec![Some(true), Some(false), None]
        );
        assert_eq!(
            like(vec![Some("abab"), Some("abba")], r"^(ab)\1$"),
            vec![Some(true), Some(false)]
        );
    }
}
