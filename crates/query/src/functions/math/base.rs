//! `from_base(string, radix) → bigint` parses `string` as a base-`radix` integer (digits
//! case-insensitive, optional sign); `to_base(x, radix) → varchar` writes `x` in base `radix`
//! with lowercase digits and a leading `-` for negatives. `radix` must be 2…36; an invalid digit,
//! an empty string or a value outside bigint is an error [trino]. DataFusion has neither
//! (`to_hex` prints negatives in two's complement).
//!
//! Examples [trino]: `from_base('ff', 16)` → `255`; `from_base('-101', 2)` → `-5`;
//! `to_base(255, 16)` → `ff`; `to_base(-255, 16)` → `-ff`; `to_base(5, 2)` → `101`.

use std::sync::Arc;

use datafusion::arrow::array::{AsArray, Int64Array, StringArray};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::functions::conversion::args::{
    arrays, coerce, finish, lenient, map_rows2, udf_struct, Param,
};

fn check_radix(radix: i64) -> Result<u32> {
    match u32::try_from(radix) {
        Ok(r @ 2..=36) => Ok(r),
        _ => exec_err!("Radix must be between 2 and 36"),
    }
}

fn from_base(s: &str, radix: i64) -> Result<i64> {
    let r = check_radix(radix)?;
    match i64::from_str_radix(s, r) {
        Ok(v) => Ok(v),
        Err(_) => exec_err!("Not a valid base-{radix} number: {s}"),
    }
}

fn to_base(x: i64, radix: i64) -> Result<String> {
    let r = u64::from(check_radix(radix)?);
    let mut magnitude = x.unsigned_abs();
    let mut digits = Vec::new();
    loop {
        let d = (magnitude % r) as u32;
        digits.push(char::from_digit(d, r as u32).unwrap_or('?'));
        magnitude /= r;
        if magnitude == 0 {
            break;
        }
    }
    if x < 0 {
        digits.push('-');
    }
    Ok(digits.into_iter().rev().collect())
}

udf_struct!(FromBase);

impl FromBase {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[&[Param::Varchar, Param::Bigint]],
            "from_base(varchar(x), bigint)",
        )
    }
}

impl ScalarUDFImpl for FromBase {
    fn name(&self) -> &str {
        "from_base"
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
        let out: Int64Array = map_rows2(
            a[0].as_string::<i32>(),
            a[1].as_primitive::<Int64Type>(),
            from_base,
        )?;
        finish(Arc::new(out), scalar)
    }
}

udf_struct!(ToBase);

impl ToBase {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[&[Param::Bigint, Param::Bigint]],
            "to_base(bigint, bigint)",
        )
    }
}

impl ScalarUDFImpl for ToBase {
    fn name(&self) -> &str {
        "to_base"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(lenient(self.check(args), args))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        self.check(args)?;
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        let out: StringArray = map_rows2(
            a[0].as_primitive::<Int64Type>(),
            a[1].as_primitive::<Int64Type>(),
            to_base,
        )?;
        finish(Arc::new(out), scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::{from_base, to_base};

    #[test]
    fn round_trips() {
        assert_eq!(from_base("ff", 16).unwrap(), 255);
        assert_eq!(from_base("FF", 16).unwrap(), 255);
        assert_eq!(from_base("-101", 2).unwrap(), -5);
        assert!(from_base("", 10).is_err());
        assert!(from_base("12", 1).is_err());
        assert_eq!(to_base(255, 16).unwrap(), "ff");
        assert_eq!(to_base(-255, 16).unwrap(), "-ff");
        assert_eq!(to_base(5, 2).unwrap(), "101");
        assert_eq!(to_base(0, 2).unwrap(), "0");
        assert_eq!(to_base(i64::MIN, 16).unwrap(), "-8000000000000000");
    }
}
