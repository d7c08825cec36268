//! `transform(array(T), function(T,U)) → array(U)`: the lambda applied to each element, in
//! order (timestream-functions.md §8, Trino). NULL elements are passed to the lambda as NULL; a
//! NULL array gives NULL; an empty one, an empty `array(U)`. Not for time series: the guide
//! does not document `transform` over a `timeseries` (§12.7), so one is refused like any other
//! non-array argument.
//!
//! Documented example: `transform(ARRAY[5, 6], x -> x + 1)` → `[6, 7]`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ListArray};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature,
    HigherOrderUDFImpl, LambdaParametersProgress, ValueOrLambda, Volatility,
};

use super::{
    call, element_type, fits, flatten, is_series, list_arg, list_of, list_type, param, progress,
    seen_types, seen_when_typed, seen_while_binding, unexpected, untyped, Arg, Seen, Shape,
};

pub(super) const NAME: &str = "transform";

pub(super) const SHAPE: Shape = Shape {
    sql_name: NAME,
    registered: NAME,
    args: &[Arg::Value, Arg::Lambda(1)],
};

const EXPECTED: &str = "transform(array(T), function(T,U))";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Transform {
    signature: HigherOrderSignature,
}

impl Transform {
    pub fn new() -> Self {
        Self {
            signature: HigherOrderSignature::variadic_any(Volatility::Immutable),
        }
    }

    /// The array's type (as a `List`) and the lambda's parameter type, when the value
    /// arguments fit.
    fn values(&self, seen: &[Seen]) -> Option<(DataType, DataType)> {
        match seen.first() {
            Some(Seen::Value(array)) if fits(seen, SHAPE.args) && !is_series(array) => {
                Some((list_type(array)?, element_type(array)?))
            }
            _ => None,
        }
    }

    /// [`Self::values`], or the error.
    pub(super) fn check(&self, seen: &[Seen]) -> Result<()> {
        match self.values(seen) {
            Some(_) => Ok(()),
            None => unexpected(NAME, seen, &[], EXPECTED),
        }
    }
}

impl HigherOrderUDFImpl for Transform {
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
        let seen = seen_when_typed(args.arg_fields);
        match seen.get(1) {
            Some(Seen::Lambda(Some(result))) if self.values(&seen).is_some() => {
                Ok(param(&list_of(result.clone())))
            }
            _ => Ok(param(&DataType::Null)),
        }
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let [ValueOrLambda::Value(array), ValueOrLambda::Lambda(function)] = args.args.as_slice()
        else {
            return exec_err!("transform takes an array and a lambda");
        };
        let list = list_arg(array, args.number_rows)?;
        let flat = flatten(&list)?;
        let DataType::List(field) = args.return_type() else {
            return exec_err!("transform returns {}", args.return_type());
        };
        let values = call(
            function,
            std::slice::from_ref(&flat.values),
            &flat.rows,
            field.data_type(),
        )?;
        let values = if values.data_type() == field.data_type() {
            values
        } else {
            datafusion::arrow::compute::cast(&values, field.data_type())?
        };
        let result = ListArray::try_new(
            field.clone(),
            flat.offsets()?,
            values,
            list.nulls().cloned(),
        )?;
        Ok(ColumnarValue::Array(Arc::new(result)))
    }
}
