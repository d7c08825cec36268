//! What `any_match`, `all_match` and `none_match` share: `(array(T), function(T,boolean)) →
//! boolean`, Trino's three-valued answer over the predicate's results of all elements. A NULL
//! array gives NULL. The predicate is evaluated on every element (Trino stops at the first
//! deciding one, so an element after it that would fail, `1 / 0`, fails here and not there).

use datafusion::arrow::array::{Array, BooleanArray};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature,
    HigherOrderUDFImpl, LambdaParametersProgress, ValueOrLambda, Volatility,
};
use std::sync::Arc;

use super::{
    booleans, call, element_type, fits, flatten, is_boolean, is_series, list_arg, list_type, param,
    progress, seen_types, seen_while_binding, unexpected, untyped, Arg, Seen,
};

/// The lambda arguments of all three.
pub(super) const ARGS: &[Arg] = &[Arg::Value, Arg::Lambda(1)];

/// Which of the three, by what decides its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    /// true if some element matches; else NULL if some result is NULL; else false (empty).
    Any,
    /// false if some element does not match; else NULL if some result is NULL; else true.
    All,
    /// false if some element matches; else NULL if some result is NULL; else true.
    None,
}

impl Kind {
    /// The answer for a row whose predicate results include a true / a false / a NULL.
    fn answer(self, any_true: bool, any_false: bool, any_null: bool) -> Option<bool> {
        match self {
            Kind::Any if any_true => Some(true),
            Kind::All if any_false => Some(false),
            Kind::None if any_true => Some(false),
            _ if any_null => None,
            Kind::Any => Some(false),
            Kind::All | Kind::None => Some(true),
        }
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Match {
    name: &'static str,
    kind: Kind,
    signature: HigherOrderSignature,
}

impl Match {
    pub(super) fn new(name: &'static str, kind: Kind) -> Self {
        Self {
            name,
            kind,
            signature: HigherOrderSignature::variadic_any(Volatility::Immutable),
        }
    }

    fn expected(&self) -> String {
        format!("{}(array(T), function(T,boolean))", self.name)
    }

    /// The array's type (as a `List`) and the lambda's parameter type, when the value
    /// arguments fit.
    fn values(&self, seen: &[Seen]) -> Option<(DataType, DataType)> {
        match seen.first() {
            Some(Seen::Value(array)) if fits(seen, ARGS) && !is_series(array) => {
                Some((list_type(array)?, element_type(array)?))
            }
            _ => None,
        }
    }

    /// [`Self::values`], the predicate a boolean, or the error.
    pub(super) fn check(&self, seen: &[Seen]) -> Result<(DataType, DataType)> {
        let Some((list, element)) = self.values(seen) else {
            return unexpected(self.name, seen, &[], &self.expected());
        };
        if let Some(Seen::Lambda(Some(result))) = seen.get(1) {
            if !is_boolean(result) {
                return unexpected(self.name, seen, &[vec![element]], &self.expected());
            }
        }
        Ok((list, element))
    }
}

impl HigherOrderUDFImpl for Match {
    fn name(&self) -> &str {
        self.name
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

    fn return_field_from_args(&self, _args: HigherOrderReturnFieldArgs) -> Result<FieldRef> {
        Ok(param(&DataType::Boolean))
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let [ValueOrLambda::Value(array), ValueOrLambda::Lambda(predicate)] = args.args.as_slice()
        else {
            return exec_err!("{} takes an array and a lambda", self.name);
        };
        let list = list_arg(array, args.number_rows)?;
        let flat = flatten(&list)?;
        let results = booleans(call(
            predicate,
            std::slice::from_ref(&flat.values),
            &flat.rows,
            &DataType::Boolean,
        )?)?;
        let answers: BooleanArray = (0..list.len())
            .map(|r| {
                if list.is_null(r) {
                    return None;
                }
                let (mut any_true, mut any_false, mut any_null) = (false, false, false);
                for k in flat.starts[r]..flat.starts[r + 1] {
                    match results.is_valid(k).then(|| results.value(k)) {
                        Some(true) => any_true = true,
                        Some(false) => any_false = true,
                        None => any_null = true,
                    }
                }
                self.kind.answer(any_true, any_false, any_null)
            })
            .collect();
        Ok(ColumnarValue::Array(Arc::new(answers)))
    }
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn three_valued_answers() {
        // (any true, any false, any null)
        assert_eq!(Kind::Any.answer(true, true, true), Some(true));
        assert_eq!(Kind::Any.answer(false, true, true), None);
        assert_eq!(Kind::Any.answer(false, false, false), Some(false));
        assert_eq!(Kind::All.answer(true, true, true), Some(false));
        assert_eq!(Kind::All.answer(true, false, true), None);
        assert_eq!(Kind::All.answer(false, false, false), Some(true));
        assert_eq!(Kind::None.answer(true, false, true), Some(false));
        assert_eq!(Kind::None.answer(false, true, true), None);
        assert_eq!(Kind::None.answer(false, false, false), Some(true));
    }
}
