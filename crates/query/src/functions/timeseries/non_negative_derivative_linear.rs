//! `non_negative_derivative_linear(timeseries, interval) → timeseries(double)`
//! (timestream-functions.md §12.4): `derivative_linear`, but "only returns positive values":
//! a point whose rate is negative (a counter reset) is left out, not clamped to 0; a rate of 0
//! is kept. Arguments, duplicate times and NULLs as `derivative_linear`.
//!
//! Guide example: `WITH binned_view as (SELECT bin(time, 5m) as binned_timestamp,
//! ROUND(AVG(measure_value::double), 2) as value FROM "sampleDB".DevOps WHERE micro_service =
//! 'jwt' AND time > ago(1h) AND measure_name = 'service_error' GROUP BY bin(time, 5m)) SELECT
//! non_negative_derivative_linear(CREATE_TIME_SERIES(binned_timestamp, value), 1m) as
//! rateOfErrorIncrease FROM binned_view`. Worked example: the series (00:00:00, 1.0),
//! (00:00:10, 3.0), (00:00:30, 2.0) per `1m` gives (00:00:10, 12.0) only.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::derivative_linear::{coerce_types, derivatives};
use super::timeseries_type;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct NonNegativeDerivativeLinear {
    signature: Signature,
}

impl NonNegativeDerivativeLinear {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for NonNegativeDerivativeLinear {
    fn name(&self) -> &str {
        "non_negative_derivative_linear"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_types(self.name(), arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(timeseries_type(DataType::Float64))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        derivatives(self.name(), true, args)
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::datatypes::IntervalMonthDayNano;
    use datafusion::common::ScalarValue;
    use datafusion::logical_expr::ColumnarValue;

    use super::*;
    use crate::functions::timeseries::args::testing::{call, doubles, read, SEC};

    #[test]
    fn negative_rates_are_left_out_and_zero_is_kept() {
        let minute = ColumnarValue::Scalar(ScalarValue::IntervalMonthDayNano(Some(
            IntervalMonthDayNano::new(0, 0, 60 * SEC),
        )));
        let series = doubles(&[Some(&[
            (0, 1.0),
            (10, 3.0),
            (30, 2.0),
            (40, 2.0),
            (50, 2.5),
        ])]);
        let out = call(
            &NonNegativeDerivativeLinear::new(),
            vec![ColumnarValue::Array(series), minute],
            1,
        )
        .unwrap();
        assert_eq!(
            read(&out),
            vec![Some(vec![(10, 12.0), (40, 0.0), (50, 3.0)])]
        );
    }
}
