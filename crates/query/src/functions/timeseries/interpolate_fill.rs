//! `interpolate_fill` (timestream-functions.md §12.3): fills a requested time with a constant.
//!
//! - `interpolate_fill(timeseries, array(timestamp), double) → timeseries(double)`;
//! - `interpolate_fill(timeseries, timestamp, double) → double`.
//!
//! A requested time on a sample takes the sample's value; every other requested time — between
//! samples, before the first or after the last — takes the constant. An empty series gives an
//! empty series (NULL), as for the other interpolations, not a series of constants; of samples
//! sharing a time the last one counts (interpolation.rs's policy table). The series holds
//! numbers (bigint or double); any NULL argument, the constant included, gives NULL.
//!
//! Example from AWS's sample apps: `INTERPOLATE_FILL(CREATE_TIME_SERIES(…), SEQUENCE(…, 15s),
//! 10.0)`. Worked example: the series (00:00:00, 1.0), (00:00:10, 3.0), (00:00:30, 2.0) on the
//! grid 00, 10, 20, 30 s with 0.0 gives 1.0, 3.0, 0.0, 2.0.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::interpolation::Method;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct InterpolateFill {
    signature: Signature,
}

impl InterpolateFill {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for InterpolateFill {
    fn name(&self) -> &str {
        Method::Fill.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        Method::Fill.coerce_types(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Method::Fill.return_type(arg_types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Method::Fill.invoke(args)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::Float64Array;
    use datafusion::common::ScalarValue;
    use datafusion::logical_expr::ColumnarValue;

    use super::*;
    use crate::functions::timeseries::args::testing::{
        at, call, doubles, grid, read, read_doubles,
    };

    const S: &[(i64, f64)] = &[(0, 1.0), (10, 3.0), (30, 2.0)];

    #[test]
    fn worked_example() {
        let out = call(
            &InterpolateFill::new(),
            vec![
                ColumnarValue::Array(doubles(&[Some(S)])),
                ColumnarValue::Array(grid(&[Some(&[-10, 0, 10, 20, 30, 40])])),
                ColumnarValue::Scalar(ScalarValue::Float64(Some(0.0))),
            ],
            1,
        )
        .unwrap();
        assert_eq!(
            read(&out),
            vec![Some(vec![
                (-10, 0.0),
                (0, 1.0),
                (10, 3.0),
                (20, 0.0),
                (30, 2.0),
                (40, 0.0)
            ])]
        );
    }

    #[test]
    fn the_constant_per_row_and_null() {
        let out = call(
            &InterpolateFill::new(),
            vec![
                ColumnarValue::Array(doubles(&[Some(S), Some(S), Some(&[])])),
                at(20),
                ColumnarValue::Array(Arc::new(Float64Array::from(vec![
                    Some(7.0),
                    None,
                    Some(1.0),
                ]))),
            ],
            3,
        )
        .unwrap();
        assert_eq!(read_doubles(&out), vec![Some(7.0), None, None]);
    }
}
