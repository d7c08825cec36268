//! `zip_with(array(T), array(U), function(T,U,R)) → array(R)`: the lambda applied to the
//! elements of both arrays pairwise, the shorter array padded with NULLs first (Trino;
//! timestream-functions.md §8). A NULL array on either side gives NULL; two empty arrays an
//! empty one.
//!
//! Documented example: `zip_with(ARRAY[1, 2], ARRAY[3, 4], (x, y) -> x + y)` → `[4, 6]`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ListArray, UInt32Array};
use datafusion::arrow::compute::{cast, take};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature,
    HigherOrderUDFImpl, LambdaParametersProgress, ValueOrLambda, Volatility,
};

use super::{
    call, element_type, fits, flatten, is_series, list_arg, list_of, list_type, offsets, param,
    progress, row_index, seen_types, seen_when_typed, seen_while_binding, unexpected, untyped, Arg,
    Seen, Shape,
};

pub(super) const NAME: &str = "zip_with";

pub(super) const SHAPE: Shape = Shape {
    sql_name: NAME,
    registered: NAME,
    args: &[Arg::Value, Arg::Value, Arg::Lambda(2)],
};

const EXPECTED: &str = "zip_with(array(T), array(U), function(T,U,R))";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ZipWith {
    signature: HigherOrderSignature,
}

/// Both arrays' types (as `List`s) and element types.
struct Types {
    lists: [DataType; 2],
    elements: [DataType; 2],
}

impl ZipWith {
    pub fn new() -> Self {
        Self {
            signature: HigherOrderSignature::variadic_any(Volatility::Immutable),
        }
    }

    /// Both arrays' types, when the value arguments fit.
    fn values(&self, seen: &[Seen]) -> Option<Types> {
        let array = |i: usize| match seen.get(i) {
            Some(Seen::Value(t)) if !is_series(t) => list_type(t).zip(element_type(t)),
            _ => None,
        };
        let ((a, ea), (b, eb)) = (array(0)?, array(1)?);
        fits(seen, SHAPE.args).then_some(Types {
            lists: [a, b],
            elements: [ea, eb],
        })
    }

    /// [`Self::values`], or the error.
    pub(super) fn check(&self, seen: &[Seen]) -> Result<()> {
        match self.values(seen) {
            Some(_) => Ok(()),
            None => unexpected(NAME, seen, &[], EXPECTED),
        }
    }
}

impl HigherOrderUDFImpl for ZipWith {
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
            Some(Types { elements, .. }) => progress(vec![elements.to_vec()]),
            None => untyped(&seen),
        })
    }

    fn coerce_values_for_lambdas(
        &self,
        fields: &[ValueOrLambda<DataType, DataType>],
    ) -> Result<Option<Vec<DataType>>> {
        Ok(self
            .values(&seen_types(fields))
            .map(|Types { lists, .. }| lists.to_vec()))
    }

    fn return_field_from_args(&self, args: HigherOrderReturnFieldArgs) -> Result<FieldRef> {
        let seen = seen_when_typed(args.arg_fields);
        match seen.get(2) {
            Some(Seen::Lambda(Some(result))) if self.values(&seen).is_some() => {
                Ok(param(&list_of(result.clone())))
            }
            _ => Ok(param(&DataType::Null)),
        }
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let [ValueOrLambda::Value(a), ValueOrLambda::Value(b), ValueOrLambda::Lambda(function)] =
            args.args.as_slice()
        else {
            return exec_err!("zip_with takes two arrays and a lambda");
        };
        let rows = args.number_rows;
        let (a, b) = (list_arg(a, rows)?, list_arg(b, rows)?);
        let (fa, fb) = (flatten(&a)?, flatten(&b)?);
        // Per element of the result: its row and the element of each side (None: padding).
        let (mut at, mut left, mut right, mut lengths) = (vec![], vec![], vec![], vec![]);
        for r in 0..rows {
            if a.is_null(r) || b.is_null(r) {
                lengths.push(0);
                continue;
            }
            let n = fa.len(r).max(fb.len(r));
            for k in 0..n {
                at.push(row_index(r)?);
                left.push(
                    (k < fa.len(r))
                        .then(|| row_index(fa.starts[r] + k))
                        .transpose()?,
                );
                right.push(
                    (k < fb.len(r))
                        .then(|| row_index(fb.starts[r] + k))
                        .transpose()?,
                );
            }
            lengths.push(n);
        }
        let x = take(&fa.values, &UInt32Array::from(left), None)?;
        let y = take(&fb.values, &UInt32Array::from(right), None)?;
        let DataType::List(field) = args.return_type() else {
            return exec_err!("zip_with returns {}", args.return_type());
        };
        let values = call(function, &[x, y], &UInt32Array::from(at), field.data_type())?;
        let values = if values.data_type() == field.data_type() {
            values
        } else {
            cast(&values, field.data_type())?
        };
        let nulls = (0..rows).map(|r| a.is_valid(r) && b.is_valid(r));
        let nulls = datafusion::arrow::buffer::NullBuffer::from_iter(nulls);
        let result = ListArray::try_new(field.clone(), offsets(lengths)?, values, Some(nulls))?;
        Ok(ColumnarValue::Array(Arc::new(result)))
    }
}
