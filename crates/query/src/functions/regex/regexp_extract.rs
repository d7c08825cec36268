//! `regexp_extract(string, pattern[, group]) → varchar`: the first match of `pattern` in
//! `string` (or its capturing group `group`); **NULL when nothing matches** (or the group did not
//! take part). `regexp_extract_all(string, pattern[, group]) → array(varchar)`: every
//! non-overlapping match (or its group), left to right; no match → empty array; a group that
//! did not take part gives a NULL element. A `group` larger than the pattern's number of groups
//! is an error ("Pattern has 2 groups. Cannot access group 3") [trino]. DataFusion has neither
//! (`regexp_match` returns the groups of the first match).
//!
//! Documented examples: `regexp_extract('example expect', 'ex\w')` → `exa`;
//! `regexp_extract('example expect', '(ex)(\w)', 2)` → `a`;
//! `regexp_extract_all('example expect complex', 'ex\w')` → `[ exa,exp ]`;
//! `regexp_extract_all('example expect complex', '(ex)(\w)', 2)` → `[ a,p ]`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListBuilder, StringBuilder};
use datafusion::arrow::datatypes::{DataType, Field, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{all, first, Patterns};
use crate::functions::conversion::args::{any_null, arrays, coerce, finish, lenient, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RegexpExtract {
    signature: Signature,
    all: bool,
}

impl RegexpExtract {
    /// `regexp_extract`.
    pub fn first() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            all: false,
        }
    }

    /// `regexp_extract_all`.
    pub fn all() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            all: true,
        }
    }

    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        let expected = format!(
            "{0}(varchar(x), JoniRegExp), {0}(varchar(x), JoniRegExp, bigint)",
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

fn check_group(group: i64, groups: usize) -> Result<usize> {
    if group < 0 {
        return exec_err!("Group cannot be negative");
    }
    match usize::try_from(group) {
        Ok(g) if g <= groups => Ok(g),
        _ => exec_err!("Pattern has {groups} groups. Cannot access group {group}"),
    }
}

impl ScalarUDFImpl for RegexpExtract {
    fn name(&self) -> &str {
        if self.all {
            "regexp_extract_all"
        } else {
            "regexp_extract"
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
        Ok(if self.all {
            DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
        } else {
            DataType::Utf8
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        let s = a[0].as_string::<i32>();
        let p = a[1].as_string::<i32>();
        let group = a.get(2).map(|g| g.as_primitive::<Int64Type>());
        let mut patterns = Patterns::default();
        let out: ArrayRef = if self.all {
            let mut out = ListBuilder::new(StringBuilder::new());
            for i in 0..s.len() {
                if any_null(&a, i) {
                    out.append_null();
                    continue;
                }
                let re = patterns.get(p.value(i))?;
                let g = check_group(group.map_or(0, |g| g.value(i)), re.captures_len() - 1)?;
                let value = s.value(i);
                for caps in all(re, value)? {
                    out.values().append_option(caps.get(g).map(|m| m.as_str()));
                }
                out.append(true);
            }
            Arc::new(out.finish())
        } else {
            let mut out = StringBuilder::with_capacity(s.len(), 0);
            for i in 0..s.len() {
                if any_null(&a, i) {
                    out.append_null();
                    continue;
                }
                let re = patterns.get(p.value(i))?;
                let g = check_group(group.map_or(0, |g| g.value(i)), re.captures_len() - 1)?;
                let found = first(re, s.value(i))?.and_then(|caps| caps.get(g).map(|m| m.as_str()));
                out.append_option(found);
            }
            Arc::new(out.finish())
        };
        finish(out, scalar)
    }
}
