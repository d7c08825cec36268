//! `sequence` (timestream-functions.md §8): the values from `start` to `stop` inclusive.
//!
//! - `sequence(start, stop) → array(bigint)`: step +1 if `start ≤ stop`, else −1;
//! - `sequence(start, stop, step) → array(bigint)`;
//! - `sequence(start, stop) → array(timestamp)`: step one day;
//! - `sequence(start, stop, step interval) → array(timestamp)`: the everyday generator for the
//!   interpolation functions; the last element is the largest one reached that is ≤ `stop`;
//! - the same with dates → array(date) [trino].
//!
//! Varchar arguments are read as timestamps, as the guide's own examples pass them. Element `k`
//! is `start + k·step` (months first for a year-to-month step). A zero step is an error (`step
//! must not be zero`), so is a step pointing away from `stop` and a result above 10 000 elements
//! (Trino's texts). DataFusion's `generate_series`/`range` differ: `generate_series(5, 1)` is
//! `[]` where Trino counts down, and the limits and errors differ.
//!
//! Documented examples: `sequence(3, 8)` → `[3, 4, 5, 6, 7, 8]`; `sequence(3, 15, 2)` →
//! `[3, 5, 7, 9, 11, 13, 15]`; `sequence('2023-04-02 19:26:12.941000000', '2023-04-10
//! 19:26:12.941000000', 2d)` → five timestamps two days apart.

use std::sync::Arc;

