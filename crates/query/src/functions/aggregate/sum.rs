//! `sum(x) → bigint | double`: the sum of the non-NULL inputs; integers sum as bigint, floating
//! values as double; no input → NULL (timestream-functions.md §10). Replaces DataFusion's `sum`,
//! which wraps around silently on bigint overflow (trap 9): here an overflow fails the query
//! with Trino's `bigint addition overflow: a + b` (QueryExecutionException).
//!
//! Documented example: `SELECT sum(t.c) FROM (VALUES 1, 2, 3, 4) AS t(c)` → `10`.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, PrimitiveArray};
use datafusion::arrow::buffer::NullBuffer;
use datafusion::arrow::datatypes::{
    ArrowPrimitiveType, DataType, Field, FieldRef, Float64Type, Int64Type,
};
use datafusion::common::{exec_err, plan_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility,
};

use super::distinct::{self, maybe_distinct};
use super::{numeric_type, type_list};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Sum {
    signature: Signature,
}

impl Sum {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl AggregateUDFImpl for Sum {
    fn name(&self) -> &str {
        "sum"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [t] => match numeric_type(t) {
                Some(t) => Ok(vec![t]),
                None => plan_err!(
                    "Unexpected parameters ({}) for function sum. Expected: sum(double), sum(bigint)",
                    type_list(arg_types)
                ),
            },
            other => plan_err!(
                "Unexpected parameters ({}) for function sum. Expected: sum(double), sum(bigint)",
                type_list(other)
            ),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [DataType::Float64] => Ok(DataType::Float64),
            _ => Ok(DataType::Int64),
        }
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        if args.is_distinct {
            return Ok(distinct::state_fields(&args));
        }
        Ok(vec![
            Arc::new(Field::new(
                format_state_name(args.name, "sum"),
                args.return_type().clone(),
                true,
            )),
            Arc::new(Field::new(
                format_state_name(args.name, "count"),
                DataType::Int64,
                false,
            )),
        ])
    }

    fn groups_accumulator_supported(&self, args: AccumulatorArgs) -> bool {
        !args.is_distinct
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(match args.return_type() {
            DataType::Float64 => Box::new(SumGroups::<Float64Type>::new(|a, b| Some(a + b))),
            _ => Box::new(SumGroups::<Int64Type>::new(i64::checked_add)),
        })
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(match acc_args.return_type() {
            DataType::Float64 => maybe_distinct(&acc_args, DoubleSum { sum: 0.0, count: 0 }),
            _ => maybe_distinct(&acc_args, BigintSum { sum: 0, count: 0 }),
        })
    }
}

#[derive(Debug, Clone)]
struct BigintSum {
    sum: i64,
    count: i64,
}

impl BigintSum {
    fn add(&mut self, v: i64) -> Result<()> {
        match self.sum.checked_add(v) {
            Some(s) => {
                self.sum = s;
                Ok(())
            }
            None => exec_err!("bigint addition overflow: {} + {}", self.sum, v),
        }
    }
}

impl Accumulator for BigintSum {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        for v in values[0].as_primitive::<Int64Type>().iter().flatten() {
            self.add(v)?;
            self.count += 1;
        }
        Ok(())
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        for v in values[0].as_primitive::<Int64Type>().iter().flatten() {
            match self.sum.checked_sub(v) {
                Some(s) => self.sum = s,
                None => return exec_err!("bigint subtraction overflow: {} - {}", self.sum, v),
            }
            self.count -= 1;
        }
        Ok(())
    }

    fn supports_retract_batch(&self) -> bool {
        true
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let sums = states[0].as_primitive::<Int64Type>();
        let counts = states[1].as_primitive::<Int64Type>();
        for (s, c) in sums.iter().zip(counts.iter()) {
            if let Some(s) = s {
                self.add(s)?;
            }
            self.count += c.unwrap_or(0);
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![
            ScalarValue::Int64(Some(self.sum)),
            ScalarValue::Int64(Some(self.count)),
        ])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Int64((self.count > 0).then_some(self.sum)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
    }
}

#[derive(Debug, Clone)]
struct DoubleSum {
    sum: f64,
    count: i64,
}

