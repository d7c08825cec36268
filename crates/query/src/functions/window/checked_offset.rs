//! A DataFusion window function (`lead`, `lag`, `nth_value`, `ntile`) behind Timestream's checks
//! of its offset (bucket count) argument (timestream-functions.md §11, trap list): an offset below the minimum
//! is an error (DataFusion reads a negative `lag` offset as a `lead`, a negative `nth_value`
//! offset as counting from the end, and answers NULL for `nth_value(x, 0)`), and a NULL offset
//! gives NULL on every row [trino].

use std::sync::Arc;

use datafusion::arrow::array::{new_null_array, ArrayRef};
use datafusion::arrow::datatypes::{DataType, FieldRef};
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::function::{
    ExpressionArgs, PartitionEvaluatorArgs, WindowUDFFieldArgs,
};
use datafusion::logical_expr::{
    LimitEffect, PartitionEvaluator, ReversedUDWF, Signature, WindowUDF, WindowUDFImpl,
};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::expressions::Literal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Lead,
    Lag,
    NthValue,
    Ntile,
}

impl Kind {
    /// The position of the checked argument.
    fn arg(self) -> usize {
        match self {
            Kind::Ntile => 0,
            _ => 1,
        }
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CheckedOffset {
    kind: Kind,
    inner: Arc<WindowUDF>,
    /// The smallest offset allowed.
    min: i64,
}

impl CheckedOffset {
    pub fn new(kind: Kind, inner: Arc<WindowUDF>, min: i64) -> Self {
        Self { kind, inner, min }
    }
}

/// Argument `i` when it is a constant.
fn constant(exprs: &[Arc<dyn PhysicalExpr>], i: usize) -> Option<ScalarValue> {
    exprs
        .get(i)?
        .downcast_ref::<Literal>()
        .map(|l| l.value().clone())
}

impl WindowUDFImpl for CheckedOffset {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn signature(&self) -> &Signature {
        self.inner.signature()
    }

    fn expressions(&self, expr_args: ExpressionArgs) -> Vec<Arc<dyn PhysicalExpr>> {
        self.inner.inner().expressions(expr_args)
    }

    fn partition_evaluator(
        &self,
        args: PartitionEvaluatorArgs,
    ) -> Result<Box<dyn PartitionEvaluator>> {
        match constant(args.input_exprs(), self.kind.arg()) {
            Some(v) if v.is_null() => {
                let dt = args
                    .input_fields()
                    .first()
                    .map_or(DataType::Null, |f| f.data_type().clone());
                return Ok(Box::new(AllNull { dt }));
            }
            Some(v) => {
                if let Ok(ScalarValue::Int64(Some(n))) = v.cast_to(&DataType::Int64) {
                    if n < self.min {
                        return match self.kind {
                            Kind::Ntile => exec_err!("Buckets must be greater than 0"),
                            _ => exec_err!("Offset must be at least {}", self.min),
                        };
                    }
                }
            }
            None => {}
        }
        self.inner.inner().partition_evaluator(args)
    }

    fn field(&self, field_args: WindowUDFFieldArgs) -> Result<FieldRef> {
        self.inner.inner().field(field_args)
    }

    fn sort_options(&self) -> Option<datafusion::arrow::compute::SortOptions> {
        self.inner.inner().sort_options()
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        self.inner.inner().coerce_types(arg_types)
    }

    fn reverse_expr(&self) -> ReversedUDWF {
        // When the planner reverses the window order it keeps the function and tells its
        // evaluator (`is_reversed`), which negates the offset itself, as DataFusion's lag/lead
        // do: answering lead for lag here would reverse twice.
        if self.kind == Kind::Ntile {
            return self.inner.inner().reverse_expr();
        }
        let reversed = Self::new(self.kind, self.inner.clone(), self.min);
        ReversedUDWF::Reversed(Arc::new(WindowUDF::from(reversed)))
    }

    fn limit_effect(&self, args: &[Arc<dyn PhysicalExpr>]) -> LimitEffect {
        self.inner.inner().limit_effect(args)
    }
}

/// `lag(x, NULL)` and friends: NULL on every row.
#[derive(Debug)]
struct AllNull {
    dt: DataType,
}

impl PartitionEvaluator for AllNull {
    fn evaluate_all(&mut self, _values: &[ArrayRef], num_rows: usize) -> Result<ArrayRef> {
        Ok(new_null_array(&self.dt, num_rows))
    }
}
