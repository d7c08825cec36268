//! Sliding window frames (`… OVER (ORDER BY t ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)`) for
//! aggregates whose state cannot forget a value (top-n lists, digests, bit masks, moments).
//! DataFusion feeds a sliding accumulator the rows entering the frame and retracts the rows
//! leaving it, oldest first; this one keeps the rows of the current frame and recomputes the
//! aggregate from them on every evaluation — O(frame) per row, exact.

use std::collections::VecDeque;

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::Accumulator;

/// Makes a fresh accumulator of the aggregate.
pub(crate) type Factory = Box<dyn Fn() -> Result<Box<dyn Accumulator>> + Send + Sync>;

pub(crate) struct Recompute {
    fresh: Factory,
    /// The current frame's input rows, one scalar per argument.
    rows: VecDeque<Vec<ScalarValue>>,
}

impl std::fmt::Debug for Recompute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recompute")
            .field("rows", &self.rows.len())
            .finish()
    }
}

/// A sliding accumulator recomputing from copies of `template`, a fresh accumulator.
pub(crate) fn sliding<A: Accumulator + Clone + 'static>(template: A) -> Box<dyn Accumulator> {
    Box::new(Recompute::new(Box::new(move || {
        Ok(Box::new(template.clone()) as Box<dyn Accumulator>)
    })))
}

impl Recompute {
    pub(crate) fn new(fresh: Factory) -> Self {
        Self {
            fresh,
            rows: VecDeque::new(),
        }
    }

    fn columns(&self) -> Result<Vec<ArrayRef>> {
        let width = self.rows.front().map_or(0, Vec::len);
        (0..width)
            .map(|c| ScalarValue::iter_to_array(self.rows.iter().map(|r| r[c].clone())))
            .collect()
    }
}

impl Accumulator for Recompute {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let n = values.first().map_or(0, |v| v.len());
        for i in 0..n {
            self.rows.push_back(
                values
                    .iter()
                    .map(|v| ScalarValue::try_from_array(v, i))
                    .collect::<Result<_>>()?,
            );
        }
        Ok(())
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let n = values.first().map_or(0, |v| v.len());
        for _ in 0..n {
            self.rows.pop_front();
        }
        Ok(())
    }

    fn supports_retract_batch(&self) -> bool {
        true
    }

    fn merge_batch(&mut self, _states: &[ArrayRef]) -> Result<()> {
        datafusion::common::internal_err!("a sliding window accumulator is never merged")
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        datafusion::common::internal_err!("a sliding window accumulator has no partial state")
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let mut acc = (self.fresh)()?;
        if !self.rows.is_empty() {
            acc.update_batch(&self.columns()?)?;
        }
        acc.evaluate()
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self
                .rows
                .iter()
                .flatten()
                .map(ScalarValue::size)
                .sum::<usize>()
    }
}
