//! `concat(x1, …, xN) → varchar`: the arguments joined; **NULL when any argument is NULL**, at
//! least two arguments. DataFusion's `concat` skips NULLs (`concat('a', NULL, 'b')` = `ab`) and
//! turns arrays into their text, so this replaces it.
//!
//! `concat(array1, …, arrayN) → array` (§8) is the array concatenation: it is planned as
//! DataFusion's `array_concat`, NULL when any argument is NULL.
//!
//! Examples [trino]: `concat('a', 'b', 'c')` → `abc`; `concat('a', NULL)` → NULL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, StringBuilder};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::functions::conversion::args::{
    any_null, arrays, finish, lenient, udf_struct, unexpected,
};

udf_struct!(Concat);

const EXPECTED: &str = "concat(varchar(x), varchar(y), …) or concat(array(E), array(E), …)";

fn is_list(dt: &DataType) -> bool {
    matches!(dt, DataType::List(_) | DataType::LargeList(_))
}

impl Concat {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        if args.len() < 2 {
            return plan_err!("There must be two or more concatenation arguments");
        }
        if args.iter().any(is_list) {
            // Arrays are concatenated by array_concat, which unifies the element types itself.
            if let Some(list) = args.iter().find(|a| is_list(a)) {
                if args
                    .iter()
                    .all(|a| is_list(a) || matches!(a, DataType::Null))
                {
                    // An untyped NULL takes the type of the first array.
                    return Ok(args
                        .iter()
                        .map(|a| if is_list(a) { a.clone() } else { list.clone() })
                        .collect());
                }
            }
            return unexpected(self.name(), args, EXPECTED);
        }
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            match a {
                DataType::Null | DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                    out.push(DataType::Utf8)
                }
                DataType::Dictionary(_, v)
                    if matches!(
                        **v,
                        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
                    ) =>
                {
                    out.push(DataType::Utf8)
                }
                _ => return unexpected(self.name(), args, EXPECTED),
            }
        }
        Ok(out)
    }
}

impl ScalarUDFImpl for Concat {
    fn name(&self) -> &str {
        "concat"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(lenient(self.check(args), args))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        self.check(args)?;
        match args.iter().find(|a| is_list(a)) {
            Some(list) => Ok(list.clone()),
            None => Ok(DataType::Utf8),
        }
    }

    fn simplify(&self, args: Vec<Expr>, info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        let mut types = Vec::with_capacity(args.len());
        for a in &args {
            types.push(info.get_data_type(a)?);
        }
        if !types.iter().any(is_list) {
            return Ok(ExprSimplifyResult::Original(args));
        }
        // NULL if any array is NULL: CASE WHEN a IS NULL OR … THEN NULL ELSE array_concat(…) END.
        let return_type = self.return_type(&types)?;
        let any_null = args
            .iter()
            .map(|a| a.clone().is_null())
            .reduce(|a, b| a.or(b));
        let concat = datafusion::functions_nested::expr_fn::array_concat(args);
        let Some(any_null) = any_null else {
            return Ok(ExprSimplifyResult::Simplified(concat));
        };
        let null = Expr::Literal(ScalarValue::try_from(&return_type)?, None);
        Ok(ExprSimplifyResult::Simplified(
            datafusion::logical_expr::when(any_null, null).otherwise(concat)?,
        ))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        if is_list(args.return_type()) {
            return exec_err!("concat of arrays is planned as array_concat");
        }
        let (a, scalar) = arrays(&args)?;
        let n = a.first().map_or(0, |a| a.len());
        let mut out = StringBuilder::with_capacity(n, 0);
        let strings = a.iter().map(|a| a.as_string::<i32>()).collect::<Vec<_>>();
        let mut buf = String::new();
        for i in 0..n {
            if any_null(&a, i) {
                out.append_null();
                continue;
            }
            buf.clear();
            for s in &strings {
                buf.push_str(s.value(i));
            }
            out.append_value(&buf);
        }
        finish(Arc::new(out.finish()), scalar)
    }
}
