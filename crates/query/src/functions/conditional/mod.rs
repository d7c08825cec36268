//! Conditional expressions (timestream-functions.md §2): `if`. `CASE`, `coalesce` and `nullif`
//! are DataFusion's (pinned in functions_conditional.slt). `try(…)` is not provided: it needs a
//! planner construct that catches errors of its argument's evaluation, which a UDF (whose
//! arguments are evaluated before it is called) cannot do.

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

mod if_;

pub use if_::If;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![Arc::new(ScalarUDF::from(If::new()))]
}
