//! `array_sort(x) → array`: ascending, **NULLs last** (timestream-functions.md §8). DataFusion's
//! one-argument `array_sort` puts NULLs first; this plans DataFusion's
//! `array_sort(x, 'ASC', 'NULLS LAST')`. (The comparator form `array_sort(x, (a, b) -> …)` is a
//! lambda, planned elsewhere.)
//!
//! Documented example: `SELECT array_sort(ARRAY[6,8,2,9,3])` → `[2, 3, 6, 8, 9]`.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::functions_nested::sort::array_sort_udf;
use datafusion::logical_expr::simplify::{ExprSimplifyResult, SimplifyContext};
use datafusion::logical_expr::{
    lit, ColumnarValue, Expr, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{coerce_array, element_field};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ArraySort {
    signature: Signature,
}

impl ArraySort {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for ArraySort {
    fn name(&self) -> &str {
        "array_sort"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_array(self.name(), arg_types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types.first() {
            Some(x) if element_field(x).is_some() => Ok(x.clone()),
            _ => plan_err!("array_sort expects an array"),
        }
    }

    fn invoke_with_args(&self, _args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        exec_err!("array_sort is planned as DataFusion's array_sort(x, 'ASC', 'NULLS LAST')")
    }

    fn simplify(&self, args: Vec<Expr>, _info: &SimplifyContext) -> Result<ExprSimplifyResult> {
        let mut args = args;
        args.extend([lit("ASC"), lit("NULLS LAST")]);
        Ok(ExprSimplifyResult::Simplified(array_sort_udf().call(args)))
    }
}
