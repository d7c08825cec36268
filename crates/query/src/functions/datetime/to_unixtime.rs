//! `to_unixtime(timestamp) → double`: seconds since the epoch with the fraction
//! (timestream-functions.md §9.3): the nanoseconds as a double divided by 10⁹, which is what
//! the guide's example prints: `to_unixtime('2022-06-17 17:44:43.771000000')` →
//! `1.6554878837710001E9`. DataFusion's `to_unixtime` truncates to a bigint; this replaces it.
//! A varchar argument is read as a timestamp.

use datafusion::arrow::array::Float64Array;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::common;

const EXPECTED: &str = "to_unixtime(timestamp)";

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ToUnixtime {
    signature: Signature,
}

impl ToUnixtime {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl Default for ToUnixtime {
    fn default() -> Self {
        Self::new()
    }
}

impl ScalarUDFImpl for ToUnixtime {
    fn name(&self) -> &str {
        "to_unixtime"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        common::one_timestamp(self.name(), args, EXPECTED)
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let [x] = args.args.as_slice() else {
            return common::wrong_args(self.name(), &[], EXPECTED);
        };
        let out: Float64Array = common::timestamps(x, args.number_rows)?
            .iter()
            .map(|v| v.map(|ns| ns as f64 / 1e9))
            .collect();
        Ok(common::array(out))
    }
}
