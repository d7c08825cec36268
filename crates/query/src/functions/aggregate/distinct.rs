//! `f(DISTINCT x, …)` for the library's aggregates: DataFusion leaves DISTINCT to each
//! aggregate (its `sum` has a distinct accumulator of its own), unless its optimizer can turn
//! the query into a GROUP BY, which it only does when every DISTINCT aggregate has the same
//! arguments. This accumulator keeps the distinct argument rows (the partial state is one list
//! per argument) and computes the aggregate over them at the end.

use std::collections::HashSet;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::logical_expr::function::StateFieldsArgs;
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::Accumulator;

use super::{list_scalar, list_values};

/// The partial state of a DISTINCT aggregate: the distinct values of each argument, as lists.
pub(crate) fn state_fields(args: &StateFieldsArgs) -> Vec<FieldRef> {
    args.input_fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            Arc::new(Field::new(
                format_state_name(args.name, &format!("distinct_{i}")),
                DataType::new_list(f.data_type().clone(), true),
                true,
            ))
        })
        .collect()
}

/// A DISTINCT accumulator over copies of `template`, a fresh accumulator; `types` are the
/// argument types.
pub(crate) fn distinct<A: Accumulator + Clone + 'static>(
    template: A,
    types: Vec<DataType>,
) -> Box<dyn Accumulator> {
    Box::new(Distinct {
        template: Box::new(move || Box::new(template.clone()) as Box<dyn Accumulator>),
        types,
        seen: HashSet::new(),
        rows: Vec::new(),
    })
}

type Fresh = Box<dyn Fn() -> Box<dyn Accumulator> + Send + Sync>;

struct Distinct {
    template: Fresh,
    types: Vec<DataType>,
    seen: HashSet<Vec<ScalarValue>>,
    /// The distinct rows in order of first appearance.
    rows: Vec<Vec<ScalarValue>>,
}

impl std::fmt::Debug for Distinct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Distinct")
            .field("rows", &self.rows.len())
            .finish()
    }
}

impl Distinct {
    fn offer(&mut self, row: Vec<ScalarValue>) {
        if self.seen.insert(row.clone()) {
            self.rows.push(row);
        }
    }

    fn column(&self, c: usize) -> Vec<ScalarValue> {
        self.rows.iter().map(|r| r[c].clone()).collect()
    }
}

impl Accumulator for Distinct {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let n = values.first().map_or(0, |v| v.len());
        for i in 0..n {
            let row = values
                .iter()
                .map(|v| ScalarValue::try_from_array(v, i))
                .collect::<Result<Vec<_>>>()?;
            self.offer(row);
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let n = states.first().map_or(0, |s| s.len());
        for i in 0..n {
            let columns = states
                .iter()
                .map(|s| list_values(s, i))
                .collect::<Result<Vec<_>>>()?;
            let len = columns.first().map_or(0, Vec::len);
            for j in 0..len {
                self.offer(columns.iter().map(|c| c[j].clone()).collect());
            }
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(self
            .types
            .iter()
            .enumerate()
            .map(|(c, t)| list_scalar(&self.column(c), t))
            .collect())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let mut acc = (self.template)();
        if !self.rows.is_empty() {
            let columns = (0..self.types.len())
                .map(|c| ScalarValue::iter_to_array(self.column(c)))
                .collect::<Result<Vec<_>>>()?;
            acc.update_batch(&columns)?;
        }
        acc.evaluate()
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + 2 * self
                .rows
                .iter()
                .flatten()
                .map(ScalarValue::size)
                .sum::<usize>()
    }
}

/// `acc`, or a DISTINCT accumulator over copies of it when the call says DISTINCT.
pub(crate) fn maybe_distinct<A: Accumulator + Clone + 'static>(
    args: &datafusion::logical_expr::function::AccumulatorArgs,
    acc: A,
) -> Box<dyn Accumulator> {
    if args.is_distinct {
        let types = args
            .expr_fields
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        distinct(acc, types)
    } else {
        Box::new(acc)
    }
}
