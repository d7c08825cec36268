//! Array functions and operators without lambdas (timestream-functions.md §8, trap 5). Arrays
//! are 1-based and may hold NULLs. DataFusion's `ARRAY[…]` constructor, `||`, `array_distinct`,
//! `array_intersect`, `array_union`, `array_except` and `flatten` have Timestream's semantics and
//! are used unchanged; `concat` of arrays is the string library's `concat` (it plans
//! `array_concat` for arrays). The functions below differ from DataFusion's or are missing
//! there. `subscript` (`x[i]`, an error out of range) is not registered under a SQL name: the
//! planner builds `x[i]` with DataFusion's `array_element`, which typing/retype_expr.rs swaps for it.

use std::ops::Range;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::type_coercion::binary::comparison_coercion;
use datafusion::logical_expr::{ColumnarValue, ScalarUDF};

mod array_join;
mod array_max;
mod array_min;
mod array_position;
mod array_remove;
mod array_sort;
mod arrays_overlap;
mod cardinality;
mod contains;
mod element_at;
mod extreme;
mod ngrams;
mod repeat;
mod reverse;
mod sequence;
mod shuffle;
mod slice;
pub mod subscript;
mod zip;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(array_join::ArrayJoin::new())),
        Arc::new(ScalarUDF::from(array_max::array_max())),
        Arc::new(ScalarUDF::from(array_min::array_min())),
        Arc::new(ScalarUDF::from(array_position::ArrayPosition::new())),
        array_remove::udf(),
        Arc::new(ScalarUDF::from(array_sort::ArraySort::new())),
        Arc::new(ScalarUDF::from(arrays_overlap::ArraysOverlap::new())),
        Arc::new(ScalarUDF::from(cardinality::Cardinality::new())),
        Arc::new(ScalarUDF::from(contains::Contains::new())),
        Arc::new(ScalarUDF::from(element_at::ElementAt::new())),
        Arc::new(ScalarUDF::from(ngrams::Ngrams::new())),
        Arc::new(ScalarUDF::from(repeat::Repeat::new())),
        Arc::new(ScalarUDF::from(reverse::Reverse::new())),
        Arc::new(ScalarUDF::from(sequence::Sequence::new())),
        Arc::new(ScalarUDF::from(shuffle::Shuffle::new())),
        Arc::new(ScalarUDF::from(slice::Slice::new())),
        Arc::new(ScalarUDF::from(zip::Zip::new())),
    ]
}

/// The element field of a list type (List, LargeList, FixedSizeList).
pub(crate) fn element_field(dt: &DataType) -> Option<&FieldRef> {
    match dt {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => Some(f),
        _ => None,
    }
}

/// Any list type as the `List` our kernels read (`ARRAY[]` of NULLs is a list of Null).
pub(crate) fn list_type(dt: &DataType) -> Option<DataType> {
    element_field(dt).map(|f| DataType::List(f.clone()))
}

/// A `List` of `element`, elements nullable.
pub(crate) fn list_of(element: DataType) -> DataType {
    DataType::List(Arc::new(Field::new_list_field(element, true)))
}

/// `(array(E), T)` → `(array(S), S)` with `S` the common comparison type of `E` and `T`.
pub(crate) fn unify_element(list: &DataType, element: &DataType) -> Option<(DataType, DataType)> {
    let e = element_field(list)?.data_type();
    let element = match element {
        DataType::Dictionary(_, v) => v.as_ref(),
        other => other,
    };
    let common = match (e, element) {
        (DataType::Null, t) | (t, DataType::Null) => t.clone(),
        (a, b) => comparison_coercion(a, b)?,
    };
    Some((list_of(common.clone()), common))
}

/// Argument types of `name(array(E))`: any list type as a `List`, or Timestream's "Unexpected
/// parameters" error.
pub(crate) fn coerce_array(name: &str, arg_types: &[DataType]) -> Result<Vec<DataType>> {
    match arg_types {
        [x] => list_type(x).map(|l| vec![l]),
        _ => None,
    }
    .map_or_else(
        || {
            plan_err!(
                "Unexpected parameters ({}) for function {name}. Expected: {name}(array(E))",
                type_list(arg_types)
            )
        },
        Ok,
    )
}

/// Argument types of `name(array(T), T)`: the array and the element brought to their common
/// comparison type, or Timestream's "Unexpected parameters" error.
pub(crate) fn coerce_array_and_element(
    name: &str,
    arg_types: &[DataType],
) -> Result<Vec<DataType>> {
    match arg_types {
        [x, e] => unify_element(x, e).map(|(x, e)| vec![x, e]),
        _ => None,
    }
    .map_or_else(
        || {
            plan_err!(
                "Unexpected parameters ({}) for function {name}. Expected: {name}(array(T), T)",
                type_list(arg_types)
            )
        },
        Ok,
    )
}

/// For each row of `(array, element)` arguments: NULL when either is NULL, else what `search`
/// answers for the element (as a scalar) and the row's elements (a range of `values`).
pub(crate) fn search_rows<T>(
    args: &[ColumnarValue],
    mut search: impl FnMut(&ScalarValue, &ArrayRef, Range<usize>) -> Result<Option<T>>,
) -> Result<Vec<Option<T>>> {
    let arrays = ColumnarValue::values_to_arrays(args)?;
    let (Some(list), Some(needles)) = (arrays.first(), arrays.get(1)) else {
        return exec_err!("expected an array and an element");
    };
    let list = as_list(list)?;
    let values = list.values();
    let mut out = Vec::with_capacity(list.len());
    for row in 0..list.len() {
        if list.is_null(row) || needles.is_null(row) {
            out.push(None);
            continue;
        }
        let needle = ScalarValue::try_from_array(needles, row)?;
        let (start, end) = range(list, row);
        out.push(search(&needle, values, start..end)?);
    }
    Ok(out)
}

/// The argument as a `ListArray`.
pub(crate) fn as_list(array: &ArrayRef) -> Result<&ListArray> {
    match array.as_list_opt::<i32>() {
        Some(l) => Ok(l),
        None => exec_err!("expected an array, got {}", array.data_type()),
    }
}

/// The `[start, end)` range of row `i`'s elements in the list's values.
pub(crate) fn range(list: &ListArray, i: usize) -> (usize, usize) {
    let offsets = list.value_offsets();
    (offsets[i] as usize, offsets[i + 1] as usize)
}

/// Timestream's name of a type, for "Unexpected parameters" messages.
pub(crate) fn type_list(types: &[DataType]) -> String {
    crate::functions::aggregate::type_list(types)
}

/// Whether the values array holds any NULL in `[start, end)`.
pub(crate) fn has_null(values: &dyn Array, start: usize, end: usize) -> bool {
    values.null_count() > 0 && (start..end).any(|j| values.is_null(j))
}

/// `values` as an array of type `dt` (empty input gives an empty array).
pub(crate) fn to_array(
    values: Vec<datafusion::common::ScalarValue>,
    dt: &DataType,
) -> Result<ArrayRef> {
    if values.is_empty() {
        return Ok(datafusion::arrow::array::new_empty_array(dt));
    }
    datafusion::common::ScalarValue::iter_to_array(values)
}
