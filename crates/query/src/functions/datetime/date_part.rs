//! `date_part(field, x) → bigint`: what `EXTRACT(field FROM x)` is planned as
//! (timestream-functions.md §9.6). Timestream's fields are `YEAR`, `QUARTER`, `MONTH`, `WEEK`,
//! `DAY`, `DAY_OF_MONTH`, `DAY_OF_WEEK`, `DOW`, `DAY_OF_YEAR`, `DOY`, `YEAR_OF_WEEK`, `YOW`,
//! `HOUR`, `MINUTE`, `SECOND`, each meaning the extraction function of that name
//! ([`super::extraction`]): `DOW` is ISO (1 = Monday … 7 = Sunday), not DataFusion's Sunday = 0,
//! and the result is bigint. Any other field is an error (DataFusion also knows `epoch`,
//! `millisecond`, `isodow`…). `extract(YEAR FROM '2019-10-12 23:10:34.000000000')` → 2019.
//!
//! This replaces DataFusion's `date_part` by name; DataFusion's SQL planner however plans
//! `EXTRACT` with its own `date_part` directly (its `DateTimeFunctionPlanner`), so `EXTRACT`
//! reaches this function only once the session plans it through the registry.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field as ArrowField, FieldRef};
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ReturnFieldArgs, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common;
use super::extraction::Field;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DatePart {
    signature: Signature,
}

impl DatePart {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for DatePart {
    fn default() -> Self {
        Self::new()
    }
}

/// The field an EXTRACT field name stands for.
pub fn field(name: &str) -> Option<Field> {
    Some(match name.to_ascii_lowercase().as_str() {
        "year" => Field::Year,
        "quarter" => Field::Quarter,
        "month" => Field::Month,
        "week" => Field::Week,
        "day" | "day_of_month" => Field::Day,
        "day_of_week" | "dow" => Field::DayOfWeek,
        "day_of_year" | "doy" => Field::DayOfYear,
        "year_of_week" | "yow" => Field::YearOfWeek,
        "hour" => Field::Hour,
        "minute" => Field::Minute,
        "second" => Field::Second,
        _ => return None,
    })
}

fn field_of(value: Option<&ScalarValue>) -> Result<Field> {
    match value {
        Some(ScalarValue::Utf8(Some(s)) | ScalarValue::Utf8View(Some(s)))
        | Some(ScalarValue::LargeUtf8(Some(s))) => match field(s) {
            Some(f) => Ok(f),
            None => plan_err!("Invalid EXTRACT field: {s}"),
        },
        _ => plan_err!("The EXTRACT field must be a constant"),
    }
}

impl ScalarUDFImpl for DatePart {
    fn name(&self) -> &str {
        "date_part"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match args {
            [f, _] if common::is_varchar(f) => Ok(common::plain_types(args)),
            _ => common::wrong_args("date_part", args, "date_part(varchar, timestamp)"),
        }
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs) -> Result<FieldRef> {
        let field = field_of(args.scalar_arguments.first().copied().flatten())?;
        let types: Vec<DataType> = args
            .arg_fields
            .iter()
            .skip(1)
            .map(|f| f.data_type().clone())
            .collect();
        field.check(field.names()[0], &types)?;
        Ok(Arc::new(ArrowField::new(
            self.name(),
            DataType::Int64,
            true,
        )))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        match args.args.as_slice() {
            [ColumnarValue::Scalar(f), x] => Ok(common::array(
                field_of(Some(f))?.extract(x, args.number_rows)?,
            )),
            _ => exec_err!("The EXTRACT field must be a constant"),
        }
    }
}
