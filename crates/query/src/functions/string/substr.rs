//! `substr(x, start) → varchar` and `substr(x, start, length) → varchar` (also named
//! `substring`): the characters of `x` from `start` (1-based; a negative `start` counts from the
//! end, `-1` being the last character), `length` of them when given. `start` = 0, a start beyond
//! either end or a `length` ≤ 0 give `''` [trino]. DataFusion follows PostgreSQL instead
//! (`substr(x, 0)` is the whole string, a negative start is not counted from the end).
//!
//! Examples: `substr('Timestream', 5)` → `stream`; `substr('Timestream', -6)` → `stream`;
//! `substr('Timestream', 1, 4)` → `Time`; `substr('Timestream', -6, 3)` → `str`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::functions::conversion::args::{any_null, arrays, coerce, finish, lenient, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Substr {
    signature: Signature,
    aliases: Vec<String>,
}

impl Substr {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            aliases: vec!["substring".to_owned()],
        }
    }
}

impl Default for Substr {
    fn default() -> Self {
        Self::new()
    }
}

fn substr(s: &str, start: i64, length: Option<i64>) -> &str {
    if start == 0 || length.is_some_and(|l| l <= 0) {
        return "";
    }
    let total = s.chars().count() as i64;
    let from = if start > 0 { start - 1 } else { total + start };
    if from < 0 || from >= total {
        return "";
    }
    let to = match length {
        Some(l) => from.saturating_add(l).min(total),
        None => total,
    };
    let mut offsets = s
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()));
    let begin = offsets.nth(from as usize).unwrap_or(s.len());
    let end = if to == total {
        s.len()
    } else {
        offsets.nth((to - from - 1) as usize).unwrap_or(s.len())
    };
    &s[begin..end]
}

impl Substr {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[
                &[Param::Varchar, Param::Bigint],
                &[Param::Varchar, Param::Bigint, Param::Bigint],
            ],
            "substr(varchar(x), bigint), substr(varchar(x), bigint, bigint)",
        )
    }
}

impl ScalarUDFImpl for Substr {
    fn name(&self) -> &str {
        "substr"
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
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
        let start = a[1].as_primitive::<Int64Type>();
        let length = a.get(2).map(|l| l.as_primitive::<Int64Type>());
        let mut out = StringBuilder::with_capacity(s.len(), 0);
        for i in 0..s.len() {
            if any_null(&a, i) {
                out.append_null();
            } else {
                let length = length.map(|l| l.value(i));
                out.append_value(substr(s.value(i), start.value(i), length));
            }
        }
        finish(Arc::new(out.finish()), scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::substr;

    #[test]
    fn trino_rules() {
        assert_eq!(substr("Timestream", 5, None), "stream");
        assert_eq!(substr("Timestream", -6, None), "stream");
        assert_eq!(substr("Timestream", 1, Some(4)), "Time");
        assert_eq!(substr("Timestream", -6, Some(3)), "str");
        assert_eq!(substr("Timestream", 0, None), "");
        assert_eq!(substr("Timestream", 11, None), "");
        assert_eq!(substr("Timestream", -11, None), "");
        assert_eq!(substr("Timestream", 8, Some(10)), "eam");
        assert_eq!(substr("Ångström", 2, Some(3)), "ngs");
        assert_eq!(substr("Ångström", -2, Some(1)), "ö");
    }
}
