//! `interpolate_locf` (timestream-functions.md §12.3): fills a requested time with the last
//! sample at or before it ("last observation carried forward").
//!
//! - `interpolate_locf(timeseries(T), array(timestamp)) → timeseries(T)`;
//! - `interpolate_locf(timeseries(T), timestamp) → T`.
//!
//! `T` is any value type of a series (bigint, double, boolean, varchar) and is kept: the guide
//! says "double" for the scalar form, which cannot hold for a varchar series. A requested time
//! before the first sample gets no point (the scalar form: NULL); after the last sample the last
//! value is carried forward without limit; an empty series gives an empty series; of samples
//! sharing a time the last one counts (interpolation.rs's policy table); any NULL argument
//! gives NULL.
//!
//! Guide example: `INTERPOLATE_LOCF(CREATE_TIME_SERIES(binned_timestamp, avg_cpu_utilization),
//! SEQUENCE(min(binned_timestamp), max(binned_timestamp), 15s))`. Worked example: the series
//! (00:00:00, 1.0), (00:00:10, 3.0), (00:00:30, 2.0) on the grid 00, 10, 20, 30 s gives 1.0, 3.0,
//! 3.0, 2.0.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::interpolation::Method;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct InterpolateLocf {
    signature: Signature,
}

impl InterpolateLocf {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for InterpolateLocf {
    fn name(&self) -> &str {
        Method::Locf.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        Method::Locf.coerce_types(arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Method::Locf.return_type(arg_types)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Method::Locf.invoke(args)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use datafusion::arrow::array::{Array, AsArray, StringArray, TimestampNanosecondArray};
    use datafusion::arrow::buffer::OffsetBuffer;
    use datafusion::logical_expr::ColumnarValue;

    use super::*;
    use crate::functions::timeseries::args::testing::{at, call, doubles, grid, read, SEC};
    use crate::functions::timeseries::{points, timeseries_array};

    const S: &[(i64, f64)] = &[(0, 1.0), (10, 3.0), (30, 2.0)];

    #[test]
    fn worked_example() {
        let out = call(
            &InterpolateLocf::new(),
            vec![
                ColumnarValue::Array(doubles(&[Some(S)])),
                ColumnarValue::Array(grid(&[Some(&[-10, 0, 10, 20, 30, 40])])),
            ],
            1,
        )
        .unwrap();
        assert_eq!(
            read(&out),
            vec![Some(vec![
                (0, 1.0),
                (10, 3.0),
                (20, 3.0),
                (30, 2.0),
                (40, 2.0)
            ])]
        );
    }

    #[test]
    fn varchar_values_stay_varchar() {
        let series = timeseries_array(
            OffsetBuffer::from_lengths([2]),
            Arc::new(TimestampNanosecondArray::from(vec![0, 10 * SEC])),
            Arc::new(StringArray::from(vec!["a", "b"])),
            None,
        )
        .unwrap();
        let f = InterpolateLocf::new();
        let out = call(
            &f,
            vec![
                ColumnarValue::Array(series.clone()),
                ColumnarValue::Array(grid(&[Some(&[5, 15])])),
            ],
            1,
        )
        .unwrap()
        .to_array(1)
        .unwrap();
        let (_, times, values) = points(out.as_ref()).unwrap();
        assert_eq!(times, &[5 * SEC, 15 * SEC]);
        let values: Vec<_> = values.as_string::<i32>().iter().collect();
        assert_eq!(values, vec![Some("a"), Some("b")]);
        let out = call(&f, vec![ColumnarValue::Array(series), at(-1)], 1)
            .unwrap()
            .to_array(1)
            .unwrap();
        assert_eq!(out.data_type(), &DataType::Utf8);
        assert!(out.is_null(0));
    }
}
