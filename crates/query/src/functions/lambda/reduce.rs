//! `reduce(array(T), initialState S, inputFunction(S,T,S), outputFunction(S,R)) → R`: a left
//! fold, `state = inputFunction(state, element)` for each element in order starting from
//! `initialState`, then `outputFunction(state)` (timestream-functions.md §8, Trino).
//! `reduce(timeseries(T), S, (S, point) → S, S → R) → R` folds the points in time order, the
//! lambda reading `x.time` / `x.value` (§12.7).
//!
//! The state type is the initial value's, widened to the input function's result where that
//! is wider (`reduce(ARRAY[1.5], 0, (s, x) -> s + x, s -> s)` folds doubles); the initial value
//! is cast to it, and so is each result of the input function. A row state is built with
//! `CAST(ROW(…) AS ROW(name type, …))` and read as `s.name`. NULL elements and NULL states are
//! passed to the lambdas as they are (`s + x` turns NULL for good at a NULL element); a NULL
//! array gives NULL without calling either lambda; an empty array gives
//! `outputFunction(initialState)`.
//!
//! Documented examples: `reduce(ARRAY[5, 20, 50], 0, (s, x) -> s + x, s -> s)` → `75`;
//! `reduce(ARRAY[5, 20, NULL, 50], 0, (s, x) -> s + x, s -> s)` → NULL;
//! `REDUCE(cpu_user, DOUBLE '0.0', (s, x) -> x.value * x.value + s, s -> s)` (sum of squares).

use datafusion::arrow::array::{Array, ArrayRef, UInt32Array};
use datafusion::arrow::compute::{cast, interleave, take};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature,
    HigherOrderUDFImpl, LambdaParametersProgress, ValueOrLambda, Volatility,
};

use super::{
    call, element_type, fits, flatten, list_arg, list_type, live_rows, param, row_index, scatter,
    seen_types, seen_while_binding, unexpected, untyped, widen, Arg, Seen, Shape,
};

pub(super) const NAME: &str = "reduce";

pub(super) const SHAPE: Shape = Shape {
    sql_name: NAME,
    registered: NAME,
    args: &[Arg::Value, Arg::Value, Arg::Lambda(2), Arg::Lambda(1)],
};

const EXPECTED: &str = "reduce(array(T), S, function(S,T,S), function(S,R)), \
                        reduce(timeseries(T), S, function(S,T,S), function(S,R))";

/// How many times the input function is typed again with a widened state before the state
/// type is taken as settled (integer → bigint → double is the longest chain).
const WIDENINGS: usize = 3;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Reduce {
    signature: HigherOrderSignature,
}

/// The types of one call: the array (as a `List`), its element, the initial value.
pub(super) struct Types {
    list: DataType,
    element: DataType,
    initial: DataType,
}

impl Reduce {
    pub fn new() -> Self {
        Self {
            signature: HigherOrderSignature::variadic_any(Volatility::Immutable),
        }
    }

    /// The types of the value arguments, when they fit.
    fn values(&self, seen: &[Seen]) -> Option<Types> {
        let (Some(Seen::Value(array)), Some(Seen::Value(initial))) = (seen.first(), seen.get(1))
        else {
            return None;
        };
        fits(seen, SHAPE.args).then_some(())?;
        Some(Types {
            list: list_type(array)?,
            element: element_type(array)?,
            initial: initial.clone(),
        })
    }

    /// The value arguments' types and the state type (once the input function's result is
    /// known), or the error.
    pub(super) fn check(&self, seen: &[Seen]) -> Result<(Types, Option<DataType>)> {
        let Some(types) = self.values(seen) else {
            return unexpected(NAME, seen, &[], EXPECTED);
        };
        let Some(Seen::Lambda(Some(input))) = seen.get(2) else {
            return Ok((types, None));
        };
        match widen(&types.initial, input) {
            Some(state) => Ok((types, Some(state))),
            // The lambdas were typed with the initial value's type as the state.
            None => unexpected(
                NAME,
                seen,
                &[
                    vec![types.initial.clone(), types.element.clone()],
                    vec![types.initial.clone()],
                ],
                EXPECTED,
            ),
        }
    }
}

impl HigherOrderUDFImpl for Reduce {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &HigherOrderSignature {
        &self.signature
    }

