//! `filter(array(T), function(T,boolean)) → array(T)`: the elements for which the lambda
//! returns true, in order; false and NULL drop the element (timestream-functions.md §8, Trino).
//! `filter(timeseries(T), function(T,boolean)) → timeseries(T)`: the points for which it
//! returns true; the lambda's argument is the point, read as `x.time` / `x.value` (§12.7). A NULL
//! array gives NULL; an empty one, an empty one. The result keeps the argument's type (a series
//! stays a series).
//!
//! Documented examples: `filter(ARRAY[5, -6, NULL, 7], x -> x > 0)` → `[5, 7]`;
//! `FILTER(cpu_user, x -> x.value > 70.0)` keeps the points above 70.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ListArray};
use datafusion::arrow::compute::filter as keep_where;
use datafusion::arrow::compute::prep_null_mask_filter;
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature,
    HigherOrderUDFImpl, LambdaParametersProgress, ValueOrLambda, Volatility,
};

use super::{
    booleans, call, element_type, fits, flatten, is_boolean, list_arg, list_type, offsets, param,
    progress, seen_types, seen_when_typed, seen_while_binding, unexpected, untyped, Arg, Seen,
    Shape,
};

pub(super) const NAME: &str = "filter";

pub(super) const SHAPE: Shape = Shape {
    sql_name: NAME,
    registered: NAME,
    args: &[Arg::Value, Arg::Lambda(1)],
};

const EXPECTED: &str =
    "filter(array(T), function(T,boolean)), filter(timeseries(T), function(T,boolean))";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Filter {
    signature: HigherOrderSignature,
}

impl Filter {
    pub fn new() -> Self {
        Self {
            signature: HigherOrderSignature::variadic_any(Volatility::Immutable),
        }
    }

    /// The array's type (as a `List`) and the lambda's parameter type, when the value
    /// arguments fit.
    fn values(&self, seen: &[Seen]) -> Option<(DataType, DataType)> {
        match seen.first() {
            Some(Seen::Value(array)) if fits(seen, SHAPE.args) => {
                Some((list_type(array)?, element_type(array)?))
            }
            _ => None,
        }
    }

    /// [`Self::values`], the predicate a boolean, or the error.
    pub(super) fn check(&self, seen: &[Seen]) -> Result<(DataType, DataType)> {
        let Some((list, element)) = self.values(seen) else {
            return unexpected(NAME, seen, &[], EXPECTED);
        };
        if let Some(Seen::Lambda(Some(result))) = seen.get(1) {
            if !is_boolean(result) {
                return unexpected(NAME, seen, &[vec![element]], EXPECTED);
            }
        }
        Ok((list, element))
    }
}

impl HigherOrderUDFImpl for Filter {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &HigherOrderSignature {
        &self.signature
    }

    fn lambda_parameters(
        &self,
        _step: usize,
        fields: &[ValueOrLambda<FieldRef, Option<FieldRef>>],
    ) -> Result<LambdaParametersProgress> {
        let seen = seen_while_binding(fields);
        Ok(match self.values(&seen) {
            Some((_, element)) => progress(vec![vec![element]]),
            None => untyped(&seen),
        })
    }

    fn coerce_values_for_lambdas(
        &self,
        fields: &[ValueOrLambda<DataType, DataType>],
    ) -> Result<Option<Vec<DataType>>> {
        Ok(self.values(&seen_types(fields)).map(|(list, _)| vec![list]))
    }

    fn return_field_from_args(&self, args: HigherOrderReturnFieldArgs) -> Result<FieldRef> {
        let list = self.values(&seen_when_typed(args.arg_fields));
        Ok(param(&list.map_or(DataType::Null, |(list, _)| list)))
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let [ValueOrLambda::Value(array), ValueOrLambda::Lambda(predicate)] = args.args.as_slice()
        else {
            return exec_err!("filter takes an array and a lambda");
        };
        let list = list_arg(array, args.number_rows)?;
        let flat = flatten(&list)?;
        let keep = booleans(call(
            predicate,
            std::slice::from_ref(&flat.values),
            &flat.rows,
            &DataType::Boolean,
        )?)?;
        // NULL drops the element, as false does (a mask without NULLs has no null buffer).
        let keep = if keep.null_count() > 0 {
            prep_null_mask_filter(&keep)
        } else {
            keep
        };
        let kept = (0..list.len()).map(|r| {
            (flat.starts[r]..flat.starts[r + 1])
                .filter(|&k| keep.value(k))
                .count()
        });
        let offsets = offsets(kept)?;
        let values = keep_where(&flat.values, &keep)?;
        let DataType::List(field) = list.data_type() else {
            return exec_err!("filter of {}", list.data_type());
        };
        let result = ListArray::try_new(field.clone(), offsets, values, list.nulls().cloned())?;
        Ok(ColumnarValue::Array(Arc::new(result)))
    }
}
