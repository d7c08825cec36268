//! `if(condition, true_value[, false_value])`: `true_value` when `condition` is true, otherwise
//! (false or NULL) `false_value`, or NULL without one. Only the chosen branch is evaluated:
//! the call is rewritten at planning into `CASE WHEN condition THEN true_value [ELSE
//! false_value] END`, and DataFusion's CASE evaluates each branch only on the rows that take it,
//! so `if(x = 0, NULL, 1 / x)` never divides by zero. The result type is the common super-type
//! of the two values (integer → bigint → double).
//!
//! Documented example: `if(true, 'example 1')` → `example 1`; `if(false, 'example 2')` → NULL;
//! `if(true, 'example 3 true', 'example 3 false')` → `example 3 true`;
//! `if(false, 'example 4 true', 'example 4 false')` → `example 4 false`.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    when, ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDFImpl, Signature,
};

use crate::functions::conversion::args::{common_number, lenient, udf_struct, unexpected};

udf_struct!(If);

const EXPECTED: &str = "if(boolean, E), if(boolean, E, E)";

fn is_string(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_string(v),
        _ => false,
    }
}

/// The common super-type of the two branch values.
fn common(a: &DataType, b: &DataType) -> Option<DataType> {
    match (a, b) {
        (DataType::Null, t) | (t, DataType::Null) => Some(t.clone()),
        (a, b) if is_string(a) && is_string(b) => Some(DataType::Utf8),
        (a, b) if a == b => Some(a.clone()),
        (a, b) => common_number(&[a.clone(), b.clone()]),
    }
}

impl If {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        let condition_ok = |t: &DataType| matches!(t, DataType::Boolean | DataType::Null);
        match args {
            [c, v] if condition_ok(c) => Ok(vec![DataType::Boolean, v.clone()]),
            [c, t, f] if condition_ok(c) => match common(t, f) {
                Some(common) => Ok(vec![DataType::Boolean, common.clone(), common]),
                None => unexpected(self.name(), args, EXPECTED),
            },
            _ => unexpected(self.name(), args, EXPECTED),
        }
    }
}

impl ScalarUDFImpl for If {
    fn name(&self) -> &str {
        "if"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn short_circuits(&self) -> bool {
        true
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(lenient(self.check(args), args))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        Ok(self.check(args)?.remove(1))
    }

    fn simplify(&self, args: Vec<Expr>, _info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        let mut args = args.into_iter();
        let (Some(condition), Some(then)) = (args.next(), args.next()) else {
            return exec_err!("if takes two or three arguments");
        };
        let mut case = when(condition, then);
        Ok(ExprSimplifyResult::Simplified(match args.next() {
            Some(otherwise) => case.otherwise(otherwise)?,
            None => case.end()?,
        }))
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        exec_err!("if() is rewritten to CASE at planning")
    }
}