use chrono::{DateTime, Months, NaiveDateTime};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Date32Array, Int64Array, ListArray, TimestampNanosecondArray,
};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{
    DataType, Field, Int64Type, IntervalMonthDayNanoType, IntervalUnit, IntervalYearMonthType,
    TimeUnit,
};
use datafusion::common::{exec_err, plan_err, DataFusionError, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{list_of, type_list};
use crate::functions::aggregate::numeric_type;

const MAX_ENTRIES: usize = 10_000;
const NANOS_PER_DAY: i64 = 86_400_000_000_000;
const TIMESTAMP: DataType = DataType::Timestamp(TimeUnit::Nanosecond, None);

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Sequence {
    signature: Signature,
}

impl Sequence {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

fn is_time_like(dt: &DataType) -> bool {
    matches!(
        dt,
        DataType::Timestamp(_, _) | DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

fn is_interval(dt: &DataType) -> bool {
    matches!(dt, DataType::Interval(_))
}

impl ScalarUDFImpl for Sequence {
    fn name(&self) -> &str {
        "sequence"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let int = |t: &DataType| numeric_type(t) == Some(DataType::Int64);
        let coerced = match arg_types {
            [a, b] if int(a) && int(b) => Some(vec![DataType::Int64, DataType::Int64]),
            [a, b, s] if int(a) && int(b) && int(s) => Some(vec![DataType::Int64; 3]),
            [DataType::Date32, DataType::Date32] => Some(vec![DataType::Date32; 2]),
            [DataType::Date32, DataType::Date32, s] if is_interval(s) => {
                Some(vec![DataType::Date32, DataType::Date32, s.clone()])
            }
            [a, b] if (is_time_like(a) || is_time_like(b)) && !int(a) && !int(b) => {
                Some(vec![TIMESTAMP, TIMESTAMP])
            }
            [a, b, s] if (is_time_like(a) || is_time_like(b)) && is_interval(s) => {
                Some(vec![TIMESTAMP, TIMESTAMP, s.clone()])
            }
            _ => None,
        };
        match coerced {
            Some(c) => Ok(c),
            None => plan_err!(
                "Unexpected parameters ({}) for function sequence. Expected: sequence(bigint, bigint), sequence(bigint, bigint, bigint), sequence(timestamp, timestamp), sequence(timestamp, timestamp, interval), sequence(date, date), sequence(date, date, interval)",
                type_list(arg_types)
            ),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.first() {
            Some(t) => Ok(list_of(t.clone())),
            None => plan_err!("sequence takes two or three arguments"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let element = arrays[0].data_type().clone();
        let starts = cast(&arrays[0], &DataType::Int64)?;
        let stops = cast(&arrays[1], &DataType::Int64)?;
        let (starts, stops) = (
            starts.as_primitive::<Int64Type>(),
            stops.as_primitive::<Int64Type>(),
        );
        let steps = arrays.get(2);
        let mut values: Vec<i64> = Vec::new();
        let mut lengths = Vec::with_capacity(starts.len());
        let mut nulls = Vec::with_capacity(starts.len());
        for row in 0..starts.len() {
            let step = match steps {
                Some(s) if s.is_null(row) => None,
                Some(s) => Some(step_at(s, row)?),
                None => Some(default_step(&element, starts.value(row), stops.value(row))),
            };
            let (Some(step), false, false) = (step, starts.is_null(row), stops.is_null(row)) else {
                lengths.push(0);
                nulls.push(false);
                continue;
            };
            let before = values.len();
            generate(
                &element,
                starts.value(row),
                stops.value(row),
                step,
                &mut values,
            )?;
            lengths.push(values.len() - before);
            nulls.push(true);
        }
        let values: ArrayRef = match element {
            DataType::Date32 => Arc::new(Date32Array::from(
                values
                    .into_iter()
                    .map(|v| i32::try_from(v).map_err(|e| DataFusionError::External(Box::new(e))))
                    .collect::<Result<Vec<i32>>>()?,
            )),
            DataType::Timestamp(_, _) => Arc::new(TimestampNanosecondArray::from(values)),
            _ => Arc::new(Int64Array::from(values)),
        };
        let out = ListArray::try_new(
            Arc::new(Field::new_list_field(element, true)),
            OffsetBuffer::from_lengths(lengths),
            values,
            Some(nulls.into()),
        )?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}

/// A step: months, then nanoseconds (for bigint sequences, `nanos` is the integer step).
#[derive(Debug, Clone, Copy)]
struct Step {
    months: i64,
    nanos: i64,
}

fn default_step(element: &DataType, start: i64, stop: i64) -> Step {
    let sign = if start <= stop { 1 } else { -1 };
    match element {
        DataType::Int64 => Step {
            months: 0,
            nanos: sign,
        },
        _ => Step {
            months: 0,
            nanos: NANOS_PER_DAY,
        },
    }
}

fn step_at(steps: &ArrayRef, row: usize) -> Result<Step> {
    Ok(match steps.data_type() {
        DataType::Interval(IntervalUnit::MonthDayNano) => {
            let v = steps.as_primitive::<IntervalMonthDayNanoType>().value(row);
            Step {
                months: i64::from(v.months),
                nanos: i64::from(v.days)
                    .checked_mul(NANOS_PER_DAY)
                    .and_then(|d| d.checked_add(v.nanoseconds))
                    .ok_or_else(|| DataFusionError::Execution("step is too large".into()))?,
            }
        }
        DataType::Interval(IntervalUnit::YearMonth) => Step {
            months: i64::from(steps.as_primitive::<IntervalYearMonthType>().value(row)),
            nanos: 0,
        },
        _ => Step {
            months: 0,
            nanos: steps.as_primitive::<Int64Type>().value(row),
        },
    })
}

/// Appends `start + k·step` for k = 0, 1, … while within `stop`. Dates count in days.
fn generate(
    element: &DataType,
    start: i64,
    stop: i64,
    step: Step,
    out: &mut Vec<i64>,
) -> Result<()> {
    let unit = match element {
        DataType::Date32 => NANOS_PER_DAY,
        _ => 1,
    };
    if matches!(element, DataType::Date32) && step.nanos % NANOS_PER_DAY != 0 {
        return exec_err!("sequence step must be a day interval if start and end values are dates");
    }
    let direction = if step.months != 0 {
        step.months.signum()
    } else {
        step.nanos.signum()
    };
    if direction == 0 {
        return exec_err!("step must not be zero");
    }
    if (direction > 0 && stop < start) || (direction < 0 && stop > start) {
        return exec_err!(
            "sequence stop value should be greater than or equal to start value if step is greater than zero otherwise stop should be less than or equal to start"
        );
    }
    let mut count = 0usize;
    for k in 0i64.. {
        let Some(v) = nth(element, start, step, k, unit) else {
            break;
        };
        if (direction > 0 && v > stop) || (direction < 0 && v < stop) {
            break;
        }
        count += 1;
        if count > MAX_ENTRIES {
            return exec_err!(
                "result of sequence function must not have more than {MAX_ENTRIES} entries"
            );
        }
        out.push(v);
    }
    Ok(())
}

/// `start + k·step` in the element's unit, `None` past the representable range.
fn nth(element: &DataType, start: i64, step: Step, k: i64, unit: i64) -> Option<i64> {
    if matches!(element, DataType::Int64) {
        return step.nanos.checked_mul(k)?.checked_add(start);
    }
    let mut ns = start.checked_mul(unit)?;
    if step.months != 0 {
        let t: NaiveDateTime = DateTime::from_timestamp_nanos(ns).naive_utc();
        let months = step.months.checked_mul(k)?;
        let shifted = if months >= 0 {
            t.checked_add_months(Months::new(u32::try_from(months).ok()?))?
        } else {
            t.checked_sub_months(Months::new(u32::try_from(-months).ok()?))?
        };
        ns = shifted.and_utc().timestamp_nanos_opt()?;
    }
    let v = ns.checked_add(step.nanos.checked_mul(k)?)?;
    Some(v / unit)
}
