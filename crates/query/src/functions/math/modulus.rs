//! `mod(n, m)` → same as input (the common type of `n` and `m`): the remainder of `n / m` with
//! the sign of `n` (Java's `%`). An integer `m` of 0 is an error ("Division by zero"); a double
//! `m` of 0 gives NaN [trino]. DataFusion has only the `%` operator, with the same semantics.
//!
//! Examples [trino]: `mod(-5, 3)` → `-2`; `mod(5.5, 2)` → `1.5`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::functions::conversion::args::{
    arrays, common_number, finish, lenient, udf_struct, unexpected,
};

udf_struct!(Mod);

const EXPECTED: &str = "mod(integer, integer), mod(bigint, bigint), mod(double, double)";

impl Mod {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        match common_number(args) {
            Some(t) if args.len() == 2 => Ok(vec![t.clone(), t]),
            _ => unexpected(self.name(), args, EXPECTED),
        }
    }
}

fn int_mod<T>(n: &ArrayRef, m: &ArrayRef) -> Result<ArrayRef>
where
    T: datafusion::arrow::datatypes::ArrowPrimitiveType,
    T::Native: num_rem::Rem,
{
    let (n, m) = (n.as_primitive::<T>(), m.as_primitive::<T>());
    let out = (0..n.len())
        .map(|i| {
            if n.is_null(i) || m.is_null(i) {
                return Ok(None);
            }
            match num_rem::Rem::checked_java_rem(n.value(i), m.value(i)) {
                Some(r) => Ok(Some(r)),
                None => exec_err!("Division by zero"),
            }
        })
        .collect::<Result<PrimitiveArray<T>>>()?;
    Ok(Arc::new(out))
}

mod num_rem {
    /// Java's `%` on integers: the sign of the dividend, `MIN % -1` = 0, `None` for a zero divisor.
    pub trait Rem: Sized {
        fn checked_java_rem(self, m: Self) -> Option<Self>;
    }

    impl Rem for i32 {
        fn checked_java_rem(self, m: Self) -> Option<Self> {
            (m != 0).then(|| self.wrapping_rem(m))
        }
    }

    impl Rem for i64 {
        fn checked_java_rem(self, m: Self) -> Option<Self> {
            (m != 0).then(|| self.wrapping_rem(m))
        }
    }
}

impl ScalarUDFImpl for Mod {
    fn name(&self) -> &str {
        "mod"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(lenient(self.check(args), args))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        Ok(self.check(args)?.remove(0))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let (a, scalar) = arrays(&args)?;
        let out = match a[0].data_type() {
            DataType::Int32 => int_mod::<Int32Type>(&a[0], &a[1])?,
            DataType::Int64 => int_mod::<Int64Type>(&a[0], &a[1])?,
            _ => {
                let (n, m) = (
                    a[0].as_primitive::<Float64Type>(),
                    a[1].as_primitive::<Float64Type>(),
                );
                let out: PrimitiveArray<Float64Type> = (0..n.len())
                    .map(|i| (n.is_valid(i) && m.is_valid(i)).then(|| n.value(i) % m.value(i)))
                    .collect();
                Arc::new(out)
            }
        };
        finish(out, scalar)
    }
}
