//! `array_join(x, delimiter) → varchar`, `array_join(x, delimiter, null_replacement) →
//! varchar`: the elements rendered as varchar and joined by `delimiter`; NULL elements are
//! skipped unless `null_replacement` is given [trino] (timestream-functions.md §8). Elements
//! render as Timestream renders them (doubles Java-style, `2.0`, `1.0E7`; timestamps with nine
//! fraction digits). DataFusion's `array_join` (`array_to_string`) prints `2` and `1e7` and
//! flattens nested arrays; arrays of arrays or rows are rejected here, as in Trino.
//!
//! Documented example: `SELECT array_join(ARRAY[1,2,3], ';', '')` → `1;2;3`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use protocol::operations::query::Datum;

use super::{as_list, element_field, list_type, range, type_list};
use crate::encode;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ArrayJoin {
    signature: Signature,
}

impl ArrayJoin {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

fn is_text(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null
    ) || matches!(dt, DataType::Dictionary(_, v) if is_text(v))
}

impl ScalarUDFImpl for ArrayJoin {
    fn name(&self) -> &str {
        "array_join"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let scalar_elements = arg_types.first().and_then(element_field).is_some_and(|f| {
            !matches!(
                f.data_type(),
                DataType::List(_)
                    | DataType::LargeList(_)
                    | DataType::FixedSizeList(_, _)
                    | DataType::Struct(_)
            )
        });
        match arg_types {
            [x, rest @ ..]
                if scalar_elements && (1..=2).contains(&rest.len()) && rest.iter().all(is_text) =>
            {
                let mut out = vec![list_type(x).unwrap_or(DataType::Null)];
                out.extend(rest.iter().map(|_| DataType::Utf8));
                Ok(out)
            }
            other => plan_err!(
                "Unexpected parameters ({}) for function array_join. Expected: array_join(array(E), varchar), array_join(array(E), varchar, varchar)",
                type_list(other)
            ),
        }
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let list = as_list(&arrays[0])?;
        let delimiter = cast(&arrays[1], &DataType::Utf8)?;
        let delimiter = delimiter
            .as_any()
            .downcast_ref::<StringArray>()
            .cloned()
            .unwrap_or_else(|| StringArray::from(Vec::<Option<String>>::new()));
        let replacement = match arrays.get(2) {
            Some(r) => Some(cast(r, &DataType::Utf8)?),
            None => None,
        };
        let replacement = replacement
            .as_ref()
            .and_then(|r| r.as_any().downcast_ref::<StringArray>());
        let values = list.values();
        let mut out = Vec::with_capacity(list.len());
        for row in 0..list.len() {
            if list.is_null(row)
                || delimiter.is_null(row)
                || replacement.is_some_and(|r| r.is_null(row))
            {
                out.push(None);
                continue;
            }
            let (start, end) = range(list, row);
            let mut parts = Vec::with_capacity(end - start);
            for j in start..end {
                match encode::datum(values.as_ref(), j) {
                    Datum::ScalarValue(s) => parts.push(s),
                    _ => {
                        if let Some(r) = replacement {
                            parts.push(r.value(row).to_owned());
                        }
                    }
                }
            }
            out.push(Some(parts.join(delimiter.value(row))));
        }
        Ok(ColumnarValue::Array(Arc::new(StringArray::from(out))))
    }
}
