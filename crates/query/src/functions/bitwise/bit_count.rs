//! `bit_count(x, bits) → bigint`: the number of 1-bits of `x` in its `bits`-bit two's
//! complement representation. `bits` must be 2…64, and `x` must fit in `bits` signed bits
//! [doc; trino wording].
//!
//! Documented examples: `bit_count(19, 8)` → `3`; `bit_count(19, 2)` → error "Number must be
//! representable with the bits specified. 19 can not be represented with 2 bits".
//! Trino: `bit_count(-1, 64)` → `64`.

use std::sync::Arc;

use datafusion::arrow::array::{AsArray, Int64Array};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use crate::functions::conversion::args::{
    arrays, coerce, finish, lenient, map_rows2, udf_struct, Param,
};

udf_struct!(BitCount);

impl BitCount {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[&[Param::Bigint, Param::Bigint]],
            "bit_count(bigint, bigint)",
        )
    }
}

fn bit_count(x: i64, bits: i64) -> Result<i64> {
    if bits == 64 {
        return Ok(i64::from(x.count_ones()));
    }
    if !(2..64).contains(&bits) {
        return exec_err!("Bits specified in bit_count must be between 2 and 64, got {bits}");
    }
    let low = (1i64 << (bits - 1)) - 1;
    if x > low || x < !low {
        return exec_err!(
            "Number must be representable with the bits specified. {x} can not be represented with {bits} bits"
        );
    }
    let mask = (1i64 << bits) - 1;
    Ok(i64::from((x & mask).count_ones()))
}

impl ScalarUDFImpl for BitCount {
    fn name(&self) -> &str {
        "bit_count"
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
        let out: Int64Array = map_rows2(
            a[0].as_primitive::<Int64Type>(),
            a[1].as_primitive::<Int64Type>(),
            bit_count,
        )?;
        finish(Arc::new(out), scalar)
    }
}

#[cfg(test)]
mod tests {
    use super::bit_count;

    #[test]
    fn counts() {
        assert_eq!(bit_count(19, 8).unwrap(), 3);
        assert_eq!(bit_count(-1, 64).unwrap(), 64);
        assert_eq!(bit_count(-1, 8).unwrap(), 8);
        assert_eq!(bit_count(-128, 8).unwrap(), 1);
        assert!(bit_count(128, 8).is_err());
        assert!(bit_count(19, 2).is_err());
        assert!(bit_count(1, 1).is_err());
    }
}
