//! Comparison functions (timestream-functions.md §1): `greatest`, `least`. The comparison
//! operators, BETWEEN, IS [NOT] NULL, IS [NOT] DISTINCT FROM and LIKE are DataFusion's (pinned in
//! functions_comparison.slt); ALL/ANY/SOME need the dialect layer.

use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;

mod greatest;

pub use greatest::Extreme;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(Extreme::greatest())),
        Arc::new(ScalarUDF::from(Extreme::least())),
    ]
}
