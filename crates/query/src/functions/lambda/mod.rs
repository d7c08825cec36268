//! Functions that take lambdas (timestream-functions.md §8 and §12.7), as DataFusion
//! higher-order functions (being written).

use std::sync::Arc;

use datafusion::logical_expr::HigherOrderUDF;

pub fn functions() -> Vec<Arc<HigherOrderUDF>> {
    vec![]
}
