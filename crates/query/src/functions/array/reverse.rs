//! `reverse(x)`: for an array, its elements in reverse order (timestream-functions.md §8); for
//! a varchar, the string reversed (§6). DataFusion's `reverse` is the string function only and
//! stringifies an array (`']3 ,2 ,1['`): arrays are planned as DataFusion's `array_reverse`,
//! strings as its `reverse`.
//!
//! Documented example: `SELECT reverse(ARRAY[6,8,2,9,3])` → `[3, 9, 2, 8, 6]`.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::functions::unicode::reverse as string_reverse;
use datafusion::functions_nested::reverse::array_reverse_udf;
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{element_field, list_type, type_list};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Reverse {
    signature: Signature,
}

impl Reverse {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for Reverse {
    fn name(&self) -> &str {
        "reverse"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [x] if list_type(x).is_some() => Ok(list_type(x).into_iter().collect()),
            [DataType::Utf8View] => Ok(vec![DataType::Utf8View]),
            [DataType::LargeUtf8] => Ok(vec![DataType::LargeUtf8]),
            [DataType::Utf8 | DataType::Null | DataType::Dictionary(_, _)] => {
                Ok(vec![DataType::Utf8])
            }
            other => plan_err!(
                "Unexpected parameters ({}) for function reverse. Expected: reverse(varchar), reverse(array(E))",
                type_list(other)
            ),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.first() {
            Some(x) => Ok(x.clone()),
            None => plan_err!("reverse takes one argument"),
        }
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        exec_err!("reverse is planned as DataFusion's reverse or array_reverse")
    }

    fn simplify(&self, args: Vec<Expr>, info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        let Some(arg) = args.first() else {
            return Ok(ExprSimplifyResult::Original(args));
        };
        let is_array = element_field(&info.get_data_type(arg)?).is_some();
        Ok(ExprSimplifyResult::Simplified(if is_array {
            array_reverse_udf().call(args)
        } else {
            string_reverse().call(args)
        }))
    }
}
