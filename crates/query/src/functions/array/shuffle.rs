//! `shuffle(x) → array`: a random permutation of the elements (timestream-functions.md §8).
//! Not in DataFusion. Volatile: every row draws its own permutation (Fisher–Yates over a
//! xorshift generator seeded from the clock; not for anything that needs good randomness).
//!
//! Documented example: `SELECT shuffle(ARRAY[6,8,2,9,3])` → `[6, 3, 2, 9, 8]` (random).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ListArray, UInt64Array};
use datafusion::arrow::compute::take;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_err, plan_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::{as_list, coerce_array, element_field, range};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Shuffle {
    signature: Signature,
}

impl Shuffle {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Volatile),
        }
    }
}

/// Distinct seeds for calls within the same clock tick.
static CALLS: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);

struct XorShift(u64);

impl XorShift {
    fn seeded() -> Self {
        let clock = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let salt = CALLS.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        Self((clock ^ salt) | 1)
    }

    fn below(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x % n as u64) as usize
    }
}

impl ScalarUDFImpl for Shuffle {
    fn name(&self) -> &str {
        "shuffle"
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
            _ => plan_err!("shuffle expects an array"),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let list = as_list(&arrays[0])?;
        let mut rng = XorShift::seeded();
        let mut indices: Vec<u64> = Vec::with_capacity(list.values().len());
        for row in 0..list.len() {
            let (start, end) = range(list, row);
            let first = indices.len();
            indices.extend((start..end).map(|j| j as u64));
            let mine = &mut indices[first..];
            for i in (1..mine.len()).rev() {
                mine.swap(i, rng.below(i + 1));
            }
        }
        let values = take(list.values().as_ref(), &UInt64Array::from(indices), None)?;
        let field = match list.data_type() {
            DataType::List(f) => f.clone(),
            _ => return exec_err!("shuffle expects an array"),
        };
        // Same lengths and NULLs as the input, only the order within each row changes.
        let rebased: Vec<usize> = (0..list.len())
            .map(|i| list.value_length(i) as usize)
            .collect();
        let out = ListArray::try_new(
            field,
            datafusion::arrow::buffer::OffsetBuffer::from_lengths(rebased),
            values,
            list.nulls().cloned(),
        )?;
        Ok(ColumnarValue::Array(Arc::new(out)))
    }
}
