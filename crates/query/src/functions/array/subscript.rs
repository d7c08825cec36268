//! The subscript operator `x[i] → E`: the element at the 1-based `i`; `i` outside 1…cardinality
//! is an error, unlike `element_at` [trino] (timestream-functions.md §8): `SQL array indices
//! start at 1` for 0, `Array subscript is negative: i`, `Array subscript must be less than or
//! equal to array length: i > n`. DataFusion plans `x[i]` as `array_element`, which answers
//! NULL out of range and counts negative indexes from the end; typing/ points the planner's
//! `array_element` calls at this UDF (it has no SQL name of its own).

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::element_at::{coerce_index, element_type, take_elements};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Subscript {
    signature: Signature,
}

impl Subscript {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for Subscript {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for Subscript {
    fn name(&self) -> &str {
        "subscript"
    }

    /// Named `x[i]`, as DataFusion names the `array_element` call it replaces.
    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        match args {
            [array, index] => Ok(format!("{}[{}]", array.schema_name(), index.schema_name())),
            _ => exec_err!("subscript expects 2 arguments, got {}", args.len()),
        }
    }

    fn display_name(&self, args: &[Expr]) -> Result<String> {
        match args {
            [array, index] => Ok(format!("{array}[{index}]")),
            _ => exec_err!("subscript expects 2 arguments, got {}", args.len()),
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_index("subscript", arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        element_type("subscript", arg_types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        take_elements(&args.args, |i, len| match i {
            0 => exec_err!("SQL array indices start at 1"),
            i if i < 0 => exec_err!("Array subscript is negative: {i}"),
            i if i as usize > len => {
                exec_err!("Array subscript must be less than or equal to array length: {i} > {len}")
            }
            i => Ok(Some((i - 1) as usize)),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use datafusion::arrow::array::{Array, AsArray, Int32Array, ListArray};
    use datafusion::arrow::datatypes::{DataType, Field, Int32Type};
    use datafusion::common::ScalarValue;
    use datafusion::config::ConfigOptions;
    use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl};

    use super::Subscript;

    fn call(index: i64) -> datafusion::common::Result<Option<i32>> {
        let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![
            Some(6),
            Some(8),
            Some(2),
        ])]);
        let list_type = list.data_type().clone();
        let args = ScalarFunctionArgs {
            args: vec![
                ColumnarValue::Array(Arc::new(list)),
                ColumnarValue::Scalar(ScalarValue::Int64(Some(index))),
            ],
            arg_fields: vec![
                Arc::new(Field::new("x", list_type, true)),
                Arc::new(Field::new("i", DataType::Int64, true)),
            ],
            number_rows: 1,
            return_field: Arc::new(Field::new("r", DataType::Int32, true)),
            config_options: Arc::new(ConfigOptions::default()),
        };
        let ColumnarValue::Array(out) = Subscript::new().invoke_with_args(args)? else {
            panic!("an array");
        };
        let out: &Int32Array = out.as_primitive();
        Ok(out.is_valid(0).then(|| out.value(0)))
    }

    #[test]
    fn one_based_and_strict() {
        assert_eq!(call(1).unwrap(), Some(6));
        assert_eq!(call(3).unwrap(), Some(2));
        let err = |i| call(i).unwrap_err().to_string();
        assert!(
            err(4).contains("Array subscript must be less than or equal to array length: 4 > 3")
        );
        assert!(err(0).contains("SQL array indices start at 1"));
        assert!(err(-1).contains("Array subscript is negative: -1"));
    }
}
