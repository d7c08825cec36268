//! `strpos(x1, x2[, instance]) → bigint`: the 1-based character position of the first (the
//! `instance`-th) occurrence of `x2` in `x1`, counting overlapping occurrences; 0 when there are
//! fewer. `strrpos(x1, x2[, instance]) → bigint` counts occurrences from the end (Presto). An
//! empty `x2` is found at 1; `instance` below 1 is an error ("'instance' must be a positive
//! number."). DataFusion's `strpos` answers `integer` and has no `instance`.
//!
//! Examples: `strpos('timestream', 'stream')` → `5`; `strpos('abcabc', 'b', 2)` → `5`;
//! `strrpos('abcabc', 'b')` → `5`; `strrpos('abcabc', 'b', 2)` → `2`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Int64Builder};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::functions::conversion::args::{any_null, arrays, coerce, finish, lenient, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Strpos {
    signature: Signature,
    from_end: bool,
}

impl Strpos {
    /// `strpos`.
    pub fn first() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            from_end: false,
        }
    }

    /// `strrpos`.
    pub fn last() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            from_end: true,
        }
    }
}

/// Byte offsets of every (overlapping) occurrence of `needle`, in order.
fn occurrences<'a>(s: &'a str, needle: &'a str) -> impl DoubleEndedIterator<Item = usize> + 'a {
    s.char_indices()
        .map(|(i, _)| i)
        .filter(move |&i| s[i..].starts_with(needle))
        .collect::<Vec<_>>()
        .into_iter()
}

fn position(s: &str, needle: &str, instance: i64, from_end: bool) -> Result<i64> {
    if instance < 1 {
        return exec_err!("'instance' must be a positive number.");
    }
    if needle.is_empty() {
        return Ok(1);
    }
    let n = usize::try_from(instance - 1).unwrap_or(usize::MAX);
    let found = if from_end {
        occurrences(s, needle).rev().nth(n)
    } else {
        occurrences(s, needle).nth(n)
    };
    Ok(found.map_or(0, |byte| s[..byte].chars().count() as i64 + 1))
}

impl Strpos {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        let expected = format!(
            "{0}(varchar(x), varchar(y)), {0}(varchar(x), varchar(y), bigint)",
            self.name()
        );
        coerce(
            self.name(),
            args,
            &[
                &[Param::Varchar, Param::Varchar],
                &[Param::Varchar, Param::Varchar, Param::Bigint],
            ],
            &expected,
        )
    }
}

impl ScalarUDFImpl for Strpos {
    fn name(&self) -> &str {
        if self.from_end {
            "strrpos"
        } else {
            "strpos"
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
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        let s = a[0].as_string::<i32>();
        let needle = a[1].as_string::<i32>();
        let instance = a.get(2).map(|n| n.as_primitive::<Int64Type>());
        let mut out = Int64Builder::with_capacity(s.len());
        for i in 0..s.len() {
            if any_null(&a, i) {
                out.append_null();
            } else {
                let instance = instance.map_or(1, |n| n.value(i));
                out.append_value(position(
                    s.value(i),
                    needle.value(i),
                    instance,
                    self.from_end,
                )?);
            }
        }
        finish(Arc::new(out.finish()), scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::position;

    #[test]
    fn positions() {
        assert_eq!(position("timestream", "stream", 1, false).unwrap(), 5);
        assert_eq!(position("abcabc", "b", 2, false).unwrap(), 5);
        assert_eq!(position("abcabc", "b", 1, true).unwrap(), 5);
        assert_eq!(position("abcabc", "b", 2, true).unwrap(), 2);
        assert_eq!(position("aaa", "aa", 2, false).unwrap(), 2);
        assert_eq!(position("Ångström", "ö", 1, false).unwrap(), 7);
        assert_eq!(position("abc", "x", 1, false).unwrap(), 0);
        assert!(position("abc", "b", 0, false).is_err());
    }
}
