//! `zip(array1, array2[, …]) → array(row)`: the arrays merged element-wise into rows, shorter
//! arrays padded with NULL; row fields are unnamed [trino] (timestream-functions.md §8); a NULL
//! array gives NULL. DataFusion's `arrays_zip` pads the same way but names the fields `1`, `2`,
//! …, which clients would see as field names.
//!
//! Documented example: `SELECT zip(ARRAY[6,8,2,9,3], ARRAY[15,24])` →
//! `[{6, 15}, {8, 24}, {2, NULL}, {9, NULL}, {3, NULL}]`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, ListArray, StructArray, UInt64Array};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::{plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{as_list, element_field, list_of, list_type, range, type_list};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Zip {
    signature: Signature,
}

impl Zip {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

/// Anonymous row fields, named as DataFusion names them (`c0`, `c1`, …; encode.rs sends no name).
fn row_fields(arg_types: &[DataType]) -> Fields {
    arg_types
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let e = element_field(t).map_or(DataType::Null, |f| f.data_type().clone());
            Field::new(format!("c{i}"), e, true)
        })
        .collect()
}

impl ScalarUDFImpl for Zip {
    fn name(&self) -> &str {
        "zip"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if arg_types.len() >= 2 && arg_types.iter().all(|t| list_type(t).is_some()) {
            Ok(arg_types.iter().filter_map(list_type).collect())
        } else {
            plan_err!(
                "Unexpected parameters ({}) for function zip. Expected: zip(array(T1), array(T2), …) with at least two arrays",
                type_list(arg_types)
            )
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(list_of(DataType::Struct(row_fields(arg_types))))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let lists = arrays.iter().map(as_list).collect::<Result<Vec<_>>>()?;
        let rows = lists.first().map_or(0, |l| l.len());
        let mut indices: Vec<Vec<Option<u64>>> = vec![Vec::new(); lists.len()];
        let mut lengths = Vec::with_capacity(rows);
        let mut nulls = Vec::with_capacity(rows);
        for row in 0..rows {
            if lists.iter().any(|l| l.is_null(row)) {
                lengths.push(0);
                nulls.push(false);
                continue;
            }
            let ranges: Vec<(usize, usize)> = lists.iter().map(|l| range(l, row)).collect();
            let n = ranges.iter().map(|(s, e)| e - s).max().unwrap_or(0);
            for (child, (s, e)) in indices.iter_mut().zip(&ranges) {
                child.extend((0..n).map(|k| (s + k < *e).then_some((s + k) as u64)));
            }
            lengths.push(n);
            nulls.push(true);
        }
        let types: Vec<DataType> = lists.iter().map(|l| l.data_type().clone()).collect();
        let fields = row_fields(&types);
        let children = lists
            .iter()
            .zip(indices)
            .map(|(l, idx)| Ok(take(l.values().as_ref(), &UInt64Array::from(idx), None)?))
            .collect::<Result<Vec<ArrayRef>>>()?;
        let rows_array = StructArray::try_new(fields.clone(), children, None)?;
        let out = ListArray::try_new(
            Arc::new(Field::new_list_field(DataType::Struct(fields), true)),
            OffsetBuffer::from_lengths(lengths),
            Arc::new(rows_array),
            Some(nulls.into()),
        )?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