    /// First the input function is typed with the initial value's type as the state; then
    /// again with the state widened to its result (a few times, the widening settles fast);
    /// then both functions with the settled state.
    fn lambda_parameters(
        &self,
        step: usize,
        fields: &[ValueOrLambda<FieldRef, Option<FieldRef>>],
    ) -> Result<LambdaParametersProgress> {
        let seen = seen_while_binding(fields);
        let Some(types) = self.values(&seen) else {
            return Ok(untyped(&seen));
        };
        let (input, output) = match (seen.get(2), seen.get(3)) {
            (Some(Seen::Lambda(input)), Some(Seen::Lambda(output))) => (input, output),
            _ => return Ok(untyped(&seen)),
        };
        let Some(input) = input else {
            return Ok(LambdaParametersProgress::Partial(vec![
                Some(vec![param(&types.initial), param(&types.element)]),
                None,
            ]));
        };
        // A result the state cannot widen to is reported by `coerce_values_for_lambdas`.
        let state = widen(&types.initial, input).unwrap_or(types.initial);
        if output.is_none() && step < WIDENINGS {
            return Ok(LambdaParametersProgress::Partial(vec![
                Some(vec![param(&state), param(&types.element)]),
                None,
            ]));
        }
        Ok(LambdaParametersProgress::Complete(vec![
            vec![param(&state), param(&types.element)],
            vec![param(&state)],
        ]))
    }

    fn coerce_values_for_lambdas(
        &self,
        fields: &[ValueOrLambda<DataType, DataType>],
    ) -> Result<Option<Vec<DataType>>> {
        let seen = seen_types(fields);
        let Some(types) = self.values(&seen) else {
            return Ok(None);
        };
        let state = match seen.get(2) {
            Some(Seen::Lambda(Some(input))) => widen(&types.initial, input),
            _ => None,
        };
        Ok(Some(vec![types.list, state.unwrap_or(types.initial)]))
    }

    fn return_field_from_args(&self, args: HigherOrderReturnFieldArgs) -> Result<FieldRef> {
        match args.arg_fields.get(3) {
            Some(ValueOrLambda::Lambda(output)) => Ok(param(output.data_type())),
            _ => Ok(param(&DataType::Null)),
        }
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let [ValueOrLambda::Value(array), ValueOrLambda::Value(initial), ValueOrLambda::Lambda(input), ValueOrLambda::Lambda(output)] =
            args.args.as_slice()
        else {
            return exec_err!("reduce takes an array, an initial state and two lambdas");
        };
        let rows = args.number_rows;
        let (Some(ValueOrLambda::Value(initial_field)), Some(ValueOrLambda::Lambda(input_field))) =
            (args.arg_fields.get(1), args.arg_fields.get(2))
        else {
            return exec_err!("reduce: argument fields missing");
        };
        let Some(state_type) = widen(initial_field.data_type(), input_field.data_type()) else {
            return exec_err!("reduce: no state type");
        };
        let list = list_arg(array, rows)?;
        let flat = flatten(&list)?;
        let mut state = fit(initial.to_array(rows)?, &state_type)?;
        let longest = (0..rows).map(|r| flat.len(r)).max().unwrap_or(0);
        for k in 0..longest {
            // The rows with a k-th element fold it into their state.
            let active: Vec<usize> = (0..rows).filter(|&r| flat.len(r) > k).collect();
            let at = UInt32Array::from(
                active
                    .iter()
                    .map(|&r| row_index(r))
                    .collect::<Result<Vec<_>>>()?,
            );
            let elements = UInt32Array::from(
                active
                    .iter()
                    .map(|&r| row_index(flat.starts[r] + k))
                    .collect::<Result<Vec<_>>>()?,
            );
            let states = take(&state, &at, None)?;
            let values = take(&flat.values, &elements, None)?;
            let folded = fit(
                call(input, &[states, values], &at, &state_type)?,
                &state_type,
            )?;
            let mut next = active.iter().enumerate().peekable();
            let picks: Vec<(usize, usize)> = (0..rows)
                .map(|r| match next.peek() {
                    Some(&(j, &a)) if a == r => {
                        next.next();
                        (1, j)
                    }
                    _ => (0, r),
                })
                .collect();
            state = interleave(&[state.as_ref(), folded.as_ref()], &picks)?;
        }
        let live = live_rows(&list)?;
        let states = take(&state, &live, None)?;
        let results = call(output, &[states], &live, args.return_type())?;
        Ok(ColumnarValue::Array(scatter(&results, &live, rows)?))
    }
}

/// `values` as the state type.
fn fit(values: ArrayRef, state: &DataType) -> Result<ArrayRef> {
    if values.data_type() == state {
        Ok(values)
    } else {
        Ok(cast(&values, state)?)
    }
}
