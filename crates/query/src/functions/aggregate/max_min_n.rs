//! `max` and `min` with Timestream's second form (timestream-functions.md §10):
//!
//! - `max(x) → same as x`, `min(x)`: the largest (smallest) non-NULL value — DataFusion's own
//!   `max`/`min`, to which the one-argument form delegates everything (groups accumulator,
//!   sliding windows, statistics);
//! - `max(x, n) → array(same as x)`, `min(x, n)`: the `n` largest values, descending (the `n`
//!   smallest, ascending); `n` a positive constant. DataFusion has no such form.
//!
//! Documented examples, over `(VALUES 1, 2, 3, 4) AS t(c)`: `max(t.c)` → `4`, `max(t.c, 2)` →
//! `[4, 3]`, `min(t.c)` → `1`, `min(t.c, 2)` → `[1, 2]`.

use std::sync::Arc;

use datafusion::arrow::array::ArrayRef;
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{Result, ScalarValue};
use datafusion::functions_aggregate::min_max::{max_udaf, min_udaf};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::AggregateOrderSensitivity;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, GroupsAccumulator, ReversedUDAF, SetMonotonicity,
    Signature, StatisticsArgs, Volatility,
};

use super::by::{By, ByAccumulator};
use super::distinct::{self, maybe_distinct};
use super::sliding::sliding;
use super::{numeric_type, type_list, value_type};

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct MaxMinN {
    /// DataFusion's one-argument `max`/`min`.
    inner: Arc<AggregateUDF>,
    /// The `n`-form, as `max_by(x, x, n)`.
    n_form: By,
    signature: Signature,
}

pub fn max() -> MaxMinN {
    MaxMinN {
        inner: max_udaf(),
        n_form: By::new("max", true),
        signature: Signature::user_defined(Volatility::Immutable),
    }
}

pub fn min() -> MaxMinN {
    MaxMinN {
        inner: min_udaf(),
        n_form: By::new("min", false),
        signature: Signature::user_defined(Volatility::Immutable),
    }
}

impl MaxMinN {
    fn is_n_form(n_args: usize) -> bool {
        n_args == 2
    }
}

impl AggregateUDFImpl for MaxMinN {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        match arg_types {
            [x, n] if numeric_type(n) == Some(DataType::Int64) => {
                Ok(vec![value_type(x), DataType::Int64])
            }
            [_] => self.inner.inner().coerce_types(arg_types),
            other => datafusion::common::plan_err!(
                "Unexpected parameters ({}) for function {}. Expected: {}(E), {}(E, bigint)",
                type_list(other),
                self.name(),
                self.name(),
                self.name()
            ),
        }
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        match arg_types {
            [x, _] => Ok(DataType::new_list(x.clone(), true)),
            _ => self.inner.return_type(arg_types),
        }
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        if Self::is_n_form(args.input_fields.len()) {
            if args.is_distinct {
                return Ok(distinct::state_fields(&args));
            }
            let x = args.input_fields[0].clone();
            let fields = [x.clone(), x];
            self.n_form.state_fields(StateFieldsArgs {
                input_fields: &fields,
                ..args
            })
        } else {
            self.inner.inner().state_fields(args)
        }
    }

    fn accumulator(&self, acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        if !Self::is_n_form(acc_args.exprs.len()) {
            return self.inner.inner().accumulator(acc_args);
        }
        // max(x, n) is max_by(x, x, n): the same column as value and key.
        Ok(maybe_distinct(
            &acc_args,
            self.n_form_accumulator(acc_args.clone())?,
        ))
    }

    fn groups_accumulator_supported(&self, args: AccumulatorArgs) -> bool {
        !Self::is_n_form(args.exprs.len()) && self.inner.groups_accumulator_supported(args)
    }

    fn create_groups_accumulator(
        &self,
        args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        self.inner.create_groups_accumulator(args)
    }

    fn create_sliding_accumulator(&self, args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        if Self::is_n_form(args.exprs.len()) {
            Ok(sliding(self.n_form_accumulator(args)?))
        } else {
            self.inner.create_sliding_accumulator(args)
        }
    }

    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        AggregateOrderSensitivity::Insensitive
    }

    fn reverse_expr(&self) -> ReversedUDAF {
        ReversedUDAF::Identical
    }

    fn value_from_stats(&self, statistics_args: &StatisticsArgs) -> Option<ScalarValue> {
        if statistics_args.exprs.len() == 1 {
            self.inner.inner().value_from_stats(statistics_args)
        } else {
            None
        }
    }

    fn set_monotonicity(&self, data_type: &DataType) -> SetMonotonicity {
        match data_type {
            DataType::List(_) => SetMonotonicity::NotMonotonic,
            _ => self.inner.inner().set_monotonicity(data_type),
        }
    }
}

impl MaxMinN {
    /// `max(x, n)` is `max_by(x, x, n)`: the same column as value and key.
    fn n_form_accumulator(&self, acc_args: AccumulatorArgs) -> Result<SameKey> {
        let exprs = [
            acc_args.exprs[0].clone(),
            acc_args.exprs[0].clone(),
            acc_args.exprs[1].clone(),
        ];
        let fields = [
            acc_args.expr_fields[0].clone(),
            acc_args.expr_fields[0].clone(),
            acc_args.expr_fields[1].clone(),
        ];
        let inner = self.n_form.make(AccumulatorArgs {
            exprs: &exprs,
            expr_fields: &fields,
            ..acc_args
        })?;
        Ok(SameKey { inner })
    }
}

/// Feeds `[x, n]` to a `max_by`/`min_by` accumulator as `[x, x, n]`.
#[derive(Debug, Clone)]
struct SameKey {
    inner: ByAccumulator,
}

impl Accumulator for SameKey {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        self.inner
            .update_batch(&[values[0].clone(), values[0].clone()])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.inner.merge_batch(states)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        self.inner.state()
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        self.inner.evaluate()
    }

    fn size(&self) -> usize {
        self.inner.size()
    }
}
