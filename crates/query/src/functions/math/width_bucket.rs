//! `width_bucket(x, bound1, bound2, n) → bigint`: the bucket of `x` in an equi-width histogram of
//! `n` buckets over [bound1, bound2): 0 below the range, `n + 1` at or above its end; with
//! `bound1 > bound2` the buckets count down from `bound1`. `width_bucket(x, bins) → bigint`: the
//! number of `bins` (sorted ascending) at or below `x`, found by bisection as Trino does (an
//! unsorted array is caught only where the bisection looks). Not in the guide; Trino's function,
//! with its errors [trino]. DataFusion has neither form.
//!
//! Examples [trino]: `width_bucket(3.14, 0, 4, 3)` → `3`; `width_bucket(3.14, 4, 0, 3)` → `1`;
//! `width_bucket(infinity(), 0, 4, 3)` → `4`; `width_bucket(3.14, ARRAY[0.0, 2.0, 4.0])` → `2`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Int64Array};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::encode::format_double;
use crate::functions::array::{as_list, element_field, list_of, range};
use crate::functions::conversion::args::{
    any_null, arrays, coerce, finish, lenient, number_width, udf_struct, Param,
};

const EXPECTED: &str =
    "width_bucket(double, double, double, bigint), width_bucket(double, array(double))";

fn equi_width(x: f64, bound1: f64, bound2: f64, n: i64) -> Result<i64> {
    if n <= 0 {
        return exec_err!("bucketCount must be greater than 0");
    }
    if x.is_nan() {
        return exec_err!("operand must not be NaN");
    }
    if !bound1.is_finite() {
        return exec_err!("first bound must be finite");
    }
    if !bound2.is_finite() {
        return exec_err!("second bound must be finite");
    }
    if bound1 == bound2 {
        return exec_err!("bounds cannot equal each other");
    }
    let (lower, upper) = (bound1.min(bound2), bound1.max(bound2));
    let bucket = if x < lower {
        0
    } else if x >= upper {
        match n.checked_add(1) {
            Some(b) => b,
            None => return exec_err!("Bucket for value {} is out of range", format_double(x)),
        }
    } else {
        // Trino truncates the double toward zero (a Java `(long)` cast); the value is in [1, n].
        (n as f64 * (x - lower) / (upper - lower) + 1.0) as i64
    };
    Ok(if bound1 > bound2 {
        n - bucket + 1
    } else {
        bucket
    })
}

fn in_bins(x: f64, bins: &[Option<f64>]) -> Result<i64> {
    if bins.is_empty() {
        return exec_err!("Bins cannot be an empty array");
    }
    if x.is_nan() {
        return exec_err!("Operand cannot be NaN");
    }
    let bin = |i: usize| match bins[i] {
        Some(b) => Ok(b),
        None => exec_err!("Bin values cannot be NULL"),
    };
    let (mut lower, mut upper) = (0, bins.len());
    while lower < upper {
        if bin(lower)? > bin(upper - 1)? {
            return exec_err!("Bin values are not sorted in ascending order");
        }
        let middle = (lower + upper) / 2;
        let b = bin(middle)?;
        if !b.is_finite() {
            return exec_err!("Bin value must be finite, got {}", format_double(b));
        }
        if x < b {
            upper = middle;
        } else {
            lower = middle + 1;
        }
    }
    Ok(lower as i64)
}

udf_struct!(WidthBucket);

impl WidthBucket {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        if let [x, bins] = args {
            let numbers =
                element_field(bins).is_some_and(|f| number_width(f.data_type()).is_some());
            if numbers && number_width(x).is_some() {
                return Ok(vec![DataType::Float64, list_of(DataType::Float64)]);
            }
        }
        coerce(
            self.name(),
            args,
            &[&[Param::Double, Param::Double, Param::Double, Param::Bigint]],
            EXPECTED,
        )
    }
}

impl ScalarUDFImpl for WidthBucket {
    fn name(&self) -> &str {
        "width_bucket"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(lenient(self.check(args), args))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        self.check(args)?;
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        let x = a[0].as_primitive::<Float64Type>();
        let out = if let [_, bins] = a.as_slice() {
            let bins = as_list(bins)?;
            let values = bins.values().as_primitive::<Float64Type>();
            (0..x.len())
                .map(|i| {
                    if any_null(&a, i) {
                        return Ok(None);
                    }
                    let (start, end) = range(bins, i);
                    let row: Vec<Option<f64>> = (start..end)
                        .map(|j| values.is_valid(j).then(|| values.value(j)))
                        .collect();
                    in_bins(x.value(i), &row).map(Some)
                })
                .collect::<Result<Int64Array>>()?
        } else {
            let (b1, b2) = (
                a[1].as_primitive::<Float64Type>(),
                a[2].as_primitive::<Float64Type>(),
            );
            let n = a[3].as_primitive::<Int64Type>();
            (0..x.len())
                .map(|i| {
                    if any_null(&a, i) {
                        return Ok(None);
                    }
                    equi_width(x.value(i), b1.value(i), b2.value(i), n.value(i)).map(Some)
                })
                .collect::<Result<Int64Array>>()?
        };
        finish(Arc::new(out), scalar)
    }
}
