//! `levenshtein_distance(x1, x2) → bigint`: the least number of single-character insertions,
//! deletions and substitutions turning `x1` into `x2` (code points). DataFusion calls it
//! `levenshtein` and answers `integer`. Like Trino, inputs whose lengths multiply to more than
//! 1,000,000 are refused.
//!
//! Example [trino]: `levenshtein_distance('kitten', 'sitting')` → `3`.

use std::sync::Arc;

use datafusion::arrow::array::{AsArray, Int64Array};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::functions::conversion::args::{
    arrays, coerce, finish, lenient, map_rows2, udf_struct, Param,
};

udf_struct!(LevenshteinDistance);

const MAX_CELLS: usize = 1_000_000;

fn distance(a: &str, b: &str) -> Result<i64> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() {
        return Ok(b.len() as i64);
    }
    if b.is_empty() {
        return Ok(a.len() as i64);
    }
    if a.len().saturating_mul(b.len()) > MAX_CELLS {
        return exec_err!("The combined inputs for Levenshtein distance are too large");
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            let cost = usize::from(ca != cb);
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + cost);
            diagonal = above;
        }
    }
    Ok(row[b.len()] as i64)
}

impl LevenshteinDistance {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[&[Param::Varchar, Param::Varchar]],
            "levenshtein_distance(varchar(x), varchar(y))",
        )
    }
}

impl ScalarUDFImpl for LevenshteinDistance {
    fn name(&self) -> &str {
        "levenshtein_distance"
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
        let out: Int64Array =
            map_rows2(a[0].as_string::<i32>(), a[1].as_string::<i32>(), distance)?;
        finish(Arc::new(out), scalar)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn distances() {
        assert_eq!(super::distance("kitten", "sitting").unwrap(), 3);
        assert_eq!(super::distance("", "abc").unwrap(), 3);
        assert_eq!(super::distance("abc", "abc").unwrap(), 0);
    }
}
