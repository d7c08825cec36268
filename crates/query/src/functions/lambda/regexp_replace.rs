//! `regexp_replace(string, pattern, function(array(varchar),varchar)) → varchar`: every match
//! of `pattern` replaced by the lambda's result for it, the lambda receiving the match's
//! capturing groups (index 1 = group 1, a group that did not take part is NULL; there is no
//! element for the whole match — wrap the pattern in parentheses to get it)
//! (timestream-functions.md §9). Matches are found as the scalar form finds them (Java's
//! `Matcher.find`, empty matches included; functions/regex), with the same regex engine (Java's
//! syntax, look-around and back-references included). A string without a match is returned as
//! it is (the lambda is not called); a NULL string or pattern gives NULL; a lambda returning
//! NULL for a match makes the whole result NULL (Trino).
//!
//! The scalar `regexp_replace` owns the SQL name, and DataFusion's planner looks scalar
//! functions up first: the dialect layer calls this one by [`NAME`] when an argument is a
//! lambda; errors name `regexp_replace`.
//!
//! Documented example: `regexp_replace('example', '(\w)', x -> upper(x[1]))` → `EXAMPLE`;
//! Trino's `regexp_replace('new york', '(\w)(\w*)', x -> upper(x[1]) || lower(x[2]))` →
//! `New York`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, ListBuilder, StringArray, StringBuilder};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, HigherOrderFunctionArgs, HigherOrderReturnFieldArgs, HigherOrderSignature,
    HigherOrderUDFImpl, LambdaParametersProgress, ValueOrLambda, Volatility,
};

use super::{
    call, fits, list_of, param, progress, row_index, seen_types, seen_while_binding, unexpected,
    untyped, varchar_type, Arg, Seen, Shape,
};
use crate::functions::regex::{all, Patterns};

/// The name the lambda form is registered under.
pub(super) const NAME: &str = "__regexp_replace_lambda";

/// The name errors use.
const SQL_NAME: &str = "regexp_replace";

pub(super) const SHAPE: Shape = Shape {
    sql_name: SQL_NAME,
    registered: NAME,
    args: &[Arg::Value, Arg::Value, Arg::Lambda(1)],
};

const EXPECTED: &str = "regexp_replace(varchar(x), JoniRegExp), \
                        regexp_replace(varchar(x), JoniRegExp, varchar(y)), \
                        regexp_replace(varchar(x), JoniRegExp, function(array(varchar),varchar(y)))";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RegexpReplaceLambda {
    signature: HigherOrderSignature,
}

impl RegexpReplaceLambda {
    pub fn new() -> Self {
        Self {
            signature: HigherOrderSignature::variadic_any(Volatility::Immutable),
        }
    }

    /// Whether the value arguments fit.
    fn values(&self, seen: &[Seen]) -> bool {
        let varchar =
            |i: usize| matches!(seen.get(i), Some(Seen::Value(t)) if varchar_type(t).is_some());
        fits(seen, SHAPE.args) && varchar(0) && varchar(1)
    }

    /// [`Self::values`], the lambda returning varchar, or the error.
    pub(super) fn check(&self, seen: &[Seen]) -> Result<()> {
        if !self.values(seen) {
            return unexpected(SQL_NAME, seen, &[], EXPECTED);
        }
        match seen.get(2) {
            Some(Seen::Lambda(Some(result))) if varchar_type(result).is_none() => {
                unexpected(SQL_NAME, seen, &[vec![list_of(DataType::Utf8)]], EXPECTED)
            }
            _ => Ok(()),
        }
    }
}

impl HigherOrderUDFImpl for RegexpReplaceLambda {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &HigherOrderSignature {
        &self.signature
    }

    fn lambda_parameters(
        &self,
        _step: usize,
        fields: &[ValueOrLambda<FieldRef, Option<FieldRef>>],
    ) -> Result<LambdaParametersProgress> {
        let seen = seen_while_binding(fields);
        Ok(if self.values(&seen) {
            progress(vec![vec![list_of(DataType::Utf8)]])
        } else {
            untyped(&seen)
        })
    }

    fn coerce_values_for_lambdas(
        &self,
        fields: &[ValueOrLambda<DataType, DataType>],
    ) -> Result<Option<Vec<DataType>>> {
        let fit = self.values(&seen_types(fields));
        Ok(fit.then(|| vec![DataType::Utf8, DataType::Utf8]))
    }

    fn return_field_from_args(&self, _args: HigherOrderReturnFieldArgs) -> Result<FieldRef> {
        Ok(param(&DataType::Utf8))
    }

    fn invoke_with_args(&self, args: HigherOrderFunctionArgs) -> Result<ColumnarValue> {
        let [ValueOrLambda::Value(string), ValueOrLambda::Value(pattern), ValueOrLambda::Lambda(function)] =
            args.args.as_slice()
        else {
            return exec_err!("regexp_replace takes a string, a pattern and a lambda");
        };
        let rows = args.number_rows;
        let utf8 = |v: &ColumnarValue| -> Result<StringArray> {
            let a = cast(&v.to_array(rows)?, &DataType::Utf8)?;
            Ok(a.as_string::<i32>().clone())
        };
        let (strings, patterns) = (utf8(string)?, utf8(pattern)?);
        // First every match of every row: its byte range, its row, its groups for the lambda.
        let mut cache = Patterns::default();
        let mut matches: Vec<Vec<(usize, usize)>> = vec![Vec::new(); rows];
        let mut at = Vec::new();
        let mut groups = ListBuilder::new(StringBuilder::new());
        for (r, ranges) in matches.iter_mut().enumerate() {
            if strings.is_null(r) || patterns.is_null(r) {
                continue;
            }
            let re = cache.get(patterns.value(r))?;
            let s = strings.value(r);
            for caps in all(re, s)? {
                let Some(whole) = caps.get(0) else {
                    continue;
                };
                ranges.push((whole.start(), whole.end()));
                at.push(row_index(r)?);
                for g in 1..caps.len() {
                    groups
                        .values()
                        .append_option(caps.get(g).map(|m| m.as_str()));
                }
                groups.append(true);
            }
        }
        let groups: Arc<dyn Array> = Arc::new(groups.finish());
        let groups = cast(&groups, &list_of(DataType::Utf8))?;
        let at = datafusion::arrow::array::UInt32Array::from(at);
        let replaced = cast(
            &call(function, &[groups], &at, &DataType::Utf8)?,
            &DataType::Utf8,
        )?;
        let replaced = replaced.as_string::<i32>();
        // Then each string with its matches replaced.
        let mut out = StringBuilder::with_capacity(rows, 0);
        let mut next = 0;
        for (r, ranges) in matches.iter().enumerate() {
            if strings.is_null(r) || patterns.is_null(r) {
                out.append_null();
                continue;
            }
            let s = strings.value(r);
            let mut text = String::with_capacity(s.len());
            let mut last = 0;
            let mut null = false;
            for &(start, end) in ranges {
                text.push_str(&s[last..start]);
                if replaced.is_null(next) {
                    null = true;
                } else {
                    text.push_str(replaced.value(next));
                }
                last = end;
                next += 1;
            }
            text.push_str(&s[last..]);
            if null {
                out.append_null();
            } else {
                out.append_value(text);
            }
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}
