//! `date ± interval day to second` in whole days, as Trino computes it.

use datafusion::arrow::array::{AsArray, PrimitiveArray};
use datafusion::arrow::datatypes::{DataType, IntervalMonthDayNano};
use datafusion::arrow::datatypes::{Date32Type, IntervalMonthDayNanoType};
use datafusion::common::exec_err;
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, Expr, Operator, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

use super::checked_integer_ops::Checked;

/// `date ± interval day to second` (and `interval + date`) as Trino computes it: the interval
/// must be whole days (`Cannot add hour, minutes or seconds to a date`, `Cannot subtract hour,
/// minutes or seconds from a date`, Trino's `DateTimeOperators`, at run time), the result a
/// date; DataFusion drops the part of a day instead. Named as the operator expression it
/// replaces.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct DateArithmetic {
    op: Operator,
    name: String,
    signature: Signature,
}

const DAY_NS: i128 = 86_400_000_000_000;

impl DateArithmetic {
    pub(super) fn new(op: Operator) -> Self {
        Self {
            name: format!("__timestream_date_{}", Checked::word(Some(op))),
            op,
            signature: Signature::any(2, Volatility::Immutable),
        }
    }

    /// `date` (days since the epoch) moved by `interval`.
    fn apply(&self, date: i32, interval: IntervalMonthDayNano) -> Result<i32> {
        let sign = if self.op == Operator::Plus { 1 } else { -1 };
        let span = i128::from(interval.days) * DAY_NS + i128::from(interval.nanoseconds);
        if span % DAY_NS != 0 {
            return if sign > 0 {
                exec_err!("Cannot add hour, minutes or seconds to a date")
            } else {
                exec_err!("Cannot subtract hour, minutes or seconds from a date")
            };
        }
        let mut days = i128::from(date);
        if interval.months != 0 {
            // Only DataFusion's own spellings (`INTERVAL '1 month 2 days'`) mix the two.
            let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1);
            let moved = epoch
                .and_then(|e| e.checked_add_signed(chrono::Duration::days(i64::from(date))))
                .and_then(|d| {
                    let months = chrono::Months::new(interval.months.unsigned_abs());
                    if (interval.months > 0) == (sign > 0) {
                        d.checked_add_months(months)
                    } else {
                        d.checked_sub_months(months)
                    }
                });
            match (moved, epoch) {
                (Some(d), Some(e)) => days = i128::from((d - e).num_days()),
                _ => return exec_err!("Date out of range"),
            }
        }
        match i32::try_from(days + sign * (span / DAY_NS)) {
            Ok(d) => Ok(d),
            Err(_) => exec_err!("Date out of range"),
        }
    }
}

impl ScalarUDFImpl for DateArithmetic {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Date32)
    }

    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        Ok(match args {
            [a, b] => format!("{} {} {}", a.schema_name(), self.op, b.schema_name()),
            _ => self.name.clone(),
        })
    }

    fn display_name(&self, args: &[Expr]) -> Result<String> {
        Ok(match args {
            [a, b] => format!("{a} {} {b}", self.op),
            _ => self.name.clone(),
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let (Some(dates), Some(intervals)) = (arrays.first(), arrays.get(1)) else {
            return exec_err!("{} takes a date and an interval", self.name);
        };
        let dates = dates.as_primitive::<Date32Type>();
        let intervals = intervals.as_primitive::<IntervalMonthDayNanoType>();
        let result = dates
            .iter()
            .zip(intervals.iter())
            .map(|(d, i)| match (d, i) {
                (Some(d), Some(i)) => self.apply(d, i).map(Some),
                _ => Ok(None),
            })
            .collect::<Result<PrimitiveArray<Date32Type>>>()?;
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &result, 0,
            )?))
        } else {
            Ok(ColumnarValue::Array(Arc::new(result)))
        }
    }
}
