//! `bin(timestamp, interval) → timestamp`: rounds the timestamp down to a multiple of the
//! interval, counted from the Unix epoch (Timestream's `bin`; DataFusion's `date_bin` with the
//! epoch as origin and the arguments swapped).
//!
//! Documented example: `bin(time, 5m)` groups by five-minute buckets.

use datafusion::arrow::datatypes::{DataType, TimeUnit};
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::functions::expr_fn::date_bin;
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Bin {
    signature: Signature,
}

impl Bin {
    pub fn new() -> Self {
        Self {
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

impl Default for Bin {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for Bin {
    fn name(&self) -> &str {
        "bin"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        match args {
            [DataType::Timestamp(_, _) | DataType::Utf8 | DataType::Date32, DataType::Interval(_)] => {
                Ok(DataType::Timestamp(TimeUnit::Nanosecond, None))
            }
            other => plan_err!(
                "Unexpected parameters ({other:?}) for function bin. Expected: bin(timestamp, interval day to second)"
            ),
        }
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        exec_err!("bin() is rewritten to date_bin at planning")
    }

    fn simplify(&self, args: Vec<Expr>, _info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        let [time, interval] = <[Expr; 2]>::try_from(args).map_err(|_| {
            datafusion::error::DataFusionError::Plan("bin takes two arguments".into())
        })?;
        let origin = Expr::Literal(ScalarValue::TimestampNanosecond(Some(0), None), None);
        let time =
            datafusion::logical_expr::cast(time, DataType::Timestamp(TimeUnit::Nanosecond, None));
        Ok(ExprSimplifyResult::Simplified(date_bin(
            interval, time, origin,
        )))
    }
}
