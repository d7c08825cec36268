//! `date_add(unit, value, x)`: `x` plus `value` units (negative subtracts)
//! (timestream-functions.md §9.4). Units (case-insensitive): `millisecond` [trino], `second`,
//! `minute`, `hour`, `day`, `week`, `month`, `quarter`, `year`. Month, quarter and year
//! additions keep the day of month, clamped to the month's last day (Joda):
//! `date_add('month', 1, TIMESTAMP '2022-01-31 00:00:00')` → `2022-02-28 00:00:00.000000000`.
//!
//! The result has the type of `x` as in Trino (the guide's table says timestamp for all
//! forms): a timestamp (or a varchar, by the implicit coercion) gives a timestamp, a date a
//! date (units `day` and up), a time a time (units up to `hour`, wrapping around midnight).
//! `value` is a bigint (an integer is widened). NULL in, NULL out; a result outside the
//! timestamp range is an error.
//!
//! `date_add('hour', 9, TIMESTAMP '2022-06-17 00:00:00')` → `2022-06-17 09:00:00.000000000`.

use datafusion::arrow::array::{Date32Array, Time64NanosecondArray, TimestampNanosecondArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{self, kind, Kind, Unit, NANOS_PER_DAY};

const EXPECTED: &str = "date_add(varchar, bigint, timestamp), date_add(varchar, bigint, date), date_add(varchar, bigint, time)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DateAdd {
    signature: Signature,
}

impl DateAdd {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for DateAdd {
    fn default() -> Self {
        Self::new()
    }
}

fn overflow<T>() -> Result<T> {
    exec_err!("Value out of range for date_add")
}

/// `ns` since the epoch plus `value` units.
pub fn add_to_timestamp(ns: i64, unit: Unit, value: i64) -> Result<i64> {
    if let Some(len) = unit.nanos() {
        return match value.checked_mul(len).and_then(|d| ns.checked_add(d)) {
            Some(v) => Ok(v),
            None => overflow(),
        };
    }
    let months = match value.checked_mul(unit.months().unwrap_or(1)) {
        Some(m) => m,
        None => return overflow(),
    };
    let dt = common::to_datetime(ns);
    common::from_datetime(common::add_months(dt.date(), months)?.and_time(dt.time()))
}

/// Days since the epoch plus `value` units (`day` and up).
fn add_to_date(days: i32, unit: Unit, value: i64) -> Result<i32> {
    let added = match unit {
        Unit::Day => i64::from(days).checked_add(value),
        Unit::Week => value
            .checked_mul(7)
            .and_then(|w| w.checked_add(i64::from(days))),
        _ => {
            let months = value.checked_mul(unit.months().unwrap_or(1));
            let Some(months) = months else {
                return overflow();
            };
            let d = common::add_months(common::to_date(days), months)?;
            Some(i64::from(common::from_date(d)))
        }
    };
    match added.and_then(|d| i32::try_from(d).ok()) {
        Some(d) => Ok(d),
        None => overflow(),
    }
}

impl ScalarUDFImpl for DateAdd {
    fn name(&self) -> &str {
        "date_add"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [u, v, x]
                if common::is_varchar(u)
                    && common::is_integer(v)
                    && (common::is_timestamp_like(x) || kind(x) == Kind::Time) =>
            {
                let mut types = common::plain_types(args);
                types[1] = DataType::Int64;
                Ok(types)
            }
            _ => common::wrong_args("date_add", args, EXPECTED),
        }
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        Ok(match args.get(2).map(kind) {
            Some(Kind::Date) => DataType::Date32,
            Some(Kind::Time) => common::TIME,
            _ => common::TIMESTAMP,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let [unit, value, x] = args.args.as_slice() else {
            return common::wrong_args("date_add", &[], EXPECTED);
        };
        let units = common::strings(unit, rows)?;
        let values = common::integers(value, rows)?;
        let k = kind(&x.data_type());
        let input = |i: usize| -> Result<Option<(Unit, i64)>> {
            match (units[i].as_deref(), common::at(&values, i)) {
                (Some(u), Some(v)) => Ok(Some((common::unit_for(u, k)?, v))),
                _ => Ok(None),
            }
        };
        Ok(match k {
            Kind::Date => {
                let days = common::dates(x, rows)?;
                let out = (0..rows)
                    .map(|i| match (input(i)?, common::at(&days, i)) {
                        (Some((u, v)), Some(d)) => add_to_date(d, u, v).map(Some),
                        _ => Ok(None),
                    })
                    .collect::<Result<Date32Array>>()?;
                common::array(out)
            }
            Kind::Time => {
                let times = common::times(x, rows)?;
                let out = (0..rows)
                    .map(|i| match (input(i)?, common::at(&times, i)) {
                        (Some((u, v)), Some(t)) => {
                            let len = u.nanos().unwrap_or(0);
                            let delta = (i128::from(v) * i128::from(len))
                                .rem_euclid(i128::from(NANOS_PER_DAY));
                            let delta = i64::try_from(delta).unwrap_or(0);
                            Ok(Some((t + delta).rem_euclid(NANOS_PER_DAY)))
                        }
                        _ => Ok(None),
                    })
                    .collect::<Result<Time64NanosecondArray>>()?;
                common::array(out)
            }
            _ => {
                let stamps = common::timestamps(x, rows)?;
                let out = (0..rows)
                    .map(|i| match (input(i)?, common::at(&stamps, i)) {
                        (Some((u, v)), Some(t)) => add_to_timestamp(t, u, v).map(Some),
                        _ => Ok(None),
                    })
                    .collect::<Result<TimestampNanosecondArray>>()?;
                common::array(out)
            }
        })
    }
}
