//! Integer `+`, `-`, `*` and negation that fail on overflow, as Trino's do.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use datafusion::arrow::compute::kernels::arity::try_binary;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::datatypes::{ArrowPrimitiveType, Int32Type, Int64Type};
use datafusion::arrow::error::ArrowError;
use datafusion::common::{exec_err, DataFusionError};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::{
    ColumnarValue, Expr, Operator, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

/// `a + b`, `a - b`, `a * b` and `-a` on integers of one type, failing on overflow. Named as the
/// operator expression it replaces, so that plans keep their column names.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(super) struct Checked {
    /// `None`: negation.
    op: Option<Operator>,
    name: String,
    signature: Signature,
}

impl Checked {
    pub(super) fn new(op: Operator) -> Self {
        Self {
            name: format!("__timestream_checked_{}", Self::word(Some(op))),
            op: Some(op),
            signature: Signature::any(2, Volatility::Immutable),
        }
    }

    pub(super) fn negation() -> Self {
        Self {
            name: format!("__timestream_checked_{}", Self::word(None)),
            op: None,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }

    pub(super) fn word(op: Option<Operator>) -> &'static str {
        match op {
            None => "negation",
            Some(Operator::Plus) => "addition",
            Some(Operator::Minus) => "subtraction",
            Some(_) => "multiplication",
        }
    }

    fn negate<T>(a: &ArrayRef, type_name: &str) -> Result<ArrayRef>
    where
        T: ArrowPrimitiveType,
        T::Native: std::fmt::Display + CheckedOps,
    {
        let result: PrimitiveArray<T> = a
            .as_primitive::<T>()
            .try_unary(|x| {
                x.checked_neg_().ok_or_else(|| {
                    ArrowError::ComputeError(format!("{type_name} negation overflow: -({x})"))
                })
            })
            .map_err(|e| match e {
                ArrowError::ComputeError(m) => DataFusionError::Execution(m),
                other => DataFusionError::ArrowError(Box::new(other), None),
            })?;
        Ok(Arc::new(result))
    }

    fn apply<T>(op: Operator, a: &ArrayRef, b: &ArrayRef, type_name: &str) -> Result<ArrayRef>
    where
        T: ArrowPrimitiveType,
        T::Native: std::fmt::Display + CheckedOps,
    {
        let (a, b) = (a.as_primitive::<T>(), b.as_primitive::<T>());
        let result: PrimitiveArray<T> = try_binary(a, b, |x, y| {
            let r = match op {
                Operator::Plus => x.checked_add_(y),
                Operator::Minus => x.checked_sub_(y),
                _ => x.checked_mul_(y),
            };
            r.ok_or_else(|| {
                ArrowError::ComputeError(format!(
                    "{type_name} {} overflow: {x} {op} {y}",
                    Self::word(Some(op))
                ))
            })
        })
        .map_err(|e| match e {
            ArrowError::ComputeError(m) => DataFusionError::Execution(m),
            other => DataFusionError::ArrowError(Box::new(other), None),
        })?;
        Ok(Arc::new(result))
    }
}

/// Checked integer operations of the native types.
trait CheckedOps: Sized {
    fn checked_add_(self, other: Self) -> Option<Self>;
    fn checked_sub_(self, other: Self) -> Option<Self>;
    fn checked_mul_(self, other: Self) -> Option<Self>;
    fn checked_neg_(self) -> Option<Self>;
}

macro_rules! checked_ops {
    ($($t:ty),*) => {$(
        impl CheckedOps for $t {
            fn checked_add_(self, other: Self) -> Option<Self> { self.checked_add(other) }
            fn checked_sub_(self, other: Self) -> Option<Self> { self.checked_sub(other) }
            fn checked_mul_(self, other: Self) -> Option<Self> { self.checked_mul(other) }
            fn checked_neg_(self) -> Option<Self> { self.checked_neg() }
        }
    )*};
}
checked_ops!(i32, i64);

impl ScalarUDFImpl for Checked {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[0].clone())
    }

    fn schema_name(&self, args: &[Expr]) -> Result<String> {
        Ok(match (self.op, args) {
            (Some(op), [a, b]) => format!("{} {op} {}", a.schema_name(), b.schema_name()),
            (_, [a, ..]) => format!("(- {})", a.schema_name()),
            _ => self.name.clone(),
        })
    }

    fn display_name(&self, args: &[Expr]) -> Result<String> {
        Ok(match (self.op, args) {
            (Some(op), [a, b]) => format!("{a} {op} {b}"),
            (_, [a, ..]) => format!("(- {a})"),
            _ => self.name.clone(),
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let result = match (arrays[0].data_type(), self.op, arrays.get(1)) {
            (DataType::Int32, None, _) => Self::negate::<Int32Type>(&arrays[0], "integer")?,
            (DataType::Int64, None, _) => Self::negate::<Int64Type>(&arrays[0], "bigint")?,
            (DataType::Int32, Some(op), Some(b)) => {
                Self::apply::<Int32Type>(op, &arrays[0], b, "integer")?
            }
            (DataType::Int64, Some(op), Some(b)) => {
                Self::apply::<Int64Type>(op, &arrays[0], b, "bigint")?
            }
            (other, _, _) => return exec_err!("{} of {other}", Self::word(self.op)),
        };
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(
                &result, 0,
            )?))
        } else {
            Ok(ColumnarValue::Array(result))
        }
    }
}
