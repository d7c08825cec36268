//! `arrays_overlap(x, y) → boolean`: TRUE if the arrays share a non-NULL element; NULL if they
//! share none but either holds a NULL; otherwise FALSE (timestream-functions.md §8). DataFusion's
//! `arrays_overlap` (`array_has_any`) answers FALSE instead of NULL.
//!
//! Documented example: `SELECT arrays_overlap(ARRAY[6,8,2,9,3], ARRAY[6,8])` → `true`.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{Array, BooleanArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{as_list, element_field, list_of, range, type_list, unify_element};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ArraysOverlap {
    signature: Signature,
}

impl ArraysOverlap {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for ArraysOverlap {
    fn name(&self) -> &str {
        "arrays_overlap"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let common = match arg_types {
            [x, y] => element_field(y).and_then(|f| unify_element(x, f.data_type())),
            _ => None,
        };
        match common {
            Some((_, e)) => Ok(vec![list_of(e.clone()), list_of(e)]),
            None => plan_err!(
                "Unexpected parameters ({}) for function arrays_overlap. Expected: arrays_overlap(array(E), array(E))",
                type_list(arg_types)
            ),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let (x, y) = (as_list(&arrays[0])?, as_list(&arrays[1])?);
        let (xv, yv) = (x.values(), y.values());
        let mut out = Vec::with_capacity(x.len());
        for row in 0..x.len() {
            if x.is_null(row) || y.is_null(row) {
                out.push(None);
                continue;
            }
            let mut saw_null = false;
            let (start, end) = range(x, row);
            let mut left = HashSet::new();
            for j in start..end {
                if xv.is_null(j) {
                    saw_null = true;
                } else {
                    left.insert(ScalarValue::try_from_array(xv, j)?);
                }
            }
            let (start, end) = range(y, row);
            let mut answer = None;
            for j in start..end {
                if yv.is_null(j) {
                    saw_null = true;
                } else if left.contains(&ScalarValue::try_from_array(yv, j)?) {
                    answer = Some(true);
                    break;
                }
            }
            out.push(answer.or((!saw_null).then_some(false)));
        }
        Ok(ColumnarValue::Array(Arc::new(BooleanArray::from(out))))
    }
}
