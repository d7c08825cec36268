//! `typeof(expr) → varchar`: the name of the SQL type of `expr`, spelled as Timestream (Trino)
//! spells it: `integer`, `bigint`, `double`, `varchar`, `boolean`, `timestamp`, `date`, `time`,
//! `interval day to second`, `interval year to month`, `array(bigint)`, `row(…)`, `unknown` for
//! a bare NULL. DataFusion only has `arrow_typeof`, which prints Arrow names (`Int64`).
//!
//! Documented examples: `typeof(date '2022-05-21' + interval '2' day)` → `date`;
//! `typeof(timestamp '2022-06-17 01:00' - interval '7' hour)` → `timestamp`. Trino prints
//! `varchar(3)` for a string literal; Timestream's choice is unknown, we print `varchar`.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{plan_err, Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::sql_type::sql_type_name;

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct TypeOf {
    signature: Signature,
}

impl TypeOf {
    pub fn new() -> Self {
        Self {
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl Default for TypeOf {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for TypeOf {
    fn name(&self) -> &str {
        "typeof"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let Some(field) = args.arg_fields.first() else {
            return plan_err!("typeof takes one argument");
        };
        Ok(ColumnarValue::Scalar(ScalarValue::Utf8(Some(
            sql_type_name(field.data_type()),
        ))))
    }
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::datatypes::{DataType, Field, IntervalUnit, TimeUnit};
    use std::sync::Arc;

    use super::sql_type_name;

    #[test]
    fn names() {
        assert_eq!(sql_type_name(&DataType::Int32), "integer");
        assert_eq!(sql_type_name(&DataType::Int64), "bigint");
        assert_eq!(
            sql_type_name(&DataType::Timestamp(TimeUnit::Nanosecond, None)),
            "timestamp"
        );
        assert_eq!(
            sql_type_name(&DataType::Interval(IntervalUnit::YearMonth)),
            "interval year to month"
        );
        assert_eq!(
            sql_type_name(&DataType::List(Arc::new(Field::new(
                "item",
                DataType::Float64,
                true
            )))),
            "array(double)"
        );
    }
}
