//! `bitwise_and(x, y)`, `bitwise_or(x, y)`, `bitwise_xor(x, y)`, `bitwise_not(x)` → bigint, in
//! two's complement.
//!
//! Documented examples: `bitwise_and(12, 7)` → `4`; `bitwise_or(12, 7)` → `15`;
//! `bitwise_xor(12, 7)` → `11`; `bitwise_not(12)` → `-13`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Int64Array};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::functions::conversion::args::{arrays, coerce, finish, lenient, Param};

#[derive(Debug, PartialEq, Eq, Hash, Clone, Copy)]
enum Op {
    And,
    Or,
    Xor,
    Not,
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Bitwise {
    signature: Signature,
    op: Op,
}

impl Bitwise {
    fn with(op: Op) -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
            op,
        }
    }

    pub fn and() -> Self {
        Self::with(Op::And)
    }

    pub fn or() -> Self {
        Self::with(Op::Or)
    }

    pub fn xor() -> Self {
        Self::with(Op::Xor)
    }

    pub fn not() -> Self {
        Self::with(Op::Not)
    }

    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        if self.op == Op::Not {
            coerce(
                self.name(),
                args,
                &[&[Param::Bigint]],
                "bitwise_not(bigint)",
            )
        } else {
            let expected = format!("{}(bigint, bigint)", self.name());
            coerce(
                self.name(),
                args,
                &[&[Param::Bigint, Param::Bigint]],
                &expected,
            )
        }
    }
}

impl ScalarUDFImpl for Bitwise {
    fn name(&self) -> &str {
        match self.op {
            Op::And => "bitwise_and",
            Op::Or => "bitwise_or",
            Op::Xor => "bitwise_xor",
            Op::Not => "bitwise_not",
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
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        let x = a[0].as_primitive::<Int64Type>();
        let out: Int64Array = match a.get(1).map(|y| y.as_primitive::<Int64Type>()) {
            None => x.iter().map(|v| v.map(|v| !v)).collect(),
            Some(y) => {
                let op = self.op;
                (0..x.len())
                    .map(|i| {
                        (x.is_valid(i) && y.is_valid(i)).then(|| {
                            let (p, q) = (x.value(i), y.value(i));
                            match op {
                                Op::And => p & q,
                                Op::Or => p | q,
                                _ => p ^ q,
                            }
                        })
                    })
                    .collect()
            }
        };
        finish(Arc::new(out), scalar)
    }
}
