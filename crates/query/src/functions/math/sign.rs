//! `sign(x)` → same as input: `-1`, `0` or `1` for integers; for doubles also `NaN` → `NaN`,
//! `±Infinity` → `±1.0` and `-0.0` → `-0.0` [trino]. DataFusion's `signum` returns `double` for
//! integers and `0.0` for `-0.0`, and there is no `sign`.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature};

use super::map_number;
use crate::functions::conversion::args::{arrays, coerce, finish, lenient, udf_struct, Param};

udf_struct!(Sign);

impl Sign {
    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[&[Param::Number]],
            "sign(integer | bigint | double)",
        )
    }
}

fn sign(x: f64) -> f64 {
    if x == 0.0 || x.is_nan() {
        x
    } else {
        x.signum()
    }
}

impl ScalarUDFImpl for Sign {
    fn name(&self) -> &str {
        "sign"
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
        let out = map_number(&a[0], |v| Ok(v.signum()), |v| Ok(v.signum()), sign)?;
        finish(out, scalar)
    }
}
