//! `date_trunc(unit, x)`: `x` rounded down to the start of its `unit` (timestream-functions.md
//! §9.3). Units (case-insensitive): `millisecond` [trino], `second`, `minute`, `hour`, `day`,
//! `week` (Monday 00:00), `month`, `quarter` (Jan/Apr/Jul/Oct 1st), `year`. A timestamp (or a
//! varchar, by the implicit coercion) gives a timestamp; a date gives a date and accepts only
//! `day` and up; a time gives a time and accepts only up to `hour` [trino]. Another unit is a
//! run-time error in Trino's words (`'decade' is not a valid Timestamp field`).
//!
//! DataFusion's `date_trunc` computes the same instants but also takes units Timestream
//! rejects (`microsecond`, `decade`…) and answers a timestamp for dates, hence this UDF.
//!
//! `date_trunc('minute', TIMESTAMP '2022-06-17 17:44:43.771000000')` →
//! `2022-06-17 17:44:00.000000000`.

use chrono::{Datelike, NaiveDate};
use datafusion::arrow::array::{Date32Array, Time64NanosecondArray, TimestampNanosecondArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common::{self, kind, Kind, Unit};

const EXPECTED: &str =
    "date_trunc(varchar, timestamp), date_trunc(varchar, date), date_trunc(varchar, time)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DateTrunc {
    signature: Signature,
}

impl DateTrunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for DateTrunc {
    fn default() -> Self {
        Self::new()
    }
}

/// The first day of the unit that holds `d` (units from `day` up).
pub fn trunc_date(d: NaiveDate, unit: Unit) -> NaiveDate {
    let first = |month0: u32| NaiveDate::from_ymd_opt(d.year(), month0 + 1, 1).unwrap_or(d);
    match unit {
        Unit::Week => d - chrono::Days::new(u64::from(d.weekday().num_days_from_monday())),
        Unit::Month => first(d.month0()),
        Unit::Quarter => first(d.month0() / 3 * 3),
        Unit::Year => first(0),
        _ => d,
    }
}

/// `ns` since the epoch rounded down to the start of its unit.
pub fn trunc_timestamp(ns: i64, unit: Unit) -> Result<i64> {
    match unit {
        Unit::Millisecond | Unit::Second | Unit::Minute | Unit::Hour | Unit::Day => {
            let len = unit.nanos().unwrap_or(1);
            Ok(ns - ns.rem_euclid(len))
        }
        _ => {
            let day = common::to_datetime(ns).date();
            common::from_datetime(trunc_date(day, unit).and_time(chrono::NaiveTime::MIN))
        }
    }
}

impl ScalarUDFImpl for DateTrunc {
    fn name(&self) -> &str {
        "date_trunc"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [u, x]
                if common::is_varchar(u)
                    && (common::is_timestamp_like(x) || kind(x) == Kind::Time) =>
            {
                Ok(common::plain_types(args))
            }
            _ => common::wrong_args("date_trunc", args, EXPECTED),
        }
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        Ok(match args.get(1).map(kind) {
            Some(Kind::Date) => DataType::Date32,
            Some(Kind::Time) => common::TIME,
            _ => common::TIMESTAMP,
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let [unit, x] = args.args.as_slice() else {
            return common::wrong_args("date_trunc", &[], EXPECTED);
        };
        let units = common::strings(unit, rows)?;
        let k = kind(&x.data_type());
        let unit_at = |i: usize| -> Result<Option<Unit>> {
            units[i]
                .as_deref()
                .map(|u| common::unit_for(u, k))
                .transpose()
        };
        Ok(match k {
            Kind::Date => {
                let days = common::dates(x, rows)?;
                let out = (0..rows)
                    .map(|i| {
                        let (Some(u), Some(d)) = (unit_at(i)?, common::at(&days, i)) else {
                            return Ok(None);
                        };
                        Ok(Some(common::from_date(trunc_date(common::to_date(d), u))))
                    })
                    .collect::<Result<Date32Array>>()?;
                common::array(out)
            }
            Kind::Time => {
                let times = common::times(x, rows)?;
                let out = (0..rows)
                    .map(|i| {
                        let (Some(u), Some(t)) = (unit_at(i)?, common::at(&times, i)) else {
                            return Ok(None);
                        };
                        Ok(Some(trunc_timestamp(t, u)?))
                    })
                    .collect::<Result<Time64NanosecondArray>>()?;
                common::array(out)
            }
            _ => {
                let stamps = common::timestamps(x, rows)?;
                let out = (0..rows)
                    .map(|i| {
                        let (Some(u), Some(t)) = (unit_at(i)?, common::at(&stamps, i)) else {
                            return Ok(None);
                        };
                        Ok(Some(trunc_timestamp(t, u)?))
                    })
                    .collect::<Result<TimestampNanosecondArray>>()?;
                common::array(out)
            }
        })
    }
}
