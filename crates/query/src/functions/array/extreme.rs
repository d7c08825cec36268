//! `array_max` and `array_min` (timestream-functions.md §8): the largest (smallest) element;
//! NULL when any element is NULL or the array is empty [trino]. DataFusion's versions skip NULL
//! elements (`array_max([1, NULL, 3])` = 3).

use std::cmp::Ordering;

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{as_list, coerce_array, element_field, has_null, range, to_array};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Extreme {
    name: &'static str,
    largest: bool,
    signature: Signature,
}

impl Extreme {
    pub fn new(name: &'static str, largest: bool) -> Self {
        Self {
            name,
            largest,
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Extreme {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_array(self.name, arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.first().and_then(element_field) {
            Some(f) => Ok(f.data_type().clone()),
            None => plan_err!("{} expects an array", self.name),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let list = as_list(&arrays[0])?;
        let values: &ArrayRef = list.values();
        let mut out = Vec::with_capacity(list.len());
        for i in 0..list.len() {
            let (start, end) = range(list, i);
            if list.is_null(i) || start == end || has_null(values.as_ref(), start, end) {
                out.push(ScalarValue::try_from(values.data_type())?);
                continue;
            }
            let mut best = ScalarValue::try_from_array(values, start)?;
            for j in start + 1..end {
                let v = ScalarValue::try_from_array(values, j)?;
                let o = v.partial_cmp(&best).unwrap_or(Ordering::Equal);
                if (self.largest && o == Ordering::Greater)
                    || (!self.largest && o == Ordering::Less)
                {
                    best = v;
                }
            }
            out.push(best);
        }
        let dt = values.data_type().clone();
        Ok(ColumnarValue::Array(to_array(out, &dt)?))
    }
}
