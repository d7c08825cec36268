//! `trim(x)`, `ltrim(x)`, `rtrim(x)` → varchar: remove leading and/or trailing whitespace, where
//! whitespace is Java's `Character.isWhitespace` (space, tab, newline, vertical tab, form feed,
//! carriage return, U+001C–U+001F and the Unicode space, line and paragraph separators except
//! the no-break spaces). DataFusion's versions remove only `' '`.
//!
//! The two-argument forms `trim(x, chars)`, `ltrim(x, chars)`, `rtrim(x, chars)` [trino] remove
//! the characters of the set `chars` instead; `TRIM([BOTH|LEADING|TRAILING] chars FROM x)` is
//! planned by DataFusion as those (`BOTH` as DataFusion's `btrim`, which has that semantics).

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::functions::conversion::args::{any_null, arrays, coerce, finish, lenient, Param};

#[derive(Debug, PartialEq, Eq, Hash, Clone, Copy)]
enum Side {
    Both,
    Leading,
    Trailing,
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Trim {
    signature: Signature,
    side: Side,
}

impl Trim {
    fn with(side: Side) -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            side,
        }
    }

    pub fn both() -> Self {
        Self::with(Side::Both)
    }

    pub fn leading() -> Self {
        Self::with(Side::Leading)
    }

    pub fn trailing() -> Self {
        Self::with(Side::Trailing)
    }
}

/// Java's `Character.isWhitespace`.
pub fn is_java_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{09}'..='\u{0D}'
            | '\u{1C}'..='\u{20}'
            | '\u{1680}'
            | '\u{2000}'..='\u{2006}'
            | '\u{2008}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

fn trim(s: &str, side: Side, strip: impl Fn(char) -> bool + Copy) -> &str {
    match side {
        Side::Both => s.trim_matches(strip),
        Side::Leading => s.trim_start_matches(strip),
        Side::Trailing => s.trim_end_matches(strip),
    }
}

impl Trim {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        let expected = format!("{0}(varchar(x)), {0}(varchar(x), varchar(y))", self.name());
        coerce(
            self.name(),
            args,
            &[&[Param::Varchar], &[Param::Varchar, Param::Varchar]],
            &expected,
        )
    }
}

impl ScalarUDFImpl for Trim {
    fn name(&self) -> &str {
        match self.side {
            Side::Both => "trim",
            Side::Leading => "ltrim",
            Side::Trailing => "rtrim",
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
        let chars = a.get(1).map(|c| c.as_string::<i32>());
        let mut out = StringBuilder::with_capacity(s.len(), 0);
        for i in 0..s.len() {
            if any_null(&a, i) {
                out.append_null();
                continue;
            }
            match chars {
                None => out.append_value(trim(s.value(i), self.side, is_java_whitespace)),
                Some(chars) => {
                    let set = chars.value(i);
                    out.append_value(trim(s.value(i), self.side, |c| set.contains(c)));
                }
            }
        }
        finish(Arc::new(out.finish()), scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_whitespace() {
        assert_eq!(
            trim(" \t\n a b \r\u{3000}", Side::Both, is_java_whitespace),
            "a b"
        );
        assert_eq!(
            trim("\u{a0}a", Side::Leading, is_java_whitespace),
            "\u{a0}a"
        );
        assert_eq!(trim(" a ", Side::Trailing, is_java_whitespace), " a");
    }
}
