//! `correlate_spearman(timeseries, timeseries) → double` (timestream-functions.md §12.6):
//! Spearman's rank correlation of the two series' values — Pearson's r of their ranks, tied
//! values sharing the average of their ranks — in −1.0 … 1.0.
//!
//! As `correlate_pearson`: both series hold numbers and must have the same timestamps (else a
//! QueryExecutionException, `correlate_spearman: the two time series must have the same
//! timestamps`); NULL when either series is constant (all ranks tied) or has fewer than two
//! points; any NULL argument gives NULL. NaN values rank above every number (IEEE total
//! order), each NaN on its own rank.
//!
//! Guide: "two variants of correlation functions" — Pearson and Spearman, no Kendall.

use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use super::correlate_pearson::{coerce_types, correlate};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CorrelateSpearman {
    signature: Signature,
}

impl CorrelateSpearman {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for CorrelateSpearman {
    fn name(&self) -> &str {
        "correlate_spearman"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_types(self.name(), arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        correlate(self.name(), true, args)
    }
}

/// The 1-based ranks of `values` into `out` (ties: the average of their ranks); `order` is
/// scratch.
pub(super) fn ranks(values: &[f64], order: &mut Vec<usize>, out: &mut Vec<f64>) {
    let n = values.len();
    order.clear();
    order.extend(0..n);
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]));
    out.clear();
    out.resize(n, 0.0);
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && values[order[j]] == values[order[i]] {
            j += 1;
        }
        // Positions i + 1 ..= j share their mean.
        let rank = (i + 1 + j) as f64 / 2.0;
        for &k in &order[i..j] {
            out[k] = rank;
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use datafusion::logical_expr::ColumnarValue;

    use super::*;
    use crate::functions::timeseries::args::testing::{call, doubles, read_doubles};

    fn ranked(values: &[f64]) -> Vec<f64> {
        let mut out = Vec::new();
        ranks(values, &mut Vec::new(), &mut out);
        out
    }

    #[test]
    fn ties_share_the_average_rank() {
        assert_eq!(ranked(&[10.0, 30.0, 20.0]), vec![1.0, 3.0, 2.0]);
        assert_eq!(
            ranked(&[5.0, 1.0, 5.0, 5.0, 0.0]),
            vec![4.0, 2.0, 4.0, 4.0, 1.0]
        );
        assert_eq!(ranked(&[0.0, -0.0]), vec![1.5, 1.5]);
        assert_eq!(ranked(&[]), Vec::<f64>::new());
    }

    #[test]
    fn monotonic_is_one_whatever_the_shape() {
        let f = CorrelateSpearman::new();
        let out = call(
            &f,
            vec![
                ColumnarValue::Array(doubles(&[
                    Some(&[(0, 1.0), (1, 2.0), (2, 3.0), (3, 4.0)]),
                    Some(&[(0, 1.0), (1, 2.0), (2, 3.0), (3, 4.0)]),
                    Some(&[(0, 1.0), (1, 1.0)]),
                ])),
                ColumnarValue::Array(doubles(&[
                    Some(&[(0, 1.0), (1, 10.0), (2, 100.0), (3, 1000.0)]),
                    Some(&[(0, 4.0), (1, 3.0), (2, 2.0), (3, 1.0)]),
                    Some(&[(0, 1.0), (1, 2.0)]),
                ])),
            ],
            3,
        )
        .unwrap();
        assert_eq!(read_doubles(&out), vec![Some(1.0), Some(-1.0), None]);
    }
}
