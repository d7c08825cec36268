//! `random()` / `rand()` → double in [0.0, 1.0), and `random(n)` / `rand(n)` → same as input,
//! in [0, n); `n` ≤ 0 is an error ("bound must be positive") [trino]. A new value per call per
//! row. DataFusion's `random` takes no argument; this replaces it (same 0-argument behaviour).
//! The generator is xorshift64* seeded per batch from the standard library's random hasher keys.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, TypeSignature, Volatility,
};

use crate::functions::conversion::args::{coerce, lenient, Param};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Random {
    signature: Signature,
    aliases: Vec<String>,
}

impl Random {
    pub fn new() -> Self {
        Self {
            signature: Signature::one_of(
                vec![TypeSignature::Nullary, TypeSignature::UserDefined],
                Volatility::Volatile,
            ),
            aliases: vec!["rand".to_owned()],
        }
    }

    fn check(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        coerce(
            self.name(),
            args,
            &[&[], &[Param::Number]],
            "random(), random(integer | bigint | double)",
        )
    }
}

impl Default for Random {
    fn default() -> Self {
        Self::new()
    }
}

struct XorShift(u64);

impl XorShift {
    fn seeded() -> Self {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(0x9E37_79B9_7F4A_7C15);
        Self(h.finish() | 1)
    }

    /// A double in [0, 1) from the top 53 bits.
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let bits = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        bits as f64 / (1u64 << 53) as f64
    }
}

impl ScalarUDFImpl for Random {
    fn name(&self) -> &str {
        "random"
    }

    fn aliases(&self) -> &[String] {
        &self.aliases
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, args: &[DataType]) -> Result<Vec<DataType>> {
        Ok(lenient(self.check(args), args))
    }

    fn return_type(&self, args: &[DataType]) -> Result<DataType> {
        Ok(self
            .check(args)?
            .into_iter()
            .next()
            .unwrap_or(DataType::Float64))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let mut rng = XorShift::seeded();
        let Some(bound) = args.args.first() else {
            let out: PrimitiveArray<Float64Type> = (0..rows).map(|_| Some(rng.next())).collect();
            return Ok(ColumnarValue::Array(Arc::new(out)));
        };
        let bound = bound.to_array(rows)?;
        fn positive<T: PartialOrd + Default + Copy>(n: T) -> Result<T> {
            if n > T::default() {
                Ok(n)
            } else {
                exec_err!("bound must be positive")
            }
        }
        let out: ArrayRef = match bound.data_type() {
            DataType::Int32 => Arc::new(
                bound
                    .as_primitive::<Int32Type>()
                    .iter()
                    .map(|n| {
                        n.map(|n| Ok((rng.next() * f64::from(positive(n)?)) as i32))
                            .transpose()
                    })
                    .collect::<Result<PrimitiveArray<Int32Type>>>()?,
            ),
            DataType::Int64 => Arc::new(
                bound
                    .as_primitive::<Int64Type>()
                    .iter()
                    .map(|n| {
                        n.map(|n| Ok((rng.next() * positive(n)? as f64) as i64))
                            .transpose()
                    })
                    .collect::<Result<PrimitiveArray<Int64Type>>>()?,
            ),
            _ => Arc::new(
                bound
                    .as_primitive::<Float64Type>()
                    .iter()
                    .map(|n| n.map(|n| Ok(rng.next() * positive(n)?)).transpose())
                    .collect::<Result<PrimitiveArray<Float64Type>>>()?,
            ),
        };
        debug_assert_eq!(out.len(), rows);
        Ok(ColumnarValue::Array(out))
    }
}
