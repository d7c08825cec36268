//! `greatest(v1, …, vN)` and `least(v1, …, vN)` → the common super-type of the arguments: the
//! largest (smallest) argument, **NULL when any argument is NULL**, and an error for a `double`
//! NaN argument ("Invalid argument to greatest(): NaN") [trino]. DataFusion's versions skip NULLs
//! (`greatest(1, NULL, 3)` = 3) and order NaN above every number; this wraps them, keeping their
//! type resolution (integer → bigint → double) and comparison, and adds the NULL and NaN rules.
//! Numbers and strings do not mix (Trino has no implicit number ↔ varchar coercion).
//!
//! Examples [trino]: `greatest(1, 5, 3)` → `5`; `greatest(1, NULL)` → NULL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray};
use datafusion::arrow::compute::kernels::boolean::or;
use datafusion::arrow::compute::{is_null, nullif};
use datafusion::arrow::datatypes::{DataType, Float64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};

use crate::functions::conversion::args::{arrays, finish, unexpected};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Extreme {
    signature: Signature,
    inner: Arc<ScalarUDF>,
}

impl Extreme {
    pub fn greatest() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            inner: datafusion::functions::core::greatest(),
        }
    }

    pub fn least() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            inner: datafusion::functions::core::least(),
        }
    }

    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        let expected = format!("{}(E, E, …) E:orderable", self.name());
        let stringy = |t: &DataType| match t {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
            DataType::Dictionary(_, v) => {
                matches!(
                    **v,
                    DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
                )
            }
            _ => false,
        };
        let typed = args.iter().filter(|t| !matches!(t, DataType::Null));
        let strings = typed.clone().filter(|t| stringy(t)).count();
        if args.is_empty() || (strings != 0 && strings != typed.count()) {
            return unexpected(self.name(), args, &expected);
        }
        match self.inner.inner().coerce_types(args) {
            Ok(types) => Ok(types),
            Err(_) => unexpected(self.name(), args, &expected),
        }
    }
}

impl ScalarUDFImpl for Extreme {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(self.check(args).unwrap_or_else(|_| args.to_vec()))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        Ok(self
            .check(args)?
            .into_iter()
            .next()
            .unwrap_or(DataType::Null))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        for column in &a {
            if let DataType::Float64 = column.data_type() {
                if column
                    .as_primitive::<Float64Type>()
                    .iter()
                    .any(|v| v.is_some_and(f64::is_nan))
                {
                    return exec_err!("Invalid argument to {}(): NaN", self.name());
                }
            }
        }
        let any_null = a.iter().try_fold(None::<BooleanArray>, |acc, column| {
            let nulls = is_null(column.as_ref())?;
            Ok::<_, datafusion::error::DataFusionError>(Some(match acc {
                None => nulls,
                Some(acc) => or(&acc, &nulls)?,
            }))
        })?;
        let rows = a.first().map_or(0, |c| c.len());
        let result = self
            .inner
            .invoke_with_args(ScalarFunctionArgs {
                args: a.iter().cloned().map(ColumnarValue::Array).collect(),
                arg_fields: args.arg_fields,
                number_rows: rows,
                return_field: args.return_field,
                config_options: args.config_options,
            })?
            .to_array(rows)?;
        let result: ArrayRef = match any_null {
            Some(mask) => nullif(result.as_ref(), &mask)?,
            None => result,
        };
        finish(result, scalar)
    }
}