impl Accumulator for DoubleSum {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        for v in values[0].as_primitive::<Float64Type>().iter().flatten() {
            self.sum += v;
            self.count += 1;
        }
        Ok(())
    }

    fn retract_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        for v in values[0].as_primitive::<Float64Type>().iter().flatten() {
            self.sum -= v;
            self.count -= 1;
        }
        Ok(())
    }

    fn supports_retract_batch(&self) -> bool {
        true
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let sums = states[0].as_primitive::<Float64Type>();
        let counts = states[1].as_primitive::<Int64Type>();
        for (s, c) in sums.iter().zip(counts.iter()) {
            self.sum += s.unwrap_or(0.0);
            self.count += c.unwrap_or(0);
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![
            ScalarValue::Float64(Some(self.sum)),
            ScalarValue::Int64(Some(self.count)),
        ])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Float64((self.count > 0).then_some(self.sum)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
    }
}

/// `sum` per group for GROUP BY: the sums and the number of values of each group (NULL for a
/// group without values); `add` answers `None` on overflow.
struct SumGroups<T: ArrowPrimitiveType>
where
    T::Native: std::fmt::Display,
{
    sums: Vec<T::Native>,
    counts: Vec<i64>,
    add: fn(T::Native, T::Native) -> Option<T::Native>,
}

impl<T: ArrowPrimitiveType> SumGroups<T>
where
    T::Native: std::fmt::Display,
{
    fn new(add: fn(T::Native, T::Native) -> Option<T::Native>) -> Self {
        Self {
            sums: Vec::new(),
            counts: Vec::new(),
            add,
        }
    }

    fn add_all(
        &mut self,
        sums: &PrimitiveArray<T>,
        counts: Option<&PrimitiveArray<Int64Type>>,
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.sums.resize(total_num_groups, T::default_value());
        self.counts.resize(total_num_groups, 0);
        for (row, &g) in group_indices.iter().enumerate() {
            if sums.is_null(row) || opt_filter.is_some_and(|f| !f.is_valid(row) || !f.value(row)) {
                continue;
            }
            let v = sums.value(row);
            match (self.add)(self.sums[g], v) {
                Some(s) => self.sums[g] = s,
                None => return exec_err!("bigint addition overflow: {} + {}", self.sums[g], v),
            }
            self.counts[g] += counts.map_or(1, |c| c.value(row));
        }
        Ok(())
    }
}

impl<T: ArrowPrimitiveType> GroupsAccumulator for SumGroups<T>
where
    T::Native: std::fmt::Display,
{
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.add_all(
            values[0].as_primitive::<T>(),
            None,
            group_indices,
            opt_filter,
            total_num_groups,
        )
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.add_all(
            values[0].as_primitive::<T>(),
            Some(values[1].as_primitive::<Int64Type>()),
            group_indices,
            None,
            total_num_groups,
        )
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let values = values[0].as_primitive::<T>();
        let counted: Vec<bool> = (0..values.len())
            .map(|i| values.is_valid(i) && opt_filter.is_none_or(|f| f.is_valid(i) && f.value(i)))
            .collect();
        let sums: Vec<T::Native> = counted
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if *c {
                    values.value(i)
                } else {
                    T::default_value()
                }
            })
            .collect();
        let counts: Vec<i64> = counted.iter().map(|c| i64::from(*c)).collect();
        Ok(vec![
            Arc::new(PrimitiveArray::<T>::new(sums.into(), None)),
            Arc::new(PrimitiveArray::<Int64Type>::new(counts.into(), None)),
        ])
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let sums = emit_to.take_needed(&mut self.sums);
        let counts = emit_to.take_needed(&mut self.counts);
        let nulls = NullBuffer::from(counts.iter().map(|c| *c > 0).collect::<Vec<_>>());
        Ok(Arc::new(PrimitiveArray::<T>::new(sums.into(), Some(nulls))))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let sums = emit_to.take_needed(&mut self.sums);
        let counts = emit_to.take_needed(&mut self.counts);
        Ok(vec![
            Arc::new(PrimitiveArray::<T>::new(sums.into(), None)),
            Arc::new(PrimitiveArray::<Int64Type>::new(counts.into(), None)),
        ])
    }

    fn size(&self) -> usize {
        self.sums.capacity() * std::mem::size_of::<T::Native>() + self.counts.capacity() * 8
    }
}
