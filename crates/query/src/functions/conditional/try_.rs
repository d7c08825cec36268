//! `try(expression)` → type of `expression`: the value of `expression`, or NULL where evaluating
//! it raises one of the errors Trino's `try` catches — division by zero, a failed cast, an
//! invalid function argument, a value out of range. Other failures still fail the query.
//!
//! A function's arguments are evaluated before it runs, so `try` cannot catch their errors
//! itself: at planning (`simplify`, after type coercion, bottom-up) its argument is rewritten so
//! that it cannot raise those errors any more:
//! - integer `a / b` and `a % b` → `a / nullif(b, 0)` (double division gives ±Infinity/NaN and
//!   is left alone);
//! - `CAST(x AS t)` → `TRY_CAST(x AS t)`;
//! - every function call `f(…)` → [`TryCall`] of `f`, which evaluates `f` on the whole batch and,
//!   when that fails with a catchable error, again row by row, answering NULL for the rows that
//!   fail.
//!
//! Integer overflow of `+`, `-`, `*` is not an error in DataFusion (it wraps), so there is
//! nothing to catch there.
//!
//! Limit: DataFusion's constant folding runs before this rewrite and raises the error of a CAST
//! of a *literal* at planning (`try(CAST('abc' AS bigint))`), even inside `try`. The planner can
//! avoid it by calling [`shield_literal_casts`] on the arguments of `try` before analysis
//! (typing/timestream_cast.rs); casts of columns are handled here. Examples [trino]: `try(1 / 0)` → NULL;
//! `try(CAST('abc' AS bigint))` → NULL; `coalesce(try(x / y), 0)`.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{exec_err, DataFusionError, Result, ScalarValue};
use datafusion::logical_expr::expr::{ScalarFunction, TryCast};
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    BinaryExpr, ColumnarValue, Expr, Operator, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDF,
    ScalarUDFImpl, Signature, Volatility,
};

use crate::functions::conversion::args::unexpected;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Try {
    signature: Signature,
}

impl Try {
    pub fn new() -> Self {
        Self {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl Default for Try {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for Try {
    fn name(&self) -> &str {
        "try"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn short_circuits(&self) -> bool {
        true
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        match args {
            [t] => Ok(t.clone()),
            _ => unexpected(self.name(), args, "try(T)"),
        }
    }

    fn simplify(&self, args: Vec<Expr>, info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        let [arg] = <[Expr; 1]>::try_from(args)
            .map_err(|_| DataFusionError::Plan("try takes one argument".into()))?;
        let rewritten = arg.transform_up(|e| harmless(e, info))?.data;
        Ok(ExprSimplifyResult::Simplified(rewritten))
    }

    /// Only reached when the plan was not simplified: the argument evaluated without error.
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        match args.args.into_iter().next() {
            Some(value) => Ok(value),
            None => exec_err!("try takes one argument"),
        }
    }
}

/// `try`'s argument with its casts turned into TRY_CASTs, for the planner to apply before
/// DataFusion's constant folding (which fails at planning on a CAST of a literal that cannot be
/// converted, before `Try::simplify` runs).
pub fn shield_literal_casts(arg: Expr) -> Result<Expr> {
    Ok(arg
        .transform_up(|e| {
            Ok(match e {
                Expr::Cast(cast) => Transformed::yes(Expr::TryCast(TryCast::new_from_field(
                    cast.expr, cast.field,
                ))),
                other => Transformed::no(other),
            })
        })?
        .data)
}

fn is_integer(t: &DataType) -> bool {
    t.is_integer()
}

/// One node of `try`'s argument, rewritten not to raise the errors `try` catches.
fn harmless(e: Expr, info: &SimplifyContext) -> Result<Transformed<Expr>> {
    Ok(match e {
        Expr::BinaryExpr(BinaryExpr { left, op, right })
            if matches!(op, Operator::Divide | Operator::Modulo)
                && is_integer(&info.get_data_type(&right)?) =>
        {
            let zero = Expr::Literal(ScalarValue::new_zero(&info.get_data_type(&right)?)?, None);
            let divisor = datafusion::functions::core::expr_fn::nullif(*right, zero);
            Transformed::yes(Expr::BinaryExpr(BinaryExpr::new(
                left,
                op,
                Box::new(divisor),
            )))
        }
        Expr::Cast(cast) => Transformed::yes(Expr::TryCast(TryCast::new_from_field(
            cast.expr, cast.field,
        ))),
        Expr::ScalarFunction(ScalarFunction { func, args })
            if func.inner().downcast_ref::<TryCall>().is_none() =>
        {
            let wrapped = Arc::new(ScalarUDF::new_from_impl(TryCall::new(func)));
            Transformed::yes(Expr::ScalarFunction(ScalarFunction::new_udf(wrapped, args)))
        }
        other => Transformed::no(other),
    })
}

/// Whether `try` turns this error into NULL: errors about values (execution and Arrow compute
/// errors: division by zero, casts, overflow, invalid arguments), not resource, I/O, planning or
/// internal errors.
fn catchable(e: &DataFusionError) -> bool {
    matches!(
        e.find_root(),
        DataFusionError::Execution(_) | DataFusionError::ArrowError(_, _)
    )
}

/// A function call inside `try`: NULL for the rows on which the function fails.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TryCall {
    inner: Arc<ScalarUDF>,
    name: String,
}

impl TryCall {
    pub fn new(inner: Arc<ScalarUDF>) -> Self {
        let name = format!("try_{}", inner.name());
        Self { inner, name }
    }
}

impl ScalarUDFImpl for TryCall {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn short_circuits(&self) -> bool {
        self.inner.short_circuits()
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        self.inner.return_type(args)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let field = self.inner.return_field_from_args(args)?;
        Ok(Arc::new(field.as_ref().clone().with_nullable(true)))
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.coerce_types(args)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        match self.inner.invoke_with_args(args.clone()) {
            Ok(value) => return Ok(value),
            Err(e) if catchable(&e) => {}
            Err(e) => return Err(e),
        }
        let null = ScalarValue::try_from(args.return_type())?;
        let all_scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        if all_scalar {
            return Ok(ColumnarValue::Scalar(null));
        }
        let mut values = Vec::with_capacity(args.number_rows);
        for i in 0..args.number_rows {
            let row = args
                .args
                .iter()
                .map(|a| match a {
                    ColumnarValue::Scalar(s) => Ok(ColumnarValue::Scalar(s.clone())),
                    ColumnarValue::Array(array) => Ok(ColumnarValue::Scalar(
                        ScalarValue::try_from_array(array, i)?,
                    )),
                })
                .collect::<Result<Vec<_>>>()?;
            let value = self.inner.invoke_with_args(ScalarFunctionArgs {
                args: row,
                arg_fields: args.arg_fields.clone(),
                number_rows: 1,
                return_field: args.return_field.clone(),
                config_options: args.config_options.clone(),
            });
            values.push(match value {
                Ok(ColumnarValue::Scalar(s)) => s,
                Ok(ColumnarValue::Array(a)) => ScalarValue::try_from_array(&a, 0)?,
                Err(e) if catchable(&e) => null.clone(),
                Err(e) => return Err(e),
            });
        }
        Ok(ColumnarValue::Array(ScalarValue::iter_to_array(values)?))
    }
}
