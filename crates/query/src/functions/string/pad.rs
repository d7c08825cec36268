//! `lpad(x1, size bigint, x2) → varchar` and `rpad(x1, size bigint, x2) → varchar`: pad `x1`
//! on the left (right) with repetitions of `x2` up to `size` characters; a longer `x1` is cut to
//! its first `size` characters. A negative `size` or an empty `x2` is an error. DataFusion's
//! versions return the input for an empty pad and make the pad optional.
//!
//! Examples [trino]: `lpad('5', 3, '0')` → `005`; `lpad('abcdef', 3, 'x')` → `abc`;
//! `rpad('ab', 5, 'xy')` → `abxyx`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::functions::conversion::args::{any_null, arrays, coerce, finish, lenient, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Pad {
    signature: Signature,
    left: bool,
}

impl Pad {
    pub fn left() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            left: true,
        }
    }

    pub fn right() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            left: false,
        }
    }
}

fn pad(s: &str, size: i64, with: &str, left: bool) -> Result<String> {
    if !(0..=i64::from(i32::MAX)).contains(&size) {
        return exec_err!("Target length must be in the range [0..{}]", i32::MAX);
    }
    if with.is_empty() {
        return exec_err!("Padding string must not be empty");
    }
    let size = size as usize;
    let length = s.chars().count();
    if length >= size {
        return Ok(s.chars().take(size).collect());
    }
    // Whole repetitions by copying, then the characters of a partial one.
    let (needed, per_fill) = (size - length, with.chars().count());
    let bytes = s.len() + needed / per_fill * with.len() + with.len();
    if bytes > i32::MAX as usize {
        // An Arrow string column holds at most 2 GiB.
        return exec_err!("Padded string would exceed {} bytes", i32::MAX);
    }
    let mut fill = with.repeat(needed / per_fill);
    fill.extend(with.chars().take(needed % per_fill));
    Ok(if left { fill + s } else { s.to_owned() + &fill })
}

impl Pad {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        let expected = format!("{}(varchar(x), bigint, varchar(y))", self.name());
        coerce(
            self.name(),
            args,
            &[&[Param::Varchar, Param::Bigint, Param::Varchar]],
            &expected,
        )
    }
}

impl ScalarUDFImpl for Pad {
    fn name(&self) -> &str {
        if self.left {
            "lpad"
        } else {
            "rpad"
        }
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
        let s = a[0].as_string::<i32>();
        let size = a[1].as_primitive::<Int64Type>();
        let with = a[2].as_string::<i32>();
        let mut out = StringBuilder::with_capacity(s.len(), 0);
        for i in 0..s.len() {
            if any_null(&a, i) {
                out.append_null();
            } else {
                out.append_value(pad(s.value(i), size.value(i), with.value(i), self.left)?);
            }
        }
        finish(Arc::new(out.finish()), scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::pad;

    #[test]
    fn pads_and_cuts() {
        assert_eq!(pad("5", 3, "0", true).unwrap(), "005");
        assert_eq!(pad("abcdef", 3, "x", true).unwrap(), "abc");
        assert_eq!(pad("ab", 5, "xy", false).unwrap(), "abxyx");
        assert_eq!(pad("ab", 5, "xy", true).unwrap(), "xyxab");
        assert!(pad("ab", 5, "", true).is_err());
        assert!(pad("ab", -1, "x", true).is_err());
        assert_eq!(pad("a", 6, "éz", true).unwrap(), "ézézéa");
        assert_eq!(pad("", 2_000_000, "ab", false).unwrap().len(), 2_000_000);
        assert!(pad("a", i64::from(i32::MAX), "é", true).is_err());
    }
}
