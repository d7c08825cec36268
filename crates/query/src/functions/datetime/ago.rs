//! `ago(interval) → timestamp`: the query's start time minus the interval. Like `now()`, it is
//! folded into a literal at planning, from the engine clock (never the system clock), so every
//! use in one query sees the same instant.
//!
//! Documented example: `ago(1h)` is `now() - 1h`.

use datafusion::arrow::datatypes::{DataType, IntervalUnit, TimeUnit};
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    ColumnarValue, Expr, Operator, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Ago {
    signature: Signature,
}

impl Ago {
    pub fn new() -> Self {
        Self {
            signature: Signature::exact(
                vec![DataType::Interval(IntervalUnit::MonthDayNano)],
                Volatility::Stable,
            ),
        }
    }
}

impl Default for Ago {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for Ago {
    fn name(&self) -> &str {
        "ago"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        match args {
            [DataType::Interval(_)] => Ok(DataType::Timestamp(TimeUnit::Nanosecond, None)),
            other => plan_err!("Unexpected parameters ({other:?}) for function ago. Expected: ago(interval day to second)"),
        }
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        exec_err!("ago() is folded into a literal at planning")
    }

    fn simplify(&self, mut args: Vec<Expr>, info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        let Some(now) = info
            .query_execution_start_time()
            .and_then(|t| t.timestamp_nanos_opt())
        else {
            return Ok(ExprSimplifyResult::Original(args));
        };
        let Some(interval) = args.pop() else {
            return Ok(ExprSimplifyResult::Original(args));
        };
        let now = Expr::Literal(ScalarValue::TimestampNanosecond(Some(now), None), None);
        Ok(ExprSimplifyResult::Simplified(
            datafusion::logical_expr::binary_expr(now, Operator::Minus, interval),
        ))
    }
}
